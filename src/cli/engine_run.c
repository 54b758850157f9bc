/* Making and starting containers, with docker's names and flags: create
 * (the record, volumes, snapshot and config.json), start (a monitor for a
 * created or exited container: detached, or in the foreground with -a),
 * restart (stop, then start), and run = create + start. create and run
 * take the same flags; run's flags end at IMAGE. */
#include "cli/engine_run.h"
#include "cli/engine_attach.h"
#include "cli/engine_session.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <jansson.h>

#include "engine/attach.h"
#include "engine/lifecycle.h"
#include "engine/logfile.h"
#include "engine/monitor.h"
#include "engine/mounts.h"
#include "engine/network.h"
#include "engine/restart.h"
#include "engine/userns_mode.h"
#include "net/ports.h"
#include "runtime/signal.h"
#include "util/cleanup.h"
#include "util/strv.h"

static int print_usage(const char *command)
{
	for (const struct engine_command *c = engine_run_commands; c->name; c++) {
		if (!strcmp(c->name, command)) {
			printf("%s\n\n%s\n", c->usage, c->summary);
			return 0;
		}
	}
	return 0;
}

static void on_pull(void *opaque, const char *image)
{
	(void)opaque;
	fprintf(stderr, "Unable to find image '%s' locally, pulling it\n", image);
}

static int valid_hostname(const char *name)
{
	size_t len = strlen(name);

	return len > 0 && len <= 64 && name[0] != '-' && name[0] != '.' &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") == len;
}

/* Long options without a short one, above any character. */
enum {
	OPT_MOUNT = 256, OPT_RESOURCE, OPT_SECURITY, OPT_ENV_FILE, OPT_INIT, OPT_LOG_DRIVER, OPT_LOG_OPT, OPT_DETACH_KEYS,
	OPT_USERNS, OPT_UIDMAP, OPT_GIDMAP
};

/* What run and create parse: the request and the storage its pointers
 * borrow. */
struct create_flags {
	struct engine_create_request req;
	int detach;
	char **env, **aliases, **expose, **dns, **dns_search, **dns_options, **add_hosts;
	struct port_mapping *ports;
	size_t n_ports;
	json_t *mounts;
	json_t *restart_policy;
	struct engine_resources resources;
	struct engine_security security;
	char **labels;
	char **env_files;
	int init;
	char *init_path;
	const char *log_driver;
	char **log_opts;
	json_t *log_config;
	unsigned char detach_keys[16];
	size_t n_detach_keys;
	struct engine_userns userns;
};

static void create_flags_free(struct create_flags *f)
{
	strv_free(f->env);
	strv_free(f->aliases);
	strv_free(f->expose);
	strv_free(f->dns);
	strv_free(f->dns_search);
	strv_free(f->dns_options);
	strv_free(f->add_hosts);
	free(f->ports);
	json_decref(f->mounts);
	json_decref(f->restart_policy);
	engine_resources_free(&f->resources);
	engine_security_free(&f->security);
	strv_free(f->labels);
	strv_free(f->env_files);
	free(f->init_path);
	strv_free(f->log_opts);
	json_decref(f->log_config);
	engine_userns_free(&f->userns);
}

#define _cleanup_create_flags_ __attribute__((cleanup(create_flags_free)))

static int add_mount(struct create_flags *f, const char *command, const char *spec,
		     int (*parse)(const char *spec, json_t **out, struct silo_err *err))
{
	struct silo_err err = { 0 };
	json_t *entry = NULL;

	if (parse(spec, &entry, &err) < 0)
		return engine_usage_error(command, "%s", err.msg);
	json_array_append_new(f->mounts, entry);
	return 0;
}

/* --env-file: a K=V (or K, passed on from our environment) a line; blank
 * lines and lines starting with # are skipped. They come before -e, which
 * wins, as with docker. */
