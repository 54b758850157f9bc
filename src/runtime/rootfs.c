/* Building the root filesystem. The order matters and is this:
 *
 *  1. make every mount we inherited a slave, so nothing we do below
 *     propagates back to the host (and host changes still reach us);
 *  2. bind the root onto itself: pivot_root needs a mount point;
 *  3. the config's mounts, in the order given, each attached through a
 *     descriptor resolved inside the root;
 *  4. /dev: a tmpfs if the config did not mount one, then the device nodes;
 *  5. pivot_root into the root and detach the old one (or, with --no-pivot,
 *     move the root onto / and chroot);
 *  6. masked paths, read-only paths, rootfsPropagation;
 *  7. root.readonly, last, since every step before writes into the root.
 */
#include "runtime/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <unistd.h>

#include "runtime/devices.h"
#include "runtime/mount.h"
#include "util/cleanup.h"

static int rootfs_make_slave(struct silo_err *err)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return silo_err_errno(err, "make mounts of \"/\" slaves");
	return 0;
}

static int rootfs_bind_root(const struct spec *spec, struct silo_err *err)
{
	struct stat st;

	if (stat(spec->root_path, &st) < 0)
		return silo_err_errno(err, "rootfs \"%s\"", spec->root_path);
	if (!S_ISDIR(st.st_mode))
		return silo_err_set(err, ENOTDIR, "rootfs \"%s\": not a directory", spec->root_path);
	if (mount(spec->root_path, spec->root_path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return silo_err_errno(err, "bind rootfs \"%s\"", spec->root_path);
	return 0;
}

/* proc and sysfs may only land on a plain directory: a symlink at /proc
 * could point procfs (and the writes the runtime makes to it) anywhere
 * (CVE-2019-16884, CVE-2019-19921). */
static int open_plain_dir(int rootfd, const char *dest, struct silo_err *err)
{
	int fd = mount_resolve(rootfd, dest, O_PATH | O_DIRECTORY | O_NOFOLLOW, RESOLVE_NO_SYMLINKS);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT) {
		_cleanup_close_ int made = mount_open_target(rootfd, dest, MOUNT_TARGET_DIR, err);

		if (made < 0)
			return -1;
		fd = mount_resolve(rootfd, dest, O_PATH | O_DIRECTORY | O_NOFOLLOW, RESOLVE_NO_SYMLINKS);
		if (fd >= 0)
			return fd;
	}
	if (errno == ELOOP || errno == ENOTDIR)
		return silo_err_set(err, errno, "\"%s\" in the rootfs is not a plain directory", dest);
	return silo_err_errno(err, "open \"%s\" in the container", dest);
}

/* Only a real procfs may land on /proc (CVE-2019-16884, CVE-2019-19921):
 * a volume, a tmpfs or a bind of anything else there gives the container a
 * /proc of the image's choosing, in which any reader of /proc (a tool, an
 * LSM-aware program, the container's own init) finds a fake, and the masks
 * and read-only paths meant for procfs have nothing to protect. The target
 * is compared by identity with what the root's /proc is now, so a
 * destination that reaches /proc through a symlink of the image, "." or
 * ".." is caught too; what is about to be attached must be the root of a
 * procfs (a new one, or a bind of one). Attaches mount_fd on target. */
static int attach_in_root(int rootfd, int mount_fd, int target, const char *what,
			  struct silo_err *err)
{
	_cleanup_close_ int proc = mount_resolve(rootfd, "proc", O_PATH | O_NOFOLLOW,
						 RESOLVE_NO_SYMLINKS);
	struct stat at, proc_st;
	int is_procfs;

	/* No /proc (or a symlink there, which proc itself refuses): the
	 * target cannot be it. */
	if (proc < 0)
		return mount_attach(mount_fd, target, what, err);
	if (fstat(target, &at) < 0 || fstat(proc, &proc_st) < 0)
		return silo_err_errno(err, "compare with /proc in the container");
	if (at.st_dev == proc_st.st_dev && at.st_ino == proc_st.st_ino) {
		is_procfs = mount_tree_is_procfs_root(mount_fd);
		if (is_procfs < 0)
			return silo_err_sys(err, -is_procfs, "check what is mounted on /proc");
		if (!is_procfs)
			return silo_err_set(err, EPERM,
					    "only procfs may be mounted on /proc in the container (type \"proc\", or a bind of the root of a procfs)");
	}
	return mount_attach(mount_fd, target, what, err);
}

static char *bind_source_path(const struct spec *spec, const char *source)
{
	char *path;

	if (source[0] == '/')
		return strdup(source);
	if (asprintf(&path, "%s/%s", spec->bundle, source) < 0)
		return NULL;
	return path;
}

/* Propagation is set once the mount is in place. */
static int apply_propagation(int rootfd, const struct spec_mount *m, struct silo_err *err)
{
	_cleanup_close_ int target = -1;

	if (!m->parsed.propagation)
		return 0;
	/* Re-resolve: the descriptor taken before the mount names the
	 * directory underneath it, not the new mount. */
	target = mount_resolve(rootfd, m->destination, O_PATH, 0);
	if (target < 0)
		return silo_err_errno(err, "open \"%s\" after mounting", m->destination);
	return mount_set_propagation(target, m->parsed.propagation, err);
}

static int rootfs_mount_bind(int rootfd, const struct rootfs_context *ctx,
			     const struct spec_mount *m, struct silo_err *err)
{
	size_t index = (size_t)(m - ctx->spec->mounts);
	_cleanup_free_ char *source = NULL;
	_cleanup_close_ int target = -1;
	_cleanup_close_ int tree = -1;
	struct stat st;

	if (!m->source)
		return silo_err_set(err, EINVAL, "bind mount has no source");
	source = bind_source_path(ctx->spec, m->source);
	if (!source)
		return silo_err_sys(err, ENOMEM, "bind mount");
	if (stat(source, &st) < 0)
		return silo_err_errno(err, "bind source \"%s\"", source);
	/* An idmapped mount was made by the runtime: use that tree. */
	if (ctx->idmap_fds && ctx->idmap_fds[index] >= 0) {
		tree = fcntl(ctx->idmap_fds[index], F_DUPFD_CLOEXEC, 0);
		if (tree < 0)
			return silo_err_errno(err, "idmapped bind of \"%s\"", source);
	} else {
		tree = mount_clone_tree(AT_FDCWD, source, &m->parsed, err);
		if (tree < 0)
			return -1;
	}
	target = mount_open_target(rootfd, m->destination,
				   S_ISDIR(st.st_mode) ? MOUNT_TARGET_DIR : MOUNT_TARGET_FILE, err);
	if (target < 0)
		return -1;
	if (attach_in_root(rootfd, tree, target, m->destination, err) < 0)
		return -1;
	return apply_propagation(rootfd, m, err);
}

/* cgroup v1 (and hybrid) hosts: a tmpfs holding one directory per host
 * hierarchy, each a bind of the container's own cgroup in it, as a
 * container expects to find /sys/fs/cgroup. */
static int rootfs_mount_cgroup_v1(int rootfd, const struct rootfs_context *ctx,
				  const struct spec_mount *m, struct silo_err *err)
{
	_cleanup_close_ int mfd = -1;
	_cleanup_close_ int target = -1;
	unsigned long tmpfs_flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	struct mount_options bind = m->parsed;

	target = mount_open_target(rootfd, m->destination, MOUNT_TARGET_DIR, err);
	if (target < 0)
		return -1;
	mfd = mount_new_fs("tmpfs", "tmpfs", "mode=755", tmpfs_flags, err);
	if (mfd < 0 || attach_in_root(rootfd, mfd, target, m->destination, err) < 0)
		return -1;
	close(target);
	target = mount_resolve(rootfd, m->destination, O_PATH | O_DIRECTORY, 0);
	if (target < 0)
		return silo_err_errno(err, "open \"%s\"", m->destination);

	bind.recursive = 0;
	bind.attr_set = bind.attr_clr = 0;
	for (size_t i = 0; i < ctx->cgroups->n_hierarchies; i++) {
		const struct cgroup_hierarchy *h = &ctx->cgroups->hierarchies[i];
		const char *name = strrchr(h->mountpoint, '/') + 1;
		_cleanup_close_ int sub = -1;
		_cleanup_close_ int tree = -1;
		char source[PATH_MAX];

		snprintf(source, sizeof(source), "%s%s", h->mountpoint, ctx->cgroup_path);
		if (mkdirat(target, name, 0755) < 0 && errno != EEXIST)
			return silo_err_errno(err, "create \"%s/%s\"", m->destination, name);
		sub = mount_resolve(target, name, O_PATH | O_DIRECTORY, RESOLVE_NO_SYMLINKS);
		if (sub < 0)
			return silo_err_errno(err, "open \"%s/%s\"", m->destination, name);
		tree = mount_clone_tree(AT_FDCWD, source, &bind, err);
		if (tree < 0 || mount_attach(tree, sub, name, err) < 0)
			return -1;
	}
	if (m->parsed.flags & MS_RDONLY)
		return mount_make_readonly(target, err);
	return 0;
}

static int rootfs_mount_cgroup(int rootfd, const struct rootfs_context *ctx,
			       const struct spec_mount *m, struct silo_err *err)
{
	_cleanup_close_ int target = -1;
	_cleanup_close_ int mfd = -1;

	if (!ctx->cgroup_path)
		return silo_err_set(err, EPERM,
				    "this unprivileged container has no cgroup of its own to mount");
	if (ctx->cgroups->mode != CGROUP_MODE_V2)
		return rootfs_mount_cgroup_v1(rootfd, ctx, m, err);
	target = mount_open_target(rootfd, m->destination, MOUNT_TARGET_DIR, err);
	if (target < 0)
		return -1;
	if (ctx->cgroup_namespace) {
		/* In its own cgroup namespace a fresh cgroup2 mount shows the
		 * container's cgroup as the root. */
		mfd = mount_new_fs("cgroup2", "cgroup", NULL, m->parsed.flags, err);
	} else {
		struct mount_options bind = m->parsed;
		char source[PATH_MAX];

		bind.recursive = 1;
		snprintf(source, sizeof(source), "%s%s", ctx->cgroups->hierarchies[0].mountpoint,
			 ctx->cgroup_path);
		mfd = mount_clone_tree(AT_FDCWD, source, &bind, err);
	}
	if (mfd < 0)
		return -1;
	return attach_in_root(rootfd, mfd, target, m->destination, err);
}

/* In a user namespace without a network namespace of its own, the kernel
 * refuses a new sysfs; what the container can have is the host's, bound. */
static int bind_host_sysfs(const struct spec_mount *m, struct silo_err *err)
{
	struct mount_options bind = m->parsed;

	bind.bind = bind.recursive = 1;
	return mount_clone_tree(AT_FDCWD, "/sys", &bind, err);
}

static int rootfs_mount_fs(int rootfd, const struct rootfs_context *ctx,
			   const struct spec_mount *m, struct silo_err *err)
{
	_cleanup_close_ int target = -1;
	_cleanup_close_ int mfd = -1;
	int plain = !strcmp(m->type, "proc") || !strcmp(m->type, "sysfs");

	target = plain ? open_plain_dir(rootfd, m->destination, err)
		       : mount_open_target(rootfd, m->destination, MOUNT_TARGET_DIR, err);
	if (target < 0)
		return -1;
	mfd = mount_new_fs(m->type, m->source, m->parsed.data, m->parsed.flags, err);
	if (mfd >= 0 && attach_in_root(rootfd, mfd, target, m->destination, err) == 0)
		return apply_propagation(rootfd, m, err);
	/* With mount(2) the kernel's EPERM comes at the attach. */
	if (!(ctx->user_namespace && !strcmp(m->type, "sysfs") && err && err->code == EPERM))
		return -1;
	close(mfd);
	mfd = bind_host_sysfs(m, err);
	if (mfd < 0 || attach_in_root(rootfd, mfd, target, m->destination, err) < 0)
		return -1;
	return apply_propagation(rootfd, m, err);
}

static int rootfs_populate_dev(int rootfd, const struct rootfs_context *ctx, struct silo_err *err)
{
	_cleanup_close_ int devfd = mount_resolve(rootfd, "/dev", O_PATH | O_DIRECTORY, 0);

	if (devfd < 0)
		return silo_err_errno(err, "open /dev in the container");
	return devices_populate_default(devfd, ctx->user_namespace, err);
}

static int rootfs_mount_default_dev(int rootfd, const struct rootfs_context *ctx,
				    struct silo_err *err)
{
	_cleanup_close_ int target = mount_open_target(rootfd, "/dev", MOUNT_TARGET_DIR, err);
	_cleanup_close_ int mfd = -1;

	if (target < 0)
		return -1;
	mfd = mount_new_fs("tmpfs", "tmpfs", "mode=755,size=65536k", MS_NOSUID | MS_STRICTATIME, err);
	if (mfd < 0 || attach_in_root(rootfd, mfd, target, "/dev", err) < 0)
		return silo_err_prefix(err, "mount default /dev");
	return rootfs_populate_dev(rootfd, ctx, err);
}

static int rootfs_mount_entries(int rootfd, const struct rootfs_context *ctx, struct silo_err *err)
{
	const struct spec *spec = ctx->spec;
	int have_dev = 0;

	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct spec_mount *m = &spec->mounts[i];
		int r;

		if (m->parsed.bind)
			r = rootfs_mount_bind(rootfd, ctx, m, err);
		else if (!m->type)
			r = silo_err_set(err, EINVAL, "no type and not a bind mount");
		else if (!strcmp(m->type, "cgroup") || !strcmp(m->type, "cgroup2"))
			r = rootfs_mount_cgroup(rootfd, ctx, m, err);
		else
			r = rootfs_mount_fs(rootfd, ctx, m, err);
		if (r < 0)
			return silo_err_prefix(err, "config.json: mounts[%zu]: mount \"%s\"", i,
					       m->destination);
		/* A fresh /dev gets its nodes at once, before the mounts
		 * that nest in it (/dev/pts, /dev/shm, ...). */
		if (!strcmp(m->destination, "/dev") || !strcmp(m->destination, "/dev/")) {
			have_dev = 1;
			if (!m->parsed.bind && rootfs_populate_dev(rootfd, ctx, err) < 0)
				return -1;
		}
	}
	if (!have_dev && rootfs_mount_default_dev(rootfd, ctx, err) < 0)
		return -1;
	return 0;
}

