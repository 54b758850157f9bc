/* Namespaces: which ones a config asks for, and joining existing ones. */
#ifndef SILO_RUNTIME_NAMESPACES_H
#define SILO_RUNTIME_NAMESPACES_H

#include "runtime/spec.h"
#include "util/err.h"

/* Namespaces the kernel creates for us at clone time: every requested one
 * without a path, except cgroup (unshared by the child once it sits in its
 * own cgroup, so that cgroup becomes the namespace root) and time. */
unsigned long namespaces_clone_flags(const struct spec *spec);

/* Refuses what this runtime cannot do yet, with a line naming the field. */
int namespaces_validate(const struct spec *spec, struct silo_err *err);

/* Joins the namespace at path (setns); the type is checked by the kernel. */
int namespaces_join(const struct spec_namespace *ns, struct silo_err *err);

/* Joins every namespace given by path except pid and those in skip_mask,
 * the user namespace first. */
int namespaces_join_all(const struct spec *spec, unsigned long skip_mask, struct silo_err *err);

#endif
