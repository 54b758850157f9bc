/* --userns keep-id (see userns_mode.h): the maps, the process's IDs, and
 * the image's layers copied with their owners shifted. The copy walks the
 * layer by descriptors and never follows a symlink, so a layer cannot make
 * it read or write outside the two trees. */
#include "engine/userns_mode.h"

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
#include "util/subid.h"

#define COPY_DEPTH_MAX 256

int engine_userns_parse(const char *value, enum engine_userns_mode *mode, struct silo_err *err)
{
	if (!*value || !strcmp(value, "host"))
		*mode = ENGINE_USERNS_DEFAULT;
	else if (!strcmp(value, "keep-id"))
		*mode = ENGINE_USERNS_KEEP_ID;
	else
		return silo_err_set(err, EINVAL, "invalid --userns \"%s\": want host or keep-id", value);
	return 0;
}

/* Who we are in the user's namespace: the host ID its 0 stands for (the
 * user's own), and how many IDs it maps. */
struct ns_ids {
	unsigned long host_id;
	unsigned long count;
};

static int read_ids(const char *file, struct ns_ids *ids)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	unsigned long inside, outside, count;
	int found = 0;

	ids->count = 0;
	while (f && fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3) {
		if (inside == 0) {
			ids->host_id = outside;
			found = 1;
		}
		if (inside + count > ids->count)
			ids->count = inside + count;
	}
	return found ? 0 : -1;
}

static int keep_id_ids(struct ns_ids *uids, struct ns_ids *gids, struct silo_err *err)
{
	if (subid_host_root() || geteuid() != 0 || read_ids("/proc/self/uid_map", uids) < 0 ||
	    read_ids("/proc/self/gid_map", gids) < 0)
		return silo_err_set(err, EINVAL, "--userns keep-id is for rootless containers only");
	if (uids->count <= uids->host_id + 1 || gids->count <= gids->host_id + 1)
		return silo_err_set(err, EINVAL,
				    "--userns keep-id needs subordinate IDs above your UID %lu and GID %lu (the namespace has %lu and %lu): give your user a range in /etc/subuid and /etc/subgid, e.g. 100000:65536",
				    uids->host_id, gids->host_id, uids->count, gids->count);
	return 0;
}

/* Where the image's ID id must be stored for the container to see id. */
static unsigned long shifted(unsigned long id, unsigned long own)
{
	return id < own ? id + 1 : id == own ? 0 : id;
}

struct shift {
	unsigned long uid, gid;
};

static int copy_xattrs(int from, int to, const char *what, struct silo_err *err)
{
	char names[4096], value[4096];
	ssize_t len = flistxattr(from, names, sizeof(names));

	for (ssize_t at = 0; len > 0 && at < len; at += (ssize_t)strlen(names + at) + 1) {
		const char *name = names + at;
		ssize_t n = fgetxattr(from, name, value, sizeof(value));

		/* The opaque mark is what keeps lower files hidden: it must
		 * come along. Anything else is copied where the kernel lets us. */
		if ((n < 0 || fsetxattr(to, name, value, (size_t)n, 0) < 0) &&
		    !strncmp(name, "user.overlay.", 13))
			return silo_err_errno(err, "copy %s of \"%s\"", name, what);
	}
	return 0;
}

static int copy_contents(int in, int out, const char *what, struct silo_err *err)
{
	char buf[65536];
	ssize_t n;

	if (ioctl(out, FICLONE, in) == 0)
		return 0;
	while ((n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0)) > 0)
		;
	if (n == 0)
		return 0;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (fs_write_all(out, buf, (size_t)n) < 0)
			return silo_err_errno(err, "copy \"%s\"", what);
	if (n < 0)
		return silo_err_errno(err, "copy \"%s\"", what);
	return 0;
}

/* Owner (shifted), mode, xattrs and times of an open copy. */
static int finish(int from, int to, const struct stat *st, const struct shift *s, const char *what,
		  struct silo_err *err)
{
	struct timespec times[2] = { st->st_atim, st->st_mtim };

	if (copy_xattrs(from, to, what, err) < 0)
		return -1;
	if (fchown(to, shifted(st->st_uid, s->uid), shifted(st->st_gid, s->gid)) < 0)
		return silo_err_errno(err, "chown \"%s\" (owner %u:%u shifted for keep-id)", what,
				      st->st_uid, st->st_gid);
	if (fchmod(to, st->st_mode & 07777) < 0 || futimens(to, times) < 0)
		return silo_err_errno(err, "copy the mode of \"%s\"", what);
	return 0;
}

