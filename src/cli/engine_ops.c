/* pause, unpause, update, rename, top and stats, with docker's names,
 * flags and output: each parses its flags and calls src/engine/ (pause
 * and unpause lifecycle.h, update and rename control.h, stats stats.h);
 * top runs the host's ps(1) on the container's processes. */
#include "cli/engine_ops.h"
#include "cli/engine_session.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "engine/control.h"
#include "engine/lifecycle.h"
#include "engine/record.h"
#include "engine/resources.h"
#include "engine/restart.h"
#include "engine/stats.h"
#include "runtime/container_resources.h"
#include "util/cleanup.h"
#include "util/ps_table.h"

static int print_usage(const char *command)
{
	for (const struct engine_command *c = engine_ops_commands; c->name; c++) {
		if (!strcmp(c->name, command)) {
			printf("%s\n\n%s\n", c->usage, c->summary);
			return 0;
		}
	}
	return 0;
}

/* -------------------------------------------------------- pause, unpause -- */

static int each_container(const struct engine_context *ctx, const char *command, int argc, char **argv,
			  int (*action)(const struct engine_env *, const char *, struct silo_err *))
{
	static const struct option longopts[] = { { 0 } };
	_cleanup_session_ struct session s = { 0 };
	int status = 0;

	if (engine_next_option(command, argc, argv, "", longopts) != -1)
		return 125;
	if (optind == argc)
		return engine_usage_error(command, "%s", "wants at least one container");
	if (session_open(ctx, &s, command))
		return 125;
	for (int i = optind; i < argc; i++) {
		struct silo_err err = { 0 };
		char id[65];

		if (session_resolve(&s, command, argv[i], id)) {
			status = 1;
			continue;
		}
		if (action(&s.env, id, &err) < 0) {
			status = session_fail(command, &err, 1);
			continue;
		}
		printf("%s\n", argv[i]);
	}
	return status;
}

static int cmd_pause(const struct engine_context *ctx, int argc, char **argv)
{
	return each_container(ctx, "pause", argc, argv, engine_container_pause);
}

static int cmd_unpause(const struct engine_context *ctx, int argc, char **argv)
{
	return each_container(ctx, "unpause", argc, argv, engine_container_unpause);
}

/* ---------------------------------------------------------------- update -- */

enum { OPT_RESOURCE = 256, OPT_RESTART };

static int cmd_update(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "memory", required_argument, NULL, 'm' },
		{ "memory-swap", required_argument, NULL, OPT_RESOURCE },
		{ "memory-reservation", required_argument, NULL, OPT_RESOURCE },
		{ "cpus", required_argument, NULL, OPT_RESOURCE },
		{ "cpu-shares", required_argument, NULL, OPT_RESOURCE },
		{ "cpuset-cpus", required_argument, NULL, OPT_RESOURCE },
		{ "cpuset-mems", required_argument, NULL, OPT_RESOURCE },
		{ "pids-limit", required_argument, NULL, OPT_RESOURCE },
		{ "restart", required_argument, NULL, OPT_RESTART },
		{ 0 },
	};
	_cleanup_session_ struct session s = { 0 };
	_cleanup_json_ json_t *policy = NULL;
	struct engine_resources resources = { 0 };
	struct silo_err err = { 0 };
	int c, index = 0, status = 0, any = 0;

	while ((c = engine_next_option_index("update", argc, argv, "m:", longopts, &index)) != -1) {
		switch (c) {
		case 'm':
		case OPT_RESOURCE:
			if (engine_resources_set(&resources, c == 'm' ? "memory" : longopts[index].name, optarg,
						 &err) < 0) {
				engine_resources_free(&resources);
				return engine_usage_error("update", "%s", err.msg);
			}
			any = 1;
			break;
		case OPT_RESTART:
			json_decref(policy);
			policy = NULL;
			if (restart_policy_parse(optarg, &policy, &err) < 0) {
				engine_resources_free(&resources);
				return engine_usage_error("update", "--restart: %s", err.msg);
			}
			any = 1;
			break;
		default:
			return 125;
		}
	}
	/* --memory-swap alone is checked against the container's memory
	 * limit, once the container is known. */
	if ((resources.memory && engine_resources_check(&resources, &err) < 0) || optind == argc || !any) {
		engine_resources_free(&resources);
		if (err.msg[0])
			return engine_usage_error("update", "%s", err.msg);
		if (optind == argc)
			return engine_usage_error("update", "%s", "wants at least one container");
		return engine_usage_error("update", "%s", "you must provide one or more flags when using this command");
	}
	if (session_open(ctx, &s, "update"))
		return 125;
	for (int i = optind; i < argc; i++) {
		char id[65];

		if (session_resolve(&s, "update", argv[i], id)) {
			status = 1;
			continue;
		}
		if (engine_container_update(&s.env, id, &resources, policy, &err) < 0) {
			status = session_fail("update", &err, 1);
			silo_err_clear(&err);
			continue;
		}
		printf("%s\n", argv[i]);
	}
	engine_resources_free(&resources);
	return status;
}

