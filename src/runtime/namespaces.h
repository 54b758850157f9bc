/* Namespaces: which ones a config asks for, and joining existing ones. */
#ifndef SILO_RUNTIME_NAMESPACES_H
#define SILO_RUNTIME_NAMESPACES_H

#include "runtime/spec.h"
#include "util/err.h"

/* Namespaces the kernel creates for us at clone time: every requested one
 * without a path, except cgroup (unshared by the child once it sits in its
 * own cgroup, so that cgroup becomes the namespace root) and time. */
unsigned long namespaces_clone_flags(const struct spec *spec);

/* Clones a child with fork semantics into the new namespaces in flags
 * (namespaces_clone_flags). With cgroup_fd >= 0 (an O_PATH descriptor of a
 * v2 cgroup), the child starts inside that cgroup (clone3's
 * CLONE_INTO_CGROUP, Linux 5.7) and *into_cgroup is set; on older kernels
 * it starts where we are, *into_cgroup is 0, and the caller moves it.
 * Returns the child's PID, 0 in the child, or < 0. */
pid_t namespaces_clone(unsigned long flags, int cgroup_fd, int *into_cgroup,
		       struct silo_err *err);

/* Refuses what this runtime cannot do yet, with a line naming the field. */
int namespaces_validate(const struct spec *spec, struct silo_err *err);

/* Joins the namespace at path (setns); the type is checked by the kernel. */
int namespaces_join(const struct spec_namespace *ns, struct silo_err *err);

/* Joins every namespace given by path except pid and those in skip_mask,
 * the user namespace first. */
int namespaces_join_all(const struct spec *spec, unsigned long skip_mask, struct silo_err *err);

#endif
