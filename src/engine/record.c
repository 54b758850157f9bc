/* Container records on disk (see record.h for the layout). Two locks:
 * locks/containers (the store's) while a record appears or disappears, so
 * two `run --name web` never both succeed; containers/<id>/lock while a
 * record is rewritten, so a monitor recording an exit and a `stop` never
 * lose each other's change. */
#include "engine/record.h"

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

#include "util/cleanup.h"
#include "util/strv.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/json.h"

#define RECORD_FILE "container.json"
#define RECORD_MAX (1024 * 1024)

char *record_path(const char *store_root, const char *id, const char *file)
{
	char *path = NULL;

	if (asprintf(&path, "%s/containers/%s%s%s", store_root, id, file ? "/" : "",
		     file ? file : "") < 0)
		return NULL;
	return path;
}

char *record_now(void)
{
	return clock_now_text();
}

static int lock_containers(const char *store_root, struct silo_err *err)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_free_ char *path = NULL;

	if (asprintf(&dir, "%s/locks", store_root) < 0 ||
	    asprintf(&path, "%s/locks/containers", store_root) < 0)
		return silo_err_sys(err, ENOMEM, "lock containers");
	if (fs_mkdir_p(dir, 0700, err) < 0)
		return -1;
	return fs_lock_file(path, err);
}

static int random_id(char id[RECORD_ID_LENGTH + 1], struct silo_err *err)
{
	unsigned char bytes[RECORD_ID_LENGTH / 2];

	if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes))
		return silo_err_errno(err, "random container ID");
	for (size_t i = 0; i < sizeof(bytes); i++)
		snprintf(id + 2 * i, 3, "%02x", bytes[i]);
	return 0;
}

/* Docker-like generated names, "adjective_noun". */
static void random_name(char *buf, size_t size)
{
	static const char *const adjectives[] = {
		"amber", "brisk", "calm", "daring", "eager", "fuzzy", "gentle", "happy",
		"jolly", "keen", "lucid", "merry", "nimble", "quiet", "rapid", "sturdy",
	};
	static const char *const nouns[] = {
		"badger", "falcon", "gecko", "heron", "ibis", "koala", "lynx", "marten",
		"newt", "otter", "puffin", "quail", "raven", "stoat", "tern", "wombat",
	};
	unsigned int r = 0;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (unsigned int)time(NULL);
	snprintf(buf, size, "%s_%s", adjectives[r % 16], nouns[(r / 16) % 16]);
}

static int read_record(const char *store_root, const char *id, json_t **out, struct silo_err *err)
{
	_cleanup_free_ char *path = record_path(store_root, id, RECORD_FILE);

	if (!path)
		return silo_err_sys(err, ENOMEM, "container \"%s\"", id);
	if (access(path, F_OK) < 0)
		return silo_err_set(err, ENOENT, "No such container: %s", id);
	return json_load_path(path, RECORD_MAX, out, err);
}

int record_list(const char *store_root, json_t **out, struct silo_err *err)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_json_ json_t *list = json_array();
	struct dirent *e;

	if (asprintf(&dir, "%s/containers", store_root) < 0)
		return silo_err_sys(err, ENOMEM, "list containers");
	d = opendir(dir);
	if (!d) {
		if (errno != ENOENT)
			return silo_err_errno(err, "list containers in \"%s\"", dir);
		*out = steal_pointer(&list);
		return 0;
	}
	while ((e = readdir(d))) {
		json_t *rec = NULL;
		struct silo_err ignored = { 0 };
		size_t i;

		if (e->d_name[0] == '.' || strlen(e->d_name) != RECORD_ID_LENGTH)
			continue;
		/* A record removed meanwhile is simply not listed. */
		if (read_record(store_root, e->d_name, &rec, &ignored) < 0)
			continue;
		/* Newest first, as docker ps lists them. */
		for (i = 0; i < json_array_size(list); i++) {
			const char *a = json_string_value(json_object_get(rec, "created"));
			const char *b = json_string_value(json_object_get(json_array_get(list, i), "created"));

			if (a && b && strcmp(a, b) > 0)
				break;
		}
		json_array_insert_new(list, i, rec);
	}
	*out = steal_pointer(&list);
	return 0;
}

