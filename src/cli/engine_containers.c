/* The engine's container commands, with docker's names, flags and output
 * shapes: stop, kill, rm, exec, inspect, wait (run, create,
 * start and restart are engine_run.c's, ps engine_ps.c's, logs engine_logs.c's). Each parses its flags and calls
 * src/engine/; errors go to stderr as "silo COMMAND: message", and `exec`
 * exits 125 for silo's own failures and 126/127 when the command cannot be
 * run, as docker does. */
#include "cli/engine_containers.h"
#include "cli/engine_session.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "engine/config.h"
#include "engine/lifecycle.h"
#include "engine/mounts.h"
#include "engine/network.h"
#include "engine/record.h"
#include "engine/snapshot.h"
#include "engine/user.h"
#include "image/store.h"
#include "runtime/exec.h"
#include "runtime/signal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"

static int fail(const char *command, const struct silo_err *err, int status)
{
	return session_fail(command, err, status);
}

/* --help of a command with own_help. */
static int print_usage(const char *command)
{
	for (const struct engine_command *c = engine_container_commands; c->name; c++) {
		if (!strcmp(c->name, command)) {
			printf("%s\n\n%s\n", c->usage, c->summary);
			return 0;
		}
	}
	return 0;
}

static int resolve(struct session *s, const char *command, const char *text, char id[65])
{
	return session_resolve(s, command, text, id);
}

/* ------------------------------------------------- stop, kill, rm, wait -- */

static int cmd_stop(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "time", required_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 't' },
		{ 0 },
	};
	_cleanup_session_ struct session s = { 0 };
	int timeout = -1, c, status = 0;

	while ((c = engine_next_option("stop", argc, argv, "t:", longopts)) != -1) {
		if (c != 't')
			return 125;
		if (str_to_int(optarg, &timeout) < 0 || timeout < 0)
			return engine_usage_error("stop", "invalid --time \"%s\": want a number of seconds", optarg);
	}
	if (optind == argc)
		return engine_usage_error("stop", "%s", "wants at least one container");
	if (session_open(ctx, &s, "stop"))
		return 125;
	for (int i = optind; i < argc; i++) {
		struct silo_err err = { 0 };
		char id[65];

		if (resolve(&s, "stop", argv[i], id)) {
			status = 1;
			continue;
		}
		if (engine_container_stop(&s.env, id, timeout, &err) < 0) {
			status = fail("stop", &err, 1);
			continue;
		}
		printf("%s\n", argv[i]);
	}
	return status;
}

static int cmd_kill(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "signal", required_argument, NULL, 's' },
		{ 0 },
	};
	_cleanup_session_ struct session s = { 0 };
	int sig = SIGKILL, c, status = 0;

	while ((c = engine_next_option("kill", argc, argv, "s:", longopts)) != -1) {
		if (c != 's')
			return 125;
		sig = signal_parse(optarg);
		if (sig <= 0)
			return engine_usage_error("kill", "invalid signal \"%s\"", optarg);
	}
	if (optind == argc)
		return engine_usage_error("kill", "%s", "wants at least one container");
	if (session_open(ctx, &s, "kill"))
		return 125;
	for (int i = optind; i < argc; i++) {
		struct silo_err err = { 0 };
		char id[65];

		if (resolve(&s, "kill", argv[i], id)) {
			status = 1;
			continue;
		}
		if (engine_container_signal(&s.env, id, sig, &err) < 0) {
			status = fail("kill", &err, 1);
			continue;
		}
		printf("%s\n", argv[i]);
	}
	return status;
}

static int cmd_rm(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "volumes", no_argument, NULL, 'v' },
		{ 0 },
	};
	_cleanup_session_ struct session s = { 0 };
	int force = 0, volumes = 0, c, status = 0;

	while ((c = engine_next_option("rm", argc, argv, "fv", longopts)) != -1) {
		if (c == 'f')
			force = 1;
		else if (c == 'v')
			volumes = 1;
		else
			return 125;
	}
	if (optind == argc)
		return engine_usage_error("rm", "%s", "wants at least one container");
	if (session_open(ctx, &s, "rm"))
		return 125;
	for (int i = optind; i < argc; i++) {
		struct silo_err err = { 0 };
		char id[65];

		if (resolve(&s, "rm", argv[i], id)) {
			status = 1;
			continue;
		}
		if (engine_container_remove(&s.env, id, force, volumes, &err) < 0) {
			status = fail("rm", &err, 1);
			continue;
		}
		printf("%s\n", argv[i]);
	}
	return status;
}

