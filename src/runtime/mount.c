/* The mechanics of mounting with the new mount API (fsopen, fsconfig,
 * fsmount, open_tree, move_mount, mount_setattr), all by descriptor.
 *
 * Where the new API fails with ENOSYS (kernels before 5.2 or 5.12, a
 * seccomp profile around silo that does not know it, valgrind), the same
 * calls fall back to mount(2): a "detached mount" is then a pending one, a
 * descriptor remembered with what to mount (a filesystem type and its
 * options, or the bind source opened O_PATH), and mount_attach() makes it
 * with mount(2) onto the magic link "/proc/thread-self/fd/N" of the
 * verified target descriptor (fd_dir_enter()), so the target is never
 * resolved by path again. The flags of a bind are
 * set by a remount of the new mount, opened by its path without following
 * symlinks and checked to be the root of a mount whose parent is the
 * target's mount (and, for a bind, the source itself) before it is touched. */
#include "runtime/mount.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
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

/* Set once a call of the new mount API answered ENOSYS: from then on every
 * mount is made with mount(2), never a mix of both. */
static int classic_api;

int mount_classic_api(void)
{
	return classic_api;
}

enum pending_kind {
	PENDING_FREE,
	PENDING_NEW_FS, /* fd: a memfd standing for the filesystem to make */
	PENDING_BIND,   /* fd: the bind source, opened O_PATH */
};

/* A mount to make at mount_attach(): the descriptor the caller holds is
 * found by number and identity (device and inode), so a stale entry of a
 * closed descriptor never matches another file that got the number. */
struct pending_mount {
	enum pending_kind kind;
	int fd;
	dev_t dev;
	ino_t ino;
	char *type, *source, *data;
	unsigned long flags;       /* new fs: MS_* flags; bind: flags to set on the top */
	unsigned long clear_flags; /* bind: flags to clear on the top */
	int recursive;
};

static struct pending_mount pending[64];

static void pending_release(struct pending_mount *p)
{
	free(p->type);
	free(p->source);
	free(p->data);
	*p = (struct pending_mount){ .kind = PENDING_FREE, .fd = -1 };
}

static struct pending_mount *pending_find(int fd)
{
	struct stat st;

	if (!classic_api || fd < 0 || fstat(fd, &st) < 0)
		return NULL;
	for (size_t i = 0; i < sizeof(pending) / sizeof(pending[0]); i++)
		if (pending[i].kind != PENDING_FREE && pending[i].fd == fd &&
		    pending[i].dev == st.st_dev && pending[i].ino == st.st_ino)
			return &pending[i];
	return NULL;
}

/* Takes ownership of fd; on failure closes it and returns NULL. */
static struct pending_mount *pending_add(int fd, enum pending_kind kind)
{
	struct pending_mount *slot = NULL;
	struct stat st;

	if (fstat(fd, &st) < 0) {
		close(fd);
		return NULL;
	}
	for (size_t i = 0; i < sizeof(pending) / sizeof(pending[0]); i++) {
		struct pending_mount *p = &pending[i];
		struct stat cur;

		/* An entry whose descriptor was closed, or now names another file. */
		if (p->kind != PENDING_FREE &&
		    (p->fd == fd || fstat(p->fd, &cur) < 0 || cur.st_dev != p->dev ||
		     cur.st_ino != p->ino))
			pending_release(p);
		if (p->kind == PENDING_FREE && !slot)
			slot = p;
	}
	if (!slot) {
		close(fd);
		errno = EMFILE;
		return NULL;
	}
	*slot = (struct pending_mount){
		.kind = kind, .fd = fd, .dev = st.st_dev, .ino = st.st_ino
	};
	return slot;
}

/* mount(2) takes paths, not descriptors: a descriptor is named by its
 * magic link in the calling thread's fd directory. That directory is
 * opened once per thread, from the /proc of the root at the first mount
 * (the host's, before pivot_root), a plain directory (no symlink
 * followed) holding the root of a procfs, and is made the working
 * directory for each call, so every such path is just a number relative to
 * it and a container's /proc, swapped for a symlink or a fake, never
 * redirects it. mount_release_fd_dir() closes it before the container can
 * look at the init's descriptors. Returns the previous working directory,
 * to give to fd_dir_leave(). */
static int fd_dir = -1;
static pid_t fd_dir_tid;

