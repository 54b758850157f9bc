/* State directories and the status of a container. */
#include "runtime/state.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "config.h"
#include "runtime/cgroup.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"

static const char *status_names[] = {
	[STATUS_CREATING] = "creating", [STATUS_CREATED] = "created", [STATUS_RUNNING] = "running",
	[STATUS_PAUSED] = "paused",     [STATUS_STOPPED] = "stopped",
};

const char *state_status_name(enum container_status status)
{
	return status_names[status];
}

int state_validate_id(const char *id, struct silo_err *err)
{
	if (!*id || !strcmp(id, ".") || !strcmp(id, "..") || strlen(id) > 1024)
		return silo_err_set(err, EINVAL, "invalid container id \"%s\"", id);
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._+-", *p))
			return silo_err_set(err, EINVAL,
					    "invalid container id \"%s\": only letters, digits and . _ + - are allowed",
					    id);
	return 0;
}

char *state_dir_path(const char *root, const char *id)
{
	char *path;

	if (asprintf(&path, "%s/%s", root, id) < 0)
		return NULL;
	return path;
}

/* The lock is the directory itself: a lock file would be one more inode to
 * make and free per container, a quarter of a millisecond each on ext4
 * here. Takes dirfd over when it succeeds. */
static int lock_at(int *dirfd, int flags, int *lock_fd)
{
	if (flock(*dirfd, LOCK_EX | flags) < 0)
		return -errno;
	*lock_fd = steal_fd(dirfd);
	return 0;
}

int state_dir_create(const char *root, const char *id, int *lock_fd, struct silo_err *err)
{
	_cleanup_free_ char *dir = state_dir_path(root, id);
	_cleanup_close_ int dirfd = -1;
	int r;

	if (!dir)
		return silo_err_sys(err, ENOMEM, "container \"%s\"", id);
	if (fs_mkdir_p(root, 0700, err) < 0)
		return silo_err_prefix(err, "state root");
	if (mkdir(dir, 0700) == 0) {
		dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0)
			return silo_err_errno(err, "open \"%s\"", dir);
		r = lock_at(&dirfd, 0, lock_fd);
		return r < 0 ? silo_err_sys(err, -r, "lock \"%s\"", dir) : 0;
	}
	if (errno != EEXIST)
		return silo_err_errno(err, "create state directory \"%s\"", dir);

	/* The directory exists. If its lock is free and it has no state.json,
	 * a create died before finishing: clear it and take the ID. */
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd >= 0 && lock_at(&dirfd, LOCK_NB, lock_fd) == 0) {
		if (faccessat(*lock_fd, STATE_FILE, F_OK, 0) < 0 && errno == ENOENT) {
			unlinkat(*lock_fd, STATE_EXEC_SOCKET, 0);
			return 0;
		}
		close(*lock_fd);
		*lock_fd = -1;
	}
	return silo_err_set(err, EEXIST, "container with id \"%s\" already exists", id);
}

int state_lock(const char *root, const char *id, int *lock_fd, struct silo_err *err)
{
	_cleanup_free_ char *dir = state_dir_path(root, id);
	_cleanup_close_ int dirfd = -1;
	int r;

	if (!dir)
		return silo_err_sys(err, ENOMEM, "container \"%s\"", id);
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		if (errno == ENOENT)
			return silo_err_set(err, ENOENT, "container \"%s\" does not exist", id);
		return silo_err_errno(err, "open \"%s\"", dir);
	}
	r = lock_at(&dirfd, 0, lock_fd);
	return r < 0 ? silo_err_sys(err, -r, "lock container \"%s\"", id) : 0;
}

int state_note_cgroup(int lock_fd, const char *cgroup_path, struct silo_err *err)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int fd = -1;
	size_t len;

	if (asprintf(&text, "%s\n", cgroup_path) < 0)
		return silo_err_sys(err, ENOMEM, "record cgroup path");
	len = strlen(text);
	if (len > 4096)
		return silo_err_set(err, ENAMETOOLONG, "cgroup path \"%s\" is too long", cgroup_path);
	if (fsetxattr(lock_fd, STATE_CGROUP_XATTR, text, len, 0) == 0)
		return 0;
	/* One write of less than a page is either all there or not at all,
	 * also for a silo killed in the middle of it; the reader takes the
	 * line only with its newline. */
	fd = openat(lock_fd, STATE_CGROUP_NOTE, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		return silo_err_errno(err, "record cgroup path");
	return 0;
}