static int cmd_wait(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = { { 0 } };
	_cleanup_session_ struct session s = { 0 };
	int status = 0;

	if (engine_next_option("wait", argc, argv, "", longopts) != -1)
		return 125;
	if (optind == argc)
		return engine_usage_error("wait", "%s", "wants at least one container");
	if (session_open(ctx, &s, "wait"))
		return 125;
	for (int i = optind; i < argc; i++) {
		struct silo_err err = { 0 };
		char id[65];
		int code;

		if (resolve(&s, "wait", argv[i], id)) {
			status = 1;
			continue;
		}
		if (engine_container_wait(&s.env, id, &code, &err) < 0) {
			status = fail("wait", &err, 1);
			continue;
		}
		printf("%d\n", code);
		fflush(stdout);
	}
	return status;
}

/* --------------------------------------------------------------- inspect -- */

static json_t *docker_state_view(json_t *rec)
{
	json_t *state = json_object_get(rec, "state");
	json_t *args = json_object_get(rec, "args");
	const char *status = engine_container_status(rec);
	const char *name = json_string_value(json_object_get(rec, "name"));
	const char *custom_hostname = json_string_value(json_object_get(rec, "hostname"));
	char slash_name[256], hostname[80];

	snprintf(slash_name, sizeof(slash_name), "/%s", name ? name : "");
	snprintf(hostname, sizeof(hostname), "%.*s", custom_hostname ? 64 : 12,
		 custom_hostname ? custom_hostname : json_string_value(json_object_get(rec, "id")));
	return json_pack(
		"{s:O, s:O, s:O?, s:O, s:{s:s, s:b, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}, s:O?, s:s, "
		"s:{s:s, s:O, s:O, s:O?, s:O?, s:O, s:O, s:O, s:s?, s:O?, s:o}, s:{s:O, s:O, s:O?, s:O?, s:O?}, "
		"s:o}",
		"Id", json_object_get(rec, "id"), "Created", json_object_get(rec, "created"), "Path",
		json_array_get(args, 0), "Args", args, "State", "Status", status, "Running",
		!strcmp(status, "running"), "Pid", json_object_get(state, "pid"), "ExitCode",
		json_object_get(state, "exitCode"), "Error", json_object_get(state, "error"), "StartedAt",
		json_object_get(state, "startedAt"), "FinishedAt", json_object_get(state, "finishedAt"),
		"MonitorPid", json_object_get(state, "monitorPid"), "Image", json_object_get(rec, "imageId"),
		"Name", slash_name, "Config", "Hostname", hostname, "Image", json_object_get(rec, "image"),
		"Cmd", args, "User",
		json_object_get(rec, "user"), "WorkingDir", json_object_get(rec, "workingDir"), "Env",
		json_object_get(rec, "env"), "Tty", json_object_get(rec, "tty"), "OpenStdin",
		json_object_get(rec, "openStdin"), "StopSignal",
		json_string_value(json_object_get(rec, "stopSignal")), "StopTimeout",
		json_object_get(rec, "stopTimeout"), "Labels",
		json_is_object(json_object_get(rec, "labels")) ? json_incref(json_object_get(rec, "labels"))
							       : json_object(),
		"HostConfig", "AutoRemove",
		json_object_get(rec, "autoRemove"), "NetworkMode", json_object_get(rec, "networkMode"),
		"ReadonlyRootfs", json_object_get(rec, "readOnly"), "PortBindings",
		json_object_get(rec, "publish"), "ExtraHosts", json_object_get(rec, "extraHosts"),
		"NetworkSettings", engine_network_inspect(rec));
}

/* The limits are config.json's, which the next start runs with. */
static void resources_view(const char *store_root, json_t *rec, json_t *host_config)
{
	_cleanup_free_ char *path = record_path(store_root, json_string_value(json_object_get(rec, "id")),
						"bundle/config.json");
	_cleanup_json_ json_t *config = NULL;
	struct silo_err ignored = { 0 };

	if (path)
		json_load_path(path, 4 * 1024 * 1024, &config, &ignored);
	engine_resources_inspect(config, host_config);
}