static int rootfs_pivot(const struct spec *spec, struct silo_err *err)
{
	_cleanup_close_ int old_root = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int new_root = open(spec->root_path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);

	if (old_root < 0 || new_root < 0)
		return silo_err_errno(err, "open roots for pivot_root");
	if (fchdir(new_root) < 0)
		return silo_err_errno(err, "enter rootfs");
	/* pivot_root(".", ".") stacks the old root on top of the new one;
	 * it is then detached from the new root's point of view. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return silo_err_errno(err, "pivot_root into \"%s\"", spec->root_path);
	if (fchdir(old_root) < 0)
		return silo_err_errno(err, "enter old root");
	/* Unmounting must not propagate to the host's mounts. */
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return silo_err_errno(err, "make old root a slave");
	if (umount2(".", MNT_DETACH) < 0)
		return silo_err_errno(err, "detach old root");
	if (chdir("/") < 0)
		return silo_err_errno(err, "enter new root");
	return 0;
}

static int rootfs_move_and_chroot(const struct spec *spec, struct silo_err *err)
{
	if (chdir(spec->root_path) < 0)
		return silo_err_errno(err, "enter rootfs \"%s\"", spec->root_path);
	if (mount(spec->root_path, "/", NULL, MS_MOVE, NULL) < 0)
		return silo_err_errno(err, "move rootfs onto /");
	if (chroot(".") < 0)
		return silo_err_errno(err, "chroot into rootfs");
	if (chdir("/") < 0)
		return silo_err_errno(err, "enter new root");
	return 0;
}

