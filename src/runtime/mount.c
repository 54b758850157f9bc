/* The mechanics of mounting with the new mount API (fsopen, fsconfig,
 * fsmount, open_tree, move_mount, mount_setattr), all by descriptor. */
#include "runtime/mount.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

int mount_resolve(int rootfd, const char *path, int open_flags, unsigned long long extra_resolve)
{
	struct open_how how = {
		.flags = (unsigned long long)(open_flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | extra_resolve,
	};
	int fd;

	do
		fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN);
	return fd;
}

/* Walks path one component at a time from the root, making each missing
 * directory with mkdirat() relative to a directory already resolved inside
 * the root. Returns an O_PATH descriptor of the parent of the last
 * component and leaves the last component's name in *last. */
static int open_parent_creating(int rootfd, char *path, char **last, struct silo_err *err)
{
	_cleanup_close_ int dirfd = mount_resolve(rootfd, "/", O_PATH | O_DIRECTORY, 0);
	char *save = NULL, *comp, *next;

	if (dirfd < 0)
		return silo_err_errno(err, "open container root");
	comp = strtok_r(path, "/", &save);
	if (!comp) {
		*last = NULL;
		return steal_fd(&dirfd);
	}
	while ((next = strtok_r(NULL, "/", &save))) {
		int fd = mount_resolve(dirfd, comp, O_PATH | O_DIRECTORY, 0);

		if (fd < 0 && errno == ENOENT) {
			if (mkdirat(dirfd, comp, 0755) < 0 && errno != EEXIST)
				return silo_err_errno(err, "create directory \"%s\"", comp);
			fd = mount_resolve(dirfd, comp, O_PATH | O_DIRECTORY, 0);
		}
		if (fd < 0)
			return silo_err_errno(err, "open \"%s\"", comp);
		close(dirfd);
		dirfd = fd;
		comp = next;
	}
	*last = comp;
	return steal_fd(&dirfd);
}

int mount_open_target(int rootfd, const char *path, enum mount_target_kind kind,
		      struct silo_err *err)
{
	_cleanup_free_ char *copy = NULL;
	_cleanup_close_ int parent = -1;
	char *last = NULL;
	int fd;

	fd = mount_resolve(rootfd, path, O_PATH, 0);
	if (fd >= 0 || errno != ENOENT || kind == MOUNT_TARGET_EXISTING) {
		if (fd < 0)
			return silo_err_errno(err, "open \"%s\" in the container", path);
		return fd;
	}
	copy = strdup(path);
	if (!copy)
		return silo_err_sys(err, ENOMEM, "open \"%s\"", path);
	parent = open_parent_creating(rootfd, copy, &last, err);
	if (parent < 0)
		return silo_err_prefix(err, "mount target \"%s\"", path);
	if (last) {
		if (kind == MOUNT_TARGET_DIR) {
			if (mkdirat(parent, last, 0755) < 0 && errno != EEXIST)
				return silo_err_errno(err, "create directory \"%s\"", path);
		} else {
			int f = openat(parent, last,
				       O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0644);

			if (f < 0 && errno != EEXIST)
				return silo_err_errno(err, "create file \"%s\"", path);
			if (f >= 0)
				close(f);
		}
	}
	fd = mount_resolve(rootfd, path, O_PATH, 0);
	if (fd < 0)
		return silo_err_errno(err, "open \"%s\" in the container", path);
	return fd;
}

