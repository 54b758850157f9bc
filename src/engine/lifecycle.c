/* Creating, inspecting, signalling, stopping and removing engine containers
 * (see lifecycle.h). Running one is monitor.c's. */
#include "engine/lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/mounts.h"
#include "engine/record.h"
#include "engine/snapshot.h"
#include "engine/user.h"
#include "engine/userns_mode.h"
#include "engine/volume.h"
#include "image/images.h"
#include "image/pull.h"
#include "image/reference.h"
#include "runtime/container_resources.h"
#include "runtime/mount.h"
#include "runtime/signal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

#define IMAGE_CONFIG_MAX (4 * 1024 * 1024)
#define PASSWD_MAX (4 * 1024 * 1024)

char *engine_runtime_root(void)
{
	const char *env = getenv("SILO_RUNTIME_ROOT");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char *out = NULL;

	if (env && *env)
		return strdup(env);
	if (geteuid() == 0 || !xdg || !*xdg)
		return strdup("/run/silo");
	if (asprintf(&out, "%s/silo", xdg) < 0)
		return NULL;
	return out;
}

static int find_or_pull(const struct engine_env *env, struct engine_create_request *req,
			json_t **image, struct silo_err *err)
{
	_cleanup_image_ref_ struct image_ref ref = { 0 };
	struct pull_options opts = { .tls_verify = -1 };
	char id[DIGEST_STRING_LENGTH + 1];
	int r = -1;

	if (req->pull != ENGINE_PULL_ALWAYS) {
		r = images_find(env->store, req->image, image, err);
		if (r == 0 || req->pull == ENGINE_PULL_NEVER || err->code != ENOENT)
			return r;
		silo_err_clear(err);
	}
	if (image_ref_parse(req->image, &ref, err) < 0)
		return -1;
	if (req->on_pull)
		req->on_pull(req->opaque, req->image);
	platform_host(&opts.platform);
	if (pull_image(env->store, &ref, &opts, id, err) < 0)
		return -1;
	return images_find(env->store, id, image, err);
}

static int load_image_config(const struct engine_env *env, json_t *image, json_t **out,
			     struct silo_err *err)
{
	const char *id = json_string_value(json_object_get(image, "id"));
	_cleanup_free_ char *text = NULL;
	json_error_t jerr;
	size_t len;

	if (!id)
		return silo_err_set(err, EINVAL, "image record without an ID");
	if (store_blob_read(env->store, id, IMAGE_CONFIG_MAX, &text, &len, err) < 0)
		return silo_err_prefix(err, "image config %s", id);
	*out = json_loadb(text, len, 0, &jerr);
	if (!*out)
		return silo_err_set(err, EINVAL, "image config %s: %s", id, jerr.text);
	return 0;
}

static json_t *lower_dirs(const struct engine_env *env, json_t *image)
{
	json_t *dirs = json_array();
	size_t i;
	json_t *chain;

	json_array_foreach(json_object_get(image, "layers"), i, chain) {
		_cleanup_free_ char *layer = store_layer_path(env->store, json_string_value(chain));
		char path[4096];

		snprintf(path, sizeof(path), "%s/diff", layer ? layer : "");
		json_array_append_new(dirs, json_string(path));
	}
	return dirs;
}

/* A file of the container's root, resolved inside it (the image may make
 * /etc/passwd a symlink to anywhere). NULL when it does not exist. */