static int merge_env_files(const char *command, struct create_flags *f)
{
	char **merged = NULL;

	for (char **path = f->env_files; *path; path++) {
		_cleanup_fclose_ FILE *in = fopen(*path, "re");
		char line[8192];

		if (!in) {
			char why[512];

			snprintf(why, sizeof(why), "invalid --env-file \"%s\": %s", *path, strerror(errno));
			strv_free(merged);
			return engine_usage_error(command, "%s", why);
		}
		while (fgets(line, sizeof(line), in)) {
			char *start = line + strspn(line, " \t");

			start[strcspn(start, "\r\n")] = 0;
			if (!*start || *start == '#')
				continue;
			if (*start == '=') {
				char why[512];

				snprintf(why, sizeof(why), "invalid --env-file \"%s\": \"%.64s\" has no name", *path, start);
				strv_free(merged);
				return engine_usage_error(command, "%s", why);
			}
			if (strv_push(&merged, start) < 0) {
				strv_free(merged);
				return 125;
			}
		}
	}
	for (char **e = f->env; e && *e; e++)
		if (strv_push(&merged, *e) < 0) {
			strv_free(merged);
			return 125;
		}
	strv_free(f->env);
	f->env = merged;
	return 0;
}

/* Parses run's or create's flags up to IMAGE. Returns 0, 125 after a
 * reported usage error, or -1 after --help was printed. */
