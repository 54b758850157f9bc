/* --userns keep-id, --uidmap, --gidmap (see userns_mode.h): the maps, the process's IDs, and
 * the image's layers copied with their owners mapped. The copy walks the
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

#include "engine/record.h"
#include "image/digest.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/subid.h"

#define COPY_DEPTH_MAX 256

void engine_userns_free(struct engine_userns *u)
{
	json_decref(u->uid_maps);
	json_decref(u->gid_maps);
	u->uid_maps = u->gid_maps = NULL;
}

int engine_userns_parse(struct engine_userns *u, const char *value, struct silo_err *err)
{
	if (!*value || !strcmp(value, "host"))
		u->keep_id = 0;
	else if (!strcmp(value, "keep-id"))
		u->keep_id = 1;
	else if (!strcmp(value, "auto"))
		u->automatic = 1;
	else
		return silo_err_set(err, EINVAL, "invalid --userns \"%s\": want host, keep-id or auto", value);
	return 0;
}

int engine_userns_add_map(struct engine_userns *u, int gid, const char *value, struct silo_err *err)
{
	const char *flag = gid ? "--gidmap" : "--uidmap";
	json_t **maps = gid ? &u->gid_maps : &u->uid_maps;
	unsigned long long n[3];
	const char *p = value;

	for (int i = 0; i < 3; i++) {
		char *end;

		errno = 0;
		n[i] = strtoull(p, &end, 10);
		if (errno || end == p || *p == '-' || *end != (i < 2 ? ':' : '\0') || n[i] > 4294967295ULL)
			return silo_err_set(err, EINVAL,
					    "invalid %s \"%s\": want CONTAINER_ID:HOST_ID:SIZE", flag, value);
		p = end + 1;
	}
	if (n[2] == 0 || n[0] + n[2] > 4294967296ULL || n[1] + n[2] > 4294967296ULL)
		return silo_err_set(err, EINVAL, "invalid %s \"%s\": the size must be positive and the range within 32 bits",
				    flag, value);
	if (!*maps)
		*maps = json_array();
	if (!*maps || json_array_append_new(*maps, json_pack("{s:I, s:I, s:I}", "containerID", (json_int_t)n[0],
							     "hostID", (json_int_t)n[1], "size",
							     (json_int_t)n[2])) < 0)
		return silo_err_sys(err, ENOMEM, "%s", flag);
	return 0;
}

/* The host ID container ID id maps to, or -1. */
static long long map_id(const json_t *maps, unsigned long id)
{
	size_t i;
	json_t *m;

	json_array_foreach(maps, i, m) {
		json_int_t c = json_integer_value(json_object_get(m, "containerID"));
		json_int_t h = json_integer_value(json_object_get(m, "hostID"));
		json_int_t n = json_integer_value(json_object_get(m, "size"));

		if ((json_int_t)id >= c && (json_int_t)id - c < n)
			return h + ((json_int_t)id - c);
	}
	return -1;
}

