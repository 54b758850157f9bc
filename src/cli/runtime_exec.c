/* `exec`: runc's command line for running a new process in a container,
 * either from a process.json (--process) or from the container's own
 * process with the flags' changes on top. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "cli/runtime_cli.h"
#include "runtime/exec.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"

enum {
	OPT_CONSOLE_SOCKET = 256,
	OPT_PID_FILE,
	OPT_PROCESS,
	OPT_CWD,
	OPT_NO_NEW_PRIVS,
	OPT_PRESERVE_FDS,
	OPT_PROCESS_LABEL,
	OPT_APPARMOR,
	OPT_CAP,
	OPT_ADDITIONAL_GIDS,
	OPT_IGNORE_PAUSED,
};

struct exec_flags {
	const char *process_file;
	const char *cwd;
	const char *user;
	const char *label;
	const char *apparmor;
	json_t *env;  /* array of "K=V" to add */
	json_t *caps; /* array of names to add */
	json_t *gids; /* array of numbers */
	int tty;
	int no_new_privs;
};

static int parse_user(const char *text, json_t *user, struct silo_err *err)
{
	_cleanup_free_ char *copy = strdup(text);
	char *colon = copy ? strchr(copy, ':') : NULL;
	int uid, gid;

	if (!copy)
		return silo_err_sys(err, ENOMEM, "--user");
	if (colon)
		*colon = '\0';
	if (str_to_int(copy, &uid) < 0 || uid < 0 ||
	    (colon && (str_to_int(colon + 1, &gid) < 0 || gid < 0)))
		return silo_err_set(err, EINVAL, "--user: \"%s\" is not uid[:gid] in numbers", text);
	json_object_set_new(user, "uid", json_integer(uid));
	if (colon)
		json_object_set_new(user, "gid", json_integer(gid));
	return 0;
}

static void add_capability(json_t *caps, const char *set, const char *name)
{
	json_t *list = json_object_get(caps, set);

	if (!json_is_array(list)) {
		list = json_array();
		json_object_set_new(caps, set, list);
	}
	json_array_append_new(list, json_string(name));
}

/* The container's own process, changed as the flags say. */
static json_t *process_from_flags(const struct runtime_context *ctx, const char *id,
				  const struct exec_flags *f, char **args, struct silo_err *err)
{
	_cleanup_json_ json_t *config = NULL;
	json_t *process, *argv, *user, *env;

	if (container_config(ctx, id, &config, err) < 0)
		return NULL;
	process = json_deep_copy(json_object_get(config, "process"));
	if (!process)
		process = json_object();
	argv = json_array();
	for (size_t i = 0; args[i]; i++)
		json_array_append_new(argv, json_string(args[i]));
	json_object_set_new(process, "args", argv);
	json_object_set_new(process, "terminal", json_boolean(f->tty));
	json_object_del(process, "consoleSize");
	if (f->cwd)
		json_object_set_new(process, "cwd", json_string(f->cwd));
	env = json_object_get(process, "env");
	if (!json_is_array(env)) {
		env = json_array();
		json_object_set_new(process, "env", env);
	}
	json_array_extend(env, f->env);
	user = json_object_get(process, "user");
	if (!json_is_object(user)) {
		user = json_object();
		json_object_set_new(process, "user", user);
	}
	if (f->user) {
		json_object_del(user, "additionalGids");
		if (parse_user(f->user, user, err) < 0) {
			json_decref(process);
			return NULL;
		}
	}
	if (json_array_size(f->gids))
		json_object_set(user, "additionalGids", f->gids);
	if (json_array_size(f->caps)) {
		json_t *caps = json_object_get(process, "capabilities");
		size_t i;
		json_t *name;

		if (!json_is_object(caps)) {
			caps = json_object();
			json_object_set_new(process, "capabilities", caps);
		}
		json_array_foreach (f->caps, i, name) {
			add_capability(caps, "bounding", json_string_value(name));
			add_capability(caps, "effective", json_string_value(name));
			add_capability(caps, "permitted", json_string_value(name));
		}
	}
	if (f->no_new_privs)
		json_object_set_new(process, "noNewPrivileges", json_true());
	if (f->apparmor)
		json_object_set_new(process, "apparmorProfile", json_string(f->apparmor));
	if (f->label)
		json_object_set_new(process, "selinuxLabel", json_string(f->label));
	return process;
}