static int parse_create_flags(const char *command, int argc, char **argv, struct create_flags *f)
{
	static const struct option longopts[] = {
		{ "rm", no_argument, NULL, 'R' },
		{ "detach", no_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'N' },
		{ "env", required_argument, NULL, 'e' },
		{ "workdir", required_argument, NULL, 'w' },
		{ "user", required_argument, NULL, 'u' },
		{ "tty", no_argument, NULL, 't' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "entrypoint", required_argument, NULL, 'E' },
		{ "network", required_argument, NULL, 'n' },
		{ "net", required_argument, NULL, 'n' },
		{ "pull", required_argument, NULL, 'L' },
		{ "publish", required_argument, NULL, 'p' },
		{ "publish-all", no_argument, NULL, 'P' },
		{ "expose", required_argument, NULL, 'X' },
		{ "network-alias", required_argument, NULL, 'A' },
		{ "net-alias", required_argument, NULL, 'A' },
		{ "ip", required_argument, NULL, 'I' },
		{ "mac-address", required_argument, NULL, 'M' },
		{ "dns", required_argument, NULL, 'D' },
		{ "dns-search", required_argument, NULL, 'Q' },
		{ "dns-option", required_argument, NULL, 'O' },
		{ "add-host", required_argument, NULL, 'a' },
		{ "hostname", required_argument, NULL, 'h' },
		{ "read-only", no_argument, NULL, 'r' },
		{ "stop-signal", required_argument, NULL, 'S' },
		{ "stop-timeout", required_argument, NULL, 'T' },
		{ "volume", required_argument, NULL, 'v' },
		{ "mount", required_argument, NULL, OPT_MOUNT },
		{ "tmpfs", required_argument, NULL, 'F' },
		{ "restart", required_argument, NULL, 'W' },
		{ "memory", required_argument, NULL, 'm' },
		{ "memory-swap", required_argument, NULL, OPT_RESOURCE },
		{ "memory-reservation", required_argument, NULL, OPT_RESOURCE },
		{ "cpuset-mems", required_argument, NULL, OPT_RESOURCE },
		{ "cpus", required_argument, NULL, OPT_RESOURCE },
		{ "cpu-shares", required_argument, NULL, OPT_RESOURCE },
		{ "cpuset-cpus", required_argument, NULL, OPT_RESOURCE },
		{ "pids-limit", required_argument, NULL, OPT_RESOURCE },
		{ "shm-size", required_argument, NULL, OPT_RESOURCE },
		{ "ulimit", required_argument, NULL, OPT_RESOURCE },
		{ "cap-add", required_argument, NULL, OPT_SECURITY },
		{ "cap-drop", required_argument, NULL, OPT_SECURITY },
		{ "privileged", no_argument, NULL, OPT_SECURITY },
		{ "security-opt", required_argument, NULL, OPT_SECURITY },
		{ "device", required_argument, NULL, OPT_SECURITY },
		{ "pid", required_argument, NULL, OPT_SECURITY },
		{ "ipc", required_argument, NULL, OPT_SECURITY },
		{ "uts", required_argument, NULL, OPT_SECURITY },
		{ "label", required_argument, NULL, 'l' },
		{ "env-file", required_argument, NULL, OPT_ENV_FILE },
		{ "init", no_argument, NULL, OPT_INIT },
		{ "log-driver", required_argument, NULL, OPT_LOG_DRIVER },
		{ "log-opt", required_argument, NULL, OPT_LOG_OPT },
		{ "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
		{ "userns", required_argument, NULL, OPT_USERNS },
		{ "uidmap", required_argument, NULL, OPT_UIDMAP },
		{ "gidmap", required_argument, NULL, OPT_GIDMAP },
		{ "help", no_argument, NULL, 'H' },
		{ 0 },
	};
	struct engine_create_request *req = &f->req;
	int is_run = !strcmp(command, "run");
	struct silo_err err = { 0 };
	char ***list;
	int c, index = 0;

	f->mounts = json_array();
	if (!f->mounts)
		return 125;
	if (attach_client_detach_keys(command, ATTACH_DEFAULT_DETACH_KEYS, f->detach_keys,
				      sizeof(f->detach_keys), &f->n_detach_keys))
		return 125;
	while ((c = engine_next_option_index(command, argc, argv,
					     is_run ? "de:w:u:tih:p:Pv:m:l:" : "e:w:u:tih:p:Pv:m:l:", longopts,
					     &index)) != -1) {
		list = NULL;
		switch (c) {
		case 'm':
		case OPT_RESOURCE:
			if (engine_resources_set(&f->resources, c == 'm' ? "memory" : longopts[index].name,
						 optarg, &err) < 0)
				return engine_usage_error(command, "%s", err.msg);
			break;
		case OPT_SECURITY:
			if (engine_security_set(&f->security, longopts[index].name, optarg, &err) < 0)
				return engine_usage_error(command, "%s", err.msg);
			break;
		case 'l':
			if (!*optarg || *optarg == '=')
				return engine_usage_error(command, "invalid --label \"%s\": want KEY=VALUE", optarg);
			list = &f->labels;
			break;
		case 'H':
			print_usage(command);
			return -1;
		case 'h':
			if (!valid_hostname(optarg))
				return engine_usage_error(command, "invalid --hostname \"%s\": want letters, digits, '-' and '.', at most 64", optarg);
			req->hostname = optarg;
			break;
		case 'r':
			req->flags.read_only = 1;
			break;
		case OPT_USERNS:
			if (engine_userns_parse(&f->userns, optarg, &err) < 0)
				return engine_usage_error(command, "%s", err.msg);
			break;
		case OPT_UIDMAP:
		case OPT_GIDMAP:
			if (engine_userns_add_map(&f->userns, c == OPT_GIDMAP, optarg, &err) < 0)
				return engine_usage_error(command, "%s", err.msg);
			break;
		case 'S':
			if (signal_parse(optarg) <= 0)
				return engine_usage_error(command, "invalid --stop-signal \"%s\"", optarg);
			req->stop_signal = optarg;
			break;
		case 'T':
			if (str_to_int(optarg, &req->stop_timeout) < 0 || req->stop_timeout < 0)
				return engine_usage_error(command, "invalid --stop-timeout \"%s\": want a number of seconds", optarg);
			break;
		case 'R':
			req->auto_remove = 1;
			break;
		case OPT_INIT:
			f->init = 1;
			break;
		case 'd':
			if (!is_run)
				return engine_usage_error(command, "%s", "unknown flag: --detach (create never starts the container)");
			f->detach = 1;
			break;
		case 'N':
			req->name = optarg;
			break;
		case 'w':
			req->flags.workdir = optarg;
			break;
		case 'u':
			req->flags.user = optarg;
			break;
		case 't':
			req->flags.tty = 1;
			break;
		case 'i':
			req->flags.interactive = 1;
			break;
		case 'E':
			req->flags.entrypoint = optarg;
			break;
		case 'n':
			if (!*optarg)
				return engine_usage_error(command, "%s", "invalid --network \"\": want bridge, none, host, container:NAME or a network's name");
			req->net.mode = optarg;
			break;
		case 'p':
			if (ports_parse(optarg, &f->ports, &f->n_ports, &err) < 0)
				return engine_usage_error(command, "invalid --publish: %s", err.msg);
			break;
		case 'P':
			req->net.publish_all = 1;
			break;
		case 'I':
			req->net.ip = optarg;
			break;
		case 'M':
			req->net.mac = optarg;
			break;
		case 'v':
			if (add_mount(f, command, optarg, mounts_parse_volume_flag))
				return 125;
			break;
		case OPT_MOUNT:
			if (add_mount(f, command, optarg, mounts_parse_mount_flag))
				return 125;
			break;
		case 'F':
			if (add_mount(f, command, optarg, mounts_parse_tmpfs_flag))
				return 125;
			break;
		case 'W':
			json_decref(f->restart_policy);
			f->restart_policy = NULL;
			if (restart_policy_parse(optarg, &f->restart_policy, &err) < 0)
				return engine_usage_error(command, "%s", err.msg);
			break;
		case OPT_DETACH_KEYS:
			if (!is_run)
				return engine_usage_error(command, "%s", "unknown flag: --detach-keys");
			if (attach_client_detach_keys(command, optarg, f->detach_keys, sizeof(f->detach_keys),
						      &f->n_detach_keys))
				return 125;
			break;
		case 'e': list = &f->env; break;
		case OPT_ENV_FILE: list = &f->env_files; break;
		case OPT_LOG_OPT: list = &f->log_opts; break;
		case OPT_LOG_DRIVER:
			f->log_driver = optarg;
			break;
		case 'X': list = &f->expose; break;
		case 'A': list = &f->aliases; break;
		case 'D': list = &f->dns; break;
		case 'Q': list = &f->dns_search; break;
		case 'O': list = &f->dns_options; break;
		case 'a': list = &f->add_hosts; break;
		case 'L':
			if (!strcmp(optarg, "missing"))
				req->pull = ENGINE_PULL_MISSING;
			else if (!strcmp(optarg, "always"))
				req->pull = ENGINE_PULL_ALWAYS;
			else if (!strcmp(optarg, "never"))
				req->pull = ENGINE_PULL_NEVER;
			else
				return engine_usage_error(command, "invalid --pull \"%s\": want missing, always or never", optarg);
			break;
		default:
			return 125;
		}
		if (list && strv_push(list, optarg) < 0)
			return 125;
	}
	if (optind >= argc)
		return engine_usage_error(command, "%s", "requires at least 1 argument: IMAGE [COMMAND] [ARG...]");
	if (req->auto_remove && restart_policy_active(f->restart_policy))
		return engine_usage_error(command, "%s", "conflicting options: --restart and --rm");
	if (f->env_files && merge_env_files(command, f) != 0)
		return 125;
	if (engine_resources_check(&f->resources, &err) < 0)
		return engine_usage_error(command, "%s", err.msg);
	if (f->init && !(f->init_path = engine_config_init_path(&err)))
		return engine_usage_error(command, "%s", err.msg);
	req->flags.init_path = f->init_path;
	if (logfile_config_parse(f->log_driver, f->log_opts, &f->log_config, &err) < 0)
		return engine_usage_error(command, "%s", err.msg);
	req->log_config = f->log_config;
	if (engine_userns_check(&f->userns, &err) < 0)
		return engine_usage_error(command, "%s", err.msg);
	req->flags.userns = &f->userns;
	req->flags.resources = &f->resources;
	req->flags.security = &f->security;
	req->labels = f->labels;
	req->restart_policy = f->restart_policy;
	req->image = argv[optind];
	req->flags.cmd = argv + optind + 1;
	req->flags.env = f->env;
	req->net.aliases = f->aliases;
	req->net.expose = f->expose;
	req->net.dns = f->dns;
	req->net.dns_search = f->dns_search;
	req->net.dns_options = f->dns_options;
	req->net.add_hosts = f->add_hosts;
	req->net.ports = f->ports;
	req->net.n_ports = f->n_ports;
	req->mounts = f->mounts;
	return 0;
}

/* A foreground start with a terminal and stdin: a detached monitor runs
 * the container and we are its first attach client (from before the
 * container starts, so no output is missed), so the user can detach and
 * leave it running. */
static int start_attached_tty(struct session *s, const char *command, const char *id,
			      const unsigned char *detach_keys, size_t n_detach_keys, int *status)
{
	struct monitor_detach_options opts = { .attach_fd = -1 };
	struct attach_client_options client = { .tty = 1, .send_stdin = 1, .sig_proxy = 1,
						.detach_keys = detach_keys, .n_detach_keys = n_detach_keys };
	struct silo_err err = { 0 };
	_cleanup_close_ int ours = -1;
	struct winsize ws;
	int pair[2], r;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
		silo_err_errno(&err, "attach socket");
		*status = session_fail(command, &err, 125);
		return -1;
	}
	ours = pair[0];
	opts.attach_fd = pair[1];
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
		opts.rows = ws.ws_row;
		opts.cols = ws.ws_col;
	}
	r = monitor_spawn_detached(&s->env, id, &opts, &err);
	close(pair[1]);
	if (r < 0) {
		*status = session_fail(command, &err, 125);
		return -1;
	}
	client.fd = ours;
	r = attach_client_run(&client, status);
	if (r == ATTACH_CLIENT_DETACHED) {
		attach_client_say_detached();
		*status = 0;
	} else if (r == ATTACH_CLIENT_LOST &&
		   (engine_container_wait(&s->env, id, status, &err) < 0 || *status < 0)) {
		*status = 125;
	}
	return 0;
}

