/* The runtime face's global flags and command table, as runc has them:
 * `silo-runtime [--root DIR] [--log FILE] [--log-format text|json] [--debug]
 *  [--systemd-cgroup] [--rootless auto|true|false] COMMAND [ARGS]`. */
#include "cli/options.h"
#include "cli/runtime_cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"

#define DEFAULT_ROOT "/run/silo"

const struct cli_command runtime_commands[] = {
	{ "create", "create a container",
	  "USAGE:\n   create [options] CONTAINER_ID\n\nOPTIONS:\n"
	  "   --bundle value, -b value  path to the root of the bundle directory (default: .)\n"
	  "   --console-socket value    path to an AF_UNIX socket that receives the pty master\n"
	  "   --pid-file value          file to write the process id to\n"
	  "   --no-pivot                do not use pivot_root to jail the process inside rootfs\n"
	  "   --no-new-keyring          do not create a new session keyring for the container\n"
	  "   --preserve-fds value      pass N additional file descriptors to the container (default: 0)\n",
	  runtime_cmd_create },
	{ "start", "executes the user defined process in a created container",
	  "USAGE:\n   start CONTAINER_ID\n", runtime_cmd_start },
	{ "run", "create and run a container",
	  "USAGE:\n   run [options] CONTAINER_ID\n\nOPTIONS:\n"
	  "   --bundle value, -b value  path to the root of the bundle directory (default: .)\n"
	  "   --console-socket value    path to an AF_UNIX socket that receives the pty master\n"
	  "   --detach, -d              detach from the container's process\n"
	  "   --keep                    do not delete the container after it exits\n"
	  "   --pid-file value          file to write the process id to\n"
	  "   --no-pivot                do not use pivot_root to jail the process inside rootfs\n"
	  "   --no-new-keyring          do not create a new session keyring for the container\n"
	  "   --preserve-fds value      pass N additional file descriptors to the container (default: 0)\n",
	  runtime_cmd_run },
	{ "state", "output the state of a container", "USAGE:\n   state CONTAINER_ID\n",
	  runtime_cmd_state },
	{ "kill", "kill sends the specified signal (default: SIGTERM) to the container's init process",
	  "USAGE:\n   kill [options] CONTAINER_ID [SIGNAL]\n\nOPTIONS:\n"
	  "   --all, -a  send the signal to all processes in the container\n",
	  runtime_cmd_kill },
	{ "delete", "delete any resources held by the container",
	  "USAGE:\n   delete [options] CONTAINER_ID\n\nOPTIONS:\n"
	  "   --force, -f  forcibly delete the container if it is still running (uses SIGKILL)\n",
	  runtime_cmd_delete },
	{ "list", "lists containers started by silo with the given root",
	  "USAGE:\n   list [options]\n\nOPTIONS:\n"
	  "   --format value, -f value  select one of: table or json (default: table)\n"
	  "   --quiet, -q               display only container IDs\n",
	  runtime_cmd_list },
	{ "spec", "create a new specification file",
	  "USAGE:\n   spec [options]\n\nOPTIONS:\n"
	  "   --bundle value, -b value  path to the root of the bundle directory\n"
	  "   --rootless                generate a configuration for a rootless container\n",
	  runtime_cmd_spec },
	{ "exec", "execute new process inside the container",
	  "USAGE:\n   exec [options] CONTAINER_ID COMMAND [args...]\n\nOPTIONS:\n"
	  "   --console-socket value     path to an AF_UNIX socket that receives the pty master\n"
	  "   --cwd value                current working directory in the container\n"
	  "   --env value, -e value      set environment variables\n"
	  "   --tty, -t                  allocate a pseudo-TTY\n"
	  "   --user value, -u value     UID (format: <uid>[:<gid>])\n"
	  "   --additional-gids value, -g value  additional gids\n"
	  "   --process value, -p value  path to the process.json\n"
	  "   --detach, -d               detach from the container's process\n"
	  "   --pid-file value           file to write the process id to\n"
	  "   --process-label value      set the asm process label for the process\n"
	  "   --apparmor value           set the apparmor profile for the process\n"
	  "   --no-new-privs             set the no new privileges value for the process\n"
	  "   --cap value, -c value      add a capability to the bounding set for the process\n"
	  "   --preserve-fds value       pass N additional file descriptors to the container (default: 0)\n",
	  runtime_cmd_exec },
	{ "pause", "pause suspends all processes inside the container",
	  "USAGE:\n   pause CONTAINER_ID\n", runtime_cmd_pause },
	{ "resume", "resumes all processes that have been previously paused",
	  "USAGE:\n   resume CONTAINER_ID\n", runtime_cmd_resume },
	{ "ps", "ps displays the processes running inside a container",
	  "USAGE:\n   ps [options] CONTAINER_ID [ps options]\n\nOPTIONS:\n"
	  "   --format value, -f value  select one of: table or json (default: table)\n",
	  runtime_cmd_ps },
	{ "update", "update container resource constraints",
	  "USAGE:\n   update [options] CONTAINER_ID\n\nOPTIONS:\n"
	  "   --resources value, -r value  path to a JSON file of linux.resources, or - for stdin\n"
	  "   --memory value               memory limit (sizes take k, m, g)\n"
	  "   --memory-swap value          total memory and swap limit\n"
	  "   --memory-reservation value   memory soft limit\n"
	  "   --kernel-memory value        kernel memory limit (ignored by Linux 6.x)\n"
	  "   --kernel-memory-tcp value    kernel TCP buffer limit\n"
	  "   --cpu-shares value           CPU shares (relative weight)\n"
	  "   --cpu-quota value            CPU CFS quota in microseconds\n"
	  "   --cpu-period value           CPU CFS period in microseconds\n"
	  "   --cpu-burst value            CPU CFS burst in microseconds\n"
	  "   --cpu-rt-period value        real-time period in microseconds\n"
	  "   --cpu-rt-runtime value       real-time runtime in microseconds\n"
	  "   --cpu-idle value             SCHED_IDLE for the cgroup (0 or 1)\n"
	  "   --cpuset-cpus value          CPUs to use (0-3, 0,1)\n"
	  "   --cpuset-mems value          memory nodes to use (0-3, 0,1)\n"
	  "   --pids-limit value           maximum number of processes\n"
	  "   --blkio-weight value         block IO weight (10 to 1000)\n",
	  runtime_cmd_update },
	{ "events", "display container events such as OOM notifications, cpu, memory, and IO usage statistics",
	  "USAGE:\n   events [options] CONTAINER_ID\n\nOPTIONS:\n"
	  "   --interval value  set the stats collection interval (default: 5s)\n"
	  "   --stats           display the container's stats then exit\n",
	  runtime_cmd_events },
	{ "features", "show the enabled features", "USAGE:\n   features\n", runtime_cmd_features },
	{ NULL, NULL, NULL, NULL },
};