/* ---------------------------------------------------------------- rename -- */

static int cmd_rename(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = { { 0 } };
	_cleanup_session_ struct session s = { 0 };
	struct silo_err err = { 0 };
	char id[65];

	if (engine_next_option("rename", argc, argv, "", longopts) != -1)
		return 125;
	if (argc - optind != 2)
		return engine_usage_error("rename", "%s", "wants a container and its new name");
	if (session_open(ctx, &s, "rename"))
		return 125;
	if (session_resolve(&s, "rename", argv[optind], id))
		return 1;
	if (engine_container_rename(&s.env, id, argv[optind + 1], &err) < 0)
		return session_fail("rename", &err, err.code == EINVAL ? 125 : 1);
	return 0;
}

/* ------------------------------------------------------------------- top -- */

static int cmd_top(const struct engine_context *ctx, int argc, char **argv)
{
	_cleanup_session_ struct session s = { 0 };
	_cleanup_json_ json_t *rec = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	_cleanup_free_ char *table = NULL;
	struct silo_err err = { 0 };
	size_t n = 0;
	char id[65];

	/* Everything after the container is ps's own, flags included. */
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return print_usage("top");
	if (argc < 2)
		return engine_usage_error("top", "%s", "wants a container, then ps options if any");
	if (session_open(ctx, &s, "top"))
		return 125;
	if (session_resolve(&s, "top", argv[1], id))
		return 1;
	if (engine_container_inspect(&s.env, id, &rec, &err) < 0)
		return session_fail("top", &err, 1);
	if (strcmp(engine_container_status(rec), "running")) {
		silo_err_set(&err, EINVAL, "container %s is not running", argv[1]);
		return session_fail("top", &err, 1);
	}
	if (container_processes(&s.env.rt, id, &pids, &n, &err) < 0)
		return session_fail("top", &err, 1);
	table = ps_table(argv + 2, (size_t)(argc - 2), pids, n, &err);
	if (!table)
		return session_fail("top", &err, 1);
	fputs(table, stdout);
	return 0;
}

/* ----------------------------------------------------------------- stats -- */

/* docker's sizes: four significant digits, binary (MiB) or decimal (MB). */
static void size_text(double bytes, int binary, char *buf, size_t size)
{
	static const char *const binary_units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	static const char *const decimal_units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
	double base = binary ? 1024.0 : 1000.0;
	int unit = 0;

	while (bytes >= base && unit < 5) {
		bytes /= base;
		unit++;
	}
	snprintf(buf, size, "%.4g%s", bytes, binary ? binary_units[unit] : decimal_units[unit]);
}

struct stats_row {
	char id[65];
	char name[256];
	int running;
	struct engine_stats before, now;
};

static json_t *stats_cells(const struct stats_row *r, int no_trunc)
{
	char cpu[32] = "0.00%", mem[80], mem_percent[32] = "0.00%", net[80], block[80], pids[32];
	char a[32], b[32];

	if (r->running)
		snprintf(cpu, sizeof(cpu), "%.2f%%", engine_stats_cpu_percent(&r->before, &r->now));
	size_text((double)r->now.memory, 1, a, sizeof(a));
	size_text((double)r->now.memory_limit, 1, b, sizeof(b));
	snprintf(mem, sizeof(mem), "%s / %s", a, b);
	if (r->now.memory_limit)
		snprintf(mem_percent, sizeof(mem_percent), "%.2f%%",
			 (double)r->now.memory * 100.0 / (double)r->now.memory_limit);
	size_text((double)r->now.net_rx, 0, a, sizeof(a));
	size_text((double)r->now.net_tx, 0, b, sizeof(b));
	snprintf(net, sizeof(net), "%s / %s", a, b);
	size_text((double)r->now.block_read, 0, a, sizeof(a));
	size_text((double)r->now.block_write, 0, b, sizeof(b));
	snprintf(block, sizeof(block), "%s / %s", a, b);
	snprintf(pids, sizeof(pids), "%llu", (unsigned long long)r->now.pids);
	return json_pack("{s:s%, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID", r->id, (size_t)(no_trunc ? 64 : 12),
			 "Name", r->name, "CPUPerc", cpu, "MemUsage", mem, "MemPerc", mem_percent, "NetIO", net,
			 "BlockIO", block, "PIDs", pids);
}

