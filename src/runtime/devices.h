/* Device nodes in the container: the default set every container gets in
 * its /dev, and the extra ones a config lists in linux.devices. */
#ifndef SILO_RUNTIME_DEVICES_H
#define SILO_RUNTIME_DEVICES_H

#include "runtime/spec.h"
#include "util/err.h"

/* Fills a freshly mounted /dev (devfd is its root): null, zero, full,
 * random, urandom, tty, and the ptmx, fd, stdin, stdout, stderr links.
 * With bind_from_host (in a user namespace, where mknod is refused), each
 * node is a bind mount of the host's. */
int devices_populate_default(int devfd, int bind_from_host, struct silo_err *err);

/* Creates the nodes of linux.devices inside the root (or binds the host's
 * node at the same path, with bind_from_host). */
int devices_create_from_spec(int rootfd, const struct spec *spec, int bind_from_host,
			     struct silo_err *err);

#endif
