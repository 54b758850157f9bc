/* Walking a tree into tar entries (see tar_tree.h). Directory entries are
 * sorted by name so the same tree always gives the same archive. */
#include "image/tar_tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "util/cleanup.h"

#define COPY_BLOCK (64 * 1024)
/* linux/magic.h has no name for mqueue's. */
#define MQUEUE_MAGIC_NUMBER 0x19800202
#define XATTR_LIST_MAX_BYTES (64 * 1024)

struct seen_inode {
	dev_t dev;
	ino_t ino;
	char *name;
};

struct walker {
	struct tar_writer *t;
	const struct tar_tree_options *opts;
	dev_t top_dev;
	struct seen_inode *seen;
	size_t n_seen, cap_seen;
	char buf[COPY_BLOCK];
};

/* The first name of an inode with several links, or NULL (and it is
 * remembered under name). */
static const char *hardlink_target(struct walker *w, const struct stat *st, const char *name)
{
	for (size_t i = 0; i < w->n_seen; i++)
		if (w->seen[i].dev == st->st_dev && w->seen[i].ino == st->st_ino)
			return w->seen[i].name;
	if (w->n_seen == w->cap_seen) {
		size_t cap = w->cap_seen ? w->cap_seen * 2 : 32;
		struct seen_inode *grown = realloc(w->seen, cap * sizeof(*grown));

		if (!grown)
			return NULL;
		w->seen = grown;
		w->cap_seen = cap;
	}
	w->seen[w->n_seen].name = strdup(name);
	if (w->seen[w->n_seen].name) {
		w->seen[w->n_seen].dev = st->st_dev;
		w->seen[w->n_seen].ino = st->st_ino;
		w->n_seen++;
	}
	return NULL;
}

/* The extended attributes worth keeping: all but overlayfs' own, which
 * describe the overlay's layers rather than the file. */
struct xattr_set {
	char *list;
	struct tar_xattr *items;
	char **values;
	size_t n;
};

static void xattr_set_free(struct xattr_set *x)
{
	for (size_t i = 0; i < x->n; i++)
		free(x->values[i]);
	free(x->values);
	free(x->items);
	free(x->list);
}

static void read_xattrs(int fd, struct xattr_set *x)
{
	ssize_t len = flistxattr(fd, NULL, 0);
	size_t count = 0;

	memset(x, 0, sizeof(*x));
	if (len <= 0 || len > XATTR_LIST_MAX_BYTES)
		return;
	x->list = malloc((size_t)len);
	if (!x->list || (len = flistxattr(fd, x->list, (size_t)len)) <= 0)
		return;
	for (ssize_t i = 0; i < len; i += (ssize_t)strlen(x->list + i) + 1)
		count++;
	x->items = calloc(count, sizeof(*x->items));
	x->values = calloc(count, sizeof(*x->values));
	if (!x->items || !x->values)
		return;
	for (ssize_t i = 0; i < len; i += (ssize_t)strlen(x->list + i) + 1) {
		const char *name = x->list + i;
		ssize_t size;

		if (!strncmp(name, "trusted.overlay.", 16))
			continue;
		size = fgetxattr(fd, name, NULL, 0);
		if (size < 0 || size > XATTR_LIST_MAX_BYTES)
			continue;
		x->values[x->n] = malloc((size_t)size + 1);
		if (!x->values[x->n])
			continue;
		size = fgetxattr(fd, name, x->values[x->n], (size_t)size);
		if (size < 0) {
			free(x->values[x->n]);
			x->values[x->n] = NULL;
			continue;
		}
		x->items[x->n] = (struct tar_xattr){ name, x->values[x->n], (size_t)size };
		x->n++;
	}
}

/* The entry e, with the extended attributes fd has. */
static int write_entry_with_xattrs(struct walker *w, int fd, struct tar_entry *e, struct silo_err *err)
{
	struct xattr_set x;
	int r;

	read_xattrs(fd, &x);
	e->xattrs = x.items;
	e->n_xattrs = x.n;
	r = tar_write_entry(w->t, e, err);
	xattr_set_free(&x);
	e->xattrs = NULL;
	e->n_xattrs = 0;
	return r < 0 ? -1 : 0;
}

/* Exactly st_size bytes: a file that grows or shrinks while it is read
 * (in a running container) is cut or padded with zeros, so the archive
 * stays well formed. */
static int write_contents(struct walker *w, int fd, uint64_t size, const char *name,
			  struct silo_err *err)
{
	uint64_t left = size;

