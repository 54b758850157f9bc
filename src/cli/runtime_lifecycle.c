/* Runtime commands that change a container: create, start, run, kill,
 * delete. Each parses its flags and calls the runtime library. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "cli/runtime_cli.h"
#include "runtime/signal.h"
#include "util/strv.h"

enum {
	OPT_BUNDLE = 256,
	OPT_CONSOLE_SOCKET,
	OPT_PID_FILE,
	OPT_NO_PIVOT,
	OPT_NO_NEW_KEYRING,
	OPT_PRESERVE_FDS,
	OPT_DETACH,
	OPT_KEEP,
};

static const struct option create_options[] = {
	{ "bundle", required_argument, NULL, 'b' },
	{ "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
	{ "pid-file", required_argument, NULL, OPT_PID_FILE },
	{ "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
	{ "no-new-keyring", no_argument, NULL, OPT_NO_NEW_KEYRING },
	{ "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
	{ "detach", no_argument, NULL, 'd' },
	{ "keep", no_argument, NULL, OPT_KEEP },
	{ NULL, 0, NULL, 0 },
};

/* Parses the flags create and run share (run also takes --detach, --keep).
 * Returns 0, or an exit status for a bad flag. */
static int parse_create_flags(const struct cli_command *cmd, int argc, char **argv, int is_run,
			      struct create_options *opts, int *detach, int *keep)
{
	int c;

	opts->bundle = ".";
	while ((c = cli_getopt(cmd, argc, argv, is_run ? "b:d" : "b:", create_options)) != -1) {
		switch (c) {
		case 'b':
			opts->bundle = optarg;
			break;
		case OPT_CONSOLE_SOCKET:
			opts->console_socket = optarg;
			break;
		case OPT_PID_FILE:
			opts->pid_file = optarg;
			break;
		case OPT_NO_PIVOT:
			opts->no_pivot = 1;
			break;
		case OPT_NO_NEW_KEYRING:
			opts->no_new_keyring = 1;
			break;
		case OPT_PRESERVE_FDS:
			if (str_to_int(optarg, &opts->preserve_fds) < 0 || opts->preserve_fds < 0)
				return cli_fail_usage(cmd->name, "--preserve-fds: invalid number \"%s\"", optarg);
			break;
		case 'd':
		case OPT_KEEP:
			if (!is_run)
				return cli_fail_usage(cmd->name, "unknown flag: %s", argv[optind - 1]);
			if (c == 'd')
				*detach = 1;
			else
				*keep = 1;
			break;
		default:
			return 1;
		}
	}
	if (cli_want_args(cmd->name, argc - optind, 1, 1) < 0)
		return 1;
	opts->id = argv[optind];
	return 0;
}

int runtime_cmd_create(const struct runtime_context *ctx, int argc, char **argv)
{
	const struct cli_command *cmd = cli_find_command(runtime_commands, "create");
	struct create_options opts = { 0 };
	struct silo_err err;
	pid_t pid;
	int r = parse_create_flags(cmd, argc, argv, 0, &opts, NULL, NULL);

	if (r)
		return r;
	if (container_create(ctx, &opts, &pid, &err) < 0)
		return cli_fail(NULL, &err);
	return 0;
}

int runtime_cmd_run(const struct runtime_context *ctx, int argc, char **argv)
{
	const struct cli_command *cmd = cli_find_command(runtime_commands, "run");
	struct create_options opts = { 0 };
	struct silo_err err;
	int detach = 0, keep = 0, status;
	int r = parse_create_flags(cmd, argc, argv, 1, &opts, &detach, &keep);

	if (r)
		return r;
	if (keep && !detach)
		return cli_fail_usage(cmd->name, "--keep is not supported yet");
	if (container_run(ctx, &opts, detach, &status, &err) < 0)
		return cli_fail(NULL, &err);
	return status;
}

/* Commands whose only argument is the container ID. */
static int parse_id_only(const char *name, int argc, char **argv, const char **id)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	const struct cli_command *cmd = cli_find_command(runtime_commands, name);

	if (cli_getopt(cmd, argc, argv, "", none) != -1)
		return 1;
	if (cli_want_args(name, argc - optind, 1, 1) < 0)
		return 1;
	*id = argv[optind];
	return 0;
}

int runtime_cmd_start(const struct runtime_context *ctx, int argc, char **argv)
{
	struct silo_err err;
	const char *id;

	if (parse_id_only("start", argc, argv, &id))
		return 1;
	if (container_start(ctx, id, &err) < 0)
		return cli_fail(NULL, &err);
	return 0;
}

int runtime_cmd_kill(const struct runtime_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find_command(runtime_commands, "kill");
	struct silo_err err;
	int all = 0, sig = SIGTERM, c;

	while ((c = cli_getopt(cmd, argc, argv, "a", options)) != -1) {
		if (c != 'a')
			return 1;
		all = 1;
	}
	if (cli_want_args(cmd->name, argc - optind, 1, 2) < 0)
		return 1;
	if (argc - optind == 2) {
		sig = signal_parse(argv[optind + 1]);
		if (sig < 0)
			return cli_fail_usage(cmd->name, "unknown signal \"%s\"", argv[optind + 1]);
	}
	if (container_kill(ctx, argv[optind], sig, all, &err) < 0)
		return cli_fail(NULL, &err);
	return 0;
}

int runtime_cmd_delete(const struct runtime_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find_command(runtime_commands, "delete");
	struct silo_err err;
	int force = 0, c;

	while ((c = cli_getopt(cmd, argc, argv, "f", options)) != -1) {
		if (c != 'f')
			return 1;
		force = 1;
	}
	if (cli_want_args(cmd->name, argc - optind, 1, 1) < 0)
		return 1;
	if (container_delete(ctx, argv[optind], force, &err) < 0) {
		/* runc's delete --force of a container that is already gone
		 * succeeds: there is nothing left to remove. */
		if (force && err.code == ENOENT)
			return 0;
		return cli_fail(NULL, &err);
	}
	return 0;
}