/* The containers to show: those named, else the running ones (-a: all). */
static int stats_targets(struct session *s, char **names, int n_names, int all, struct stats_row **rows,
			 size_t *n)
{
	_cleanup_json_ json_t *list = NULL;
	struct silo_err err = { 0 };
	size_t i;
	json_t *listed;

	*n = 0;
	if (n_names > 0) {
		*rows = calloc((size_t)n_names, sizeof(**rows));
		if (!*rows)
			return -1;
		for (int k = 0; k < n_names; k++) {
			_cleanup_json_ json_t *rec = NULL;
			struct stats_row *r = &(*rows)[*n];

			if (session_resolve(s, "stats", names[k], r->id))
				return -1;
			if (engine_container_inspect(&s->env, r->id, &rec, &err) < 0) {
				session_fail("stats", &err, 1);
				return -1;
			}
			snprintf(r->name, sizeof(r->name), "%s", json_string_value(json_object_get(rec, "name")) ?: "");
			(*n)++;
		}
		return 0;
	}
	if (record_list(s->store.root, &list, &err) < 0) {
		session_fail("stats", &err, 1);
		return -1;
	}
	*rows = calloc(json_array_size(list) + 1, sizeof(**rows));
	if (!*rows)
		return -1;
	json_array_foreach(list, i, listed) {
		_cleanup_json_ json_t *rec = NULL;
		struct stats_row *r = &(*rows)[*n];
		const char *id = json_string_value(json_object_get(listed, "id"));

		if (!id || engine_container_inspect(&s->env, id, &rec, &err) < 0) {
			silo_err_clear(&err);
			continue;
		}
		if (!all && strcmp(engine_container_status(rec), "running"))
			continue;
		snprintf(r->id, sizeof(r->id), "%s", id);
		snprintf(r->name, sizeof(r->name), "%s", json_string_value(json_object_get(rec, "name")) ?: "");
		(*n)++;
	}
	return 0;
}

static void stats_sample(struct session *s, struct stats_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct silo_err ignored = { 0 };

		rows[i].before = rows[i].now;
		rows[i].running = engine_container_stats(&s->env, rows[i].id, &rows[i].now, &ignored) == 0;
	}
}

static void stats_print(const struct stats_row *rows, size_t n, int json, int no_trunc)
{
	_cleanup_json_ json_t *table = json_array();

	json_array_append_new(table, json_pack("[s, s, s, s, s, s, s, s]", "CONTAINER ID", "NAME", "CPU %",
					       "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS"));
	for (size_t i = 0; i < n; i++) {
		_cleanup_json_ json_t *cells = stats_cells(&rows[i], no_trunc);

		if (json) {
			_cleanup_free_ char *text = NULL;

			json_object_set_new(cells, "Container", json_string(rows[i].name));
			text = json_dumps(cells, JSON_COMPACT | JSON_SORT_KEYS);
			printf("%s\n", text ? text : "{}");
			continue;
		}
		json_array_append_new(table, json_pack("[O, O, O, O, O, O, O, O]", json_object_get(cells, "ID"),
						       json_object_get(cells, "Name"), json_object_get(cells, "CPUPerc"),
						       json_object_get(cells, "MemUsage"), json_object_get(cells, "MemPerc"),
						       json_object_get(cells, "NetIO"), json_object_get(cells, "BlockIO"),
						       json_object_get(cells, "PIDs")));
	}
	if (!json)
		session_print_table(table);
	fflush(stdout);
}

static volatile sig_atomic_t stats_interrupted;

static void stats_on_signal(int sig)
{
	(void)sig;
	stats_interrupted = 1;
}