static int copy_tree(int from_dir, int to_dir, const struct shift *s, int depth, struct silo_err *err);

static int copy_entry(int from_dir, int to_dir, const char *name, const struct shift *s, int depth,
		      struct silo_err *err)
{
	_cleanup_close_ int from = -1;
	_cleanup_close_ int to = -1;
	struct stat st;

	if (fstatat(from_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return silo_err_errno(err, "stat \"%s\"", name);
	switch (st.st_mode & S_IFMT) {
	case S_IFDIR:
		if (depth >= COPY_DEPTH_MAX)
			return silo_err_set(err, ELOOP, "\"%s\": directories nested too deep", name);
		if (mkdirat(to_dir, name, 0700) < 0)
			return silo_err_errno(err, "create \"%s\"", name);
		from = openat(from_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		to = openat(to_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (from < 0 || to < 0)
			return silo_err_errno(err, "open \"%s\"", name);
		if (copy_tree(from, to, s, depth + 1, err) < 0)
			return silo_err_prefix(err, "%s/", name);
		return finish(from, to, &st, s, name, err);
	case S_IFREG:
		from = openat(from_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		to = openat(to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (from < 0 || to < 0)
			return silo_err_errno(err, "open \"%s\"", name);
		if (copy_contents(from, to, name, err) < 0)
			return -1;
		return finish(from, to, &st, s, name, err);
	case S_IFLNK: {
		char target[4096];
		ssize_t n = readlinkat(from_dir, name, target, sizeof(target) - 1);
		struct timespec times[2] = { st.st_atim, st.st_mtim };

		if (n < 0)
			return silo_err_errno(err, "read symlink \"%s\"", name);
		target[n] = '\0';
		if (symlinkat(target, to_dir, name) < 0 ||
		    fchownat(to_dir, name, shifted(st.st_uid, s->uid), shifted(st.st_gid, s->gid),
			     AT_SYMLINK_NOFOLLOW) < 0 ||
		    utimensat(to_dir, name, times, AT_SYMLINK_NOFOLLOW) < 0)
			return silo_err_errno(err, "copy symlink \"%s\"", name);
		return 0;
	}
	case S_IFCHR:
	case S_IFIFO:
		/* Whiteouts (0:0) and FIFOs; a user namespace makes no
		 * device nodes, and the unpacker made none either. */
		if (S_ISCHR(st.st_mode) && st.st_rdev != makedev(0, 0))
			return 0;
		if (mknodat(to_dir, name, st.st_mode & (S_IFMT | 07777), st.st_rdev) < 0 ||
		    fchownat(to_dir, name, shifted(st.st_uid, s->uid), shifted(st.st_gid, s->gid),
			     AT_SYMLINK_NOFOLLOW) < 0)
			return silo_err_errno(err, "copy \"%s\"", name);
		return 0;
	default:
		return 0;
	}
}

static int copy_tree(int from_dir, int to_dir, const struct shift *s, int depth, struct silo_err *err)
{
	int fd = dup(from_dir);
	_cleanup_closedir_ DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return silo_err_errno(err, "read a layer directory");
	}
	while ((errno = 0, e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (copy_entry(from_dir, to_dir, e->d_name, s, depth, err) < 0)
			return -1;
	}
	if (errno)
		return silo_err_errno(err, "read a layer directory");
	return 0;
}

/* LAYER/keep-id-U-G from LAYER/diff, made in a temporary directory and
 * renamed into place, so a half copy is never used. */
static char *shifted_layer(const char *diff, const struct shift *s, struct silo_err *err)
{
	_cleanup_free_ char *layer = strdup(diff);
	_cleanup_free_ char *tmp = NULL;
	char *slash = layer ? strrchr(layer, '/') : NULL;
	_cleanup_close_ int from = -1;
	_cleanup_close_ int to = -1;
	struct stat st;
	char *out = NULL;

	if (!slash)
		return silo_err_sys(err, ENOMEM, "keep-id layer"), NULL;
	*slash = '\0';
	if (asprintf(&out, "%s/keep-id-%lu-%lu", layer, s->uid, s->gid) < 0 ||
	    asprintf(&tmp, "%s/.keep-id-%lu-%lu.XXXXXX", layer, s->uid, s->gid) < 0) {
		silo_err_sys(err, ENOMEM, "keep-id layer");
		return NULL;
	}
	if (stat(out, &st) == 0)
		return out;
	from = open(diff, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (from < 0 || fstat(from, &st) < 0 || !mkdtemp(tmp)) {
		silo_err_errno(err, "keep-id copy of \"%s\"", diff);
		goto fail;
	}
	to = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (to < 0 || copy_tree(from, to, s, 0, err) < 0 || finish(from, to, &st, s, "/", err) < 0) {
		if (to < 0)
			silo_err_errno(err, "open \"%s\"", tmp);
		silo_err_prefix(err, "keep-id copy of layer \"%s\"", diff);
		goto fail_tmp;
	}
	if (rename(tmp, out) < 0) {
		struct silo_err ignored = { 0 };

		/* Another container made it first: theirs is as good. */
		fs_remove_tree(tmp, &ignored);
		if (errno != EEXIST && errno != ENOTEMPTY) {
			silo_err_errno(err, "keep-id copy of layer \"%s\"", diff);
			goto fail;
		}
	}
	return out;
fail_tmp: {
	struct silo_err ignored = { 0 };

	fs_remove_tree(tmp, &ignored);
}
fail:
	free(out);
	return NULL;
}

int engine_userns_lowers(const struct store *store, enum engine_userns_mode mode, json_t **lowers,
			 struct silo_err *err)
{
	struct ns_ids uids, gids;
	struct shift s;
	json_t *out, *dir;
	size_t i;

	(void)store;
	if (mode != ENGINE_USERNS_KEEP_ID)
		return 0;
	if (keep_id_ids(&uids, &gids, err) < 0)
		return -1;
	s.uid = uids.host_id;
	s.gid = gids.host_id;
	out = json_array();
	if (!out)
		return silo_err_sys(err, ENOMEM, "keep-id layers");
	json_array_foreach(*lowers, i, dir) {
		char *path = shifted_layer(json_string_value(dir), &s, err);

		if (!path) {
			json_decref(out);
			return -1;
		}
		json_array_append_new(out, json_string(path));
		free(path);
	}
	json_decref(*lowers);
	*lowers = out;
	return 0;
}

static json_t *keep_id_map(const struct ns_ids *ids)
{
	json_t *maps = json_pack("[{s:i, s:i, s:I}, {s:I, s:i, s:i}]", "containerID", 0, "hostID", 1,
				 "size", (json_int_t)ids->host_id, "containerID",
				 (json_int_t)ids->host_id, "hostID", 0, "size", 1);

	/* UID 0 keeps itself: the first range would be empty. */
	if (maps && ids->host_id == 0)
		json_array_remove(maps, 0);
	if (maps && ids->count > ids->host_id + 1)
		json_array_append_new(maps, json_pack("{s:I, s:I, s:I}", "containerID",
						      (json_int_t)ids->host_id + 1, "hostID",
						      (json_int_t)ids->host_id + 1, "size",
						      (json_int_t)(ids->count - ids->host_id - 1)));
	return maps;
}

int engine_userns_apply(enum engine_userns_mode mode, int user_given, json_t *config,
			struct silo_err *err)
{
	json_t *linux_section = json_object_get(config, "linux");
	json_t *user = json_object_get(json_object_get(config, "process"), "user");
	struct ns_ids uids, gids;

	if (mode != ENGINE_USERNS_KEEP_ID)
		return 0;
	if (keep_id_ids(&uids, &gids, err) < 0)
		return -1;
	if (json_array_append_new(json_object_get(linux_section, "namespaces"),
				  json_pack("{s:s}", "type", "user")) < 0 ||
	    json_object_set_new(linux_section, "uidMappings", keep_id_map(&uids)) < 0 ||
	    json_object_set_new(linux_section, "gidMappings", keep_id_map(&gids)) < 0)
		return silo_err_sys(err, ENOMEM, "--userns keep-id");
	if (!user_given) {
		json_object_set_new(user, "uid", json_integer((json_int_t)uids.host_id));
		json_object_set_new(user, "gid", json_integer((json_int_t)gids.host_id));
		json_object_set_new(user, "additionalGids", json_array());
	}
	return 0;
}
