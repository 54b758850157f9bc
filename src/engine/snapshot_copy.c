/* Copying layers into a container root (see snapshot_copy.h). Each layer
 * is merged into the root in turn, base first, by one walk of its tree:
 * directories are opened relative to their parent, entries created with
 * O_EXCL/O_NOFOLLOW after whatever was at the name is removed, so neither
 * a layer nor an earlier layer's symlink can redirect a write. File data
 * is cloned where the filesystem can (FICLONE, then copy_file_range, which
 * may share blocks too), else copied. */
#include "engine/snapshot_copy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

/* Each level of the walk holds three descriptors (a stream and two
 * directories): bounded well below a small RLIMIT_NOFILE. */
#define COPY_DEPTH_MAX 128
#define XATTR_LIST_MAX_BYTES 65536
#define XATTR_VALUE_MAX_BYTES 65536

/* A file of the layer with more than one name: where its first name was
 * copied to, relative to the root. */
struct copy_link {
	dev_t dev;
	ino_t ino;
	char *path;
};

struct copy {
	int root_fd;
	struct copy_link *links;
	size_t n_links, cap_links;
	char path[4096]; /* the entry being copied, relative to the root */
};

static void copy_forget_links(struct copy *c)
{
	for (size_t i = 0; i < c->n_links; i++)
		free(c->links[i].path);
	free(c->links);
	c->links = NULL;
	c->n_links = c->cap_links = 0;
}

static const char *copy_link_of(const struct copy *c, const struct stat *st)
{
	for (size_t i = 0; i < c->n_links; i++)
		if (c->links[i].dev == st->st_dev && c->links[i].ino == st->st_ino)
			return c->links[i].path;
	return NULL;
}

static void copy_remember_link(struct copy *c, const struct stat *st)
{
	char *path = strdup(c->path);

	if (!path)
		return; /* without memory the next name is copied, not linked */
	if (c->n_links == c->cap_links) {
		size_t cap = c->cap_links ? c->cap_links * 2 : 64;
		struct copy_link *more = realloc(c->links, cap * sizeof(*more));

		if (!more) {
			free(path);
			return;
		}
		c->links = more;
		c->cap_links = cap;
	}
	c->links[c->n_links++] = (struct copy_link){ st->st_dev, st->st_ino, path };
}

static int is_whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

static int is_opaque(int dir_fd)
{
	char value[2];
	ssize_t n = fgetxattr(dir_fd, "trusted.overlay.opaque", value, sizeof(value));

	if (n < 0)
		n = fgetxattr(dir_fd, "user.overlay.opaque", value, sizeof(value));
	return n == 1 && value[0] == 'y';
}

/* overlayfs' own attributes (opaque, redirect, origin...) belong to the
 * layer's format, not to the file. */
static int is_overlay_xattr(const char *name)
{
	return !strncmp(name, "trusted.overlay.", 16) || !strncmp(name, "user.overlay.", 13);
}

static int copy_xattrs(int src_fd, int dst_fd, const struct copy *c, struct silo_err *err)
{
	_cleanup_free_ char *names = malloc(XATTR_LIST_MAX_BYTES);
	_cleanup_free_ char *value = malloc(XATTR_VALUE_MAX_BYTES);
	ssize_t len;

	if (!names || !value)
		return silo_err_sys(err, ENOMEM, "copy \"%s\"", c->path);
	len = flistxattr(src_fd, names, XATTR_LIST_MAX_BYTES);
	if (len < 0)
		return errno == ENOTSUP ? 0 : silo_err_errno(err, "list the attributes of \"%s\"", c->path);
	for (char *name = names; name < names + len; name += strlen(name) + 1) {
		ssize_t n;

		if (is_overlay_xattr(name))
			continue;
		n = fgetxattr(src_fd, name, value, XATTR_VALUE_MAX_BYTES);
		if (n < 0)
			return silo_err_errno(err, "read the attribute %s of \"%s\"", name, c->path);
		if (fsetxattr(dst_fd, name, value, (size_t)n, 0) < 0)
			return silo_err_errno(err, "set the attribute %s on \"%s\"", name, c->path);
	}
	return 0;
}