void mount_release_fd_dir(void)
{
	if (fd_dir >= 0)
		close(fd_dir);
	fd_dir = -1;
}

static int fd_dir_enter(struct silo_err *err)
{
	int saved = -1;

	if (fd_dir < 0 || fd_dir_tid != gettid()) {
		_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		_cleanup_close_ int proc = -1;
		_cleanup_close_ int dir = -1;
		struct statfs fs;
		struct stat st;

		if (root >= 0)
			proc = resolve_in_root(root, "proc", O_PATH | O_DIRECTORY, RESOLVE_NO_SYMLINKS);
		if (proc < 0 || fstatfs(proc, &fs) < 0 || fstat(proc, &st) < 0)
			return silo_err_errno(err, "open /proc to name descriptors");
		if (fs.f_type != PROC_SUPER_MAGIC || st.st_ino != 1)
			return silo_err_set(err, EXDEV, "/proc is not the root of a procfs");
		dir = openat(proc, "thread-self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dir < 0 || fstatfs(dir, &fs) < 0)
			return silo_err_errno(err, "open /proc/thread-self/fd");
		if (fs.f_type != PROC_SUPER_MAGIC)
			return silo_err_set(err, EXDEV, "/proc/thread-self/fd is not on procfs");
		/* A forked child's copy names its parent's descriptors. */
		if (fd_dir >= 0 && fd_dir_tid != gettid())
			close(fd_dir);
		fd_dir = steal_fd(&dir);
		fd_dir_tid = gettid();
	}
	saved = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (saved < 0 || fchdir(fd_dir) < 0) {
		if (saved >= 0)
			close(saved);
		return silo_err_errno(err, "enter /proc/thread-self/fd");
	}
	return saved;
}

static void fd_dir_leave(int saved)
{
	int e = errno;

	if (fchdir(saved) < 0) {
		/* The previous directory is gone: the root is a safe place. */
		if (chdir("/") < 0)
			errno = e;
	}
	close(saved);
	errno = e;
}

static unsigned long statvfs_to_ms_flags(unsigned long f)
{
	unsigned long ms = 0;

	if (f & ST_RDONLY)
		ms |= MS_RDONLY;
	if (f & ST_NOSUID)
		ms |= MS_NOSUID;
	if (f & ST_NODEV)
		ms |= MS_NODEV;
	if (f & ST_NOEXEC)
		ms |= MS_NOEXEC;
	if (f & ST_NOATIME)
		ms |= MS_NOATIME;
	if (f & ST_NODIRATIME)
		ms |= MS_NODIRATIME;
	if (f & ST_RELATIME)
		ms |= MS_RELATIME;
	return ms;
}

static int mount_id_of(int fd, uint64_t *id, int *is_root)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0)
		return -errno;
	if (!(stx.stx_mask & STATX_MNT_ID))
		return -EOPNOTSUPP;
	*id = stx.stx_mnt_id;
	if (is_root)
		*is_root = !!(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
	return 0;
}

/* The parent mount's ID of mount id and where it is mounted (unescaped),
 * from /proc/self/mountinfo. */
static int mount_info(uint64_t id, uint64_t *parent, char *point, size_t size)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	unsigned long long a, b;
	char line[8192], field[4096];

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		size_t n = 0;

		if (sscanf(line, "%llu %llu %*s %*s %4095s", &a, &b, field) != 3 || a != id)
			continue;
		*parent = b;
		for (const char *c = field; *c && n + 1 < size; c++) {
			if (c[0] == '\\' && c[1] >= '0' && c[1] <= '3' && c[2] >= '0' && c[2] <= '7' &&
			    c[3] >= '0' && c[3] <= '7') {
				point[n++] = (char)(((c[1] - '0') << 6) | ((c[2] - '0') << 3) | (c[3] - '0'));
				c += 3;
			} else {
				point[n++] = *c;
			}
		}
		point[n] = '\0';
		return 0;
	}
	return -ENOENT;
}

/* One try of classic_open_top(): 0 and *top, or -errno (-EAGAIN: what was
 * found is not the mount on the target, try again). */
