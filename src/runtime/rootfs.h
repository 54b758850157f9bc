/* The container's root filesystem, built inside its new mount namespace:
 * the root bound onto itself, every configured mount in order, /dev, the
 * pivot into the root, then masking and read-only paths. */
#ifndef SILO_RUNTIME_ROOTFS_H
#define SILO_RUNTIME_ROOTFS_H

#include "runtime/cgroup.h"
#include "runtime/spec.h"
#include "util/err.h"

struct rootfs_context {
	const struct spec *spec;
	const struct cgroup_host *cgroups;
	const char *cgroup_path;
	int cgroup_namespace; /* the container has its own cgroup namespace */
	int no_pivot;
	int user_namespace; /* no mknod, and sysfs only with a network namespace of ours */
	const int *idmap_fds; /* per spec mount: a detached idmapped tree, or -1 (may be NULL) */
};

/* Everything before the switch into the new root: the root bound onto
 * itself, the mounts, /dev and the configured devices. */
int rootfs_prepare(const struct rootfs_context *ctx, struct silo_err *err);

/* The switch itself: pivot_root, or with no_pivot a move and chroot. */
int rootfs_enter(const struct rootfs_context *ctx, struct silo_err *err);

/* What must wait until the root is "/": masked and read-only paths,
 * rootfsPropagation, and root.readonly, which comes last of all. */
int rootfs_finish(const struct rootfs_context *ctx, struct silo_err *err);

#endif
