/* commit (see commit.h): the container's record says its image, its
 * command (the new image's Cmd, and the history's created_by) and its -e
 * variables (kept in the new image's Env, as docker keeps them). */
#include "engine/commit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/record.h"
#include "image/commit.h"
#include "runtime/container_resources.h"
#include "util/cleanup.h"

/* The container's command as one line. */
static char *command_line(json_t *rec)
{
	size_t len = 0, i;
	json_t *arg;
	char *out;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	json_array_foreach(json_object_get(rec, "args"), i, arg)
		fprintf(f, "%s%s", i ? " " : "", json_string_value(arg) ?: "");
	fclose(f);
	return out;
}

static char **string_list(json_t *array)
{
	size_t n = json_array_size(array), i;
	char **out = calloc(n + 1, sizeof(*out));
	json_t *v;

	if (!out)
		return NULL;
	json_array_foreach(array, i, v)
		if (!(out[i] = strdup(json_string_value(v) ?: ""))) {
			for (size_t j = 0; j < i; j++)
				free(out[j]);
			free(out);
			return NULL;
		}
	return out;
}

/* The files the engine binds over the container's /etc (etc_files.c):
 * where the image has none, the runtime makes an empty one to mount on. */
static const char *const bind_mount_points[] = { "etc/hostname", "etc/hosts", "etc/resolv.conf", NULL };

int engine_commit(const struct engine_env *env, const char *id, const struct engine_commit_request *req,
		  char image_id[DIGEST_STRING_LENGTH + 1], struct silo_err *err)
{
	_cleanup_json_ json_t *rec = NULL;
	_cleanup_free_ char *created_by = NULL;
	_cleanup_free_ char *upper = NULL;
	_cleanup_strv_ char **env_list = NULL;
	_cleanup_close_ int upper_fd = -1;
	struct image_commit_options opts = {
		.ref = req->ref, .author = req->author, .message = req->message, .changes = req->changes,
		.mount_points = bind_mount_points,
	};
	const char *name;
	int frozen = 0, r;

	if (engine_container_inspect(env, id, &rec, err) < 0)
		return -1;
	name = json_string_value(json_object_get(rec, "name")) ?: id;
	opts.base = json_string_value(json_object_get(rec, "imageId"));
	if (!opts.base)
		return silo_err_set(err, EINVAL, "commit container %s: its record names no image", name);
	created_by = command_line(rec);
	env_list = string_list(json_object_get(rec, "env"));
	upper = record_path(env->store->root, id, "upper");
	if (!created_by || !env_list || !upper)
		return silo_err_sys(err, ENOMEM, "commit container %s", name);
	opts.created_by = created_by;
	opts.env = env_list;
	opts.args = json_object_get(rec, "args");
	if (image_commit_check(&opts, err) < 0)
		return -1;
	upper_fd = open(upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (upper_fd < 0)
		return silo_err_errno(err, "commit container %s: open its changes \"%s\"", name, upper);
	/* A container paused already (by `silo pause`) stays so: commit
	 * neither freezes nor thaws it. */
	if (req->pause && !strcmp(engine_container_status(rec), "running") &&
	    !engine_container_paused(env, id)) {
		if (container_pause(&env->rt, id, err) < 0)
			return silo_err_prefix(err, "commit container %s", name);
		frozen = 1;
	}
	r = image_commit(env->store, upper_fd, &opts, image_id, err);
	if (frozen) {
		struct silo_err resume_err = { 0 };

		if (container_resume(&env->rt, id, &resume_err) < 0 && r == 0) {
			*err = resume_err;
			r = -1;
		}
	}
	if (r < 0)
		return silo_err_prefix(err, "commit container %s", name);
	return 0;
}