static json_t *docker_view(const struct engine_env *env, json_t *rec)
{
	const char *store_root = env->store->root;
	_cleanup_free_ char *dir = record_path(store_root, json_string_value(json_object_get(rec, "id")), NULL);
	json_t *view = docker_state_view(rec);
	int paused;
	json_t *state = json_object_get(rec, "state");
	json_t *policy = json_object_get(rec, "restartPolicy");

	if (!view)
		return NULL;
	paused = !strcmp(engine_container_status(rec), "running") &&
		 engine_container_paused(env, json_string_value(json_object_get(rec, "id")));
	if (paused)
		json_object_set_new(json_object_get(view, "State"), "Status", json_string("paused"));
	json_object_set_new(json_object_get(view, "State"), "Paused", json_boolean(paused));
	json_object_set_new(json_object_get(view, "HostConfig"), "Init",
			    json_boolean(json_is_true(json_object_get(rec, "init"))));
	resources_view(store_root, rec, json_object_get(view, "HostConfig"));
	json_object_set_new(view, "Mounts", mounts_inspect(store_root, json_object_get(rec, "mounts")));
	if (dir) {
		json_t *graph = snapshot_inspect(dir, json_object_get(rec, "lowerDirs"));

		if (graph) {
			json_object_set(view, "Driver", json_object_get(graph, "Name"));
			json_object_set_new(view, "GraphDriver", graph);
		}
	}
	json_object_set_new(view, "RestartCount",
			    json_integer(json_integer_value(json_object_get(state, "restartCount"))));
	json_object_set_new(json_object_get(view, "State"), "Restarting",
			    json_boolean(!strcmp(engine_container_status(rec), "restarting")));
	json_object_set_new(json_object_get(view, "HostConfig"), "RestartPolicy",
			    policy ? json_deep_copy(policy)
				   : json_pack("{s:s, s:i}", "Name", "no", "MaximumRetryCount", 0));
	json_object_set_new(json_object_get(view, "HostConfig"), "LogConfig",
			    json_object_get(rec, "logConfig")
				    ? json_deep_copy(json_object_get(rec, "logConfig"))
				    : json_pack("{s:s, s:{}}", "Type", "json-file", "Config"));
	return view;
}

static int cmd_inspect(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = { { 0 } };
	_cleanup_session_ struct session s = { 0 };
	_cleanup_json_ json_t *out = json_array();
	_cleanup_free_ char *text = NULL;
	int status = 0;

	if (engine_next_option("inspect", argc, argv, "", longopts) != -1)
		return 125;
	if (optind == argc)
		return engine_usage_error("inspect", "%s", "wants at least one container");
	if (session_open(ctx, &s, "inspect"))
		return 125;
	for (int i = optind; i < argc; i++) {
		_cleanup_json_ json_t *rec = NULL;
		struct silo_err err = { 0 };
		char id[65];

		if (resolve(&s, "inspect", argv[i], id)) {
			status = 1;
			continue;
		}
		if (engine_container_inspect(&s.env, id, &rec, &err) < 0) {
			status = fail("inspect", &err, 1);
			continue;
		}
		json_array_append_new(out, docker_view(&s.env, rec));
	}
	text = json_dumps(out, JSON_INDENT(4));
	printf("%s\n", text ? text : "[]");
	return status;
}

/* ------------------------------------------------------------------ exec -- */

/* The exec'd process: the container's own, with the command and flags. */
static int exec_process(struct session *s, const char *id, char **cmd, char **env, const char *user,
			const char *workdir, int tty, json_t **out, struct silo_err *err)
{
	_cleanup_json_ json_t *config = NULL;
	_cleanup_free_ char *rootfs = record_path(s->store.root, id, "bundle/rootfs");
	json_t *process, *args = json_array(), *penv;

	if (container_config(&s->env.rt, id, &config, err) < 0)
		return -1;
	process = json_deep_copy(json_object_get(config, "process"));
	if (!process || !args)
		return silo_err_sys(err, ENOMEM, "exec");
	for (char **a = cmd; *a; a++)
		json_array_append_new(args, json_string(*a));
	json_object_set_new(process, "args", args);
	json_object_set_new(process, "terminal", json_boolean(tty));
	penv = json_object_get(process, "env");
	for (char **e = env; e && *e; e++)
		json_array_append_new(penv, json_string(*e));
	if (workdir)
		json_object_set_new(process, "cwd", json_string(workdir));
	if (user) {
		struct engine_user u = { 0 };
		json_t *gids = json_array();

		if (engine_user_resolve_in_root(rootfs, user, &u, err) < 0) {
			json_decref(gids);
			json_decref(process);
			return -1;
		}
		for (size_t i = 0; i < u.n_additional_gids; i++)
			json_array_append_new(gids, json_integer(u.additional_gids[i]));
		json_object_set_new(process, "user", json_pack("{s:I, s:I, s:o}", "uid", (json_int_t)u.uid,
							       "gid", (json_int_t)u.gid,
							       "additionalGids", gids));
		engine_user_free(&u);
	}
	*out = process;
	return 0;
}