/* Starts a created or exited container: under a detached monitor, or with
 * attach under this process, which then exits with the container (with a
 * terminal and stdin, as the first client of a detached monitor). *status
 * is the exit status to return. Returns -1 after reporting a failure. */
static int start_one(struct session *s, const char *command, const char *id, int attach,
		     int interactive, int tty, const struct create_flags *f, int *status)
{
	struct silo_err err = { 0 };

	*status = 0;
	if (!attach) {
		if (monitor_spawn_detached(&s->env, id, NULL, &err) < 0) {
			*status = session_fail(command, &err, 125);
			return -1;
		}
		return 0;
	}
	if (tty && interactive) {
		unsigned char keys[16];
		size_t n_keys = 0;

		if (f) {
			memcpy(keys, f->detach_keys, f->n_detach_keys);
			n_keys = f->n_detach_keys;
		} else if (attach_client_detach_keys(command, ATTACH_DEFAULT_DETACH_KEYS, keys, sizeof(keys),
						     &n_keys)) {
			*status = 125;
			return -1;
		}
		return start_attached_tty(s, command, id, keys, n_keys, status);
	}
	{
		struct monitor_request mreq = { .env = &s->env, .id = id, .foreground = 1,
						.interactive = interactive };

		if (monitor_run(&mreq, status, &err) < 0) {
			session_fail(command, &err, *status);
			return -1;
		}
	}
	return 0;
}

