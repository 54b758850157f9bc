/* The volume store (see volume.h): records, the in-use check against
 * container records, removal and prune, and the copy-up that seeds a new
 * volume with the image's content. */
#include "engine/volume.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/mounts.h"
#include "engine/record.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/resolve.h"

#define VOLUME_FILE "volume.json"
#define VOLUME_RECORD_MAX (1024 * 1024)
/* Deeper trees than this in an image's volume path are refused, not
 * copied halfway by a recursion that runs out of stack or descriptors. */
#define SEED_DEPTH_MAX 128

static char *volumes_dir(const char *store_root)
{
	char *path = NULL;

	if (asprintf(&path, "%s/volumes", store_root) < 0)
		return NULL;
	return path;
}

static char *volume_dir(const char *store_root, const char *name, const char *file)
{
	char *path = NULL;

	if (asprintf(&path, "%s/volumes/%s%s%s", store_root, name, file ? "/" : "", file ? file : "") < 0)
		return NULL;
	return path;
}

/* Under the lock, a .new-<name> or .removing-<name> is what a killed silo
 * left: a volume that never appeared, or one already gone. */
static void sweep_stale(const char *store_root)
{
	_cleanup_free_ char *dir = volumes_dir(store_root);
	_cleanup_closedir_ DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *e;

	while (d && (e = readdir(d))) {
		_cleanup_free_ char *path = NULL;

		if (strncmp(e->d_name, ".new-", 5) && strncmp(e->d_name, ".removing-", 10))
			continue;
		if (asprintf(&path, "%s/%s", dir, e->d_name) >= 0)
			fs_remove_tree(path, NULL);
	}
}

int volume_lock(const char *store_root, struct silo_err *err)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_free_ char *path = NULL;
	int fd;

	if (asprintf(&dir, "%s/locks", store_root) < 0 || asprintf(&path, "%s/locks/volumes", store_root) < 0)
		return silo_err_sys(err, ENOMEM, "lock volumes");
	if (fs_mkdir_p(dir, 0700, err) < 0)
		return -1;
	fd = fs_lock_file(path, err);
	if (fd >= 0)
		sweep_stale(store_root);
	return fd;
}

static char *now_seconds(void)
{
	time_t t = time(NULL);
	struct tm tm;
	char buf[64];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return strdup(buf);
}

int volume_create_locked(const char *store_root, const char *name, json_t *labels, int anonymous,
			 int *created, struct silo_err *err)
{
	_cleanup_free_ char *dir = volumes_dir(store_root);
	_cleanup_free_ char *final = volume_dir(store_root, name, NULL);
	_cleanup_free_ char *staging = NULL;
	_cleanup_free_ char *data = NULL;
	_cleanup_free_ char *file = NULL;
	_cleanup_free_ char *now = now_seconds();
	_cleanup_json_ json_t *rec = NULL;
	json_t *all_labels;

	*created = 0;
	if (!mounts_valid_volume_name(name))
		return silo_err_set(err, EINVAL,
				    "invalid volume name \"%s\": only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed, at least 2 characters",
				    name);
	if (!dir || !final || !now || asprintf(&staging, "%s/.new-%s", dir, name) < 0 ||
	    asprintf(&data, "%s/_data", staging) < 0 || asprintf(&file, "%s/" VOLUME_FILE, staging) < 0)
		return silo_err_sys(err, ENOMEM, "create volume \"%s\"", name);
	if (access(final, F_OK) == 0)
		return 0;
	all_labels = labels ? json_deep_copy(labels) : json_object();
	if (anonymous)
		json_object_set_new(all_labels, VOLUME_ANONYMOUS_LABEL, json_string(""));
	rec = json_pack("{s:s, s:s, s:s, s:o, s:b}", "name", name, "driver", "local", "created", now,
			"labels", all_labels, "anonymous", anonymous);
	if (!rec)
		return silo_err_sys(err, ENOMEM, "create volume \"%s\"", name);
	if (fs_mkdir_p(data, 0755, err) < 0)
		return silo_err_prefix(err, "create volume \"%s\"", name);
	/* mkdir is subject to the umask; a volume's root is 0755 as docker's. */
	chmod(data, 0755);
	if (json_write_path_atomic(file, rec, 0600, err) < 0 || rename(staging, final) < 0) {
		if (!err->msg[0])
			silo_err_errno(err, "publish volume \"%s\"", name);
		fs_remove_tree(staging, NULL);
		return -1;
	}
	*created = 1;
	return 0;
}

int volume_create(const char *store_root, const char *name, json_t *labels, int *created,
		  struct silo_err *err)
{
	_cleanup_close_ int lock = volume_lock(store_root, err);

	if (lock < 0)
		return -1;
	return volume_create_locked(store_root, name, labels, 0, created, err);
}