static int name_taken(json_t *list, const char *name)
{
	size_t i;
	json_t *rec;

	json_array_foreach(list, i, rec)
		if (!strcmp(json_string_value(json_object_get(rec, "name")) ?: "", name))
			return 1;
	return 0;
}

static int valid_name(const char *name)
{
	return str_is_object_name(name, 1, 128);
}

/* Under the containers lock, a .new-<id> or .removing-<id> directory is
 * what a killed silo left halfway: its record was never visible, or was
 * already gone. Finishing the job is deleting it. */
static void sweep_stale(const char *store_root)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *e;

	if (asprintf(&dir, "%s/containers", store_root) < 0 || !(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		_cleanup_free_ char *path = NULL;

		if (strncmp(e->d_name, ".new-", 5) && strncmp(e->d_name, ".removing-", 10))
			continue;
		if (asprintf(&path, "%s/%s", dir, e->d_name) >= 0)
			fs_remove_tree(path, NULL);
	}
}

int record_create(const char *store_root, json_t *rec, struct silo_err *err)
{
	_cleanup_close_ int lock = -1;
	_cleanup_json_ json_t *list = NULL;
	_cleanup_free_ char *staging = NULL;
	_cleanup_free_ char *final = NULL;
	_cleanup_free_ char *file = NULL;
	char id[RECORD_ID_LENGTH + 1], name[64];
	const char *wanted = json_string_value(json_object_get(rec, "name"));

	if (wanted && !valid_name(wanted))
		return silo_err_set(err, EINVAL,
				    "invalid container name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
				    wanted);
	if (random_id(id, err) < 0)
		return -1;
	lock = lock_containers(store_root, err);
	if (lock < 0)
		return -1;
	sweep_stale(store_root);
	if (record_list(store_root, &list, err) < 0)
		return -1;
	if (wanted && name_taken(list, wanted))
		return silo_err_set(err, EEXIST,
				    "the container name \"%s\" is already in use: remove that container or choose another name",
				    wanted);
	if (!wanted) {
		for (int tries = 0;; tries++) {
			random_name(name, sizeof(name));
			if (tries > 8)
				snprintf(name + strlen(name), sizeof(name) - strlen(name), "_%.6s", id);
			if (!name_taken(list, name))
				break;
		}
		json_object_set_new(rec, "name", json_string(name));
	}
	json_object_set_new(rec, "id", json_string(id));
	if (asprintf(&staging, "%s/containers/.new-%s", store_root, id) < 0 ||
	    asprintf(&file, "%s/" RECORD_FILE, staging) < 0 ||
	    !(final = record_path(store_root, id, NULL)))
		return silo_err_sys(err, ENOMEM, "create container record");
	if (fs_mkdir_p(staging, 0700, err) < 0)
		return -1;
	if (json_write_path_atomic(file, rec, 0600, err) < 0 || rename(staging, final) < 0) {
		if (!err->msg[0])
			silo_err_errno(err, "publish container record \"%s\"", final);
		fs_remove_tree(staging, NULL);
		return -1;
	}
	return 0;
}

static int set_name(json_t *rec, void *opaque)
{
	return json_object_set_new(rec, "name", json_string(opaque));
}

int record_rename(const char *store_root, const char *id, const char *name, struct silo_err *err)
{
	_cleanup_close_ int lock = -1;
	_cleanup_json_ json_t *list = NULL;
	size_t i;
	json_t *rec;

	if (!valid_name(name))
		return silo_err_set(err, EINVAL,
				    "invalid container name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
				    name);
	/* The lock record_create holds while it checks a name: a create and
	 * a rename, or two renames, never both take the same one. */
	lock = lock_containers(store_root, err);
	if (lock < 0)
		return -1;
	if (record_list(store_root, &list, err) < 0)
		return -1;
	json_array_foreach(list, i, rec) {
		const char *other = json_string_value(json_object_get(rec, "id")) ?: "";

		if (strcmp(json_string_value(json_object_get(rec, "name")) ?: "", name))
			continue;
		if (!strcmp(other, id))
			return silo_err_set(err, EEXIST, "the container is already named \"%s\"", name);
		return silo_err_set(err, EEXIST,
				    "the container name \"%s\" is already in use: remove that container or choose another name",
				    name);
	}
	return record_update(store_root, id, set_name, (void *)name, err);
}

