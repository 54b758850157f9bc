/* The layer writer. Two libarchive readers are chained: the outer one only
 * decompresses (format "raw"), and every uncompressed byte passes through
 * the DiffID hash on its way to the inner one, which parses the tar. Each
 * entry is then written by the code below, never by libarchive:
 *
 * - entry names are cleaned: leading "/" and "." parts dropped; a ".." part
 *   refuses the layer (CVE-2019-14271-style escapes by name);
 * - the parent directory is opened with openat2(RESOLVE_IN_ROOT), or where
 *   the kernel answers ENOSYS the same resolution walked by hand
 *   (util/resolve.c): symlinks a layer planted, absolute or relative,
 *   resolve inside the layer directory and can never lead out of it
 *   (symlink-then-write-through attacks);
 * - the last component is created with O_EXCL/O_NOFOLLOW after the old
 *   entry is removed, so a planted symlink at the name is replaced, never
 *   followed;
 * - hard link targets are resolved the same way and must be non-directories
 *   inside the layer (hard links out);
 * - an entry for the layer's root must be a directory (a layer that turns /
 *   into a file or symlink). */
#include "image/unpack.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/archive_lib.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/resolve.h"
#include "util/subid.h"

#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"
#define WHITEOUT_META_PREFIX ".wh..wh."
#define READ_BLOCK (128 * 1024)

struct deferred_dir {
	char *path;
	struct timespec times[2];
};

struct unpacker {
	int root_fd;
	dev_t root_dev;
	struct archive *outer;
	struct digest_ctx diff;
	char buf[READ_BLOCK];
	int outer_failed;
	struct unpack_result *result;
	struct deferred_dir *dirs;
	size_t n_dirs, cap_dirs;
	const struct unpack_options *opts;
	char *top; /* with opts->rename_top: the first entry's cleaned name */
	const char *what; /* "the layer", "the destination": for messages */
};

static const struct unpack_options layer_options = { .whiteouts = 1 };

/* Every lookup in the layer: inside its root, never across a mount, never
 * through a procfs magic link; by openat2, or by the equally strict walk
 * where openat2 is missing (util/resolve.c). */
static int open_in_layer(const struct unpacker *u, const char *path, int flags)
{
	return resolve_in_root(u->root_fd, path, flags, u->opts->cross_mounts ? 0 : RESOLVE_NO_XDEV);
}

/* The inner (tar) reader pulls uncompressed bytes from the outer reader;
 * everything it sees is what the DiffID covers. */
static la_ssize_t inner_read(struct archive *a, void *data, const void **buf)
{
	struct unpacker *u = data;
	la_ssize_t n = archive_read_data(u->outer, u->buf, sizeof(u->buf));

	(void)a;
	if (n < 0) {
		u->outer_failed = 1;
		return -1;
	}
	digest_update(&u->diff, u->buf, (size_t)n);
	*buf = u->buf;
	return n;
}

/* Cleans an entry name into "a/b/c" (in place). Returns 0, or -1 for a
 * name with a ".." part. An empty result is the layer's root. */
static int clean_name(const char *raw, char *out, size_t size)
{
	size_t used = 0;
	const char *p = raw;

	out[0] = '\0';
	while (*p) {
		const char *end = strchrnul(p, '/');
		size_t len = (size_t)(end - p);

		if (len == 2 && p[0] == '.' && p[1] == '.')
			return -1;
		if (len > 0 && !(len == 1 && p[0] == '.')) {
			if (used + len + 2 > size)
				return -1;
			if (used)
				out[used++] = '/';
			memcpy(out + used, p, len);
			used += len;
			out[used] = '\0';
		}
		p = *end ? end + 1 : end;
	}
	return 0;
}

/* Opens the directory that holds path's last component, creating missing
 * directories on the way (tarballs may leave them out). Every lookup starts
 * from the layer root, inside it. */