int rootfs_prepare(const struct rootfs_context *ctx, struct silo_err *err)
{
	const struct spec *spec = ctx->spec;
	_cleanup_close_ int rootfd = -1;

	if (rootfs_make_slave(err) < 0 || rootfs_bind_root(spec, err) < 0)
		return -1;
	rootfd = open(spec->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return silo_err_errno(err, "open rootfs \"%s\"", spec->root_path);
	if (rootfs_mount_entries(rootfd, ctx, err) < 0)
		return -1;
	return devices_create_from_spec(rootfd, spec, ctx->user_namespace, err);
}

int rootfs_enter(const struct rootfs_context *ctx, struct silo_err *err)
{
	if (ctx->no_pivot)
		return rootfs_move_and_chroot(ctx->spec, err);
	return rootfs_pivot(ctx->spec, err);
}

/* The filesystem the config mounts on "/name" last (proc or sysfs), or 0. */
static long configured_fs(const struct spec *spec, const char *name)
{
	size_t len = strlen(name);
	long fs = 0;

	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct spec_mount *m = &spec->mounts[i];
		const char *dest = m->destination + strspn(m->destination, "/");

		if (strncmp(dest, name, len) || (dest[len] && strcmp(dest + len, "/")))
			continue;
		fs = m->type && !strcmp(m->type, "proc")    ? PROC_SUPER_MAGIC
		     : m->type && !strcmp(m->type, "sysfs") ? SYSFS_MAGIC
							    : 0;
	}
	return fs;
}