char *state_cgroup_note(const char *root, const char *id)
{
	_cleanup_free_ char *dir = state_dir_path(root, id);
	_cleanup_free_ char *file = NULL;
	char *text = NULL;
	char value[4097];
	ssize_t n;
	size_t len = 0;

	if (!dir)
		return NULL;
	n = getxattr(dir, STATE_CGROUP_XATTR, value, sizeof(value) - 1);
	if (n > 0) {
		value[n] = '\0';
		text = strdup(value);
		len = (size_t)n;
	} else if (asprintf(&file, "%s/%s", dir, STATE_CGROUP_NOTE) < 0 ||
		   fs_read_file(file, 8192, &text, &len, NULL) < 0) {
		return NULL;
	}
	if (!text || len < 2 || text[0] != '/' || text[len - 1] != '\n') {
		free(text);
		return NULL;
	}
	text[strcspn(text, "\n")] = '\0';
	return text;
}

int state_write(const struct container_state *state, struct silo_err *err)
{
	_cleanup_json_ json_t *obj = NULL;
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *text = NULL;

	obj = json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:s?, s:b, s:I, s:O, s:O?}", "id", state->id,
			"pid", (json_int_t)state->pid, "start_time", (json_int_t)state->start_time,
			"bundle", state->bundle, "rootfs", state->rootfs, "created", state->created,
			"cgroup_path", state->cgroup_path, "cgroup_default_parent",
			state->cgroup_default_parent, "owner", (json_int_t)state->owner,
			"annotations", state->annotations, "config", state->config);
	if (!obj)
		return silo_err_sys(err, ENOMEM, "encode state of \"%s\"", state->id);
	text = json_dumps(obj, JSON_COMPACT);
	if (!text || asprintf(&path, "%s/%s", state->dir, STATE_FILE) < 0)
		return silo_err_sys(err, ENOMEM, "encode state of \"%s\"", state->id);
	/* Not flushed to disk: the container does not outlive a crash of
	 * the machine, and delete clears a state that did not survive it. */
	return fs_write_file_replace(path, text, strlen(text), 0600, err);
}

static char *dup_string(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? strdup(s) : NULL;
}

int state_read(const char *root, const char *id, struct container_state *state,
	       struct silo_err *err)
{
	_cleanup_json_ json_t *obj = NULL;
	_cleanup_free_ char *dir = NULL;
	_cleanup_free_ char *path = NULL;
	struct silo_err inner;

	memset(state, 0, sizeof(*state));
	if (state_validate_id(id, NULL) < 0)
		return silo_err_set(err, ENOENT, "container \"%s\" does not exist", id);
	dir = state_dir_path(root, id);
	if (!dir || asprintf(&path, "%s/%s", dir, STATE_FILE) < 0)
		return silo_err_sys(err, ENOMEM, "container \"%s\"", id);
	if (json_load_path(path, 16 * 1024 * 1024, &obj, &inner) < 0) {
		if (inner.code == ENOENT)
			return silo_err_set(err, ENOENT, "container \"%s\" does not exist", id);
		*err = inner;
		return silo_err_prefix(err, "read state of container \"%s\"", id);
	}
	state->id = strdup(id);
	state->dir = steal_pointer(&dir);
	state->pid = (pid_t)json_integer_value(json_object_get(obj, "pid"));
	state->start_time = (uint64_t)json_integer_value(json_object_get(obj, "start_time"));
	state->bundle = dup_string(obj, "bundle");
	state->rootfs = dup_string(obj, "rootfs");
	state->created = dup_string(obj, "created");
	state->cgroup_path = dup_string(obj, "cgroup_path");
	state->cgroup_default_parent = json_is_true(json_object_get(obj, "cgroup_default_parent"));
	state->owner = (uid_t)json_integer_value(json_object_get(obj, "owner"));
	state->annotations = json_incref(json_object_get(obj, "annotations"));
	if (!state->annotations)
		state->annotations = json_object();
	state->config = json_incref(json_object_get(obj, "config"));
	return 0;
}

void state_free(struct container_state *state)
{
	free(state->id);
	free(state->dir);
	free(state->bundle);
	free(state->rootfs);
	free(state->created);
	free(state->cgroup_path);
	json_decref(state->annotations);
	json_decref(state->config);
	memset(state, 0, sizeof(*state));
}