static int open_parent(struct unpacker *u, const char *path, const char **name,
		       struct silo_err *err)
{
	char parent[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;

	if (!slash) {
		*name = path;
		fd = openat(u->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		return fd < 0 ? silo_err_errno(err, "open layer root") : fd;
	}
	*name = slash + 1;
	snprintf(parent, sizeof(parent), "%.*s", (int)(slash - path), path);
	fd = open_in_layer(u, parent, O_RDONLY | O_DIRECTORY);
	if (fd >= 0)
		return fd;
	if (errno != ENOENT)
		return silo_err_errno(err, "open \"%s\" in %s", parent, u->what);
	/* Create each missing prefix, each one looked up from the root. */
	for (char *p = parent;; p++) {
		if (*p == '/' || *p == '\0') {
			char saved = *p;
			_cleanup_close_ int at = -1;
			const char *base;
			char *cut;

			*p = '\0';
			fd = open_in_layer(u, parent, O_RDONLY | O_DIRECTORY);
			if (fd < 0 && errno == ENOENT) {
				cut = strrchr(parent, '/');
				if (cut) {
					*cut = '\0';
					at = open_in_layer(u, parent, O_RDONLY | O_DIRECTORY);
					*cut = '/';
					base = cut + 1;
				} else {
					at = openat(u->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
					base = parent;
				}
				if (at < 0 || (mkdirat(at, base, 0755) < 0 && errno != EEXIST)) {
					silo_err_errno(err, "create directory \"%s\" in %s", parent, u->what);
					*p = saved;
					return -1;
				}
				fd = open_in_layer(u, parent, O_RDONLY | O_DIRECTORY);
			}
			if (fd < 0) {
				silo_err_errno(err, "open \"%s\" in %s", parent, u->what);
				*p = saved;
				return -1;
			}
			*p = saved;
			if (saved == '\0')
				return fd;
			close(fd);
		}
	}
}

static int remove_tree_at(const struct unpacker *u, int dir_fd, const char *name,
			  struct silo_err *err)
{
	_cleanup_close_ int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_closedir_ DIR *dir = NULL;
	struct dirent *e;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if ((errno == ENOTDIR || errno == ELOOP) && unlinkat(dir_fd, name, 0) == 0)
			return 0;
		return silo_err_errno(err, "remove \"%s\" in %s", name, u->what);
	}
	dir = fdopendir(fd);
	if (!dir)
		return silo_err_errno(err, "read \"%s\" in %s", name, u->what);
	fd = -1;
	while ((e = readdir(dir)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    remove_tree_at(u, dirfd(dir), e->d_name, err) < 0)
			return -1;
	if (unlinkat(dir_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return silo_err_errno(err, "remove \"%s\" in %s", name, u->what);
	return 0;
}

/* A later entry replaces an earlier one of the same name, as tar does;
 * a directory stays when the new entry is a directory too. */
static int make_room(const struct unpacker *u, int parent_fd, const char *name, int keep_dir,
		     struct silo_err *err)
{
	struct stat st;

	if (fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : silo_err_errno(err, "stat \"%s\" in %s", name, u->what);
	if (u->opts->keep_types && !S_ISDIR(st.st_mode) != !keep_dir)
		return silo_err_set(err, EEXIST, "cannot overwrite %s \"%s\" with a %s",
				    keep_dir ? "non-directory" : "directory", name,
				    keep_dir ? "directory" : "non-directory");
	if (S_ISDIR(st.st_mode)) {
		if (keep_dir)
			return 1;
		return remove_tree_at(u, parent_fd, name, err);
	}
	if (unlinkat(parent_fd, name, 0) < 0)
		return silo_err_errno(err, "replace \"%s\" in %s", name, u->what);
	return 0;
}

static void apply_xattrs(struct archive_entry *e, int fd)
{
	const char *name;
	const void *value;
	size_t size;

	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
		/* overlayfs' own attributes come only from whiteouts, never
		 * from a layer (a planted redirect or origin could point the
		 * merged view at another layer's files). */
		if (!strncmp(name, "trusted.overlay.", 16) || !strncmp(name, "user.overlay.", 13))
			continue;
		fsetxattr(fd, name, value, size, 0);
	}
}

static void entry_times(struct archive_entry *e, struct timespec times[2])
{
	times[0].tv_sec = archive_entry_atime_is_set(e) ? archive_entry_atime(e) : archive_entry_mtime(e);
	times[0].tv_nsec = archive_entry_atime_is_set(e) ? archive_entry_atime_nsec(e) : archive_entry_mtime_nsec(e);
	times[1].tv_sec = archive_entry_mtime(e);
	times[1].tv_nsec = archive_entry_mtime_nsec(e);
}

/* In a user namespace with too few IDs mapped (a rootless store), chown
 * fails with EINVAL: say which ID and what would map it. */
static int chown_failed(const struct unpacker *u, uid_t uid, gid_t gid, const char *path,
			struct silo_err *err)
{
	char why[512];

	if (errno == EINVAL && subid_explain_unmapped((unsigned long)uid, (unsigned long)gid, why, sizeof(why)))
		return silo_err_set(err, EOVERFLOW, "chown \"%s\" in %s: %s", path, u->what, why);
	return silo_err_errno(err, "chown \"%s\" in %s", path, u->what);
}

/* Owner first: chown clears set-id bits, so the mode comes after it. */
static uid_t entry_uid(const struct unpacker *u, struct archive_entry *e)
{
	return u->opts->set_owner ? u->opts->uid : (uid_t)archive_entry_uid(e);
}

static gid_t entry_gid(const struct unpacker *u, struct archive_entry *e)
{
	return u->opts->set_owner ? u->opts->gid : (gid_t)archive_entry_gid(e);
}

static int apply_metadata_fd(const struct unpacker *u, struct archive_entry *e, int fd,
			     const char *path, int set_times, struct silo_err *err)
{
	struct timespec times[2];

	if (fchown(fd, entry_uid(u, e), entry_gid(u, e)) < 0)
		return chown_failed(u, entry_uid(u, e), entry_gid(u, e), path, err);
	if (fchmod(fd, archive_entry_perm(e) & 07777) < 0)
		return silo_err_errno(err, "chmod \"%s\" in %s", path, u->what);
	if (!u->opts->skip_xattrs)
		apply_xattrs(e, fd);
	if (set_times) {
		entry_times(e, times);
		futimens(fd, times);
	}
	return 0;
}

static int write_file_data(struct unpacker *u, struct archive *in, int fd, const char *path,
			   struct archive_entry *e, struct silo_err *err)
{
	const void *block;
	size_t size;
	la_int64_t offset, pending_from = 0;
	int r;

	while ((r = archive_read_data_block(in, &block, &size, &offset)) == ARCHIVE_OK) {
		const char *p = block;

		if (offset - pending_from >= FS_WRITEBACK_CHUNK) {
			fs_start_writeback(fd, pending_from, offset - pending_from);
			pending_from = offset;
		}

		while (size) {
			ssize_t n = pwrite(fd, p, size, offset);

			if (n < 0) {
				if (errno == EINTR)
					continue;
				return silo_err_errno(err, "write \"%s\" in %s", path, u->what);
			}
			p += n;
			size -= (size_t)n;
			offset += n;
			u->result->content_size += (uint64_t)n;
		}
	}
	if (r != ARCHIVE_EOF)
		return silo_err_set(err, EIO, "read \"%s\" from the layer: %s", path, archive_error_string(in));
	/* A sparse file's hole at the end leaves no block to write. */
	if (ftruncate(fd, archive_entry_size(e)) < 0)
		return silo_err_errno(err, "write \"%s\" in %s", path, u->what);
	return 0;
}

static int defer_dir_times(struct unpacker *u, const char *path, struct archive_entry *e,
			   struct silo_err *err)
{
	if (u->n_dirs == u->cap_dirs) {
		size_t cap = u->cap_dirs ? u->cap_dirs * 2 : 64;
		struct deferred_dir *grown = realloc(u->dirs, cap * sizeof(*grown));

		if (!grown)
			return silo_err_sys(err, ENOMEM, "unpack layer");
		u->dirs = grown;
		u->cap_dirs = cap;
	}
	u->dirs[u->n_dirs].path = strdup(path);
	if (!u->dirs[u->n_dirs].path)
		return silo_err_sys(err, ENOMEM, "unpack layer");
	entry_times(e, u->dirs[u->n_dirs].times);
	u->n_dirs++;
	return 0;
}

static int write_whiteout(const struct unpacker *u, int parent_fd, const char *path, const char *name,
			  struct silo_err *err)
{
	const char *target = name + strlen(WHITEOUT_PREFIX);

	if (!strcmp(name, WHITEOUT_OPAQUE)) {
		/* In a user namespace (a rootless store) trusted.* cannot be
		 * set: overlayfs reads user.overlay.* there (userxattr). */
		if (fsetxattr(parent_fd, subid_host_root() ? "trusted.overlay.opaque" : "user.overlay.opaque",
			      "y", 1, 0) < 0)
			return silo_err_errno(err, "mark \"%s\" opaque in %s", path, u->what);
		return 0;
	}
	/* aufs' own bookkeeping (.wh..wh.plnk, .wh..wh.aufs) means nothing to
	 * overlayfs. */
	if (!strncmp(name, WHITEOUT_META_PREFIX, strlen(WHITEOUT_META_PREFIX)))
		return 0;
	if (!*target || !strcmp(target, ".") || !strcmp(target, ".."))
		return silo_err_set(err, EINVAL, "layer has an invalid whiteout \"%s\"", path);
	if (make_room(u, parent_fd, target, 0, err) < 0)
		return -1;
	if (mknodat(parent_fd, target, S_IFCHR | 0000, makedev(0, 0)) < 0)
		return silo_err_errno(err, "create whiteout for \"%s\" in %s", path, u->what);
	return 0;
}

/* With rename_top, the archive's top in path becomes rename_top. */
static int rebase(const struct unpacker *u, char *path, size_t size)
{
	size_t top_len, new_len, rest_len;
	const char *to = u->opts->rename_top;

	if (!to)
		return 0;
	top_len = strlen(u->top);
	if (top_len && (strncmp(path, u->top, top_len) || (path[top_len] && path[top_len] != '/')))
		return -1;
	/* The rest, without its slash when the new top is the root. */
	rest_len = strlen(path + top_len);
	new_len = strlen(to);
	if (!top_len && rest_len && new_len) {
		if (new_len + 1 + rest_len + 1 > size)
			return -1;
		memmove(path + new_len + 1, path, rest_len + 1);
		memcpy(path, to, new_len);
		path[new_len] = '/';
		return 0;
	}
	if (!new_len && path[top_len] == '/')
		top_len++, rest_len--;
	if (new_len + rest_len + 1 > size)
		return -1;
	memmove(path + new_len, path + top_len, rest_len + 1);
	memcpy(path, to, new_len);
	return 0;
}

static int write_hardlink(struct unpacker *u, int parent_fd, const char *path, const char *name,
			  const char *raw_target, struct silo_err *err)
{
	char target[PATH_MAX];
	_cleanup_close_ int target_fd = -1;
	struct stat st, existing;

	if (clean_name(raw_target, target, sizeof(target)) < 0 || rebase(u, target, sizeof(target)) < 0 ||
	    !*target)
		return silo_err_set(err, EPERM,
				    "layer entry \"%s\" is a hard link to \"%s\", outside the layer: refused",
				    path, raw_target);
	target_fd = open_in_layer(u, target, O_PATH | O_NOFOLLOW);
	if (target_fd < 0)
		return silo_err_errno(err, "hard link \"%s\" to \"%s\" in %s", path, target, u->what);
	if (fstat(target_fd, &st) < 0)
		return silo_err_errno(err, "stat \"%s\" in %s", target, u->what);
	if (S_ISDIR(st.st_mode))
		return silo_err_set(err, EPERM, "layer entry \"%s\" is a hard link to directory \"%s\": refused",
				    path, target);
	if (!u->opts->cross_mounts && st.st_dev != u->root_dev)
		return silo_err_set(err, EPERM, "layer entry \"%s\" is a hard link out of the layer: refused",
				    path);
	if (fstatat(parent_fd, name, &existing, AT_SYMLINK_NOFOLLOW) == 0 &&
	    existing.st_ino == st.st_ino && existing.st_dev == st.st_dev)
		return 0;
	if (make_room(u, parent_fd, name, 0, err) < 0)
		return -1;
	if (linkat(target_fd, "", parent_fd, name, AT_EMPTY_PATH) < 0)
		return silo_err_errno(err, "hard link \"%s\" to \"%s\" in %s", path, target, u->what);
	return 0;
}

static int write_special(struct archive_entry *e, int parent_fd, const char *path, const char *name,
			 struct unpacker *u, struct silo_err *err)
{
	mode_t type = archive_entry_filetype(e);
	struct timespec times[2];

	if (make_room(u, parent_fd, name, 0, err) < 0)
		return -1;
	if (type == AE_IFLNK) {
		if (symlinkat(archive_entry_symlink(e) ? archive_entry_symlink(e) : "", parent_fd, name) < 0)
			return silo_err_errno(err, "create symlink \"%s\" in %s", path, u->what);
	} else if (mknodat(parent_fd, name, type | (archive_entry_perm(e) & 07777),
			   type == AE_IFIFO ? 0 : archive_entry_rdev(e)) < 0) {
		/* Inside a user namespace the kernel refuses device nodes;
		 * the container gets its /dev from the runtime anyway. */
		if (errno == EPERM && type != AE_IFIFO) {
			u->result->skipped_devices++;
			return 0;
		}
		return silo_err_errno(err, "create \"%s\" in %s", path, u->what);
	}
	if (fchownat(parent_fd, name, entry_uid(u, e), entry_gid(u, e), AT_SYMLINK_NOFOLLOW) < 0)
		return chown_failed(u, entry_uid(u, e), entry_gid(u, e), path, err);
	if (type != AE_IFLNK && fchmodat(parent_fd, name, archive_entry_perm(e) & 07777, 0) < 0)
		return silo_err_errno(err, "chmod \"%s\" in %s", path, u->what);
	entry_times(e, times);
	utimensat(parent_fd, name, times, AT_SYMLINK_NOFOLLOW);
	return 0;
}

static int write_entry(struct unpacker *u, struct archive *in, struct archive_entry *e,
		       struct silo_err *err)
{
	const char *raw = archive_entry_pathname(e);
	const char *hardlink = archive_entry_hardlink(e);
	mode_t type = archive_entry_filetype(e);
	char path[PATH_MAX];
	_cleanup_close_ int parent_fd = -1;
	_cleanup_close_ int fd = -1;
	const char *name;

	if (!raw)
		return silo_err_set(err, EINVAL, "layer has an entry without a name");
	if (clean_name(raw, path, sizeof(path)) < 0)
		return silo_err_set(err, EPERM, "layer entry \"%s\" has a \"..\" component: refused", raw);
	if (u->opts->rename_top && !u->top) {
		u->top = strdup(path);
		if (!u->top)
			return silo_err_sys(err, ENOMEM, "unpack");
	}
	if (rebase(u, path, sizeof(path)) < 0)
		return silo_err_set(err, EPERM,
				    "archive entry \"%s\" is outside the archive's top \"%s\": refused", raw,
				    u->top);
	if (!*path) {
		if (hardlink || type != AE_IFDIR)
			return silo_err_set(err, EPERM,
					    "layer entry \"%s\" would replace / with a non-directory: refused",
					    raw);
		fd = openat(u->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 || apply_metadata_fd(u, e, fd, "/", 0, err) < 0)
			return fd < 0 ? silo_err_errno(err, "open layer root") : -1;
		return defer_dir_times(u, ".", e, err);
	}
	parent_fd = open_parent(u, path, &name, err);
	if (parent_fd < 0)
		return -1;
	if (u->opts->whiteouts && !strncmp(name, WHITEOUT_PREFIX, strlen(WHITEOUT_PREFIX)))
		return write_whiteout(u, parent_fd, path, name, err);
	if (hardlink)
		return write_hardlink(u, parent_fd, path, name, hardlink, err);
	switch (type) {
	case AE_IFDIR: {
		int kept = make_room(u, parent_fd, name, 1, err);

		if (kept < 0)
			return -1;
		if (!kept && mkdirat(parent_fd, name, 0700) < 0)
			return silo_err_errno(err, "create directory \"%s\" in %s", path, u->what);
		fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return silo_err_errno(err, "open directory \"%s\" in %s", path, u->what);
		if (apply_metadata_fd(u, e, fd, path, 0, err) < 0)
			return -1;
		return defer_dir_times(u, path, e, err);
	}
	case AE_IFREG:
		if (make_room(u, parent_fd, name, 0, err) < 0)
			return -1;
		fd = openat(parent_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return silo_err_errno(err, "create \"%s\" in %s", path, u->what);
		if (write_file_data(u, in, fd, path, e, err) < 0)
			return -1;
		return apply_metadata_fd(u, e, fd, path, 1, err);
	case AE_IFLNK:
	case AE_IFCHR:
	case AE_IFBLK:
	case AE_IFIFO:
		return write_special(e, parent_fd, path, name, u, err);
	default:
		/* Sockets and unknown types have no place in an image. */
		return 0;
	}
}

/* Directory times last: writing the entries inside changed them. */
static void finish_dir_times(struct unpacker *u)
{
	for (size_t i = u->n_dirs; i-- > 0;) {
		int fd = strcmp(u->dirs[i].path, ".") ?
				 open_in_layer(u, u->dirs[i].path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW) :
				 openat(u->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd >= 0) {
			futimens(fd, u->dirs[i].times);
			close(fd);
		}
	}
}

static void unpacker_free(struct unpacker *u)
{
	for (size_t i = 0; i < u->n_dirs; i++)
		free(u->dirs[i].path);
	free(u->dirs);
	free(u->top);
	digest_free(&u->diff);
	if (u->root_fd >= 0)
		close(u->root_fd);
}

static int extract(struct unpacker *u, struct archive *in, struct silo_err *err)
{
	struct archive_entry *e;
	int r;

	while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN)
		if (write_entry(u, in, e, err) < 0)
			return -1;
	if (r != ARCHIVE_EOF) {
		if (u->outer_failed)
			return silo_err_set(err, EIO, "decompress layer: %s", archive_error_string(u->outer));
		return silo_err_set(err, EIO, "read layer tar: %s", archive_error_string(in));
	}
	/* The tar ended; what the compressed stream still holds (padding
	 * blocks) belongs to the DiffID too. */
	for (;;) {
		la_ssize_t n = archive_read_data(u->outer, u->buf, sizeof(u->buf));

		if (n < 0)
			return silo_err_set(err, EIO, "decompress layer: %s", archive_error_string(u->outer));
		if (n == 0)
			break;
		digest_update(&u->diff, u->buf, (size_t)n);
	}
	return 0;
}

static void drain(int fd)
{
	char buf[65536];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n == 0 || (n < 0 && errno != EINTR))
			return;
	}
}

/* A layer and a `cp` archive differ in whether the tar may be compressed
 * and in the words their messages use. */
struct stream_kind {
	const char *what;               /* the destination: "the layer" */
	const char *unpack_context;     /* when memory runs out */
	const char *read_context;       /* the stream as read from fd */
	const char *tar_context;        /* the tar inside it */
	const char *decompress_context; /* NULL: a plain tar, no decompressor */
};

static const struct stream_kind layer_stream = {
	.what = "the layer",
	.unpack_context = "unpack layer",
	.read_context = "read layer",
	.tar_context = "read layer tar",
	.decompress_context = "decompress layer",
};

static const struct stream_kind archive_stream = {
	.what = "the destination",
	.unpack_context = "unpack",
	.read_context = "read archive",
	.tar_context = "read archive",
};

/* Extracts the tar stream on fd into the directory root_fd (on device
 * root_dev) by opts, then reads fd to its end. Takes root_fd over: it is
 * closed on every path. */
static int unpack_stream(int fd, int root_fd, dev_t root_dev, const struct unpack_options *opts,
			 const struct stream_kind *kind, struct unpack_result *result,
			 struct silo_err *err)
{
	struct unpacker u = {
		.root_fd = root_fd, .root_dev = root_dev, .result = result, .opts = opts, .what = kind->what
	};
	_cleanup_archive_ struct archive *outer = archive_read_new();
	_cleanup_archive_ struct archive *inner = archive_read_new();
	struct archive_entry *raw_entry;
	int r = -1;

	if (!outer || !inner) {
		unpacker_free(&u);
		return silo_err_sys(err, ENOMEM, "%s", kind->unpack_context);
	}
	if (digest_init(&u.diff, err) < 0) {
		unpacker_free(&u);
		return -1;
	}
	/* Only in-process decompressors: libarchive would fork external
	 * programs for some other filters. */
	if (kind->decompress_context) {
		archive_read_support_filter_gzip(outer);
		archive_read_support_filter_zstd(outer);
		archive_read_support_filter_xz(outer);
	}
	archive_read_support_format_raw(outer);
	archive_read_support_format_tar(inner);
	u.outer = outer;
	if (archive_read_open_fd(outer, fd, READ_BLOCK) != ARCHIVE_OK ||
	    archive_read_next_header(outer, &raw_entry) != ARCHIVE_OK) {
		silo_err_set(err, EIO, "%s: %s", kind->read_context, archive_error_string(outer));
	} else if (archive_read_open(inner, &u, NULL, inner_read, NULL) != ARCHIVE_OK) {
		if (u.outer_failed && kind->decompress_context)
			silo_err_set(err, EIO, "%s: %s", kind->decompress_context, archive_error_string(outer));
		else
			silo_err_set(err, EIO, "%s: %s", kind->tar_context, archive_error_string(inner));
	} else if (extract(&u, inner, err) == 0) {
		finish_dir_times(&u);
		result->tar_size = u.diff.bytes;
		digest_final(&u.diff, result->diff_id);
		r = 0;
	}
	drain(fd);
	unpacker_free(&u);
	return r;
}

int unpack_load_library(struct silo_err *err)
{
	return archive_lib_load(err) < 0 || digest_load_library(err) < 0 ? -1 : 0;
}

int unpack_layer_fd(int fd, const char *dest, struct unpack_result *result, struct silo_err *err)
{
	_cleanup_close_ int root_fd = -1;
	struct stat st;

	memset(result, 0, sizeof(*result));
	if (unpack_load_library(err) < 0)
		return -1;
	root_fd = open(dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (root_fd < 0 || fstat(root_fd, &st) < 0)
		return silo_err_errno(err, "open layer directory \"%s\"", dest);
	return unpack_stream(fd, steal_fd(&root_fd), st.st_dev, &layer_options, &layer_stream, result,
			     err);
}

int unpack_tar_fd_at(int fd, int root_fd, const struct unpack_options *opts,
		     struct unpack_result *result, struct silo_err *err)
{
	_cleanup_close_ int own_fd = -1;
	struct stat st;

	memset(result, 0, sizeof(*result));
	if (unpack_load_library(err) < 0)
		return -1;
	own_fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
	if (own_fd < 0 || fstat(own_fd, &st) < 0)
		return silo_err_errno(err, "unpack");
	return unpack_stream(fd, steal_fd(&own_fd), st.st_dev, opts, &archive_stream, result, err);
}