/* Ownership first: chown clears the set-ID bits that chmod then restores,
 * and the file capability (security.capability) that the xattrs bring
 * back. Times last, after the writes. */
static int copy_attributes(int src_fd, int dst_fd, const struct stat *st, const struct copy *c,
			   struct silo_err *err)
{
	struct timespec times[2] = { st->st_atim, st->st_mtim };

	if (fchown(dst_fd, st->st_uid, st->st_gid) < 0 || fchmod(dst_fd, st->st_mode & 07777) < 0)
		return silo_err_errno(err, "copy the owner and mode of \"%s\"", c->path);
	if (copy_xattrs(src_fd, dst_fd, c, err) < 0)
		return -1;
	if (futimens(dst_fd, times) < 0)
		return silo_err_errno(err, "copy the times of \"%s\"", c->path);
	return 0;
}

static int copy_data(int in, int out, const struct copy *c, struct silo_err *err)
{
	char buf[65536];
	ssize_t n;

	if (ioctl(out, FICLONE, in) == 0)
		return 0;
	for (;;) {
		n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
		if (n == 0)
			return 0;
		if (n < 0)
			break;
	}
	if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		return silo_err_errno(err, "copy \"%s\"", c->path);
	/* copy_file_range cannot: plain reads and writes, from where it
	 * stopped (it moves both offsets only by what it copied). */
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return silo_err_errno(err, "read \"%s\" in the layer", c->path);
		}
		if (fs_write_all(out, buf, (size_t)n) < 0)
			return silo_err_errno(err, "write \"%s\"", c->path);
	}
	return 0;
}

static int copy_file(struct copy *c, int src_dir, int dst_dir, const char *name,
		     const struct stat *st, struct silo_err *err)
{
	_cleanup_close_ int in = -1;
	_cleanup_close_ int out = -1;
	const char *first = st->st_nlink > 1 ? copy_link_of(c, st) : NULL;

	/* The other names of a hard link of the same layer. Each directory
	 * on the way to the first name was made by this walk, so nothing
	 * there can be a symlink. */
	if (first && linkat(c->root_fd, first, dst_dir, name, 0) == 0)
		return 0;
	in = openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return silo_err_errno(err, "open \"%s\" in the layer", c->path);
	out = openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return silo_err_errno(err, "create \"%s\"", c->path);
	if (copy_data(in, out, c, err) < 0 || copy_attributes(in, out, st, c, err) < 0)
		return -1;
	if (st->st_nlink > 1 && !first)
		copy_remember_link(c, st);
	return 0;
}

/* Symlinks, devices, FIFOs and sockets: no data, and no descriptor to set
 * attributes through. */
static int copy_special(struct copy *c, int src_dir, int dst_dir, const char *name,
			const struct stat *st, struct silo_err *err)
{
	struct timespec times[2] = { st->st_atim, st->st_mtim };

	if (S_ISLNK(st->st_mode)) {
		char target[4096];
		ssize_t n = readlinkat(src_dir, name, target, sizeof(target) - 1);

		if (n < 0)
			return silo_err_errno(err, "read the link \"%s\" in the layer", c->path);
		target[n] = '\0';
		if (symlinkat(target, dst_dir, name) < 0)
			return silo_err_errno(err, "create the link \"%s\"", c->path);
	} else if (mknodat(dst_dir, name, st->st_mode & (S_IFMT | 0777), st->st_rdev) < 0) {
		return silo_err_errno(err, "create \"%s\"", c->path);
	}
	if (fchownat(dst_dir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
	    (!S_ISLNK(st->st_mode) && fchmodat(dst_dir, name, st->st_mode & 07777, 0) < 0) ||
	    utimensat(dst_dir, name, times, AT_SYMLINK_NOFOLLOW) < 0)
		return silo_err_errno(err, "copy the attributes of \"%s\"", c->path);
	return 0;
}

static int empty_directory(int dir_fd, const struct copy *c, struct silo_err *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *e;
	int fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return silo_err_errno(err, "read \"%s\"", c->path);
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fs_remove_tree_at(dir_fd, e->d_name, err) < 0)
			return -1;
	}
	return 0;
}