static int cmd_run(const struct engine_context *ctx, int argc, char **argv)
{
	_cleanup_session_ struct session s = { 0 };
	_cleanup_create_flags_ struct create_flags f = {
		.req = { .pull = ENGINE_PULL_MISSING, .on_pull = on_pull, .stop_timeout = -1 },
	};
	struct silo_err err = { 0 };
	char id[65];
	int r, status;

	r = parse_create_flags("run", argc, argv, &f);
	if (r)
		return r < 0 ? 0 : r;
	if (session_protect_exe("run"))
		return 125;
	if (session_open(ctx, &s, "run"))
		return 125;
	/* The monitor starts it at once: no unmount and mount again. */
	f.req.keep_mounted = 1;
	if (engine_container_create(&s.env, &f.req, id, &err) < 0)
		return session_fail("run", &err, 125);
	/* A failed start is recorded; --rm removed it. */
	if (start_one(&s, "run", id, !f.detach, f.req.flags.interactive, f.req.flags.tty, &f, &status) < 0)
		return status;
	if (f.detach)
		printf("%s\n", id);
	return status;
}

static int cmd_create(const struct engine_context *ctx, int argc, char **argv)
{
	_cleanup_session_ struct session s = { 0 };
	_cleanup_create_flags_ struct create_flags f = {
		.req = { .pull = ENGINE_PULL_MISSING, .on_pull = on_pull, .stop_timeout = -1 },
	};
	struct silo_err err = { 0 };
	char id[65];
	int r;

	r = parse_create_flags("create", argc, argv, &f);
	if (r)
		return r < 0 ? 0 : r;
	if (session_open(ctx, &s, "create"))
		return 125;
	if (engine_container_create(&s.env, &f.req, id, &err) < 0)
		return session_fail("create", &err, 125);
	printf("%s\n", id);
	return 0;
}