static void print_help(const char *face)
{
	printf("NAME:\n   %s - an OCI runtime with runc's command line\n\n", face);
	printf("USAGE:\n   %s [global options] command [command options] [arguments...]\n\n", face);
	printf("COMMANDS:\n");
	for (const struct cli_command *c = runtime_commands; c->name; c++)
		printf("   %-9s %s\n", c->name, c->summary);
	printf("\nGLOBAL OPTIONS:\n"
	       "   --root value          root directory for storage of container state (default: \"%s\")\n"
	       "   --log value           set the log file to write runtime logs to (default: stderr)\n"
	       "   --log-format value    set the log format ('text' (default), or 'json')\n"
	       "   --debug               enable debug logging\n"
	       "   --systemd-cgroup      use systemd's cgroup driver (needs a running systemd)\n"
	       "   --rootless value      ignore cgroup permission errors ('true', 'false', or 'auto')\n"
	       "   --help, -h            show help\n"
	       "   --version, -v         print the version\n",
	       DEFAULT_ROOT);
}

/* /run/silo for root; an unprivileged user's state lives in their
 * XDG_RUNTIME_DIR (or a directory of their own under /tmp). */
static const char *default_root(void)
{
	static char path[4096];
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (geteuid() == 0)
		return DEFAULT_ROOT;
	if (xdg && *xdg)
		snprintf(path, sizeof(path), "%s/silo", xdg);
	else
		snprintf(path, sizeof(path), "/tmp/silo-%u", (unsigned)geteuid());
	return path;
}

enum { OPT_ROOT = 256, OPT_LOG, OPT_LOG_FORMAT, OPT_DEBUG, OPT_SYSTEMD, OPT_ROOTLESS, OPT_CRIU };

int runtime_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
		{ "debug", no_argument, NULL, OPT_DEBUG },
		{ "systemd-cgroup", no_argument, NULL, OPT_SYSTEMD },
		{ "rootless", required_argument, NULL, OPT_ROOTLESS },
		{ "criu", required_argument, NULL, OPT_CRIU },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *face = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	struct runtime_context ctx = { .root = default_root() };
	enum log_format format = LOG_FORMAT_TEXT;
	const char *log_path = NULL;
	const struct cli_command *cmd;
	struct silo_err err;
	int debug = 0, c;

	if (strcmp(face, "silo-runtime"))
		face = "silo runtime";
	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+:hv", options, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT:
			ctx.root = optarg;
			break;
		case OPT_LOG:
			log_path = optarg;
			break;
		case OPT_LOG_FORMAT:
			if (log_parse_format(optarg, &format) < 0)
				return cli_fail_usage(NULL, "--log-format: unknown format \"%s\" (use text or json)",
						      optarg);
			break;
		case OPT_DEBUG:
			debug = 1;
			break;
		case OPT_SYSTEMD:
			ctx.systemd_cgroup = 1;
			break;
		case OPT_ROOTLESS:
			if (strcmp(optarg, "auto") && strcmp(optarg, "true") && strcmp(optarg, "false"))
				return cli_fail_usage(NULL, "--rootless: invalid value \"%s\" (use auto, true or false)",
						      optarg);
			if (!strcmp(optarg, "true") && geteuid() == 0)
				log_warning("--rootless=true: running as root, rootless mode has no effect");
			break;
		case OPT_CRIU:
			break; /* accepted for compatibility: checkpointing is not offered */
		case 'h':
			print_help(face);
			return 0;
		case 'v':
			cli_print_version(face);
			return 0;
		case ':':
			return cli_fail_usage(NULL, "flag needs an argument: %s", argv[optind - 1]);
		default:
			return cli_fail_usage(NULL, "unknown global flag: %s (see '%s --help')",
					      argv[optind - 1], face);
		}
	}
	if (log_setup(log_path, format, debug, &err) < 0)
		return cli_fail(NULL, &err);
	if (optind >= argc) {
		print_help(face);
		return 0;
	}
	cmd = cli_find_command(runtime_commands, argv[optind]);
	if (!cmd)
		return cli_fail_usage(NULL, "unknown command \"%s\" (see '%s --help')", argv[optind], face);
	for (int i = optind + 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			cli_print_command_help(face, cmd);
			return 0;
		}
	}
	argv += optind;
	argc -= optind;
	optind = 0; /* glibc: fully restart getopt for the command's flags */
	return cmd->run(&ctx, argc, argv);
}