int engine_userns_check(struct engine_userns *u, struct silo_err *err)
{
	if ((u->keep_id || u->automatic) && (u->uid_maps || u->gid_maps))
		return silo_err_set(err, EINVAL, "conflicting options: --userns %s and --uidmap/--gidmap",
				    u->keep_id ? "keep-id" : "auto");
	if (u->keep_id && u->automatic)
		return silo_err_set(err, EINVAL, "conflicting options: --userns keep-id and --userns auto");
	u->mode = u->automatic ? ENGINE_USERNS_AUTO
		  : u->keep_id ? ENGINE_USERNS_KEEP_ID
		  : u->uid_maps || u->gid_maps ? ENGINE_USERNS_MAPS
					       : ENGINE_USERNS_DEFAULT;
	if (u->mode != ENGINE_USERNS_MAPS)
		return 0;
	if (!u->uid_maps)
		return silo_err_set(err, EINVAL, "--gidmap needs --uidmap too");
	if (u->uid_maps && !u->gid_maps)
		u->gid_maps = json_deep_copy(u->uid_maps);
	if (u->uid_maps && map_id(u->uid_maps, 0) < 0)
		return silo_err_set(err, EINVAL, "--uidmap: container ID 0 (root) must be mapped");
	if (u->gid_maps && map_id(u->gid_maps, 0) < 0)
		return silo_err_set(err, EINVAL, "--gidmap: container ID 0 (root) must be mapped");
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

/* The maps (container → host) the copy stores owners through. */
struct shift {
	const json_t *uid_maps, *gid_maps;
};

/* The owner a file of the image's uid:gid gets in the copy, so that the
 * container sees uid:gid; fails for an ID the maps leave out. */
static int shift_owner(const struct shift *s, uid_t uid, gid_t gid, uid_t *to_uid, gid_t *to_gid,
		       const char *what, struct silo_err *err)
{
	long long u = map_id(s->uid_maps, uid), g = map_id(s->gid_maps, gid);

	if (u < 0 || g < 0)
		return silo_err_set(err, EOVERFLOW,
				    "\"%s\" is owned by %s %u, which the container's ID map does not map",
				    what, u < 0 ? "uid" : "gid", u < 0 ? uid : gid);
	*to_uid = (uid_t)u;
	*to_gid = (gid_t)g;
	return 0;
}

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

/* Owner (mapped), mode, xattrs and times of an open copy. */
static int finish(int from, int to, const struct stat *st, const struct shift *s, const char *what,
		  struct silo_err *err)
{
	struct timespec times[2] = { st->st_atim, st->st_mtim };
	uid_t uid;
	gid_t gid;

	if (copy_xattrs(from, to, what, err) < 0 ||
	    shift_owner(s, st->st_uid, st->st_gid, &uid, &gid, what, err) < 0)
		return -1;
	if (fchown(to, uid, gid) < 0)
		return silo_err_errno(err, "chown \"%s\" (owner %u:%u mapped to %u:%u)", what, st->st_uid,
				      st->st_gid, uid, gid);
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
	uid_t uid;
	gid_t gid;

	if (fstatat(from_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return silo_err_errno(err, "stat \"%s\"", name);
	if (shift_owner(s, st.st_uid, st.st_gid, &uid, &gid, name, err) < 0)
		return -1;
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
		    fchownat(to_dir, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 ||
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
		    fchownat(to_dir, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
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

/* LAYER/idmap-HASH from LAYER/diff, made in a temporary directory and
 * renamed into place, so a half copy is never used. HASH names the maps. */
static char *shifted_layer(const char *diff, const struct shift *s, const char *hash,
			   struct silo_err *err)
{
	_cleanup_free_ char *layer = strdup(diff);
	_cleanup_free_ char *tmp = NULL;
	char *slash = layer ? strrchr(layer, '/') : NULL;
	_cleanup_close_ int from = -1;
	_cleanup_close_ int to = -1;
	struct stat st;
	char *out = NULL;

	if (!slash)
		return silo_err_sys(err, ENOMEM, "ID-mapped layer"), NULL;
	*slash = '\0';
	if (asprintf(&out, "%s/idmap-%s", layer, hash) < 0 ||
	    asprintf(&tmp, "%s/.idmap-%s.XXXXXX", layer, hash) < 0) {
		silo_err_sys(err, ENOMEM, "ID-mapped layer");
		return NULL;
	}
	if (stat(out, &st) == 0)
		return out;
	from = open(diff, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (from < 0 || fstat(from, &st) < 0 || !mkdtemp(tmp)) {
		silo_err_errno(err, "ID-mapped copy of \"%s\"", diff);
		goto fail;
	}
	to = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (to < 0 || copy_tree(from, to, s, 0, err) < 0 || finish(from, to, &st, s, "/", err) < 0) {
		if (to < 0)
			silo_err_errno(err, "open \"%s\"", tmp);
		silo_err_prefix(err, "ID-mapped copy of layer \"%s\"", diff);
		goto fail_tmp;
	}
	if (rename(tmp, out) < 0) {
		struct silo_err ignored = { 0 };

		/* Another container made it first: theirs is as good. */
		fs_remove_tree(tmp, &ignored);
		if (errno != EEXIST && errno != ENOTEMPTY) {
			silo_err_errno(err, "ID-mapped copy of layer \"%s\"", diff);
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

static int maps_beyond(const json_t *maps, unsigned long count, const char *flag, struct silo_err *err)
{
	size_t i;
	json_t *m;

	json_array_foreach(maps, i, m) {
		json_int_t h = json_integer_value(json_object_get(m, "hostID"));
		json_int_t n = json_integer_value(json_object_get(m, "size"));

		if (h + n > (json_int_t)count)
			return silo_err_set(err, EINVAL,
					    "%s: host IDs %lld-%lld are beyond the %lu IDs of your user namespace (0: you, 1…: your /etc/subuid and /etc/subgid ranges)",
					    flag, (long long)h, (long long)(h + n - 1), count);
	}
	return 0;
}

/* The container's maps (container → our namespace): keep-id's, or the
 * flags'. New references. */
static int container_maps(const struct engine_userns *u, json_t **uid_maps, json_t **gid_maps,
			  struct ns_ids *uids, struct ns_ids *gids, struct silo_err *err)
{
	*uid_maps = *gid_maps = NULL;
	if (u->mode == ENGINE_USERNS_KEEP_ID) {
		if (keep_id_ids(uids, gids, err) < 0)
			return -1;
		*uid_maps = keep_id_map(uids);
		*gid_maps = keep_id_map(gids);
	} else {
		if (u->mode == ENGINE_USERNS_AUTO && !u->uid_maps)
			return silo_err_set(err, EINVAL, "--userns auto: no range was chosen");
		*uid_maps = json_deep_copy(u->uid_maps);
		*gid_maps = json_deep_copy(u->gid_maps);
		/* Rootless, the host IDs are our namespace's: only what it maps. */
		if (!subid_host_root() && (read_ids("/proc/self/uid_map", uids) < 0 ||
					   read_ids("/proc/self/gid_map", gids) < 0 ||
					   maps_beyond(*uid_maps, uids->count, "--uidmap", err) < 0 ||
					   maps_beyond(*gid_maps, gids->count, "--gidmap", err) < 0)) {
			json_decref(*uid_maps);
			json_decref(*gid_maps);
			return err->msg[0] ? -1 : silo_err_set(err, EIO, "read our user namespace's maps");
		}
	}
	if (!*uid_maps || !*gid_maps) {
		json_decref(*uid_maps);
		json_decref(*gid_maps);
		return silo_err_sys(err, ENOMEM, "user namespace maps");
	}
	return 0;
}

int engine_userns_lowers(const struct store *store, const struct engine_userns *u, json_t **lowers,
			 struct silo_err *err)
{
	_cleanup_json_ json_t *uid_maps = NULL;
	_cleanup_json_ json_t *gid_maps = NULL;
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *uid_text = NULL;
	_cleanup_free_ char *gid_text = NULL;
	char digest[DIGEST_STRING_LENGTH + 1], hash[17];
	struct ns_ids uids, gids;
	struct shift s;
	json_t *out, *dir;
	size_t i;

	(void)store;
	if (!u || u->mode == ENGINE_USERNS_DEFAULT)
		return 0;
	if (container_maps(u, &uid_maps, &gid_maps, &uids, &gids, err) < 0)
		return -1;
	uid_text = json_dumps(uid_maps, JSON_COMPACT);
	gid_text = json_dumps(gid_maps, JSON_COMPACT);
	if (!uid_text || !gid_text || asprintf(&text, "uid %s gid %s", uid_text, gid_text) < 0) {
		text = NULL;
		return silo_err_sys(err, ENOMEM, "ID-mapped layers");
	}
	if (digest_buffer(text, strlen(text), digest, err) < 0)
		return -1;
	/* "sha256:" then the hex. */
	snprintf(hash, sizeof(hash), "%.16s", strchr(digest, ':') ? strchr(digest, ':') + 1 : digest);
	s.uid_maps = uid_maps;
	s.gid_maps = gid_maps;
	out = json_array();
	if (!out)
		return silo_err_sys(err, ENOMEM, "ID-mapped layers");
	json_array_foreach(*lowers, i, dir) {
		char *path = shifted_layer(json_string_value(dir), &s, hash, err);

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

/* Whether the maps give the container our own ID 0 (the store's owner). */
static int maps_host_zero(const json_t *maps)
{
	size_t i;
	json_t *m;

	json_array_foreach(maps, i, m)
		if (json_integer_value(json_object_get(m, "hostID")) == 0)
			return 1;
	return 0;
}

/* When the maps leave out our own ID 0, the store's owner, the container's
 * root is nobody to the store, so the path to its bundle must be open to
 * traverse (0711, never to list). With the owner mapped (keep-id) the
 * container's root may pass as it is. */
static int open_path(const char *dir, struct silo_err *err)
{
	_cleanup_free_ char *path = strdup(dir);
	char bundle[4096];

	snprintf(bundle, sizeof(bundle), "%s/bundle", dir);
	if (!path || chmod(bundle, 0711) < 0)
		return silo_err_errno(err, "open \"%s\" to the container's IDs", bundle);
	/* The container's directory, containers/, the store root. */
	for (int i = 0; i < 3; i++) {
		char *slash = strrchr(path, '/');

		if (chmod(path, 0711) < 0)
			return silo_err_errno(err, "open \"%s\" to the container's IDs", path);
		if (!slash || slash == path)
			break;
		*slash = '\0';
	}
	return 0;
}

/* The root of the container's writable layer is the root of its /: the
 * container's root owns it, as an image's root owns its /. */
static int own_upper(const char *dir, const json_t *uid_maps, const json_t *gid_maps,
		     struct silo_err *err)
{
	char upper[4096];

	snprintf(upper, sizeof(upper), "%s/upper", dir);
	if (lchown(upper, (uid_t)map_id(uid_maps, 0), (gid_t)map_id(gid_maps, 0)) < 0)
		return silo_err_errno(err, "give \"%s\" to the container's root", upper);
	return 0;
}

int engine_userns_prepare_dir(const struct engine_userns *u, const char *dir, struct silo_err *err)
{
	_cleanup_json_ json_t *uid_maps = NULL;
	_cleanup_json_ json_t *gid_maps = NULL;
	struct ns_ids uids, gids;

	if (!u || u->mode == ENGINE_USERNS_DEFAULT)
		return 0;
	if (container_maps(u, &uid_maps, &gid_maps, &uids, &gids, err) < 0)
		return -1;
	if (!maps_host_zero(uid_maps) && open_path(dir, err) < 0)
		return -1;
	return own_upper(dir, uid_maps, gid_maps, err);
}

int engine_userns_apply(const struct engine_userns *u, int user_given, json_t *config,
			struct silo_err *err)
{
	json_t *linux_section = json_object_get(config, "linux");
	json_t *user = json_object_get(json_object_get(config, "process"), "user");
	json_t *uid_maps = NULL, *gid_maps = NULL;
	struct ns_ids uids, gids;

	if (!u || u->mode == ENGINE_USERNS_DEFAULT)
		return 0;
	if (container_maps(u, &uid_maps, &gid_maps, &uids, &gids, err) < 0)
		return -1;
	if (json_array_append_new(json_object_get(linux_section, "namespaces"),
				  json_pack("{s:s}", "type", "user")) < 0 ||
	    json_object_set_new(linux_section, "uidMappings", uid_maps) < 0 ||
	    json_object_set_new(linux_section, "gidMappings", gid_maps) < 0)
		return silo_err_sys(err, ENOMEM, "user namespace");
	if (u->mode == ENGINE_USERNS_KEEP_ID && !user_given) {
		json_object_set_new(user, "uid", json_integer((json_int_t)uids.host_id));
		json_object_set_new(user, "gid", json_integer((json_int_t)gids.host_id));
		json_object_set_new(user, "additionalGids", json_array());
	}
	return 0;
}

/* ---------------------------------------------------------- --userns auto -- */

#define AUTO_SIZE 65536

/* The first-listed hostID of each record's idMaps (uid or gid). */
static int block_used(json_t *records, const char *key, unsigned long base)
{
	size_t i;
	json_t *rec;

	json_array_foreach(records, i, rec) {
		json_t *m = json_array_get(json_object_get(json_object_get(rec, "idMaps"), key), 0);

		if (m && (unsigned long)json_integer_value(json_object_get(m, "hostID")) == base)
			return 1;
	}
	return 0;
}

/* The first block of AUTO_SIZE IDs in ranges that neither map uses yet. */
static long long free_block(const struct subid_range *r, int n, json_t *records, const char *key)
{
	for (int i = 0; i < n; i++)
		for (unsigned long at = r[i].start; at + AUTO_SIZE <= r[i].start + r[i].count; at += AUTO_SIZE)
			if (!block_used(records, key, at))
				return (long long)at;
	return -1;
}

int engine_userns_allocate(const char *store_root, struct engine_userns *u, int *lock_out,
			   struct silo_err *err)
{
	struct subid_range uids[16], gids[16];
	_cleanup_json_ json_t *records = NULL;
	_cleanup_free_ char *lock_path = NULL;
	long long uid_base, gid_base;
	int nu, ng, lock;

	*lock_out = -1;
	if (u->mode != ENGINE_USERNS_AUTO)
		return 0;
	if (!subid_host_root())
		return silo_err_set(err, EINVAL,
				    "--userns auto is for root: rootless containers already run in your own user namespace (use --uidmap for a part of it)");
	nu = subid_ranges("/etc/subuid", "containers", (unsigned long)-1, uids, 16, err);
	ng = nu < 0 ? -1 : subid_ranges("/etc/subgid", "containers", (unsigned long)-1, gids, 16, err);
	if (nu < 0 || ng < 0)
		return -1;
	if (nu == 0 || ng == 0)
		return silo_err_set(err, ENOENT,
				    "--userns auto takes its IDs from the ranges of the user \"containers\": add a line like \"containers:2147483647:2147483648\" to /etc/subuid and /etc/subgid");
	if (asprintf(&lock_path, "%s/locks/userns", store_root) < 0)
		return silo_err_sys(err, ENOMEM, "--userns auto");
	/* From the choice until the record names it, no other create picks. */
	lock = fs_lock_file(lock_path, err);
	if (lock < 0)
		return -1;
	if (record_list(store_root, &records, err) < 0) {
		close(lock);
		return -1;
	}
	uid_base = free_block(uids, nu, records, "uid");
	gid_base = free_block(gids, ng, records, "gid");
	if (uid_base < 0 || gid_base < 0) {
		close(lock);
		return silo_err_set(err, ENOSPC,
				    "--userns auto: every %d-ID block of the \"containers\" ranges in /etc/subuid and /etc/subgid is taken by a container",
				    AUTO_SIZE);
	}
	json_decref(u->uid_maps);
	json_decref(u->gid_maps);
	u->uid_maps = json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID", (json_int_t)uid_base, "size", AUTO_SIZE);
	u->gid_maps = json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID", (json_int_t)gid_base, "size", AUTO_SIZE);
	if (!u->uid_maps || !u->gid_maps) {
		close(lock);
		return silo_err_sys(err, ENOMEM, "--userns auto");
	}
	*lock_out = lock;
	return 0;
}

json_t *engine_userns_record(const struct engine_userns *u)
{
	if (!u || !u->uid_maps || !u->gid_maps)
		return NULL;
	return json_pack("{s:O, s:O}", "uid", u->uid_maps, "gid", u->gid_maps);
}