/* Masked and read-only paths under /proc and /sys are resolved from that
 * directory, opened as a plain directory (no symlink on the way) and
 * checked to still hold the procfs or sysfs mounted there: a /proc swapped
 * for a symlink or another directory while the container is set up would
 * otherwise lead the protection elsewhere, or to nothing, and leave the
 * real procfs unprotected (CVE-2023-27561). Returns a descriptor, -ENOENT
 * when there is nothing to protect, or another negative value with err
 * filled. */
static int open_protected_path(int rootfd, const struct spec *spec, const char *path,
			       struct silo_err *err)
{
	const char *top = path + strspn(path, "/");
	size_t len = strcspn(top, "/");
	_cleanup_close_ int dirfd = -1;
	struct statfs fs;
	char name[8];
	long want;
	int fd;

	if ((len == 4 && !strncmp(top, "proc", 4)) || (len == 3 && !strncmp(top, "sys", 3))) {
		memcpy(name, top, len);
		name[len] = '\0';
		dirfd = mount_resolve(rootfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW,
				      RESOLVE_NO_SYMLINKS);
		if (dirfd < 0 && (errno == ELOOP || errno == ENOTDIR))
			return silo_err_set(err, errno, "\"/%s\" in the container is not a plain directory",
					    name);
		want = configured_fs(spec, name);
		if (dirfd >= 0 && want && (fstatfs(dirfd, &fs) < 0 || fs.f_type != want))
			return silo_err_set(err, EPERM,
					    "\"/%s\" in the container is not the %s mounted there", name,
					    want == PROC_SUPER_MAGIC ? "procfs" : "sysfs");
		fd = dirfd < 0 ? -1 : mount_resolve(dirfd, top[len] ? top + len : ".", O_PATH, 0);
	} else {
		fd = mount_resolve(rootfd, path, O_PATH, 0);
	}
	if (fd < 0 && errno == ENOENT)
		return -ENOENT;
	if (fd < 0)
		return silo_err_errno(err, "resolve in the container");
	return fd;
}