static int random_name(char out[65], struct silo_err *err)
{
	unsigned char bytes[32];

	if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes))
		return silo_err_errno(err, "random volume name");
	for (size_t i = 0; i < sizeof(bytes); i++)
		snprintf(out + 2 * i, 3, "%02x", bytes[i]);
	return 0;
}

int volume_prepare_mounts_locked(const char *store_root, json_t *mounts, json_t *made,
				 struct silo_err *err)
{
	size_t i;
	json_t *m;

	json_array_foreach(mounts, i, m) {
		const char *name;
		char generated[65];
		int created;

		if (strcmp(json_string_value(json_object_get(m, "type")) ?: "", "volume"))
			continue;
		name = json_string_value(json_object_get(m, "source"));
		if (!name || !*name) {
			if (random_name(generated, err) < 0)
				return -1;
			json_object_set_new(m, "source", json_string(generated));
			json_object_set_new(m, "anonymous", json_true());
			name = generated;
		}
		if (volume_create_locked(store_root, name, NULL, json_is_true(json_object_get(m, "anonymous")),
					 &created, err) < 0)
			return -1;
		if (created)
			json_array_append_new(made, json_string(name));
	}
	return 0;
}

int volume_load(const char *store_root, const char *name, json_t **out, struct silo_err *err)
{
	_cleanup_free_ char *path = volume_dir(store_root, name, VOLUME_FILE);

	if (!path)
		return silo_err_sys(err, ENOMEM, "volume \"%s\"", name);
	if (!mounts_valid_volume_name(name) || access(path, F_OK) < 0)
		return silo_err_set(err, ENOENT, "No such volume: %s", name);
	return json_load_path(path, VOLUME_RECORD_MAX, out, err);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "name")) ?: "",
		      json_string_value(json_object_get(*(json_t *const *)b, "name")) ?: "");
}

int volume_list(const char *store_root, json_t **out, struct silo_err *err)
{
	_cleanup_free_ char *dir = volumes_dir(store_root);
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_free_ json_t **items = NULL;
	size_t n = 0, cap = 0;
	json_t *list;
	struct dirent *e;

	if (!dir)
		return silo_err_sys(err, ENOMEM, "list volumes");
	d = opendir(dir);
	if (!d && errno != ENOENT)
		return silo_err_errno(err, "list volumes in \"%s\"", dir);
	while (d && (e = readdir(d))) {
		json_t *rec = NULL;
		struct silo_err ignored = { 0 };

		if (e->d_name[0] == '.' || volume_load(store_root, e->d_name, &rec, &ignored) < 0)
			continue;
		if (n == cap) {
			json_t **grown = realloc(items, (cap = cap ? cap * 2 : 16) * sizeof(*items));

			if (!grown) {
				json_decref(rec);
				for (size_t i = 0; i < n; i++)
					json_decref(items[i]);
				return silo_err_sys(err, ENOMEM, "list volumes");
			}
			items = grown;
		}
		items[n++] = rec;
	}
	if (n)
		qsort(items, n, sizeof(*items), by_name);
	list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, items[i]);
	*out = list;
	return 0;
}

static int record_mounts_volume(json_t *rec, const char *name)
{
	size_t i;
	json_t *m;

	json_array_foreach(json_object_get(rec, "mounts"), i, m)
		if (!strcmp(json_string_value(json_object_get(m, "type")) ?: "", "volume") &&
		    !strcmp(json_string_value(json_object_get(m, "source")) ?: "", name))
			return 1;
	return 0;
}

json_t *volume_users(const char *store_root, const char *name)
{
	_cleanup_json_ json_t *records = NULL;
	json_t *users = json_array(), *rec;
	struct silo_err ignored = { 0 };
	size_t i;

	if (record_list(store_root, &records, &ignored) < 0)
		return users;
	json_array_foreach(records, i, rec)
		if (record_mounts_volume(rec, name))
			json_array_append(users, rec);
	return users;
}

static int remove_locked(const char *store_root, const char *name, struct silo_err *err)
{
	_cleanup_free_ char *dir = volume_dir(store_root, name, NULL);
	_cleanup_free_ char *gone = NULL;
	_cleanup_json_ json_t *users = NULL;

	if (!dir || asprintf(&gone, "%s/volumes/.removing-%s", store_root, name) < 0)
		return silo_err_sys(err, ENOMEM, "remove volume \"%s\"", name);
	if (!mounts_valid_volume_name(name) || access(dir, F_OK) < 0)
		return silo_err_set(err, ENOENT, "No such volume: %s", name);
	users = volume_users(store_root, name);
	if (json_array_size(users)) {
		json_t *rec = json_array_get(users, 0);

		return silo_err_set(err, EBUSY, "remove %s: volume is in use by container %s (%.12s): remove the container first",
				    name, json_string_value(json_object_get(rec, "name")) ?: "",
				    json_string_value(json_object_get(rec, "id")) ?: "");
	}
	if (rename(dir, gone) < 0)
		return silo_err_errno(err, "remove volume \"%s\"", name);
	return fs_remove_tree(gone, err);
}

