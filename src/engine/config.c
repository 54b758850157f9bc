/* Building an engine container's config.json (see config.h). Starts from
 * spec_default(0, 0, 0) so the mounts, masked and read-only paths are the
 * runtime's, then changes only what docker users expect differently. */
#include "engine/config.h"
#include "engine/rootless.h"
#include "engine/userns_mode.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "runtime/spec.h"
#include "util/cleanup.h"

const char *const engine_default_capabilities[] = {
	"CAP_CHOWN",	    "CAP_DAC_OVERRIDE", "CAP_FSETID",	"CAP_FOWNER",	     "CAP_MKNOD",
	"CAP_NET_RAW",	    "CAP_SETGID",	"CAP_SETUID",	"CAP_SETFCAP",	     "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",	"CAP_AUDIT_WRITE", NULL,
};

/* Docker asks for 1048576 open files; never more than the host allows. */
#define ENGINE_NOFILE_WANTED 1048576

static json_t *image_section(json_t *image_config)
{
	json_t *c = json_object_get(image_config, "config");

	return json_is_object(c) ? c : NULL;
}

static int append_strings(json_t *to, json_t *from)
{
	size_t i;
	json_t *v;

	json_array_foreach(from, i, v)
		if (json_is_string(v))
			json_array_append(to, v);
	return 0;
}

int engine_config_args(json_t *image_config, const struct engine_run_flags *flags, json_t **out,
		       struct silo_err *err)
{
	json_t *image = image_section(image_config);
	_cleanup_json_ json_t *args = json_array();

	if (flags->entrypoint) {
		if (flags->entrypoint[0])
			json_array_append_new(args, json_string(flags->entrypoint));
	} else {
		append_strings(args, json_object_get(image, "Entrypoint"));
	}
	if (flags->cmd && flags->cmd[0]) {
		for (char **a = flags->cmd; *a; a++)
			json_array_append_new(args, json_string(*a));
	} else if (!flags->entrypoint) {
		append_strings(args, json_object_get(image, "Cmd"));
	}
	if (json_array_size(args) == 0)
		return silo_err_set(err, EINVAL, "no command specified: the image has no Entrypoint or Cmd");
	*out = steal_pointer(&args);
	return 0;
}

const char *engine_config_user(json_t *image_config, const struct engine_run_flags *flags)
{
	const char *image_user = json_string_value(json_object_get(image_section(image_config), "User"));

	if (flags->user)
		return flags->user;
	return image_user ? image_user : "";
}

const char *engine_config_stop_signal(json_t *image_config)
{
	const char *sig = json_string_value(json_object_get(image_section(image_config), "StopSignal"));

	return sig && *sig ? sig : "SIGTERM";
}

/* Sets NAME=VALUE in env, replacing an earlier NAME. */
static void env_set(json_t *env, const char *entry)
{
	size_t name_len = strcspn(entry, "=");
	size_t i;
	json_t *v;

	json_array_foreach(env, i, v) {
		const char *s = json_string_value(v);

		if (s && !strncmp(s, entry, name_len) && (s[name_len] == '=' || !s[name_len])) {
			json_array_set_new(env, i, json_string(entry));
			return;
		}
	}
	json_array_append_new(env, json_string(entry));
}

static int env_has(json_t *env, const char *name)
{
	size_t len = strlen(name), i;
	json_t *v;

	json_array_foreach(env, i, v) {
		const char *s = json_string_value(v);

		if (s && !strncmp(s, name, len) && s[len] == '=')
			return 1;
	}
	return 0;
}

