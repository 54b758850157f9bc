/* The mechanics of mounting with the new mount API (fsopen, fsconfig,
 * fsmount, open_tree, move_mount, mount_setattr), all by descriptor. */
#include "runtime/mount.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "util/cleanup.h"

/* A list of path components still to walk, as a stack whose top is the
 * next component; a symlink's target is pushed in front of what remains. */
struct walk {
	char *items[256];
	size_t n;
	char *storage[48]; /* strdup'ed path texts the items point into */
	size_t n_storage;
};

static int walk_push_path(struct walk *w, const char *path)
{
	char *copy, *comps[256], *save = NULL;
	size_t n = 0;

	if (w->n_storage == sizeof(w->storage) / sizeof(w->storage[0]))
		return -ELOOP;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	w->storage[w->n_storage++] = copy;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (n == sizeof(comps) / sizeof(comps[0]))
			return -ENAMETOOLONG;
		comps[n++] = c;
	}
	if (w->n + n > sizeof(w->items) / sizeof(w->items[0]))
		return -ENAMETOOLONG;
	while (n > 0)
		w->items[w->n++] = comps[--n];
	return 0;
}

static void walk_free(struct walk *w)
{
	for (size_t i = 0; i < w->n_storage; i++)
		free(w->storage[i]);
}

/* Walks path from the root one component at a time, the way the kernel
 * would with the root as "/", creating what is missing: directories, and
 * for MOUNT_TARGET_FILE an empty file at the end. Symlinks are expanded by
 * hand so that a dangling one (in the image, pointing at a host path)
 * creates its target inside the root instead of failing or escaping; every
 * creation is relative to a directory descriptor already inside the root.
 * A magic link of procfs (absolute or "type:[inode]" text, see
 * resolve_follow in util/resolve.c) is refused, as openat2 refuses it: its
 * text names the object as the init sees it, anything from a host path to
 * a directory descriptor the walk itself holds. */
static int walk_creating(int rootfd, const char *path, enum mount_target_kind kind,
			 struct silo_err *err)
{
	struct walk w = { .n = 0 };
	_cleanup_close_ int dirfd = mount_resolve(rootfd, "/", O_PATH | O_DIRECTORY, 0);
	char where[4096] = ""; /* the resolved path of dirfd inside the root */
	int r = walk_push_path(&w, path);

	if (dirfd < 0)
		r = -errno;
	while (r == 0 && w.n > 0) {
		char *comp = w.items[--w.n];
		int last = w.n == 0;
		struct stat st;
		int fd;

		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			/* Up from where we are, never above the root. */
			char *slash = strrchr(where, '/');

			if (slash)
				*slash = '\0';
			fd = mount_resolve(rootfd, where[0] ? where : "/", O_PATH | O_DIRECTORY, 0);
			if (fd < 0) {
				r = -errno;
				break;
			}
			close(dirfd);
			dirfd = fd;
			continue;
		}
		fd = mount_resolve(dirfd, comp, O_PATH | O_NOFOLLOW, 0);

		if (fd < 0 && errno == ENOENT) {
			int made;

			if (last && kind == MOUNT_TARGET_FILE) {
				made = openat(dirfd, comp, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC,
					      0644);
				if (made >= 0)
					close(made);
			} else {
				made = mkdirat(dirfd, comp, 0755);
			}
			if (made < 0 && errno != EEXIST) {
				r = -errno;
				break;
			}
			fd = mount_resolve(dirfd, comp, O_PATH | O_NOFOLLOW, 0);
		}
		if (fd < 0 || fstat(fd, &st) < 0) {
			r = -errno;
			if (fd >= 0)
				close(fd);
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t len = readlinkat(fd, "", target, sizeof(target) - 1);
			struct statfs fs;

			if (len >= 0 && fstatfs(fd, &fs) < 0)
				len = -1;
			close(fd);
			if (len < 0) {
				r = -errno;
				break;
			}
			target[len] = '\0';
			if (fs.f_type == PROC_SUPER_MAGIC && (target[0] == '/' || strchr(target, ':'))) {
				r = -ELOOP;
				break;
			}
			if (target[0] == '/') {
				where[0] = '\0';
				close(dirfd);
				dirfd = mount_resolve(rootfd, "/", O_PATH | O_DIRECTORY, 0);
				if (dirfd < 0) {
					r = -errno;
					break;
				}
			}
			r = walk_push_path(&w, target);
			continue;
		}
		if (!last && !S_ISDIR(st.st_mode)) {
			close(fd);
			r = -ENOTDIR;
			break;
		}
		if (strlen(where) + strlen(comp) + 2 > sizeof(where)) {
			close(fd);
			r = -ENAMETOOLONG;
			break;
		}
		strcat(where, "/");
		strcat(where, comp);
		close(dirfd);
		dirfd = fd;
	}
	walk_free(&w);
	if (r < 0)
		return silo_err_sys(err, -r, "create \"%s\" in the container", path);
	return steal_fd(&dirfd);
}

int mount_open_target(int rootfd, const char *path, enum mount_target_kind kind,
		      struct silo_err *err)
{
	int fd = mount_resolve(rootfd, path, O_PATH, 0);

	if (fd >= 0)
		return fd;
	if (errno != ENOENT || kind == MOUNT_TARGET_EXISTING)
		return silo_err_errno(err, "open \"%s\" in the container", path);
	return walk_creating(rootfd, path, kind, err);
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