int mount_attach(int mount_fd, int target_fd, const char *what, struct silo_err *err)
{
	if (move_mount(mount_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return silo_err_errno(err, "attach mount on \"%s\"", what);
	return 0;
}

unsigned long long mount_flags_to_attr(unsigned long flags)
{
	unsigned long long attr = 0;

	if (flags & MS_RDONLY)
		attr |= MOUNT_ATTR_RDONLY;
	if (flags & MS_NOSUID)
		attr |= MOUNT_ATTR_NOSUID;
	if (flags & MS_NODEV)
		attr |= MOUNT_ATTR_NODEV;
	if (flags & MS_NOEXEC)
		attr |= MOUNT_ATTR_NOEXEC;
	if (flags & MS_NODIRATIME)
		attr |= MOUNT_ATTR_NODIRATIME;
	if (flags & MS_NOATIME)
		attr |= MOUNT_ATTR_NOATIME;
	else if (flags & MS_STRICTATIME)
		attr |= MOUNT_ATTR_STRICTATIME;
	else if (flags & MS_RELATIME)
		attr |= MOUNT_ATTR_RELATIME;
	return attr;
}

/* Super block flags go to fsconfig; the per-mount ones to fsmount. "ro" is
 * deliberately a per-mount attribute only: sysfs, proc and cgroup share one
 * super block per namespace, which must stay writable for the host. */
static int configure_sb_flags(int fsfd, unsigned long flags)
{
	static const struct {
		unsigned long flag;
		const char *name;
	} sb_flags[] = {
		{ MS_SYNCHRONOUS, "sync" },
		{ MS_DIRSYNC, "dirsync" },
		{ MS_MANDLOCK, "mand" },
		{ MS_LAZYTIME, "lazytime" },
	};

	for (size_t i = 0; i < sizeof(sb_flags) / sizeof(sb_flags[0]); i++)
		if ((flags & sb_flags[i].flag) &&
		    fsconfig(fsfd, FSCONFIG_SET_FLAG, sb_flags[i].name, NULL, 0) < 0)
			return -errno;
	return 0;
}

int mount_new_fs(const char *type, const char *source, const char *data, unsigned long flags,
		 struct silo_err *err)
{
	_cleanup_close_ int fsfd = fsopen(type, FSOPEN_CLOEXEC);
	_cleanup_free_ char *copy = NULL;
	char *save = NULL;
	int mfd, r;

	if (fsfd < 0)
		return silo_err_errno(err, "filesystem type \"%s\"", type);
	if (source && fsconfig(fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
		return silo_err_errno(err, "%s: source \"%s\"", type, source);
	if (data) {
		copy = strdup(data);
		if (!copy)
			return silo_err_sys(err, ENOMEM, "%s", type);
		for (char *opt = strtok_r(copy, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
			char *eq = strchr(opt, '=');

			if (eq) {
				*eq = '\0';
				r = fsconfig(fsfd, FSCONFIG_SET_STRING, opt, eq + 1, 0);
				*eq = '=';
			} else {
				r = fsconfig(fsfd, FSCONFIG_SET_FLAG, opt, NULL, 0);
			}
			if (r < 0)
				return silo_err_errno(err, "%s: option \"%s\"", type, opt);
		}
	}
	r = configure_sb_flags(fsfd, flags);
	if (r < 0)
		return silo_err_sys(err, -r, "%s: mount flags", type);
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return silo_err_errno(err, "create %s filesystem", type);
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned int)mount_flags_to_attr(flags));
	if (mfd < 0)
		return silo_err_errno(err, "mount %s filesystem", type);
	return mfd;
}

int mount_clone_tree(int dirfd, const char *source, const struct mount_options *opts,
		     struct silo_err *err)
{
	unsigned int tree_flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
	_cleanup_close_ int tree = -1;
	struct mount_attr attr = { 0 };

	if (opts->recursive)
		tree_flags |= AT_RECURSIVE;
	if (!*source)
		tree_flags |= AT_EMPTY_PATH;
	tree = open_tree(dirfd, source, tree_flags);
	if (tree < 0)
		return silo_err_errno(err, "bind source \"%s\"", source);

	/* Plain options ("ro", "nosuid") change the top mount only, as mount(2)
	 * would; the "r" forms ("rro", "rnosuid") the whole tree. */
	attr.attr_set = mount_flags_to_attr(opts->flags);
	attr.attr_clr = mount_flags_to_attr(opts->clear_flags);
	if ((attr.attr_set & (MOUNT_ATTR_NOATIME | MOUNT_ATTR_STRICTATIME | MOUNT_ATTR_RELATIME)) ||
	    (opts->clear_flags & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)))
		attr.attr_clr |= MOUNT_ATTR__ATIME;
	if ((attr.attr_set || attr.attr_clr) &&
	    mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return silo_err_errno(err, "set options of bind mount \"%s\"", source);
	if (opts->attr_set || opts->attr_clr) {
		struct mount_attr rec = { .attr_set = opts->attr_set, .attr_clr = opts->attr_clr };

		if (rec.attr_set & (MOUNT_ATTR_NOATIME | MOUNT_ATTR_STRICTATIME | MOUNT_ATTR_RELATIME))
			rec.attr_clr |= MOUNT_ATTR__ATIME;
		if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &rec, sizeof(rec)) < 0)
			return silo_err_errno(err, "set recursive options of bind mount \"%s\"", source);
	}
	return steal_fd(&tree);
}

int mount_set_propagation(int fd, unsigned long propagation, struct silo_err *err)
{
	struct mount_attr attr = { .propagation = propagation & ~(unsigned long)MS_REC };
	unsigned int flags = AT_EMPTY_PATH;

	if (!attr.propagation)
		return 0;
	if (propagation & MS_REC)
		flags |= AT_RECURSIVE;
	if (mount_setattr(fd, "", flags, &attr, sizeof(attr)) < 0)
		return silo_err_errno(err, "set mount propagation");
	return 0;
}

int mount_make_readonly(int fd, struct silo_err *err)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };

	if (mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return silo_err_errno(err, "make mount read-only");
	return 0;
}
