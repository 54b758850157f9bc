/* Linux security modules: the AppArmor profile or SELinux label a
 * container process execs into. */
#ifndef SILO_RUNTIME_LSM_H
#define SILO_RUNTIME_LSM_H

#include "runtime/spec.h"
#include "util/err.h"

/* Refuses a profile or label this host cannot apply (the LSM is not
 * enabled), naming the field, so create fails instead of running the
 * container unconfined. */
int lsm_validate(const struct spec *spec, struct silo_err *err);

/* Opens the calling thread's LSM attribute file attr ("current", "exec",
 * "apparmor/exec") in procfd, a procfs instance made in the caller's pid
 * namespace, with open flags. Returns a descriptor checked to be on procfs,
 * or -1 with errno set (EXDEV: it resolved to something else). */
int lsm_open_attr(int procfd, const char *attr, int flags);

/* Arranges for the next execve to enter the profile or label. Runs last
 * before execve (the attribute applies to the exec, not to us). */
int lsm_apply_exec(const struct spec_process *proc, struct silo_err *err);

#endif
