/* linux.sysctl: kernel parameters the container's own namespaces hold. */
#ifndef SILO_RUNTIME_SYSCTL_H
#define SILO_RUNTIME_SYSCTL_H

#include "runtime/spec.h"
#include "util/err.h"

/* Refuses keys that are not namespaced (they would change the host), or
 * whose namespace the container does not have of its own. */
int sysctl_validate(const struct spec *spec, struct silo_err *err);

/* Writes each value under the container's /proc/sys, after pivot_root and
 * before /proc/sys is made read-only. */
int sysctl_apply(const struct spec *spec, struct silo_err *err);

#endif