static char *read_in_root(const char *rootfs, const char *path)
{
	_cleanup_close_ int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int fd = -1;
	char *text = NULL;
	size_t len;
	struct silo_err ignored = { 0 };

	if (root < 0)
		return NULL;
	char proc[64];

	fd = mount_resolve(root, path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	/* Reopening the descriptor's magic link reads the file resolved
	 * above, not whatever the path names now. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (fs_read_file(proc, PASSWD_MAX, &text, &len, &ignored) < 0)
		return NULL;
	return text;
}

int engine_user_resolve_in_root(const char *rootfs, const char *spec, struct engine_user *user,
				struct silo_err *err)
{
	_cleanup_free_ char *passwd = read_in_root(rootfs, "/etc/passwd");
	_cleanup_free_ char *group = read_in_root(rootfs, "/etc/group");

	return engine_user_resolve(spec, passwd, group, user, err);
}

static json_t *strings_json(char **v)
{
	json_t *a = json_array();

	for (; v && *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

/* The image's Labels, then -l on top, as docker merges them. */
static json_t *merged_labels(json_t *image_config, char **flags)
{
	json_t *image_labels = json_object_get(json_object_get(image_config, "config"), "Labels");
	json_t *labels = json_is_object(image_labels) ? json_deep_copy(image_labels) : json_object();

	for (; labels && flags && *flags; flags++) {
		const char *eq = strchr(*flags, '=');
		_cleanup_free_ char *key = strndup(*flags, eq ? (size_t)(eq - *flags) : strlen(*flags));

		if (key)
			json_object_set_new(labels, key, json_string(eq ? eq + 1 : ""));
	}
	return labels;
}

static json_t *new_record(struct engine_create_request *req, json_t *image, json_t *image_config,
			  json_t *args, json_t *lowers)
{
	_cleanup_free_ char *now = record_now();
	json_t *rec = json_pack("{s:s, s:s, s:s?, s:O, s:b, s:b, s:b, s:s, s:s, s:o, s:o, s:{s:s}}",
				"created", now ? now : "", "image", req->image, "imageId",
				json_string_value(json_object_get(image, "id")), "args", args, "tty",
				req->flags.tty, "openStdin", req->flags.interactive, "autoRemove",
				req->auto_remove, "networkMode", "none", "stopSignal",
				req->stop_signal ? req->stop_signal : engine_config_stop_signal(image_config),
				"lowerDirs",
				json_incref(lowers), "env", strings_json(req->flags.env), "state",
				"status", "created");

	if (rec && req->name)
		json_object_set_new(rec, "name", json_string(req->name));
	if (rec)
		json_object_set_new(rec, "labels", merged_labels(image_config, req->labels));
	if (rec && req->flags.user)
		json_object_set_new(rec, "user", json_string(req->flags.user));
	if (rec && req->flags.workdir)
		json_object_set_new(rec, "workingDir", json_string(req->flags.workdir));
	if (rec && req->hostname)
		json_object_set_new(rec, "hostname", json_string(req->hostname));
	if (rec)
		json_object_set_new(rec, "stopTimeout", json_integer(req->stop_timeout));
	if (rec)
		json_object_set_new(rec, "readOnly", json_boolean(req->flags.read_only));
	if (rec)
		json_object_set_new(rec, "init", json_boolean(req->flags.init_path != NULL));
	if (rec)
		json_object_set_new(rec, "logConfig",
				    req->log_config ? json_deep_copy(req->log_config)
						    : json_pack("{s:s, s:{}}", "Type", "json-file", "Config"));
	if (rec)
		json_object_set_new(rec, "restartPolicy",
				    req->restart_policy ? json_deep_copy(req->restart_policy)
							: json_pack("{s:s, s:i}", "Name", "no", "MaximumRetryCount", 0));
	return rec;
}

static int has_volumes(json_t *mounts)
{
	size_t i;
	json_t *m;

	json_array_foreach(mounts, i, m)
		if (!strcmp(json_string_value(json_object_get(m, "type")) ?: "", "volume"))
			return 1;
	return 0;
}

/* A --mount bind's host path must exist (docker's rule); -v makes a
 * missing one, once the record exists. */
static int check_bind_sources(json_t *mounts, struct silo_err *err)
{
	size_t i;
	json_t *m;

	json_array_foreach(mounts, i, m) {
		const char *source = json_string_value(json_object_get(m, "source"));
		struct stat st;

		if (strcmp(json_string_value(json_object_get(m, "type")) ?: "", "bind") ||
		    json_is_true(json_object_get(m, "createSource")) || !source)
			continue;
		if (stat(source, &st) < 0)
			return silo_err_errno(err, "invalid mount config for type \"bind\": bind source path \"%s\"",
					      source);
	}
	return 0;
}

/* With the snapshot mounted: -v's missing host directories made, and new
 * volumes seeded with what the image has at their destination. */
static int prepare_mount_sources(const struct engine_env *env, json_t *mounts, const char *rootfs,
				 struct silo_err *err)
{
	size_t i;
	json_t *m;

	json_array_foreach(mounts, i, m) {
		const char *type = json_string_value(json_object_get(m, "type")) ?: "";
		const char *source = json_string_value(json_object_get(m, "source")) ?: "";
		const char *destination = json_string_value(json_object_get(m, "destination")) ?: "";
		struct stat st;

		if (!strcmp(type, "bind") && json_is_true(json_object_get(m, "createSource")) &&
		    stat(source, &st) < 0 && fs_mkdir_p(source, 0755, err) < 0)
			return silo_err_prefix(err, "-v \"%s:%s\"", source, destination);
		if (!strcmp(type, "volume") && json_is_true(json_object_get(m, "copy")) &&
		    volume_seed(env->store->root, source, rootfs, destination, err) < 0)
			return -1;
	}
	return 0;
}

/* Everything after the record exists: a failure here removes the record. */
static int create_bundle(const struct engine_env *env, struct engine_create_request *req,
			 const char *id, json_t *rec, json_t *image_config, json_t *lowers,
			 struct silo_err *err)
{
	_cleanup_free_ char *dir = record_path(env->store->root, id, NULL);
	_cleanup_free_ char *netns = NULL;
	_cleanup_free_ char *etc_dir = NULL;
	_cleanup_free_ char *rootfs = NULL;
	_cleanup_free_ char *config_path = NULL;
	_cleanup_json_ json_t *config = NULL;
	_cleanup_json_ json_t *oci_mounts = NULL;
	struct engine_user user = { 0 };
	char hostname[RECORD_SHORT_ID_LENGTH + 1];
	char host_name[256];
	int r;

	snprintf(hostname, sizeof(hostname), "%.12s", id);
	netns = engine_network_namespace(rec, dir ? dir : "");
	req->flags.network_host = netns && !*netns;
	req->flags.netns_path = netns;
	/* --network host shares the host's name too, as docker does. */
	if (req->hostname)
		req->flags.hostname = req->hostname;
	else if ((req->flags.network_host || (req->flags.security && req->flags.security->uts_host)) &&
		 gethostname(host_name, sizeof(host_name)) == 0)
		req->flags.hostname = host_name;
	else
		req->flags.hostname = hostname;
	req->flags.dir = dir;
	etc_dir = dir ? engine_network_etc_dir(env, rec, dir) : NULL;
	req->flags.etc_dir = etc_dir;
	if (!dir || !etc_dir || asprintf(&rootfs, "%s/bundle/rootfs", dir) < 0 ||
	    asprintf(&config_path, "%s/bundle/config.json", dir) < 0)
		return silo_err_sys(err, ENOMEM, "container %s", id);
	if (snapshot_prepare(dir, err) < 0 || engine_userns_prepare_dir(req->flags.userns, dir, err) < 0 ||
	    engine_network_write_etc(env, rec, dir, req->flags.hostname, err) < 0 ||
	    snapshot_mount(dir, lowers, err) < 0 ||
	    prepare_mount_sources(env, json_object_get(rec, "mounts"), rootfs, err) < 0)
		return -1;
	oci_mounts = mounts_oci(env->store->root, json_object_get(rec, "mounts"));
	if (!oci_mounts)
		return silo_err_sys(err, ENOMEM, "container %s: mounts", id);
	req->flags.mounts = oci_mounts;
	if (engine_user_resolve_in_root(rootfs, engine_config_user(image_config, &req->flags), &user, err) < 0)
		return -1;
	r = engine_config_build(image_config, &req->flags, &user, &config, err);
	req->flags.mounts = NULL;
	engine_user_free(&user);
	if (r < 0)
		return -1;
	return json_write_path_atomic(config_path, config, 0600, err);
}

int engine_container_create(const struct engine_env *env, struct engine_create_request *req,
			    char id[65], struct silo_err *err)
{
	_cleanup_json_ json_t *image = NULL;
	_cleanup_json_ json_t *image_config = NULL;
	_cleanup_json_ json_t *args = NULL;
	_cleanup_json_ json_t *lowers = NULL;
	_cleanup_json_ json_t *rec = NULL;
	_cleanup_json_ json_t *mounts = NULL;
	_cleanup_json_ json_t *made = json_array();
	_cleanup_free_ char *dir = NULL;
	_cleanup_close_ int userns_lock = -1;
	json_t *idmaps;
	int lock = -1, r;

	if (find_or_pull(env, req, &image, err) < 0 || load_image_config(env, image, &image_config, err) < 0)
		return -1;
	if (engine_config_args(image_config, &req->flags, &args, err) < 0)
		return -1;
	mounts = req->mounts ? json_deep_copy(req->mounts) : json_array();
	if (!mounts || !made)
		return silo_err_sys(err, ENOMEM, "container mounts");
	if (mounts_finish(mounts, image_config, err) < 0 || check_bind_sources(mounts, err) < 0)
		return -1;
	lowers = lower_dirs(env, image);
	/* --userns auto's range is held by its lock until the record names it. */
	if (req->flags.userns && engine_userns_allocate(env->store->root, req->flags.userns, &userns_lock, err) < 0)
		return -1;
	if (engine_userns_lowers(env->store, req->flags.userns, &lowers, err) < 0)
		return -1;
	rec = new_record(req, image, image_config, args, lowers);
	if (!rec)
		return silo_err_sys(err, ENOMEM, "container record");
	idmaps = engine_userns_record(req->flags.userns);
	if (idmaps)
		json_object_set_new(rec, "idMaps", idmaps);
	json_object_set(rec, "mounts", mounts);
	if (engine_network_prepare(env, &req->net, image_config, rec, err) < 0)
		return -1;
	/* From the volumes' making until the record names them, no volume
	 * removal can run: a new volume is never pruned before it is used. */
	if (has_volumes(mounts) && (lock = volume_lock(env->store->root, err)) < 0)
		return -1;
	r = volume_prepare_mounts_locked(env->store->root, mounts, made, err);
	if (r == 0)
		r = record_create(env->store->root, rec, err);
	if (lock >= 0)
		close(lock);
	if (r < 0) {
		volume_remove_unused(env->store->root, made, 0);
		return -1;
	}
	snprintf(id, 65, "%s", json_string_value(json_object_get(rec, "id")));
	dir = record_path(env->store->root, id, NULL);
	if (create_bundle(env, req, id, rec, image_config, lowers, err) < 0) {
		snapshot_unmount(dir, NULL);
		record_remove(env->store->root, id, NULL);
		volume_remove_unused(env->store->root, made, 0);
		return -1;
	}
	if (!req->keep_mounted && dir)
		snapshot_unmount(dir, NULL);
	return 0;
}

const char *engine_container_status(json_t *rec)
{
	const char *s = json_string_value(json_object_get(json_object_get(rec, "state"), "status"));

	return s ? s : "created";
}

int engine_monitor_alive(const char *store_root, const char *id)
{
	_cleanup_free_ char *path = record_path(store_root, id, "monitor.lock");
	_cleanup_close_ int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;

	if (fd < 0)
		return 0;
	return flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
}

char *engine_seccomp_cache_dir(const struct engine_env *env)
{
	char *dir;

	if (asprintf(&dir, "%s/cache/seccomp", env->store->root) < 0)
		return NULL;
	return dir;
}

void engine_container_release(const struct engine_env *env, const char *id)
{
	_cleanup_free_ char *dir = record_path(env->store->root, id, NULL);
	struct silo_err ignored = { 0 };

	container_delete(&env->rt, id, 1, &ignored);
	engine_network_teardown(env, id);
	if (dir)
		snapshot_unmount(dir, &ignored);
}

/* The container process, when the runtime still knows it and it runs. */
static int runtime_running(const struct engine_env *env, const char *id)
{
	_cleanup_json_ json_t *state = NULL;
	struct silo_err ignored = { 0 };
	const char *status;

	if (container_state(&env->rt, id, &state, &ignored) < 0)
		return 0;
	status = json_string_value(json_object_get(state, "status"));
	return status && (!strcmp(status, "running") || !strcmp(status, "created") ||
			  !strcmp(status, "paused"));
}

int engine_container_paused(const struct engine_env *env, const char *id)
{
	_cleanup_json_ json_t *state = NULL;
	struct silo_err ignored = { 0 };

	if (container_state(&env->rt, id, &state, &ignored) < 0)
		return 0;
	return !strcmp(json_string_value(json_object_get(state, "status")) ?: "", "paused");
}

/* What stop, kill and rm -f do after their signal: a frozen process
 * cannot act on it (in the v1 freezer not even on SIGKILL), so it is
 * thawed to take it. */
static void thaw_if_paused(const struct engine_env *env, const char *id)
{
	struct silo_err ignored = { 0 };

	if (engine_container_paused(env, id))
		container_resume(&env->rt, id, &ignored);
}

/* The running container's record, for pause and unpause: named as the
 * user named it in errors. */
static int load_running(const struct engine_env *env, const char *id, json_t **rec,
			struct silo_err *err)
{
	const char *status, *name;

	if (engine_container_inspect(env, id, rec, err) < 0)
		return -1;
	status = engine_container_status(*rec);
	name = json_string_value(json_object_get(*rec, "name")) ?: id;
	if (!strcmp(status, "restarting"))
		return silo_err_set(err, EBUSY, "container %s is restarting: wait until it is running", name);
	if (strcmp(status, "running"))
		return silo_err_set(err, EINVAL, "container %s is not running", name);
	return 0;
}

int engine_container_pause(const struct engine_env *env, const char *id, struct silo_err *err)
{
	_cleanup_json_ json_t *rec = NULL;
	const char *name;

	if (load_running(env, id, &rec, err) < 0)
		return -1;
	name = json_string_value(json_object_get(rec, "name")) ?: id;
	if (engine_container_paused(env, id))
		return silo_err_set(err, EINVAL, "container %s is already paused", name);
	if (container_pause(&env->rt, id, err) < 0)
		return silo_err_prefix(err, "pause container %s", name);
	return 0;
}

int engine_container_unpause(const struct engine_env *env, const char *id, struct silo_err *err)
{
	_cleanup_json_ json_t *rec = NULL;
	const char *name;

	if (load_running(env, id, &rec, err) < 0)
		return -1;
	name = json_string_value(json_object_get(rec, "name")) ?: id;
	if (!engine_container_paused(env, id))
		return silo_err_set(err, EINVAL, "container %s is not paused", name);
	if (container_resume(&env->rt, id, err) < 0)
		return silo_err_prefix(err, "unpause container %s", name);
	return 0;
}

int engine_container_inspect(const struct engine_env *env, const char *id, json_t **out,
			     struct silo_err *err)
{
	_cleanup_json_ json_t *rec = NULL;
	const char *status;

	if (record_load(env->store->root, id, &rec, err) < 0)
		return -1;
	status = engine_container_status(rec);
	/* A monitor killed with SIGKILL records nothing: what it would have
	 * recorded is found out here, by the next command that looks. */
	if ((!strcmp(status, "running") || !strcmp(status, "restarting")) &&
	    !engine_monitor_alive(env->store->root, id) && !runtime_running(env, id)) {
		_cleanup_free_ char *now = record_now();
		_cleanup_json_ json_t *fields = json_pack(
			"{s:s, s:i, s:i, s:s, s:s}", "status", "exited", "pid", 0, "exitCode", 255,
			"finishedAt", now ? now : "", "error", "the container's monitor ended before it");

		engine_container_release(env, id);
		if (record_set_state(env->store->root, id, fields, err) < 0)
			return -1;
		json_decref(rec);
		rec = NULL;
		if (record_load(env->store->root, id, &rec, err) < 0)
			return -1;
	}
	*out = steal_pointer(&rec);
	return 0;
}

/* What the user stops, kills or removes, the restart policy leaves
 * stopped: the monitor reads this before it starts the container again. */
static int mark_stopped_by_user(const struct engine_env *env, const char *id, struct silo_err *err)
{
	_cleanup_json_ json_t *fields = json_pack("{s:b}", "stoppedByUser", 1);

	if (!fields)
		return silo_err_sys(err, ENOMEM, "container %s", id);
	return record_set_state(env->store->root, id, fields, err);
}

int engine_container_signal(const struct engine_env *env, const char *id, int sig,
			    struct silo_err *err)
{
	_cleanup_json_ json_t *rec = NULL;
	const char *status;

	if (engine_container_inspect(env, id, &rec, err) < 0)
		return -1;
	status = engine_container_status(rec);
	if (!strcmp(status, "restarting"))
		return silo_err_set(err, EBUSY, "container %s is restarting: wait until it is running, or stop it",
				    id);
	if (strcmp(status, "running"))
		return silo_err_set(err, EINVAL, "container %s is not running", id);
	if (mark_stopped_by_user(env, id, err) < 0)
		return -1;
	if (container_kill(&env->rt, id, sig, 0, err) < 0)
		return -1;
	thaw_if_paused(env, id);
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Polls the record until it says exited, for at most timeout_ms (<0: no
 * limit). Returns 1 when exited, 0 on timeout, -1 when the record is gone.
 * The monitor records the exit a few milliseconds after a SIGKILL, so the
 * polls start 1 ms apart and slow down to 50: a fixed 50 made every
 * `stop` and `rm -f` wait that long. */
static int wait_exited(const struct engine_env *env, const char *id, long timeout_ms, int *exit_code)
{
	for (long waited = 0, pause = 1; timeout_ms < 0 || waited <= timeout_ms;
	     waited += pause, pause = pause < 25 ? pause * 2 : 50) {
		_cleanup_json_ json_t *rec = NULL;
		struct silo_err ignored = { 0 };

		if (engine_container_inspect(env, id, &rec, &ignored) < 0)
			return -1;
		if (!strcmp(engine_container_status(rec), "exited")) {
			if (exit_code)
				*exit_code = (int)json_integer_value(
					json_object_get(json_object_get(rec, "state"), "exitCode"));
			return 1;
		}
		sleep_ms(pause);
	}
	return 0;
}

int engine_container_stop(const struct engine_env *env, const char *id, int timeout,
			  struct silo_err *err)
{
	_cleanup_json_ json_t *rec = NULL;
	const char *status;
	int sig;

	if (engine_container_inspect(env, id, &rec, err) < 0)
		return -1;
	status = engine_container_status(rec);
	if (strcmp(status, "running") && strcmp(status, "restarting"))
		return 0;
	if (mark_stopped_by_user(env, id, err) < 0)
		return -1;
	/* Between two runs there is nothing to signal: the monitor sees the
	 * mark within its next look and records the container exited. */
	if (!strcmp(status, "restarting") && wait_exited(env, id, 5000, NULL) != 0)
		return 0;
	sig = signal_parse(json_string_value(json_object_get(rec, "stopSignal")) ?: "SIGTERM");
	if (sig <= 0)
		sig = SIGTERM;
	if (timeout < 0 && json_is_integer(json_object_get(rec, "stopTimeout")))
		timeout = (int)json_integer_value(json_object_get(rec, "stopTimeout"));
	if (timeout < 0)
		timeout = 10;
	if (container_kill(&env->rt, id, sig, 0, err) < 0 && runtime_running(env, id))
		return -1;
	silo_err_clear(err);
	thaw_if_paused(env, id);
	if (wait_exited(env, id, timeout * 1000L, NULL) != 0)
		return 0;
	container_kill(&env->rt, id, SIGKILL, 0, err);
	silo_err_clear(err);
	if (wait_exited(env, id, 30000, NULL) == 0)
		return silo_err_set(err, ETIMEDOUT, "container %s did not stop after SIGKILL", id);
	return 0;
}

int engine_container_wait(const struct engine_env *env, const char *id, int *exit_code,
			  struct silo_err *err)
{
	*exit_code = -1;
	if (wait_exited(env, id, -1, exit_code) < 0)
		return silo_err_set(err, ENOENT, "No such container: %s", id);
	return 0;
}

int engine_container_remove(const struct engine_env *env, const char *id, int force, int volumes,
			    struct silo_err *err)
{
	_cleanup_json_ json_t *rec = NULL;
	const char *status;

	if (engine_container_inspect(env, id, &rec, err) < 0)
		return -1;
	status = engine_container_status(rec);
	if (!strcmp(status, "running") || !strcmp(status, "restarting")) {
		if (!force)
			return silo_err_set(err, EBUSY,
					    "cannot remove container %s: it is %s: stop it first, or use --force",
					    json_string_value(json_object_get(rec, "name")), status);
		if (mark_stopped_by_user(env, id, err) < 0)
			return -1;
		container_kill(&env->rt, id, SIGKILL, 0, err);
		silo_err_clear(err);
		thaw_if_paused(env, id);
		/* The monitor records the exit and releases the container. */
		if (wait_exited(env, id, 30000, NULL) < 0)
			return 0; /* an --rm monitor removed it meanwhile */
	}
	engine_container_release(env, id);
	if (record_remove(env->store->root, id, err) < 0) {
		if (err->code == ENOENT)
			return 0;
		return -1;
	}
	if (volumes)
		volume_remove_unused(env->store->root, json_object_get(rec, "mounts"), 1);
	return 0;
}