static int open_top_once(int target_fd, uint64_t below, int is_dir, int *top_out)
{
	_cleanup_close_ int parent_dir = -1;
	_cleanup_close_ int top = -1;
	char link[32], path[4096], again[4096], point[4096], *name;
	uint64_t above = 0, parent = 0;
	int is_root = 0, r;
	ssize_t len;

	snprintf(link, sizeof(link), "%d", target_fd);
	len = readlink(link, path, sizeof(path) - 1);
	if (len < 0)
		return -errno;
	path[len] = '\0';
	name = strrchr(path, '/');
	if (!name || !name[1])
		return -EINVAL;
	*name = '\0';
	if (is_dir) {
		parent_dir = openat(target_fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	} else {
		_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

		parent_dir = root < 0 ? -1
				      : resolve_in_root(root, path[0] ? path : "/", O_PATH | O_DIRECTORY,
							RESOLVE_NO_SYMLINKS);
	}
	*name = '/';
	if (parent_dir < 0)
		return errno == ELOOP || errno == ENOENT || errno == ENOTDIR ? -EAGAIN : -errno;
	top = openat(parent_dir, name + 1, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (top < 0)
		return errno == ENOENT ? -EAGAIN : -errno;
	r = mount_id_of(top, &above, &is_root);
	if (r == 0)
		r = mount_info(above, &parent, point, sizeof(point));
	if (r == -ENOENT)
		return -EAGAIN;
	if (r < 0)
		return r;
	if (!is_root || above == below || parent != below)
		return -EAGAIN;
	/* Mounted where the target is, by the target's path read before and
	 * after: two dentries of one mount never share a path at once. */
	len = readlink(link, again, sizeof(again) - 1);
	if (len < 0)
		return -errno;
	again[len] = '\0';
	if (strcmp(point, path) || strcmp(again, path))
		return -EAGAIN;
	*top_out = steal_fd(&top);
	return 0;
}

/* After a mount(2) onto target_fd: the new mount's root. A descriptor's
 * magic link never crosses the mount now on top of it, so the root is
 * looked up by name in the target's parent: for a directory its "..", for
 * a file the parent's path opened with no symlink followed. What is found
 * is accepted only if it is the root of a mount whose parent is the
 * target's mount, mounted on the target's path as read just before and
 * just after; a rename racing the lookup makes it try again. */
static int classic_open_top(int target_fd, const char *what, struct silo_err *err)
{
	uint64_t below = 0;
	struct stat st;
	int top = -1, r;

	if (fstat(target_fd, &st) < 0)
		return silo_err_errno(err, "reopen \"%s\" after mounting", what);
	r = mount_id_of(target_fd, &below, NULL);
	for (int i = 0; r == 0 && i < 1000; i++) {
		r = open_top_once(target_fd, below, S_ISDIR(st.st_mode), &top);
		if (r != -EAGAIN)
			break;
		r = 0;
	}
	if (r < 0)
		return silo_err_sys(err, -r, "reopen \"%s\" after mounting", what);
	if (top < 0)
		return silo_err_set(err, EXDEV, "\"%s\" kept changing while it was mounted on", what);
	return top;
}

/* The flags of the mount at top, plus set, minus clear: a remount changes
 * the whole set, and a flag locked by a user namespace must be kept. */
static int classic_remount(int top, unsigned long set, unsigned long clear, const char *what,
			   struct silo_err *err)
{
	unsigned long flags, atime = MS_NOATIME | MS_STRICTATIME | MS_RELATIME;
	struct statvfs vfs;
	char link[32];

	if (fstatvfs(top, &vfs) < 0)
		return silo_err_errno(err, "flags of the mount on \"%s\"", what);
	flags = statvfs_to_ms_flags(vfs.f_flag);
	if (set & atime)
		flags &= ~atime;
	flags = (flags | set) & ~clear;
	snprintf(link, sizeof(link), "%d", top);
	if (mount(NULL, link, NULL, MS_REMOUNT | MS_BIND | flags, NULL) < 0)
		return silo_err_errno(err, "set options of the mount on \"%s\"", what);
	return 0;
}

static int classic_attach(struct pending_mount *p, int target_fd, const char *what,
			  struct silo_err *err)
{
	unsigned long rdonly = p->flags & MS_RDONLY;
	char target[32], source[32];
	_cleanup_close_ int top = -1;

	snprintf(target, sizeof(target), "%d", target_fd);
	if (p->kind == PENDING_NEW_FS) {
		/* Read-only is set on the mount alone, as fsmount does: proc,
		 * sysfs and cgroup share a super block that must stay writable. */
		unsigned long flags = p->flags;

		/* A tmpfs has a super block of its own. */
		if (!strcmp(p->type, "tmpfs"))
			rdonly = 0;
		else
			flags &= ~(unsigned long)MS_RDONLY;
		if (mount(p->source, target, p->type, flags, p->data) < 0)
			return silo_err_errno(err, "mount %s on \"%s\"", p->type, what);
		pending_release(p);
		if (!rdonly)
			return 0;
		top = classic_open_top(target_fd, what, err);
		if (top < 0)
			return -1;
		return classic_remount(top, MS_RDONLY, 0, what, err);
	}
	snprintf(source, sizeof(source), "%d", p->fd);
	if (mount(source, target, NULL, MS_BIND | (p->recursive ? MS_REC : 0), NULL) < 0)
		return silo_err_errno(err, "attach mount on \"%s\"", what);
	if (!p->flags && !p->clear_flags) {
		pending_release(p);
		return 0;
	}
	top = classic_open_top(target_fd, what, err);
	if (top >= 0) {
		struct stat src_st, top_st;

		if (fstat(top, &top_st) < 0 || fstat(p->fd, &src_st) < 0 ||
		    top_st.st_dev != src_st.st_dev || top_st.st_ino != src_st.st_ino) {
			pending_release(p);
			return silo_err_set(err, EXDEV, "\"%s\" changed while it was mounted on", what);
		}
	}
	if (top < 0 || classic_remount(top, p->flags, p->clear_flags, what, err) < 0) {
		pending_release(p);
		return -1;
	}
	pending_release(p);
	return 0;
}

static int pending_new_fs(const char *type, const char *source, const char *data,
			  unsigned long flags, struct silo_err *err)
{
	int fd = memfd_create("silo-pending-mount", MFD_CLOEXEC);
	struct pending_mount *p;

	if (fd < 0)
		return silo_err_errno(err, "%s filesystem", type);
	p = pending_add(fd, PENDING_NEW_FS);
	if (!p)
		return silo_err_errno(err, "%s filesystem", type);
	p->type = strdup(type);
	p->source = source ? strdup(source) : NULL;
	p->data = data ? strdup(data) : NULL;
	p->flags = flags;
	if (!p->type || (source && !p->source) || (data && !p->data)) {
		pending_release(p);
		close(fd);
		return silo_err_sys(err, ENOMEM, "%s filesystem", type);
	}
	return fd;
}

static int pending_bind(int dirfd, const char *source, unsigned long set, unsigned long clear,
			int recursive, struct silo_err *err)
{
	int fd = *source ? openat(dirfd, source, O_PATH | O_CLOEXEC)
			 : fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	struct pending_mount *p;

	if (fd < 0)
		return silo_err_errno(err, "bind source \"%s\"", source);
	p = pending_add(fd, PENDING_BIND);
	if (!p)
		return silo_err_errno(err, "bind source \"%s\"", source);
	p->flags = set;
	p->clear_flags = clear;
	p->recursive = recursive;
	return fd;
}

int mount_tree_is_procfs_root(int fd)
{
	struct pending_mount *p = pending_find(fd);
	struct statfs fs;
	struct stat st;

	if (p && p->kind == PENDING_NEW_FS)
		return !strcmp(p->type, "proc");
	/* A pending bind's descriptor is its source: what the bind shows. */
	if (fstatfs(fd, &fs) < 0 || fstat(fd, &st) < 0)
		return -errno;
	/* The root of a procfs instance has inode 1 (PROC_ROOT_INO). */
	return fs.f_type == PROC_SUPER_MAGIC && st.st_ino == 1;
}

int mount_private_procfs(struct silo_err *err)
{
	int fd = mount_new_fs("proc", "proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, err);
	_cleanup_close_ int placeholder = -1;
	_cleanup_close_ int root = -1;
	_cleanup_close_ int below = -1;
	_cleanup_close_ int top = -1;
	struct statfs fs;
	struct stat st;
	char link[32];
	int saved, r = 0;

	if (fd < 0 || !pending_find(fd))
		return fd;
	/* mount(2) cannot make a mount that is attached nowhere: stack the
	 * new procfs on the /proc at hand for as long as it takes to open its
	 * root, then detach it; the descriptor keeps it, nothing else can. */
	placeholder = fd;
	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return silo_err_errno(err, "open /");
	below = resolve_in_root(root, "proc", O_PATH | O_DIRECTORY, RESOLVE_NO_SYMLINKS);
	if (below < 0)
		return silo_err_errno(err, "open /proc");
	if (mount_attach(placeholder, below, "/proc", err) < 0)
		return -1;
	saved = fd_dir_enter(err);
	if (saved < 0)
		return -1;
	top = classic_open_top(below, "/proc", err);
	snprintf(link, sizeof(link), "%d", top);
	if (top < 0)
		r = -1;
	else if (fstatfs(top, &fs) < 0 || fstat(top, &st) < 0)
		r = silo_err_errno(err, "check the private procfs");
	else if (fs.f_type != PROC_SUPER_MAGIC || st.st_ino != 1)
		r = silo_err_set(err, EXDEV, "the private procfs is not a procfs");
	else if (umount2(link, MNT_DETACH) < 0)
		r = silo_err_errno(err, "detach the private procfs");
	fd_dir_leave(saved);
	if (r < 0)
		return -1;
	return steal_fd(&top);
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
	struct pending_mount *p = pending_find(mount_fd);

	if (p) {
		int saved = fd_dir_enter(err), r;

		if (saved < 0)
			return -1;
		r = classic_attach(p, target_fd, what, err);
		fd_dir_leave(saved);
		return r;
	}
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
	_cleanup_close_ int fsfd = classic_api ? -1 : fsopen(type, FSOPEN_CLOEXEC);
	_cleanup_free_ char *copy = NULL;
	char *save = NULL;
	int mfd, r;

	if (fsfd < 0 && (errno == ENOSYS || classic_api)) {
		classic_api = 1;
		return pending_new_fs(type, source, data, flags, err);
	}
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
	tree = classic_api ? -1 : open_tree(dirfd, source, tree_flags);
	if (tree < 0 && (classic_api || errno == ENOSYS)) {
		classic_api = 1;
		/* mount(2) sets flags on one mount at a time. */
		if (opts->attr_set || opts->attr_clr)
			return silo_err_set(err, ENOSYS,
					    "bind \"%s\": recursive mount options (\"rro\", \"rnosuid\" ...) need mount_setattr(2), Linux 5.12",
					    source);
		return pending_bind(dirfd, source, opts->flags, opts->clear_flags, opts->recursive,
				    err);
	}
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
	    mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
		/* open_tree without mount_setattr (Linux 5.2 to 5.11). */
		if (errno == ENOSYS && !opts->attr_set && !opts->attr_clr) {
			classic_api = 1;
			return pending_bind(dirfd, source, opts->flags, opts->clear_flags,
					    opts->recursive, err);
		}
		return silo_err_errno(err, "set options of bind mount \"%s\"", source);
	}
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
	if (!classic_api && mount_setattr(fd, "", flags, &attr, sizeof(attr)) == 0)
		return 0;
	if (classic_api || errno == ENOSYS) {
		char link[32];

		int saved = fd_dir_enter(err), r;

		classic_api = 1;
		if (saved < 0)
			return -1;
		snprintf(link, sizeof(link), "%d", fd);
		r = mount(NULL, link, NULL, propagation, NULL);
		fd_dir_leave(saved);
		if (r == 0)
			return 0;
	}
	return silo_err_errno(err, "set mount propagation");
}

int mount_make_readonly(int fd, struct silo_err *err)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };

	if (!classic_api && mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) == 0)
		return 0;
	if (classic_api || errno == ENOSYS) {
		int saved = fd_dir_enter(err), r;

		classic_api = 1;
		if (saved < 0)
			return silo_err_prefix(err, "make mount read-only");
		r = classic_remount(fd, MS_RDONLY, 0, "/", err);
		fd_dir_leave(saved);
		return r < 0 ? silo_err_prefix(err, "make mount read-only") : 0;
	}
	return silo_err_errno(err, "make mount read-only");
}

int mount_clone_readonly(int fd, struct silo_err *err)
{
	_cleanup_close_ int tree = -1;
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };

	if (!classic_api)
		tree = open_tree(fd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree >= 0 && mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) == 0)
		return steal_fd(&tree);
	if (!classic_api && errno != ENOSYS)
		return silo_err_errno(err, "read-only bind");
	/* mount(2): the tree is bound and its top made read-only; mounts
	 * below it keep their own flags. */
	classic_api = 1;
	return pending_bind(fd, "", MS_RDONLY, 0, 1, err);
}