int record_find(const char *store_root, const char *text, char id[RECORD_ID_LENGTH + 1],
		struct silo_err *err)
{
	_cleanup_json_ json_t *list = NULL;
	const char *found = NULL;
	size_t i, len = strlen(text);
	json_t *rec;
	int matches = 0;

	if (record_list(store_root, &list, err) < 0)
		return -1;
	/* A name wins over an ID prefix, and a full ID over both. */
	json_array_foreach(list, i, rec) {
		const char *rec_id = json_string_value(json_object_get(rec, "id"));

		if (!strcmp(rec_id, text)) {
			snprintf(id, RECORD_ID_LENGTH + 1, "%s", rec_id);
			return 0;
		}
	}
	json_array_foreach(list, i, rec) {
		if (!strcmp(json_string_value(json_object_get(rec, "name")) ?: "", text)) {
			snprintf(id, RECORD_ID_LENGTH + 1, "%s", json_string_value(json_object_get(rec, "id")));
			return 0;
		}
	}
	if (len > 0 && strspn(text, "0123456789abcdef") == len) {
		json_array_foreach(list, i, rec) {
			const char *rec_id = json_string_value(json_object_get(rec, "id"));

			if (!strncmp(rec_id, text, len)) {
				found = rec_id;
				matches++;
			}
		}
	}
	if (matches > 1)
		return silo_err_set(err, EINVAL, "container ID prefix \"%s\" is ambiguous: give more of it",
				    text);
	if (!found)
		return silo_err_set(err, ENOENT, "No such container: %s", text);
	snprintf(id, RECORD_ID_LENGTH + 1, "%s", found);
	return 0;
}

int record_load(const char *store_root, const char *id, json_t **out, struct silo_err *err)
{
	return read_record(store_root, id, out, err);
}

int record_update(const char *store_root, const char *id,
		  int (*change)(json_t *rec, void *opaque), void *opaque, struct silo_err *err)
{
	_cleanup_free_ char *lock_path = record_path(store_root, id, "lock");
	_cleanup_free_ char *path = record_path(store_root, id, RECORD_FILE);
	_cleanup_close_ int lock = -1;
	_cleanup_json_ json_t *rec = NULL;

	if (!lock_path || !path)
		return silo_err_sys(err, ENOMEM, "container \"%s\"", id);
	if (access(path, F_OK) < 0)
		return silo_err_set(err, ENOENT, "No such container: %s", id);
	lock = fs_lock_file(lock_path, err);
	if (lock < 0)
		return -1;
	if (read_record(store_root, id, &rec, err) < 0)
		return -1;
	if (change(rec, opaque) < 0)
		return silo_err_set(err, EINVAL, "update container \"%s\"", id);
	return json_write_path_atomic(path, rec, 0600, err);
}

static int merge_state(json_t *rec, void *opaque)
{
	json_t *state = json_object_get(rec, "state");

	if (!json_is_object(state)) {
		state = json_object();
		json_object_set_new(rec, "state", state);
	}
	return json_object_update(state, opaque);
}

int record_set_state(const char *store_root, const char *id, json_t *fields, struct silo_err *err)
{
	return record_update(store_root, id, merge_state, fields, err);
}

int record_remove(const char *store_root, const char *id, struct silo_err *err)
{
	_cleanup_free_ char *dir = record_path(store_root, id, NULL);
	_cleanup_free_ char *gone = NULL;
	_cleanup_close_ int lock = -1;

	if (!dir || asprintf(&gone, "%s/containers/.removing-%s", store_root, id) < 0)
		return silo_err_sys(err, ENOMEM, "remove container \"%s\"", id);
	lock = lock_containers(store_root, err);
	if (lock < 0)
		return -1;
	if (rename(dir, gone) < 0) {
		if (errno == ENOENT)
			return silo_err_set(err, ENOENT, "No such container: %s", id);
		return silo_err_errno(err, "remove container \"%s\"", id);
	}
	return fs_remove_tree(gone, err);
}