	while (left) {
		size_t want = left < sizeof(w->buf) ? (size_t)left : sizeof(w->buf);
		ssize_t n = read(fd, w->buf, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return silo_err_errno(err, "read \"%s\"", name);
		if (n == 0) {
			memset(w->buf, 0, want);
			n = (ssize_t)want;
		}
		if (tar_write_data(w->t, w->buf, (size_t)n, err) < 0)
			return -1;
		left -= (uint64_t)n;
	}
	return tar_end_file(w->t, err);
}

static int write_empty_file(struct walker *w, const char *name, struct silo_err *err)
{
	struct tar_entry e = { .name = name, .type = TAR_TYPE_FILE, .mode = 0 };

	return tar_write_entry(w->t, &e, err) < 0 ? -1 : tar_end_file(w->t, err);
}

static char *child_name(const char *parent, const char *name)
{
	char *out;

	if (!*parent)
		return strdup(name);
	return asprintf(&out, "%s/%s", parent, name) < 0 ? NULL : out;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int write_object(struct walker *w, int fd, const char *link_target, const struct stat *st,
			const char *name, struct silo_err *err);

static int write_children(struct walker *w, int fd, const char *name, struct silo_err *err)
{
	_cleanup_closedir_ DIR *dir = NULL;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *d;
	int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3), r = 0;

	if (dfd < 0 || !(dir = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		return silo_err_errno(err, "read directory \"%s\"", *name ? name : "/");
	}
	while ((d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (n == cap) {
			char **grown = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*names));

			if (!grown) {
				r = silo_err_sys(err, ENOMEM, "read directory \"%s\"", name);
				break;
			}
			names = grown;
		}
		if (!(names[n] = strdup(d->d_name))) {
			r = silo_err_sys(err, ENOMEM, "read directory \"%s\"", name);
			break;
		}
		n++;
	}
	if (r == 0)
		qsort(names, n, sizeof(*names), compare_names);
	for (size_t i = 0; i < n && r == 0; i++) {
		_cleanup_free_ char *path = child_name(name, names[i]);
		_cleanup_close_ int child = -1;
		char target[PATH_MAX];
		struct stat st;
		ssize_t len;

		if (!path) {
			r = silo_err_sys(err, ENOMEM, "read directory \"%s\"", name);
			break;
		}
		if (fstatat(dirfd(dir), names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT) /* gone while we read */
				continue;
			r = silo_err_errno(err, "stat \"%s\"", path);
			break;
		}
		if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
			child = openat(dirfd(dir), names[i],
				       O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK |
					       (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
			if (child < 0 && (errno == ENOENT || errno == ELOOP || errno == ENOTDIR))
				continue;
			if (child < 0 || fstat(child, &st) < 0) {
				r = silo_err_errno(err, "open \"%s\"", path);
				break;
			}
			r = write_object(w, child, NULL, &st, path, err);
		} else if (S_ISLNK(st.st_mode)) {
			len = readlinkat(dirfd(dir), names[i], target, sizeof(target) - 1);
			if (len < 0) {
				r = errno == ENOENT ? 0 : silo_err_errno(err, "read symlink \"%s\"", path);
				continue;
			}
			target[len] = '\0';
			r = write_object(w, -1, target, &st, path, err);
		} else {
			r = write_object(w, -1, NULL, &st, path, err);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

static int is_kernel_fs(int fd)
{
	static const unsigned long kinds[] = {
		PROC_SUPER_MAGIC, SYSFS_MAGIC, CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC, DEVPTS_SUPER_MAGIC,
		MQUEUE_MAGIC_NUMBER, DEBUGFS_MAGIC, SECURITYFS_MAGIC, TRACEFS_MAGIC, BPF_FS_MAGIC,
	};
	struct statfs sf;

	if (fstatfs(fd, &sf) < 0)
		return 0;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if ((unsigned long)sf.f_type == kinds[i])
			return 1;
	return 0;
}

static int write_directory(struct walker *w, int fd, const struct stat *st, const char *name,
			   struct silo_err *err)
{
	char opaque = 0;

	if (*name) {
		struct tar_entry e = {
			.name = name, .type = TAR_TYPE_DIR, .mode = st->st_mode & 07777,
			.uid = st->st_uid, .gid = st->st_gid, .mtime = st->st_mtim.tv_sec,
		};

		if (write_entry_with_xattrs(w, fd, &e, err) < 0)
			return -1;
	}
	if (w->opts->overlay_whiteouts && fgetxattr(fd, "trusted.overlay.opaque", &opaque, 1) == 1 &&
	    opaque == 'y' && *name) {
		_cleanup_free_ char *marker = child_name(name, ".wh..wh..opq");

		if (!marker)
			return silo_err_sys(err, ENOMEM, "archive");
		if (write_empty_file(w, marker, err) < 0)
			return -1;
	}
	/* A mount point of another file system stays an empty directory. */
	if (w->opts->one_file_system && st->st_dev != w->top_dev)
		return 0;
	if (w->opts->skip_kernel_fs && is_kernel_fs(fd))
		return 0;
	return write_children(w, fd, name, err);
}

static int skipped(const struct walker *w, const struct stat *st, const char *name)
{
	if (!w->opts->skip_empty || !S_ISREG(st->st_mode) || st->st_size != 0)
		return 0;
	for (const char *const *p = w->opts->skip_empty; *p; p++)
		if (!strcmp(*p, name))
			return 1;
	return 0;
}

static int write_object(struct walker *w, int fd, const char *link_target, const struct stat *st,
			const char *name, struct silo_err *err)
{
	struct tar_entry e = {
		.name = name, .mode = st->st_mode & 07777, .uid = st->st_uid, .gid = st->st_gid,
		.mtime = st->st_mtim.tv_sec,
	};

	if (S_ISDIR(st->st_mode))
		return write_directory(w, fd, st, name, err);
	if (!*name)
		return silo_err_set(err, ENOTDIR, "archive: the top of a tree must be a directory");
	if (skipped(w, st, name))
		return 0;
	if (S_ISREG(st->st_mode)) {
		const char *first = st->st_nlink > 1 ? hardlink_target(w, st, name) : NULL;

		if (first) {
			e.type = TAR_TYPE_HARDLINK;
			e.linkname = first;
			return tar_write_entry(w->t, &e, err);
		}
		e.type = TAR_TYPE_FILE;
		e.size = (uint64_t)st->st_size;
		if (write_entry_with_xattrs(w, fd, &e, err) < 0)
			return -1;
		return write_contents(w, fd, e.size, name, err);
	}
	if (S_ISLNK(st->st_mode)) {
		char target[PATH_MAX];
		ssize_t len;

		if (!link_target) {
			len = readlinkat(fd, "", target, sizeof(target) - 1);
			if (len < 0)
				return silo_err_errno(err, "read symlink \"%s\"", name);
			target[len] = '\0';
			link_target = target;
		}
		e.type = TAR_TYPE_SYMLINK;
		e.linkname = link_target;
		return tar_write_entry(w->t, &e, err);
	}
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
		if (w->opts->overlay_whiteouts && S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0)) {
			/* A deleted file: ".wh." and its name, in its directory. */
			const char *slash = strrchr(name, '/');
			_cleanup_free_ char *marker = NULL;

			if (asprintf(&marker, "%.*s.wh.%s", slash ? (int)(slash - name + 1) : 0, name,
				     slash ? slash + 1 : name) < 0)
				return silo_err_sys(err, ENOMEM, "archive");
			return write_empty_file(w, marker, err);
		}
		e.type = S_ISCHR(st->st_mode) ? TAR_TYPE_CHAR : TAR_TYPE_BLOCK;
		e.dev_major = major(st->st_rdev);
		e.dev_minor = minor(st->st_rdev);
		return tar_write_entry(w->t, &e, err);
	}
	if (S_ISFIFO(st->st_mode)) {
		e.type = TAR_TYPE_FIFO;
		return tar_write_entry(w->t, &e, err);
	}
	/* Sockets live only as long as their process: tar has no place for
	 * them. */
	return 0;
}

int tar_tree_write(struct tar_writer *t, int fd, const struct stat *st, const char *name,
		   const struct tar_tree_options *opts, struct silo_err *err)
{
	static const struct tar_tree_options defaults = { 0 };
	struct walker *w = calloc(1, sizeof(*w));
	int r;

	if (!w)
		return silo_err_sys(err, ENOMEM, "archive");
	w->t = t;
	w->opts = opts ? opts : &defaults;
	w->top_dev = st->st_dev;
	r = write_object(w, fd, NULL, st, name, err);
	for (size_t i = 0; i < w->n_seen; i++)
		free(w->seen[i].name);
	free(w->seen);
	free(w);
	return r;
}