/* A masked file is covered with the container's /dev/null, after checking
 * that it really is the null device (char 1:3), so an image cannot turn
 * "masking" into binding something of its choice. */
static int open_verified_null(int rootfd, struct silo_err *err)
{
	_cleanup_close_ int fd = mount_resolve(rootfd, "/dev/null", O_PATH | O_NOFOLLOW,
					       RESOLVE_NO_SYMLINKS);
	struct stat st;

	if (fd < 0)
		return silo_err_errno(err, "open /dev/null in the container");
	if (fstat(fd, &st) < 0)
		return silo_err_errno(err, "stat /dev/null in the container");
	if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3)
		return silo_err_set(err, EPERM, "/dev/null in the container is not the null device");
	return steal_fd(&fd);
}

static int rootfs_mask_paths(int rootfd, const struct spec *spec, struct silo_err *err)
{
	_cleanup_close_ int null_fd = -1;

	for (size_t i = 0; spec->masked_paths[i]; i++) {
		const char *path = spec->masked_paths[i];
		_cleanup_close_ int target = open_protected_path(rootfd, spec, path, err);
		_cleanup_close_ int mfd = -1;
		struct stat st;

		if (target < 0) {
			if (target == -ENOENT)
				continue;
			return silo_err_prefix(err, "mask \"%s\"", path);
		}
		if (fstat(target, &st) < 0)
			return silo_err_errno(err, "mask \"%s\"", path);
		if (S_ISDIR(st.st_mode)) {
			mfd = mount_new_fs("tmpfs", "tmpfs", NULL, MS_RDONLY, err);
		} else {
			if (null_fd < 0 && (null_fd = open_verified_null(rootfd, err)) < 0)
				return silo_err_prefix(err, "mask \"%s\"", path);
			struct mount_options plain = { 0 };

			mfd = mount_clone_tree(null_fd, "", &plain, err);
		}
		if (mfd < 0 || mount_attach(mfd, target, path, err) < 0)
			return silo_err_prefix(err, "config.json: linux.maskedPaths");
	}
	return 0;
}

