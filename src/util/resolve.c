/* Resolving a path inside a root directory, for every layer that writes
 * or mounts into a tree someone else controls (a container's rootfs, an
 * image layer being unpacked): openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS) where the kernel has it, and where it answers
 * ENOSYS the walk below, which refuses and allows exactly the same. */
#include "util/resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <linux/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
static int force_walk;

void resolve_force_walk(int force)
{
	force_walk = force;
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

int resolve_in_root(int rootfd, const char *path, int open_flags, unsigned long long extra_resolve)
{
	struct open_how how = {
		.flags = (unsigned long long)(open_flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | extra_resolve,
	};
	int fd;

	if (openat2_unavailable || force_walk)
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