static int merge_tree(struct copy *c, int src_dir, int dst_dir, int depth, struct silo_err *err);

/* A directory of the layer: merged into the one below, which it replaces
 * when it is opaque or when the name below is not a directory. */
static int merge_directory(struct copy *c, int src_dir, int dst_dir, const char *name,
			   const struct stat *st, int depth, struct silo_err *err)
{
	_cleanup_close_ int in = openat(src_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int out = -1;
	struct stat below;
	int exists = fstatat(dst_dir, name, &below, AT_SYMLINK_NOFOLLOW) == 0;

	if (in < 0)
		return silo_err_errno(err, "open \"%s\" in the layer", c->path);
	if (exists && !S_ISDIR(below.st_mode)) {
		if (fs_remove_tree_at(dst_dir, name, err) < 0)
			return -1;
		exists = 0;
	}
	if (!exists && mkdirat(dst_dir, name, 0700) < 0)
		return silo_err_errno(err, "create \"%s\"", c->path);
	out = openat(dst_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (out < 0)
		return silo_err_errno(err, "open \"%s\"", c->path);
	if (exists && is_opaque(in) && empty_directory(out, c, err) < 0)
		return -1;
	if (merge_tree(c, in, out, depth + 1, err) < 0)
		return -1;
	/* The top layer's directory is the one overlayfs shows. */
	return copy_attributes(in, out, st, c, err);
}

static int merge_tree(struct copy *c, int src_dir, int dst_dir, int depth, struct silo_err *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	size_t base = strlen(c->path);
	struct dirent *e;
	int fd;

	if (depth > COPY_DEPTH_MAX)
		return silo_err_set(err, ELOOP, "copy \"%s\": directories nested more than %d deep",
				    c->path, COPY_DEPTH_MAX);
	fd = fcntl(src_dir, F_DUPFD_CLOEXEC, 0);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return silo_err_errno(err, "read \"%s\" in the layer", c->path);
	}
	while ((e = readdir(d))) {
		struct stat st;
		int r;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if ((size_t)snprintf(c->path + base, sizeof(c->path) - base, "%s%s", base ? "/" : "",
				     e->d_name) >= sizeof(c->path) - base)
			return silo_err_set(err, ENAMETOOLONG, "copy \"%s\": path too long", c->path);
		if (fstatat(src_dir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return silo_err_errno(err, "stat \"%s\" in the layer", c->path);
		if (S_ISDIR(st.st_mode)) {
			r = merge_directory(c, src_dir, dst_dir, e->d_name, &st, depth, err);
		} else {
			/* Whatever the layers below have here goes; a whiteout
			 * only removes. */
			r = fs_remove_tree_at(dst_dir, e->d_name, err);
			if (r == 0 && !is_whiteout(&st))
				r = S_ISREG(st.st_mode) ? copy_file(c, src_dir, dst_dir, e->d_name, &st, err)
							: copy_special(c, src_dir, dst_dir, e->d_name, &st, err);
		}
		if (r < 0)
			return -1;
		c->path[base] = '\0';
	}
	return 0;
}

int snapshot_copy_layers(int dst_fd, json_t *lower_dirs, struct silo_err *err)
{
	struct copy c = { .root_fd = dst_fd };
	size_t i;
	json_t *v;

	json_array_foreach(lower_dirs, i, v) {
		const char *layer = json_string_value(v);
		_cleanup_close_ int src = -1;
		struct stat st;
		int r;

		if (!layer)
			return silo_err_set(err, EINVAL, "copy snapshot: layer %zu has no path", i);
		src = open(layer, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (src < 0 || fstat(src, &st) < 0)
			return silo_err_errno(err, "open the layer \"%s\"", layer);
		c.path[0] = '\0';
		r = merge_tree(&c, src, dst_fd, 0, err);
		if (r == 0) {
			snprintf(c.path, sizeof(c.path), "/");
			r = copy_attributes(src, dst_fd, &st, &c, err);
		}
		/* Links are looked up within a layer only: a later layer may
		 * have removed the first name. */
		copy_forget_links(&c);
		if (r < 0)
			return silo_err_prefix(err, "copy the layer \"%s\"", layer);
	}
	return 0;
}
