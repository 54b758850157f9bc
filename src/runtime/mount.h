/* Mounts made through file descriptors. Every destination is resolved inside
 * the container root with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
 * and the mount is attached to that descriptor with move_mount(2), so a
 * symlink the container swaps in between can never redirect it outside.
 * Where the new mount API answers ENOSYS, the same functions use mount(2)
 * onto "/proc/self/fd/N" of that descriptor (see mount.c). */
#ifndef SILO_RUNTIME_MOUNT_H
#define SILO_RUNTIME_MOUNT_H

#include <sys/types.h>

#include "runtime/mount_options.h"
#include "util/err.h"
#include "util/resolve.h"

enum mount_target_kind {
	MOUNT_TARGET_DIR,  /* create missing directories, the last one too */
	MOUNT_TARGET_FILE, /* create missing parents and an empty file */
	MOUNT_TARGET_EXISTING,
};

/* Every path in the container root is resolved by resolve_in_root()
 * (util/resolve.h): openat2(rootfd, path, RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS | extra), or where openat2 fails with ENOSYS an
 * equally strict walk. The runtime's name for it. */
static inline int mount_resolve(int rootfd, const char *path, int open_flags,
				unsigned long long extra_resolve)
{
	return resolve_in_root(rootfd, path, open_flags, extra_resolve);
}

/* Tests: nonzero makes mount_resolve always take the walk. */
static inline void mount_resolve_force_fallback(int force)
{
	resolve_force_walk(force);
}

/* Resolves path in root and returns an O_PATH descriptor, creating what is
 * missing according to kind. */
int mount_open_target(int rootfd, const char *path, enum mount_target_kind kind,
		      struct silo_err *err);

/* Attaches a detached mount (from fsmount or open_tree) on target_fd. */
int mount_attach(int mount_fd, int target_fd, const char *what, struct silo_err *err);

/* A new filesystem instance (tmpfs, proc, sysfs, devpts, mqueue, cgroup2 …)
 * configured from the comma-separated data and mount flags. Returns a
 * detached mount descriptor. */
int mount_new_fs(const char *type, const char *source, const char *data, unsigned long flags,
		 struct silo_err *err);

/* A detached copy of the tree at source (a host path, or "" with dirfd),
 * with flags applied to its top and attr_set/attr_clr recursively. */
int mount_clone_tree(int dirfd, const char *source, const struct mount_options *opts,
		     struct silo_err *err);

/* Sets propagation (MS_SHARED, MS_SLAVE, ... | MS_REC) on the mount at fd. */
int mount_set_propagation(int fd, unsigned long propagation, struct silo_err *err);

/* Makes the mount at fd read-only (just that mount, other flags kept). */
int mount_make_readonly(int fd, struct silo_err *err);

/* A detached read-only copy of the tree at fd (its submounts read-only too;
 * with mount(2), the top mount only). */
int mount_clone_readonly(int fd, struct silo_err *err);

/* 1 if what mount_fd (from mount_new_fs or mount_clone_tree) would attach
 * is the root of a procfs, 0 if not, -errno if that cannot be told. */
int mount_tree_is_procfs_root(int mount_fd);

/* A procfs instance attached nowhere, so nothing in a container can cover
 * or replace any part of it. */
int mount_private_procfs(struct silo_err *err);

/* Nonzero once the new mount API answered ENOSYS and mounts are made with
 * mount(2). */
int mount_classic_api(void);

/* Closes the descriptor the mount(2) fallback names descriptors through
 * (the host's /proc/thread-self/fd), once the root is set up. */
void mount_release_fd_dir(void);

/* MS_* flags -> MOUNT_ATTR_* for the flags that are per-mount. */
unsigned long long mount_flags_to_attr(unsigned long flags);

#endif