int volume_remove(const char *store_root, const char *name, struct silo_err *err)
{
	_cleanup_close_ int lock = volume_lock(store_root, err);

	if (lock < 0)
		return -1;
	return remove_locked(store_root, name, err);
}

void volume_remove_unused(const char *store_root, json_t *names_or_mounts, int anonymous_only)
{
	struct silo_err ignored = { 0 };
	_cleanup_close_ int lock = -1;
	size_t i;
	json_t *v;

	json_array_foreach(names_or_mounts, i, v) {
		const char *name = json_string_value(v);

		if (json_is_object(v)) {
			if (strcmp(json_string_value(json_object_get(v, "type")) ?: "", "volume") ||
			    (anonymous_only && !json_is_true(json_object_get(v, "anonymous"))))
				continue;
			name = json_string_value(json_object_get(v, "source"));
		}
		if (!name || !*name)
			continue;
		if (lock < 0 && (lock = volume_lock(store_root, &ignored)) < 0)
			return;
		remove_locked(store_root, name, &ignored);
		silo_err_clear(&ignored);
	}
}

/* Bytes of the regular files under dirfd, for prune's report. */
static uint64_t tree_size(int dirfd, int depth)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *e;
	uint64_t total = 0;
	int fd = dup(dirfd);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((e = readdir(d))) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISREG(st.st_mode)) {
			total += (uint64_t)st.st_size;
		} else if (S_ISDIR(st.st_mode) && depth < SEED_DEPTH_MAX) {
			_cleanup_close_ int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub >= 0)
				total += tree_size(sub, depth + 1);
		}
	}
	return total;
}

int volume_prune(const char *store_root, int all, json_t *removed, uint64_t *reclaimed,
		 struct silo_err *err)
{
	_cleanup_close_ int lock = volume_lock(store_root, err);
	_cleanup_json_ json_t *list = NULL;
	size_t i;
	json_t *vol;

	*reclaimed = 0;
	if (lock < 0 || volume_list(store_root, &list, err) < 0)
		return -1;
	json_array_foreach(list, i, vol) {
		const char *name = json_string_value(json_object_get(vol, "name"));
		_cleanup_free_ char *data = mounts_volume_path(store_root, name);
		_cleanup_close_ int fd = -1;
		struct silo_err ignored = { 0 };
		uint64_t size;

		if (!all && !json_is_true(json_object_get(vol, "anonymous")))
			continue;
		fd = data ? open(data, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
		size = fd >= 0 ? tree_size(fd, 0) : 0;
		/* In use is not an error here: prune takes what nobody uses. */
		if (remove_locked(store_root, name, &ignored) < 0)
			continue;
		*reclaimed += size;
		json_array_append_new(removed, json_string(name));
	}
	return 0;
}

/* ------------------------------------------------------------- copy-up -- */

static int copy_metadata(int fd, const struct stat *st, const char *what, struct silo_err *err)
{
	struct timespec times[2] = { st->st_atim, st->st_mtim };

	/* Ownership first: chown clears the set-ID bits chmod then restores. */
	if (fchown(fd, st->st_uid, st->st_gid) < 0 || fchmod(fd, st->st_mode & 07777) < 0 ||
	    futimens(fd, times) < 0)
		return silo_err_errno(err, "copy the attributes of \"%s\"", what);
	return 0;
}

static int copy_file(int src_dir, int dst_dir, const char *name, const struct stat *st,
		     struct silo_err *err)
{
	_cleanup_close_ int in = openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int out = -1;
	char buf[65536];
	ssize_t n;

	if (in < 0)
		return silo_err_errno(err, "open \"%s\" in the image", name);
	out = openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return silo_err_errno(err, "create \"%s\" in the volume", name);
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return silo_err_errno(err, "read \"%s\" in the image", name);
		}
		if (fs_write_all(out, buf, (size_t)n) < 0)
			return silo_err_errno(err, "write \"%s\" in the volume", name);
	}
	return copy_metadata(out, st, name, err);
}

static int copy_special(int src_dir, int dst_dir, const char *name, const struct stat *st,
			struct silo_err *err)
{
	struct timespec times[2] = { st->st_atim, st->st_mtim };