static int cmd_start(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "attach", no_argument, NULL, 'a' },
		{ "interactive", no_argument, NULL, 'i' },
		{ 0 },
	};
	_cleanup_session_ struct session s = { 0 };
	int attach = 0, interactive = 0, c, status = 0;

	while ((c = engine_next_option("start", argc, argv, "ai", longopts)) != -1) {
		if (c == 'a')
			attach = 1;
		else if (c == 'i')
			interactive = 1;
		else
			return 125;
	}
	if (optind == argc)
		return engine_usage_error("start", "%s", "wants at least one container");
	/* docker's -i attaches too. */
	attach |= interactive;
	if (attach && argc - optind > 1)
		return engine_usage_error("start", "%s", "you cannot start and attach multiple containers at once");
	if (session_protect_exe("start"))
		return 125;
	if (session_open(ctx, &s, "start"))
		return 125;
	for (int i = optind; i < argc; i++) {
		_cleanup_json_ json_t *rec = NULL;
		struct silo_err err = { 0 };
		char id[65];
		int code;

		if (session_resolve(&s, "start", argv[i], id)) {
			status = 1;
			continue;
		}
		if (engine_container_inspect(&s.env, id, &rec, &err) < 0) {
			status = session_fail("start", &err, 1);
			continue;
		}
		/* Starting what runs is nothing to do, as with docker. */
		if (!strcmp(engine_container_status(rec), "running") ||
		    !strcmp(engine_container_status(rec), "restarting")) {
			if (!attach)
				printf("%s\n", argv[i]);
			continue;
		}
		if (start_one(&s, "start", id, attach,
			      interactive && json_is_true(json_object_get(rec, "openStdin")),
			      json_is_true(json_object_get(rec, "tty")), NULL, &code) < 0) {
			status = attach ? code : 1;
			continue;
		}
		if (attach)
			return code;
		printf("%s\n", argv[i]);
	}
	return status;
}

static int cmd_restart(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "time", required_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 't' },
		{ 0 },
	};
	_cleanup_session_ struct session s = { 0 };
	int timeout = -1, c, status = 0;

	while ((c = engine_next_option("restart", argc, argv, "t:", longopts)) != -1) {
		if (c != 't')
			return 125;
		if (str_to_int(optarg, &timeout) < 0 || timeout < 0)
			return engine_usage_error("restart", "invalid --time \"%s\": want a number of seconds", optarg);
	}
	if (optind == argc)
		return engine_usage_error("restart", "%s", "wants at least one container");
	if (session_protect_exe("restart"))
		return 125;
	if (session_open(ctx, &s, "restart"))
		return 125;
	for (int i = optind; i < argc; i++) {
		struct silo_err err = { 0 };
		char id[65];
		int code;

		if (session_resolve(&s, "restart", argv[i], id)) {
			status = 1;
			continue;
		}
		if (engine_container_stop(&s.env, id, timeout, &err) < 0) {
			status = session_fail("restart", &err, 1);
			continue;
		}
		if (start_one(&s, "restart", id, 0, 0, 0, NULL, &code) < 0) {
			status = 1;
			continue;
		}
		printf("%s\n", argv[i]);
	}
	return status;
}