static json_t *build_env(json_t *image, const struct engine_run_flags *flags,
			 const struct engine_user *user)
{
	json_t *env = json_array();
	char entry[4096];
	size_t i;
	json_t *v;

	snprintf(entry, sizeof(entry), "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	json_array_append_new(env, json_string(entry));
	snprintf(entry, sizeof(entry), "HOSTNAME=%s", flags->hostname ? flags->hostname : "");
	json_array_append_new(env, json_string(entry));
	json_array_foreach(json_object_get(image, "Env"), i, v)
		if (json_is_string(v) && strchr(json_string_value(v), '='))
			env_set(env, json_string_value(v));
	for (char **e = flags->env; e && *e; e++) {
		if (strchr(*e, '=')) {
			env_set(env, *e);
		} else if (getenv(*e)) {
			/* docker's `-e NAME`: passed on from our environment, or
			 * not at all. */
			snprintf(entry, sizeof(entry), "%s=%s", *e, getenv(*e));
			env_set(env, entry);
		}
	}
	if (flags->tty && !env_has(env, "TERM"))
		json_array_append_new(env, json_string("TERM=xterm"));
	if (!env_has(env, "HOME")) {
		snprintf(entry, sizeof(entry), "HOME=%s", user && user->home ? user->home : "/");
		json_array_append_new(env, json_string(entry));
	}
	return env;
}

/* Every rlimit the default config asks for, capped at the host's hard
 * limit: a limit above it makes setrlimit fail in the container (hosts
 * without CAP_SYS_RESOURCE in the bounding set, or a low hard NOFILE). */
static json_t *host_bounded_rlimits(void)
{
	json_t *list = json_array();
	struct rlimit host;
	rlim_t want = ENGINE_NOFILE_WANTED;

	if (getrlimit(RLIMIT_NOFILE, &host) == 0 && host.rlim_max != RLIM_INFINITY &&
	    host.rlim_max < want)
		want = host.rlim_max;
	json_array_append_new(list, json_pack("{s:s, s:I, s:I}", "type", "RLIMIT_NOFILE", "hard",
					      (json_int_t)want, "soft", (json_int_t)want));
	return list;
}

static json_t *bind_file(const char *dir, const char *name, const char *destination)
{
	char source[4096];

	snprintf(source, sizeof(source), "%s/%s", dir, name);
	return json_pack("{s:s, s:s, s:s, s:[s, s, s, s]}", "destination", destination, "type", "bind",
			 "source", source, "options", "rbind", "rprivate", "nosuid", "nodev");
}

char *engine_helper_path(const char *name)
{
	Dl_info info;
	char *path = NULL;
	const char *slash;

	/* The module's own file, found from one of its functions: the same
	 * place the loader found it, whatever the environment says. */
	if (!dladdr((void *)engine_helper_path, &info) || !info.dli_fname ||
	    !(slash = strrchr(info.dli_fname, '/'))) {
		errno = ENOENT;
		return NULL;
	}
	if (asprintf(&path, "%.*s/%s", (int)(slash - info.dli_fname), info.dli_fname, name) < 0) {
		errno = ENOMEM;
		return NULL;
	}
	return path;
}

char *engine_config_init_path(struct silo_err *err)
{
	char *path = engine_helper_path("silo-init");

	if (!path) {
		if (errno == ENOMEM)
			silo_err_sys(err, ENOMEM, "--init");
		else
			silo_err_set(err, ENOENT, "--init: cannot tell where the engine module is installed");
		return NULL;
	}
	if (access(path, X_OK) < 0) {
		silo_err_errno(err, "--init: the init \"%s\"", path);
		free(path);
		return NULL;
	}
	return path;
}

/* --init: the init runs first, with the command after "--" so none of
 * the command's arguments is read as the init's. The binary is bound
 * read-only: the container may run it, never change it. */
static void add_init(json_t *process, json_t *mounts, const char *init_path)
{
	json_t *args = json_pack("[s, s]", ENGINE_INIT_PATH, "--");

	json_array_extend(args, json_object_get(process, "args"));
	json_object_set_new(process, "args", args);
	json_array_append_new(mounts, json_pack("{s:s, s:s, s:s, s:[s, s, s, s, s]}", "destination",
						ENGINE_INIT_PATH, "type", "bind", "source", init_path,
						"options", "bind", "ro", "rprivate", "nosuid", "nodev"));
}

/* The user's mounts go last, so they land on top of the defaults; one on
 * the destination of a default replaces it (a -v on /etc/hosts, a --tmpfs
 * on /dev/shm), as docker does. */
static void add_user_mounts(json_t *mounts, json_t *user_mounts)
{
	size_t i;
	json_t *m;

	json_array_foreach(user_mounts, i, m) {
		const char *destination = json_string_value(json_object_get(m, "destination"));

		for (size_t j = json_array_size(mounts); destination && j-- > 0;) {
			const char *d = json_string_value(json_object_get(json_array_get(mounts, j), "destination"));

			if (d && !strcmp(d, destination))
				json_array_remove(mounts, j);
		}
		json_array_append(mounts, m);
	}
}

/* Without a path: the host's namespace (the entry goes); with one: that
 * namespace, made and set up by the engine before the container. */
static void set_network_namespace(json_t *linux_section, const char *path)
{
	json_t *namespaces = json_object_get(linux_section, "namespaces");

	for (size_t i = json_array_size(namespaces); i-- > 0;) {
		json_t *ns = json_array_get(namespaces, i);
		const char *type = json_string_value(json_object_get(ns, "type"));

		if (!type || strcmp(type, "network"))
			continue;
		if (*path)
			json_object_set_new(ns, "path", json_string(path));
		else
			json_array_remove(namespaces, i);
	}
}

int engine_config_build(json_t *image_config, const struct engine_run_flags *flags,
			const struct engine_user *user, json_t **out, struct silo_err *err)
{
	_cleanup_json_ json_t *config = spec_default(0, 0, 0);
	json_t *image = image_section(image_config);
	json_t *process, *args = NULL, *gids, *mounts;
	const char *cwd = flags->workdir;
	const char *etc_dir;

	if (!config)
		return silo_err_sys(err, ENOMEM, "build config.json");
	if (engine_config_args(image_config, flags, &args, err) < 0)
		return -1;
	process = json_object_get(config, "process");
	json_object_set_new(process, "args", args);
	json_object_set_new(process, "terminal", json_boolean(flags->tty));
	json_object_set_new(process, "env", build_env(image, flags, user));
	if (!cwd || !*cwd)
		cwd = json_string_value(json_object_get(image, "WorkingDir"));
	if (cwd && *cwd && cwd[0] != '/')
		return silo_err_set(err, EINVAL, "the working directory \"%s\" is invalid: it needs to be an absolute path",
				    cwd);
	json_object_set_new(process, "cwd", json_string(cwd && *cwd ? cwd : "/"));
	gids = json_array();
	for (size_t i = 0; user && i < user->n_additional_gids; i++)
		json_array_append_new(gids, json_integer(user->additional_gids[i]));
	json_object_set_new(process, "user",
			    json_pack("{s:I, s:I, s:o}", "uid", (json_int_t)(user ? user->uid : 0), "gid",
				      (json_int_t)(user ? user->gid : 0), "additionalGids", gids));
	json_object_set_new(process, "rlimits", host_bounded_rlimits());

	json_object_set_new(config, "root",
			    json_pack("{s:s, s:b}", "path", "rootfs", "readonly", flags->read_only));
	if (flags->hostname)
		json_object_set_new(config, "hostname", json_string(flags->hostname));
	mounts = json_object_get(config, "mounts");
	etc_dir = flags->etc_dir ? flags->etc_dir : flags->dir;
	json_array_append_new(mounts, bind_file(etc_dir, "hostname", "/etc/hostname"));
	json_array_append_new(mounts, bind_file(etc_dir, "hosts", "/etc/hosts"));
	json_array_append_new(mounts, bind_file(etc_dir, "resolv.conf", "/etc/resolv.conf"));
	if (flags->resources)
		engine_resources_apply(flags->resources, config);
	if (engine_security_apply(flags->security, config, err) < 0)
		return -1;
	if (flags->init_path)
		add_init(process, mounts, flags->init_path);
	add_user_mounts(mounts, flags->mounts);
	if (flags->network_host)
		set_network_namespace(json_object_get(config, "linux"), "");
	else if (flags->netns_path)
		set_network_namespace(json_object_get(config, "linux"), flags->netns_path);
	if (engine_rootless() && engine_rootless_adjust_config(config, err) < 0)
		return -1;
	if (engine_userns_apply(flags->userns, flags->user && *flags->user, config, err) < 0)
		return -1;
	*out = steal_pointer(&config);
	return 0;
}
