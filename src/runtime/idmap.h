/* Idmapped bind mounts (mount options "idmap" / "ridmap", mount
 * uidMappings / gidMappings): the mount shows its files' owners through an
 * ID mapping, without chown. */
#ifndef SILO_RUNTIME_IDMAP_H
#define SILO_RUNTIME_IDMAP_H

#include "runtime/spec.h"
#include "util/err.h"

/* Checks each idmapped mount: a bind mount, with mappings of its own or a
 * container user namespace to take them from. */
int idmap_validate(const struct spec *spec, struct silo_err *err);

/* Builds, in the runtime (which has the privilege the kernel asks for), a
 * detached idmapped copy of each such mount's source. fds[i] is the
 * detached mount for spec->mounts[i], or -1. The container's init inherits
 * them and attaches them in place of an ordinary bind. */
int idmap_prepare(const struct spec *spec, int *fds, struct silo_err *err);

void idmap_close(const struct spec *spec, int *fds);

#endif