static int cmd_exec(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "interactive", no_argument, NULL, 'i' },
		{ "tty", no_argument, NULL, 't' },
		{ "detach", no_argument, NULL, 'd' },
		{ "env", required_argument, NULL, 'e' },
		{ "user", required_argument, NULL, 'u' },
		{ "workdir", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'H' },
		{ 0 },
	};
	_cleanup_session_ struct session s = { 0 };
	_cleanup_free_ char *seccomp_cache = NULL;
	_cleanup_strv_ char **env = NULL;
	_cleanup_json_ json_t *rec = NULL;
	_cleanup_json_ json_t *process = NULL;
	struct exec_options opts = { 0 };
	struct silo_err err = { 0 };
	const char *user = NULL, *workdir = NULL;
	int tty = 0, interactive = 0, c, status = 0, null_fd = -1;
	char id[65];

	while ((c = engine_next_option("exec", argc, argv, "itde:u:w:", longopts)) != -1) {
		switch (c) {
		case 'H':
			return print_usage("exec");
		case 'i':
			interactive = 1;
			break;
		case 't':
			tty = 1;
			break;
		case 'd':
			opts.detach = 1;
			break;
		case 'e':
			if (strv_push(&env, optarg) < 0)
				return 125;
			break;
		case 'u':
			user = optarg;
			break;
		case 'w':
			workdir = optarg;
			break;
		default:
			return 125;
		}
	}
	if (argc - optind < 2)
		return engine_usage_error("exec", "%s", "wants a container and a command");
	if (session_protect_exe("exec"))
		return 125;
	if (session_open(ctx, &s, "exec"))
		return 125;
	if (resolve(&s, "exec", argv[optind], id))
		return 125;
	if (engine_container_inspect(&s.env, id, &rec, &err) < 0)
		return fail("exec", &err, 125);
	if (strcmp(engine_container_status(rec), "running")) {
		silo_err_set(&err, EINVAL, "container %s is not running", argv[optind]);
		return fail("exec", &err, 125);
	}
	if (engine_container_paused(&s.env, id)) {
		silo_err_set(&err, EINVAL, "container %s is paused, unpause the container before exec", argv[optind]);
		return fail("exec", &err, 125);
	}
	if (exec_process(&s, id, argv + optind + 1, env, user, workdir, tty && !opts.detach, &process,
			 &err) < 0)
		return fail("exec", &err, 125);
	/* Without -i the process reads nothing, as with docker. */
	if (!interactive && !tty) {
		null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null_fd >= 0) {
			dup2(null_fd, STDIN_FILENO);
			close(null_fd);
		}
	}
	opts.id = id;
	opts.process = process;
	seccomp_cache = engine_seccomp_cache_dir(&s.env);
	s.env.rt.seccomp_cache = seccomp_cache;
	if (container_exec(&s.env.rt, &opts, &status, &err) < 0) {
		if (strstr(err.msg, "executable file not found") || strstr(err.msg, "No such file"))
			return fail("exec", &err, 127);
		if (strstr(err.msg, "not an executable") || strstr(err.msg, "ermission denied"))
			return fail("exec", &err, 126);
		return fail("exec", &err, 125);
	}
	return status;
}

/* ----------------------------------------------------------------- table -- */

const struct engine_command engine_container_commands[] = {
	{ "stop", "Stop one or more running containers",
	  "Usage:  silo stop [OPTIONS] CONTAINER [CONTAINER...]\n\nOptions:\n"
	  "  -t, --time int   Seconds to wait after the stop signal before SIGKILL\n"
	  "                   (default: the container's --stop-timeout, or 10)\n",
	  cmd_stop },
	{ "kill", "Kill one or more running containers",
	  "Usage:  silo kill [OPTIONS] CONTAINER [CONTAINER...]\n\nOptions:\n"
	  "  -s, --signal string   Signal to send (default \"KILL\")\n",
	  cmd_kill },
	{ "rm", "Remove one or more containers",
	  "Usage:  silo rm [OPTIONS] CONTAINER [CONTAINER...]\n\nOptions:\n"
	  "  -f, --force     Kill and remove a running container\n"
	  "  -v, --volumes   Remove the container's anonymous volumes too\n",
	  cmd_rm },
	{ "exec", "Execute a command in a running container",
	  "Usage:  silo exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\nOptions:\n"
	  "  -d, --detach           Run the command in the background\n"
	  "  -e, --env list         Set environment variables\n"
	  "  -i, --interactive      Keep STDIN open\n"
	  "  -t, --tty              Allocate a pseudo-TTY\n"
	  "  -u, --user string      user[:group]\n"
	  "  -w, --workdir string   Working directory inside the container\n",
	  cmd_exec, 1 },
	{ "inspect", "Show low-level information on containers (JSON)",
	  "Usage:  silo inspect CONTAINER [CONTAINER...]\n", cmd_inspect },
	{ "wait", "Block until containers stop, then print their exit codes",
	  "Usage:  silo wait CONTAINER [CONTAINER...]\n", cmd_wait },
	{ NULL, NULL, NULL, NULL, 0 },
};
