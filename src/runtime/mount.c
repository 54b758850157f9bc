/* The mechanics of mounting with the new mount API (fsopen, fsconfig,
 * fsmount, open_tree, move_mount, mount_setattr), all by descriptor. */
#include "runtime/mount.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <linux/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "util/cleanup.h"

/* The fallback when openat2 is missing (a seccomp filter around silo that
 * answers ENOSYS; kernels before 5.6): the same resolution done by hand,
 * one component at a time with openat(O_PATH | O_NOFOLLOW), so the kernel
 * never follows a symlink for us. Each symlink's text is expanded inside
 * the root (an absolute target restarts at the root), ".." pops back to the
 * descriptor the walk came from and so never climbs above the root, even if
 * a directory is moved meanwhile (CVE-2021-30465), and the last component
 * is opened with O_NOFOLLOW relative to a directory already inside the
 * root. Once openat2 has said ENOSYS, every later call walks directly. */
static int openat2_unavailable;
static int resolve_force_walk;

void mount_resolve_force_fallback(int force)
{
	resolve_force_walk = force;
}

#define RESOLVE_MAX_LINKS 40 /* the kernel's MAXSYMLINKS */
#define RESOLVE_MAX_DEPTH 256

struct resolve_walk {
	int root;			/* the caller's, not ours to close */
	int dirs[RESOLVE_MAX_DEPTH];	/* the directories entered below the root */
	size_t depth;
	char *text;			/* the path still to walk ... */
	char *rest;			/* ... from here */
	unsigned links;
	unsigned long long root_mount;	/* for RESOLVE_NO_XDEV */
};

static int resolve_cwd(const struct resolve_walk *w)
{
	return w->depth ? w->dirs[w->depth - 1] : w->root;
}

static void resolve_to_root(struct resolve_walk *w)
{
	while (w->depth > 0)
		close(w->dirs[--w->depth]);
}

/* Makes head, then a slash if asked, then what remains, the path to walk. */
static int resolve_splice(struct resolve_walk *w, const char *head, int slash)
{
	char *text;

	if (asprintf(&text, "%s%s%s", head, slash ? "/" : "", w->rest) < 0)
		return -ENOMEM;
	if (strlen(text) >= 16 * PATH_MAX) {
		free(text);
		return -ENAMETOOLONG;
	}
	free(w->text);
	w->text = w->rest = text;
	return 0;
}

/* Takes the next component off the path (0 when none is left). *last: no
 * other follows; *slash: a slash did, so it must be a directory. */
static int resolve_next(struct resolve_walk *w, char **name, int *last, int *slash)
{
	char *p = w->rest;

	while (*p == '/')
		p++;
	if (!*p)
		return 0;
	*name = p;
	p += strcspn(p, "/");
	*slash = *p == '/';
	if (*p)
		*p++ = '\0';
	while (*p == '/')
		p++;
	w->rest = p;
	*last = !*p;
	return 1;
}

/* The mount fd is on: statx's mount id (Linux 5.8), else the device. */
static int resolve_mount_of(int fd, unsigned long long *id)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0)
		return -errno;
	if (stx.stx_mask & STATX_MNT_ID)
		*id = stx.stx_mnt_id;
	else
		*id = (1ULL << 63) | makedev(stx.stx_dev_major, stx.stx_dev_minor);
	return 0;
}

/* Expands the symlink at linkfd in front of what remains. procfs is where
 * magic links live (/proc/PID/fd/N, exe, cwd, root, ns/...): following one
 * jumps to its object wherever it is, which RESOLVE_NO_MAGICLINKS refuses.
 * Their text is absolute or "type:[inode]"; procfs's plain symlinks
 * (self -> PID, thread-self -> PID/task/TID, mounts -> self/mounts) are
 * relative, and only those are followed. */
static int resolve_follow(struct resolve_walk *w, int linkfd, unsigned long long extra, int slash)
{
	char target[PATH_MAX];
	struct statfs fs;
	ssize_t len;

	if (extra & RESOLVE_NO_SYMLINKS)
		return -ELOOP;
	if (++w->links > RESOLVE_MAX_LINKS)
		return -ELOOP;
	len = readlinkat(linkfd, "", target, sizeof(target));
	if (len < 0)
		return -errno;
	if (len == 0)
		return -ENOENT;
	if ((size_t)len == sizeof(target))
		return -ENAMETOOLONG;
	target[len] = '\0';
	if (fstatfs(linkfd, &fs) < 0)
		return -errno;
	if (fs.f_type == PROC_SUPER_MAGIC && (target[0] == '/' || strchr(target, ':')))
		return -ELOOP;
	if (target[0] == '/')
		resolve_to_root(w);
	return resolve_splice(w, target, slash);
}