static int add_gids(json_t *gids, const char *text)
{
	_cleanup_free_ char *copy = strdup(text);
	char *save = NULL;

	if (!copy)
		return -1;
	for (char *g = strtok_r(copy, ",", &save); g; g = strtok_r(NULL, ",", &save)) {
		int gid;

		if (str_to_int(g, &gid) < 0 || gid < 0)
			return -1;
		json_array_append_new(gids, json_integer(gid));
	}
	return 0;
}

int runtime_cmd_exec(const struct runtime_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{ "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
		{ "pid-file", required_argument, NULL, OPT_PID_FILE },
		{ "process", required_argument, NULL, 'p' },
		{ "cwd", required_argument, NULL, OPT_CWD },
		{ "env", required_argument, NULL, 'e' },
		{ "tty", no_argument, NULL, 't' },
		{ "user", required_argument, NULL, 'u' },
		{ "additional-gids", required_argument, NULL, 'g' },
		{ "cap", required_argument, NULL, 'c' },
		{ "no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS },
		{ "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
		{ "process-label", required_argument, NULL, OPT_PROCESS_LABEL },
		{ "apparmor", required_argument, NULL, OPT_APPARMOR },
		{ "detach", no_argument, NULL, 'd' },
		{ "ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find_command(runtime_commands, "exec");
	_cleanup_json_ json_t *env = json_array();
	_cleanup_json_ json_t *caps = json_array();
	_cleanup_json_ json_t *gids = json_array();
	_cleanup_json_ json_t *process = NULL;
	struct exec_flags f = { .env = env, .caps = caps, .gids = gids };
	struct exec_options opts = { 0 };
	struct silo_err err;
	int c, status;

	while ((c = cli_getopt(cmd, argc, argv, "+p:e:tu:g:c:d", options)) != -1) {
		switch (c) {
		case OPT_CONSOLE_SOCKET:
			opts.console_socket = optarg;
			break;
		case OPT_PID_FILE:
			opts.pid_file = optarg;
			break;
		case 'p':
			f.process_file = optarg;
			break;
		case OPT_CWD:
			f.cwd = optarg;
			break;
		case 'e':
			if (!strchr(optarg, '='))
				return cli_fail_usage(cmd->name, "--env: \"%s\" is not KEY=VALUE", optarg);
			json_array_append_new(env, json_string(optarg));
			break;
		case 't':
			f.tty = 1;
			break;
		case 'u':
			f.user = optarg;
			break;
		case 'g':
			if (add_gids(gids, optarg) < 0)
				return cli_fail_usage(cmd->name, "--additional-gids: invalid \"%s\"", optarg);
			break;
		case 'c':
			json_array_append_new(caps, json_string(optarg));
			break;
		case OPT_NO_NEW_PRIVS:
			f.no_new_privs = 1;
			break;
		case OPT_PRESERVE_FDS:
			if (str_to_int(optarg, &opts.preserve_fds) < 0 || opts.preserve_fds < 0)
				return cli_fail_usage(cmd->name, "--preserve-fds: invalid number \"%s\"", optarg);
			break;
		case OPT_PROCESS_LABEL:
			f.label = optarg;
			break;
		case OPT_APPARMOR:
			f.apparmor = optarg;
			break;
		case 'd':
			opts.detach = 1;
			break;
		case OPT_IGNORE_PAUSED:
			break;
		default:
			return 1;
		}
	}
	if (optind >= argc)
		return cli_fail_usage(cmd->name, "a container ID is required");
	opts.id = argv[optind++];
	if (f.process_file) {
		if (optind < argc)
			return cli_fail_usage(cmd->name, "--process and a command cannot be given together");
		if (json_load_path(f.process_file, 4 * 1024 * 1024, &process, &err) < 0)
			return cli_fail(cmd->name, &err);
		if (!json_is_object(process))
			return cli_fail_usage(cmd->name, "--process \"%s\": not a JSON object", f.process_file);
	} else {
		if (optind >= argc)
			return cli_fail_usage(cmd->name, "a command to run is required (or --process FILE)");
		process = process_from_flags(ctx, opts.id, &f, argv + optind, &err);
		if (!process)
			return cli_fail(NULL, &err);
	}
	opts.process = process;
	if (container_exec(ctx, &opts, &status, &err) < 0)
		return cli_fail(NULL, &err);
	return status;
}