	if (S_ISLNK(st->st_mode)) {
		char target[4096];
		ssize_t n = readlinkat(src_dir, name, target, sizeof(target) - 1);

		if (n < 0)
			return silo_err_errno(err, "read the link \"%s\" in the image", name);
		target[n] = '\0';
		if (symlinkat(target, dst_dir, name) < 0)
			return silo_err_errno(err, "create the link \"%s\" in the volume", name);
	} else if (mknodat(dst_dir, name, st->st_mode & (S_IFMT | 0777), st->st_rdev) < 0) {
		return silo_err_errno(err, "create \"%s\" in the volume", name);
	}
	if (fchownat(dst_dir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
	    (!S_ISLNK(st->st_mode) && fchmodat(dst_dir, name, st->st_mode & 07777, 0) < 0) ||
	    utimensat(dst_dir, name, times, AT_SYMLINK_NOFOLLOW) < 0)
		return silo_err_errno(err, "copy the attributes of \"%s\"", name);
	return 0;
}

/* Copies the entries of src_dir into dst_dir. Nothing is ever followed:
 * every entry is opened with O_NOFOLLOW relative to its parent's
 * descriptor, so a symlink in the image names a link, not where it points. */
static int copy_tree(int src_dir, int dst_dir, int depth, struct silo_err *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *e;
	int fd = fcntl(src_dir, F_DUPFD_CLOEXEC, 0);

	if (depth > SEED_DEPTH_MAX)
		return silo_err_set(err, ELOOP, "the image's directory is nested more than %d deep", SEED_DEPTH_MAX);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return silo_err_errno(err, "read a directory of the image");
	}
	while ((e = readdir(d))) {
		struct stat st;
		int r;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(src_dir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return silo_err_errno(err, "stat \"%s\" in the image", e->d_name);
		if (S_ISDIR(st.st_mode)) {
			_cleanup_close_ int in = -1;
			_cleanup_close_ int out = -1;

			if (mkdirat(dst_dir, e->d_name, 0700) < 0)
				return silo_err_errno(err, "create \"%s\" in the volume", e->d_name);
			in = openat(src_dir, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			out = openat(dst_dir, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (in < 0 || out < 0)
				return silo_err_errno(err, "open \"%s\"", e->d_name);
			r = copy_tree(in, out, depth + 1, err);
			if (r == 0)
				r = copy_metadata(out, &st, e->d_name, err);
		} else if (S_ISREG(st.st_mode)) {
			r = copy_file(src_dir, dst_dir, e->d_name, &st, err);
		} else if (S_ISSOCK(st.st_mode)) {
			r = 0; /* a socket means nothing without its listener */
		} else {
			r = copy_special(src_dir, dst_dir, e->d_name, &st, err);
		}
		if (r < 0)
			return -1;
	}
	return 0;
}

static int dir_is_empty(int fd)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *e;
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	if (dup_fd < 0 || !(d = fdopendir(dup_fd))) {
		if (dup_fd >= 0)
			close(dup_fd);
		return 0;
	}
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			return 0;
	return 1;
}

static void empty_dir(const char *path)
{
	_cleanup_closedir_ DIR *d = opendir(path);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		_cleanup_free_ char *child = NULL;

		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    asprintf(&child, "%s/%s", path, e->d_name) >= 0)
			fs_remove_tree(child, NULL);
	}
}

int volume_seed(const char *store_root, const char *name, const char *rootfs,
		const char *destination, struct silo_err *err)
{
	_cleanup_free_ char *lock_file = volume_dir(store_root, name, "lock");
	_cleanup_free_ char *data = mounts_volume_path(store_root, name);
	_cleanup_close_ int lock = -1;
	_cleanup_close_ int root = -1;
	_cleanup_close_ int src = -1;
	_cleanup_close_ int dst = -1;
	struct stat st;

	if (!lock_file || !data)
		return silo_err_sys(err, ENOMEM, "volume \"%s\"", name);
	root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return silo_err_errno(err, "open \"%s\"", rootfs);
	/* The image's path is resolved inside the root: a layer may make it
	 * a symlink to anywhere on the host. */
	src = resolve_in_root(root, destination, O_RDONLY | O_DIRECTORY, 0);
	if (src < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return silo_err_errno(err, "open \"%s\" in the image", destination);
	}
	lock = fs_lock_file(lock_file, err);
	if (lock < 0)
		return -1;
	dst = open(data, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dst < 0)
		return silo_err_errno(err, "open volume \"%s\"", name);
	if (!dir_is_empty(dst))
		return 0;
	if (fstat(src, &st) < 0)
		return silo_err_errno(err, "stat \"%s\" in the image", destination);
	if (copy_tree(src, dst, 0, err) < 0 || copy_metadata(dst, &st, destination, err) < 0) {
		/* Half a copy would count as seeded next time: empty it again. */
		empty_dir(data);
		return silo_err_prefix(err, "copy \"%s\" of the image into volume \"%s\"", destination, name);
	}
	return 0;
}
