/* Device nodes in the container: the default set every container gets in
 * its /dev, and the extra ones a config lists in linux.devices. */
#ifndef SILO_RUNTIME_DEVICES_H
#define SILO_RUNTIME_DEVICES_H

#include "runtime/spec.h"
#include "util/err.h"

/* Fills a freshly mounted /dev (devfd is its root): null, zero, full,
 * random, urandom, tty, and the ptmx, fd, stdin, stdout, stderr links. */
int devices_populate_default(int devfd, struct silo_err *err);

/* Creates the nodes of linux.devices inside the root. */
int devices_create_from_spec(int rootfd, const struct spec *spec, struct silo_err *err);

#endif