#define CREATE_OPTIONS \
	"      --add-host list        Add a NAME:IP line to /etc/hosts\n" \
	"      --cap-add list         Add capabilities (CHOWN or CAP_CHOWN; ALL: the host's bounding set)\n" \
	"      --cap-drop list        Drop capabilities (ALL: every one)\n" \
	"      --cpu-shares int       CPU shares (relative weight, 2 to 262144)\n" \
	"      --cpus decimal         Number of CPUs (a CFS quota of 100ms periods)\n" \
	"      --cpuset-cpus string   CPUs the container may run on (0-3, 0,1)\n" \
	"      --cpuset-mems string   Memory nodes the container may use (0-3, 0,1)\n" \
	"      --device list          Add a host device: HOST[:CONTAINER[:PERMISSIONS]] (rwm)\n" \
	"      --dns list             Name servers for /etc/resolv.conf\n" \
	"      --dns-option list      resolv.conf options\n" \
	"      --dns-search list      resolv.conf search domains\n" \
	"      --entrypoint string    Overwrite the image's ENTRYPOINT (\"\" clears it)\n" \
	"  -e, --env list             Set an environment variable (K=V, or K to pass ours on)\n" \
	"      --env-file list        Read environment variables from a file, one a line\n" \
	"      --expose list          Expose a port (for -P) as the image's EXPOSE does\n" \
	"  -h, --hostname string      The container's hostname (default: its short ID)\n" \
	"      --init                 Run an init as PID 1 that reaps zombies and forwards signals\n" \
	"  -i, --interactive          Keep STDIN open (with -d: for `silo attach`)\n" \
	"      --ip string            The container's IPv4 address (user-defined networks)\n" \
	"      --ipc string           host: share the host's IPC namespace\n" \
	"  -l, --label list           Set a label on the container: KEY=VALUE\n" \
	"      --log-driver string    json-file (default) or none (no log is kept)\n" \
	"      --log-opt list         json-file options: max-size=SIZE (k, m, g), max-file=N\n" \
	"                             (with max-size; default 1)\n" \
	"      --mac-address string   The container's MAC address\n" \
	"  -m, --memory bytes         Memory limit (k, m or g suffix)\n" \
	"      --memory-reservation bytes  Memory soft limit\n" \
	"      --memory-swap bytes    Memory plus swap limit: -1 for unlimited (default: twice --memory)\n" \
	"      --mount mount          type=bind|volume|tmpfs,source=…,target=…[,readonly]\n" \
	"                             [,bind-propagation=…][,volume-nocopy][,tmpfs-size=…][,tmpfs-mode=…]\n" \
	"      --name string          Name the container\n" \
	"      --network string       bridge (default), none, host, container:NAME,\n" \
	"                             slirp4netns, pasta, or a network made with `silo network create`\n" \
	"      --network-alias list   More names the container has on its network\n" \
	"      --pid string           host: share the host's PID namespace\n" \
	"      --pids-limit int       Most processes at once (-1: unlimited)\n" \
	"      --privileged           Every capability of the host, its devices, no seccomp,\n" \
	"                             no masked or read-only paths\n" \
	"  -p, --publish list         Publish a port: [IP:][HOST_PORT:]PORT[/tcp|/udp]\n" \
	"  -P, --publish-all          Publish every exposed port to a free host port\n" \
	"      --pull string          missing (default), always or never\n" \
	"      --read-only            Mount the container's root read-only\n" \
	"      --restart string       no (default), on-failure[:max-retries], always or unless-stopped\n" \
	"      --rm                   Remove the container (and its anonymous volumes) when it exits\n" \
	"      --security-opt list    no-new-privileges, seccomp=FILE or seccomp=unconfined\n" \
	"      --shm-size bytes       Size of /dev/shm (default 64m)\n" \
	"      --stop-signal string   Signal `stop` sends first (default: the image's, or SIGTERM)\n" \
	"      --stop-timeout int     Seconds `stop` waits before SIGKILL (default 10)\n" \
	"      --tmpfs list           Mount a tmpfs: PATH[:OPTIONS] (rw,noexec,nosuid,nodev by default)\n" \
	"  -t, --tty                  Allocate a pseudo-TTY\n" \
	"      --ulimit ulimit        NAME=SOFT[:HARD], at most the host's hard limit\n" \
	"  -u, --user string          user[:group], names or numbers (resolved in the image)\n" \
	"      --uidmap list          CONTAINER_ID:HOST_ID:SIZE: a user namespace of the container's own\n" \
	"                             (rootless: host IDs of your namespace: 0 you, 1… your /etc/subuid)\n" \
	"      --gidmap list          The same for groups (default: --uidmap's)\n" \
	"      --userns string        keep-id: rootless, run as your own UID and GID; auto: root,\n" \
	"                             65536 IDs of /etc/subuid's \"containers\" of its own (default: host)\n" \
	"      --uts string           host: share the host's UTS namespace (and its hostname)\n" \
	"  -v, --volume list          Bind a host path or mount a volume: SRC:DST[:ro|rw], or\n" \
	"                             DST for an anonymous volume\n" \
	"  -w, --workdir string       Working directory inside the container\n"

const struct engine_command engine_run_commands[] = {
	{ "run", "Create and run a new container from an image",
	  "Usage:  silo run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nOptions:\n"
	  "  -d, --detach               Run in the background under a monitor and print the container ID\n"
	  "      --detach-keys string   Keys that detach from -it and leave the container running\n"
	  "                             (default \"ctrl-p,ctrl-q\"; ctrl-X or single characters, comma-separated)\n"
	  CREATE_OPTIONS,
	  cmd_run, 1 },
	{ "create", "Create a new container",
	  "Usage:  silo create [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nOptions:\n" CREATE_OPTIONS,
	  cmd_create, 1 },
	{ "start", "Start one or more created or stopped containers",
	  "Usage:  silo start [OPTIONS] CONTAINER [CONTAINER...]\n\nOptions:\n"
	  "  -a, --attach        Attach stdout/stderr and exit with the container\n"
	  "  -i, --interactive   Attach the container's stdin (if created with -i)\n",
	  cmd_start },
	{ "restart", "Restart one or more containers",
	  "Usage:  silo restart [OPTIONS] CONTAINER [CONTAINER...]\n\nOptions:\n"
	  "  -t, --time int   Seconds to wait for the stop before SIGKILL\n",
	  cmd_restart },
	{ NULL, NULL, NULL, NULL, 0 },
};