static int cmd_stats(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "no-stream", no_argument, NULL, 'n' },
		{ "no-trunc", no_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'f' },
		{ 0 },
	};
	_cleanup_session_ struct session s = { 0 };
	_cleanup_free_ struct stats_row *rows = NULL;
	struct timespec second = { 1, 0 };
	int all = 0, no_stream = 0, no_trunc = 0, json = 0, c;
	int terminal = isatty(STDOUT_FILENO);
	size_t n = 0;

	while ((c = engine_next_option("stats", argc, argv, "a", longopts)) != -1) {
		switch (c) {
		case 'a':
			all = 1;
			break;
		case 'n':
			no_stream = 1;
			break;
		case 't':
			no_trunc = 1;
			break;
		case 'f':
			if (!strcmp(optarg, "json"))
				json = 1;
			else if (strcmp(optarg, "table"))
				return engine_usage_error("stats", "invalid --format \"%s\": want json or table", optarg);
			break;
		default:
			return 125;
		}
	}
	if (session_open(ctx, &s, "stats"))
		return 125;
	signal(SIGINT, stats_on_signal);
	signal(SIGTERM, stats_on_signal);
	while (!stats_interrupted) {
		/* Named containers stay; without names the list follows what
		 * runs, as docker's does. */
		if (!rows || argc == optind) {
			_cleanup_free_ struct stats_row *fresh = NULL;
			size_t n_fresh = 0;

			if (stats_targets(&s, argv + optind, argc - optind, all, &fresh, &n_fresh) < 0)
				return 1;
			/* Keep the last reading of a container still listed. */
			for (size_t i = 0; i < n_fresh; i++)
				for (size_t k = 0; k < n; k++)
					if (!strcmp(fresh[i].id, rows[k].id))
						fresh[i].now = rows[k].now;
			free(rows);
			rows = steal_pointer(&fresh);
			n = n_fresh;
		}
		stats_sample(&s, rows, n);
		/* CPU % needs two readings: the first is a second before. */
		nanosleep(&second, NULL);
		if (stats_interrupted)
			break;
		stats_sample(&s, rows, n);
		if (terminal && !no_stream)
			printf("\033[2J\033[H");
		stats_print(rows, n, json, no_trunc);
		if (no_stream)
			break;
	}
	return 0;
}

/* ----------------------------------------------------------------- table -- */

const struct engine_command engine_ops_commands[] = {
	{ "pause", "Pause all processes within one or more containers",
	  "Usage:  silo pause CONTAINER [CONTAINER...]\n", cmd_pause },
	{ "unpause", "Unpause all processes within one or more containers",
	  "Usage:  silo unpause CONTAINER [CONTAINER...]\n", cmd_unpause },
	{ "update", "Update configuration of one or more containers",
	  "Usage:  silo update [OPTIONS] CONTAINER [CONTAINER...]\n\nOptions:\n"
	  "      --cpu-shares int            CPU shares (relative weight, 2 to 262144)\n"
	  "      --cpus decimal              Number of CPUs\n"
	  "      --cpuset-cpus string        CPUs the container may run on (0-3, 0,1)\n"
	  "      --cpuset-mems string        Memory nodes the container may use (0-3, 0,1)\n"
	  "  -m, --memory bytes              Memory limit\n"
	  "      --memory-reservation bytes  Memory soft limit\n"
	  "      --memory-swap bytes         Memory plus swap limit: -1 for unlimited\n"
	  "      --pids-limit int            Most processes at once (-1: unlimited)\n"
	  "      --restart string            Restart policy on exit\n",
	  cmd_update },
	{ "rename", "Rename a container", "Usage:  silo rename CONTAINER NEW_NAME\n", cmd_rename },
	{ "top", "Display the running processes of a container",
	  "Usage:  silo top CONTAINER [ps OPTIONS]\n", cmd_top, 1 },
	{ "stats", "Display a live stream of container(s) resource usage statistics",
	  "Usage:  silo stats [OPTIONS] [CONTAINER...]\n\nOptions:\n"
	  "  -a, --all             Show all containers (default shows just running)\n"
	  "      --format string   table (default) or json (one object a line)\n"
	  "      --no-stream       Print one reading and exit\n"
	  "      --no-trunc        Do not truncate the IDs\n",
	  cmd_stats },
	{ NULL, NULL, NULL, NULL, 0 },
};