/* The path ended on the directory the walk is in ("/", "a/.", "a/.."). */
static int resolve_open_cwd(const struct resolve_walk *w, int flags)
{
	int fd = openat(resolve_cwd(w), ".", flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* The last component, with the caller's flags. Reopening the O_PATH
 * descriptor through /proc/self/fd would trust the container's /proc, so
 * the name is opened again, with O_NOFOLLOW: should a symlink have been
 * swapped in meanwhile, *again says the component is back on the path. */
static int resolve_open_last(struct resolve_walk *w, const char *name, int slash, int flags,
			     unsigned long long extra, int *again)
{
	int fd = openat(resolve_cwd(w), name, flags | O_NOFOLLOW | O_CLOEXEC);
	unsigned long long mount;
	int r;

	*again = 0;
	if (fd < 0) {
		if (errno != ELOOP || (flags & O_NOFOLLOW))
			return -errno;
		if (++w->links > RESOLVE_MAX_LINKS)
			return -ELOOP;
		*again = 1;
		return resolve_splice(w, name, slash);
	}
	if (extra & RESOLVE_NO_XDEV) {
		r = resolve_mount_of(fd, &mount);
		if (r < 0 || mount != w->root_mount) {
			close(fd);
			return r < 0 ? r : -EXDEV;
		}
	}
	return fd;
}

/* One component: a directory to enter, a symlink to expand, or the end. */
static int resolve_step(struct resolve_walk *w, const char *name, int last, int slash, int flags,
			unsigned long long extra, int *done)
{
	_cleanup_close_ int fd = -1;
	unsigned long long mount;
	struct stat st;
	int again, r;

	*done = 0;
	if (!strcmp(name, ".") || !strcmp(name, "..")) {
		if (name[1] && w->depth > 0)
			close(w->dirs[--w->depth]);
		*done = last;
		return last ? resolve_open_cwd(w, flags) : 0;
	}
	fd = openat(resolve_cwd(w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && (errno != ENOENT || !last || !(flags & O_CREAT)))
		return -errno;
	if (fd >= 0 && fstat(fd, &st) < 0)
		return -errno;
	if (fd >= 0 && (extra & RESOLVE_NO_XDEV)) {
		r = resolve_mount_of(fd, &mount);
		if (r < 0)
			return r;
		if (mount != w->root_mount)
			return -EXDEV;
	}
	if (fd >= 0 && S_ISLNK(st.st_mode) && (!last || slash || !(flags & O_NOFOLLOW)))
		return resolve_follow(w, fd, extra, slash);
	if (fd >= 0 && !S_ISLNK(st.st_mode)) {
		if ((!last || slash || (flags & O_DIRECTORY)) && !S_ISDIR(st.st_mode))
			return -ENOTDIR;
		if (!last) {
			if (w->depth == RESOLVE_MAX_DEPTH)
				return -ENAMETOOLONG;
			w->dirs[w->depth++] = steal_fd(&fd);
			return 0;
		}
		if (flags & O_PATH) {
			*done = 1;
			return steal_fd(&fd);
		}
	}
	/* The end: a file to open with the caller's flags, a symlink not to
	 * follow (open(2) then gives the link or the error), or a file to
	 * create. */
	r = resolve_open_last(w, name, slash, flags, extra, &again);
	*done = !again || r < 0;
	return r;
}

static int resolve_steps(struct resolve_walk *w, int flags, unsigned long long extra)
{
	char *name;
	int last, slash, done;

	while (resolve_next(w, &name, &last, &slash)) {
		int r = resolve_step(w, name, last, slash, flags, extra, &done);

		if (r < 0 || done)
			return r;
	}
	return resolve_open_cwd(w, flags);
}

static int resolve_by_walk(int rootfd, const char *path, int open_flags,
			   unsigned long long extra_resolve)
{
	const unsigned long long known = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS |
					 RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV;
	struct resolve_walk w = { .root = rootfd };
	int r = 0;

	if (extra_resolve & ~known)
		r = -EINVAL;
	else if (!*path)
		r = -ENOENT;
	else if (!(w.text = w.rest = strdup(path)))
		r = -ENOMEM;
	if (r == 0 && (extra_resolve & RESOLVE_NO_XDEV))
		r = resolve_mount_of(rootfd, &w.root_mount);
	if (r == 0)
		r = resolve_steps(&w, open_flags, extra_resolve);
	resolve_to_root(&w);
	free(w.text);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

int mount_resolve(int rootfd, const char *path, int open_flags, unsigned long long extra_resolve)
{
	struct open_how how = {
		.flags = (unsigned long long)(open_flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | extra_resolve,
	};
	int fd;

	if (openat2_unavailable || resolve_force_walk)
		return resolve_by_walk(rootfd, path, open_flags, extra_resolve);
	do
		fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN);
	if (fd < 0 && errno == ENOSYS) {
		openat2_unavailable = 1;
		return resolve_by_walk(rootfd, path, open_flags, extra_resolve);
	}
	return fd;
}

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
 * creation is relative to a directory descriptor already inside the root. */
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

			close(fd);
			if (len < 0) {
				r = -errno;
				break;
			}
			target[len] = '\0';
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