static int rootfs_readonly_paths(int rootfd, const struct spec *spec, struct silo_err *err)
{
	for (size_t i = 0; spec->readonly_paths[i]; i++) {
		const char *path = spec->readonly_paths[i];
		_cleanup_close_ int target = open_protected_path(rootfd, spec, path, err);
		_cleanup_close_ int tree = -1;

		if (target < 0) {
			if (target == -ENOENT)
				continue;
			return silo_err_prefix(err, "config.json: linux.readonlyPaths: \"%s\"", path);
		}
		tree = mount_clone_readonly(target, err);
		if (tree < 0)
			return silo_err_prefix(err, "config.json: linux.readonlyPaths: \"%s\"", path);
		if (mount_attach(tree, target, path, err) < 0)
			return silo_err_prefix(err, "config.json: linux.readonlyPaths");
	}
	return 0;
}

static unsigned long propagation_flags(const char *name)
{
	static const struct {
		const char *name;
		unsigned long flags;
	} table[] = {
		{ "shared", MS_SHARED },	  { "rshared", MS_SHARED | MS_REC },
		{ "slave", MS_SLAVE },		  { "rslave", MS_SLAVE | MS_REC },
		{ "private", MS_PRIVATE },	  { "rprivate", MS_PRIVATE | MS_REC },
		{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(table[i].name, name))
			return table[i].flags;
	return 0;
}

int rootfs_finish(const struct rootfs_context *ctx, struct silo_err *err)
{
	const struct spec *spec = ctx->spec;
	_cleanup_close_ int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (rootfd < 0)
		return silo_err_errno(err, "open container root");
	if (rootfs_mask_paths(rootfd, spec, err) < 0 || rootfs_readonly_paths(rootfd, spec, err) < 0)
		return -1;
	if (spec->rootfs_propagation &&
	    mount_set_propagation(rootfd, propagation_flags(spec->rootfs_propagation), err) < 0)
		return silo_err_prefix(err, "config.json: linux.rootfsPropagation");
	if (spec->root_readonly && mount_make_readonly(rootfd, err) < 0)
		return silo_err_prefix(err, "config.json: root.readonly");
	return 0;
}