uint64_t state_process_start_time(pid_t pid, int *zombie)
{
	char path[64];
	_cleanup_free_ char *text = NULL;
	char *p;
	uint64_t start = 0;

	if (zombie)
		*zombie = 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (fs_read_file(path, 8192, &text, NULL, NULL) < 0)
		return 0;
	/* The command name may hold spaces and parentheses: fields start
	 * after the last ')'. Field 3 is the state, field 22 the start time. */
	p = strrchr(text, ')');
	if (!p)
		return 0;
	p += 2;
	if (zombie && (*p == 'Z' || *p == 'X'))
		*zombie = 1;
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p)
		start = strtoull(p, NULL, 10);
	return start;
}

enum container_status state_status(const struct container_state *state)
{
	_cleanup_free_ char *sock = NULL;
	int zombie;

	if (state->pid <= 0)
		return STATUS_STOPPED;
	if (state_process_start_time(state->pid, &zombie) != state->start_time || zombie)
		return STATUS_STOPPED;
	/* A frozen cgroup (pause) is "paused", created or started. */
	if (cgroup_path_is_frozen(state->cgroup_path) == 1)
		return STATUS_PAUSED;
	if (asprintf(&sock, "%s/%s", state->dir, STATE_EXEC_SOCKET) < 0)
		return STATUS_RUNNING;
	if (access(sock, F_OK) == 0)
		return STATUS_CREATED;
	return STATUS_RUNNING;
}

json_t *state_to_json(const struct container_state *state, enum container_status status)
{
	/* A stopped container has no process any more: runc reports pid 0. */
	pid_t pid = status == STATUS_STOPPED ? 0 : state->pid;

	return json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:O}", "ociVersion",
			 SILO_OCI_VERSION, "id", state->id, "status", state_status_name(status),
			 "pid", (json_int_t)pid, "bundle", state->bundle ? state->bundle : "",
			 "rootfs", state->rootfs ? state->rootfs : "", "created",
			 state->created ? state->created : "", "owner", "", "annotations",
			 state->annotations);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int state_list_ids(const char *root, char ***ids, struct silo_err *err)
{
	_cleanup_closedir_ DIR *dir = opendir(root);
	_cleanup_strv_ char **out = NULL;
	struct dirent *entry;

	*ids = NULL;
	if (!dir) {
		if (errno == ENOENT) {
			*ids = calloc(1, sizeof(char *));
			return *ids ? 0 : silo_err_sys(err, ENOMEM, "list containers");
		}
		return silo_err_errno(err, "open state root \"%s\"", root);
	}
	out = calloc(1, sizeof(char *));
	if (!out)
		return silo_err_sys(err, ENOMEM, "list containers");
	while ((entry = readdir(dir))) {
		char path[4096];

		if (entry->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", root, entry->d_name, STATE_FILE);
		if (access(path, F_OK) < 0)
			continue;
		if (strv_push(&out, entry->d_name) < 0)
			return silo_err_sys(err, ENOMEM, "list containers");
	}
	qsort(out, strv_length(out), sizeof(char *), compare_strings);
	*ids = steal_pointer(&out);
	return 0;
}

int state_remove(const char *root, const char *id, int *lock_fd, struct silo_err *err)
{
	_cleanup_free_ char *dir = state_dir_path(root, id);
	_cleanup_free_ char *gone = NULL;

	if (!dir)
		return silo_err_sys(err, ENOMEM, "remove container \"%s\"", id);
	/* Held open, the lock would be unlinked while open, and its last
	 * close then frees the file through the filesystem's orphan list:
	 * on ext4 about half a millisecond, against a few microseconds for a
	 * closed one. So the directory first leaves the ID, under the lock,
	 * by a rename to a name no ID can have ('~'); then the lock is
	 * released, and what is left of it removed. */
	if (lock_fd && *lock_fd >= 0 && asprintf(&gone, "%s/.~%s", root, id) >= 0 &&
	    rename(dir, gone) == 0) {
		close(*lock_fd);
		*lock_fd = -1;
		free(dir);
		dir = steal_pointer(&gone);
	}
	if (fs_remove_tree(dir, err) < 0)
		return silo_err_prefix(err, "remove state of container \"%s\"", id);
	return 0;
}
