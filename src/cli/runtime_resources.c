/* Runtime commands about a container's cgroup, with runc's flags: pause,
 * resume, ps, update, events. The work is in runtime/container_resources.c;
 * this file parses, prints, and for `ps` runs the host's ps(1). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/options.h"
#include "cli/runtime_cli.h"
#include "runtime/container_resources.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/ps_table.h"
#include "util/strv.h"

static int one_id(const char *name, int argc, char **argv)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	const struct cli_command *cmd = cli_find_command(runtime_commands, name);

	if (cli_getopt(cmd, argc, argv, "", none) != -1)
		return -1;
	return cli_want_args(cmd->name, argc - optind, 1, 1);
}

int runtime_cmd_pause(const struct runtime_context *ctx, int argc, char **argv)
{
	struct silo_err err;

	if (one_id("pause", argc, argv) < 0)
		return 1;
	if (container_pause(ctx, argv[optind], &err) < 0)
		return cli_fail(NULL, &err);
	return 0;
}

int runtime_cmd_resume(const struct runtime_context *ctx, int argc, char **argv)
{
	struct silo_err err;

	if (one_id("resume", argc, argv) < 0)
		return 1;
	if (container_resume(ctx, argv[optind], &err) < 0)
		return cli_fail(NULL, &err);
	return 0;
}

/* --- ps --- */

static int print_ps_table(const pid_t *pids, size_t n, int argc, char **argv)
{
	_cleanup_free_ char *out = NULL;
	struct silo_err err;

	out = ps_table(argv, (size_t)argc, pids, n, &err);
	if (!out) {
		if (err.code == EINVAL)
			return cli_fail_usage("ps", "%s", err.msg);
		return cli_fail("ps", &err);
	}
	fputs(out, stdout);
	return 0;
}

int runtime_cmd_ps(const struct runtime_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find_command(runtime_commands, "ps");
	_cleanup_free_ pid_t *pids = NULL;
	const char *format = "table";
	struct silo_err err;
	size_t n = 0;
	int c;

	/* '+': the arguments after the ID are ps's own, flags included. */
	while ((c = cli_getopt(cmd, argc, argv, "+f:", options)) != -1) {
		if (c == 'f')
			format = optarg;
		else
			return 1;
	}
	if (strcmp(format, "table") && strcmp(format, "json"))
		return cli_fail_usage(cmd->name, "--format: invalid value \"%s\" (use table or json)", format);
	if (cli_want_args(cmd->name, argc - optind, 1, -1) < 0)
		return 1;
	if (container_processes(ctx, argv[optind], &pids, &n, &err) < 0)
		return cli_fail(NULL, &err);
	if (!strcmp(format, "json")) {
		if (argc - optind > 1)
			return cli_fail_usage(cmd->name, "ps options cannot go with --format json");
		printf("[");
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", pids[i]);
		printf("]\n");
		return 0;
	}
	optind++;
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	return print_ps_table(pids, n, argc - optind, argv + optind);
}

/* --- update --- */

/* A byte count as docker and runc take it: "-1", "512", "64k", "1.5g",
 * "100MiB" (binary units, any case). */
static int parse_bytes(const char *text, int64_t *out)
{
	static const char units[] = "bkmgtp";
	char *end;
	double value;
	const char *unit;
	int power = 0;

	if (!strcmp(text, "-1")) {
		*out = -1;
		return 0;
	}
	errno = 0;
	value = strtod(text, &end);
	if (end == text || errno || value < 0 || !isdigit((unsigned char)text[0]))
		return -1;
	unit = end;
	while (*unit == ' ')
		unit++;
	if (*unit) {
		const char *u = strchr(units, tolower((unsigned char)*unit));

		if (!u)
			return -1;
		power = (int)(u - units);
		unit++;
		if (power && tolower((unsigned char)*unit) == 'i')
			unit++;
		if (power && tolower((unsigned char)*unit) == 'b')
			unit++;
		if (*unit)
			return -1;
	}
	while (power-- > 0)
		value *= 1024;
	if (value >= 9.2e18)
		return -1;
	*out = (int64_t)value;
	return 0;
}

static int parse_integer(const char *text, int allow_negative, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(text, &end, 10);
	if (end == text || *end || errno || (!allow_negative && v < 0))
		return -1;
	*out = v;
	return 0;
}

enum {
	OPT_RESOURCES = 'r',
	OPT_MEMORY = 256,
	OPT_MEMORY_SWAP,
	OPT_MEMORY_RESERVATION,
	OPT_KERNEL_MEMORY,
	OPT_KERNEL_MEMORY_TCP,
	OPT_CPU_SHARE,
	OPT_CPU_QUOTA,
	OPT_CPU_PERIOD,
	OPT_CPU_BURST,
	OPT_CPU_RT_PERIOD,
	OPT_CPU_RT_RUNTIME,
	OPT_CPU_IDLE,
	OPT_CPUSET_CPUS,
	OPT_CPUSET_MEMS,
	OPT_PIDS_LIMIT,
	OPT_BLKIO_WEIGHT,
	OPT_L3_CACHE_SCHEMA,
	OPT_MEM_BW_SCHEMA,
};

/* Where each single-value flag goes in linux.resources, and how it reads. */
static const struct update_flag {
	int opt;
	const char *name, *section, *key;
	enum { BYTES, INTEGER, UNSIGNED, TEXT } kind;
} update_flags[] = {
	{ OPT_MEMORY, "memory", "memory", "limit", BYTES },
	{ OPT_MEMORY_SWAP, "memory-swap", "memory", "swap", BYTES },
	{ OPT_MEMORY_RESERVATION, "memory-reservation", "memory", "reservation", BYTES },
	{ OPT_KERNEL_MEMORY, "kernel-memory", "memory", "kernel", BYTES },
	{ OPT_KERNEL_MEMORY_TCP, "kernel-memory-tcp", "memory", "kernelTCP", BYTES },
	{ OPT_CPU_SHARE, "cpu-share", "cpu", "shares", UNSIGNED },
	{ OPT_CPU_QUOTA, "cpu-quota", "cpu", "quota", INTEGER },
	{ OPT_CPU_PERIOD, "cpu-period", "cpu", "period", UNSIGNED },
	{ OPT_CPU_BURST, "cpu-burst", "cpu", "burst", UNSIGNED },
	{ OPT_CPU_RT_PERIOD, "cpu-rt-period", "cpu", "realtimePeriod", UNSIGNED },
	{ OPT_CPU_RT_RUNTIME, "cpu-rt-runtime", "cpu", "realtimeRuntime", INTEGER },
	{ OPT_CPU_IDLE, "cpu-idle", "cpu", "idle", INTEGER },
	{ OPT_CPUSET_CPUS, "cpuset-cpus", "cpu", "cpus", TEXT },
	{ OPT_CPUSET_MEMS, "cpuset-mems", "cpu", "mems", TEXT },
	{ OPT_PIDS_LIMIT, "pids-limit", "pids", "limit", INTEGER },
	{ OPT_BLKIO_WEIGHT, "blkio-weight", "blockIO", "weight", UNSIGNED },
};

static int set_update_flag(json_t *resources, const struct update_flag *flag, const char *value)
{
	json_t *section = json_object_get(resources, flag->section);
	json_t *v;
	int64_t n = 0;
	int r = 0;

	switch (flag->kind) {
	case BYTES:
		r = parse_bytes(value, &n);
		break;
	case INTEGER:
	case UNSIGNED:
		r = parse_integer(value, flag->kind == INTEGER, &n);
		break;
	case TEXT:
		break;
	}
	if (r < 0)
		return cli_fail_usage("update", "--%s: invalid value \"%s\"", flag->name, value);
	v = flag->kind == TEXT ? json_string(value) : json_integer(n);
	if (!json_is_object(section)) {
		section = json_object();
		json_object_set_new(resources, flag->section, section);
	}
	json_object_set_new(section, flag->key, v);
	return 0;
}

static json_t *read_resources(const char *path)
{
	struct silo_err err;
	json_t *value = NULL;

	if (!strcmp(path, "-")) {
		json_error_t jerr;

		value = json_loadf(stdin, 0, &jerr);
		if (!value)
			cli_fail_usage("update", "--resources: standard input:%d:%d: %s", jerr.line,
				       jerr.column, jerr.text);
		return value;
	}
	if (json_load_path(path, 4 * 1024 * 1024, &value, &err) < 0) {
		cli_fail("update", &err);
		return NULL;
	}
	return value;
}

int runtime_cmd_update(const struct runtime_context *ctx, int argc, char **argv)
{
	struct option options[sizeof(update_flags) / sizeof(update_flags[0]) + 5];
	const struct cli_command *cmd = cli_find_command(runtime_commands, "update");
	_cleanup_json_ json_t *resources = NULL;
	const char *values[sizeof(update_flags) / sizeof(update_flags[0])] = { 0 };
	const char *file = NULL;
	struct silo_err err;
	size_t n = 0;
	int c;

	options[n++] = (struct option){ "resources", required_argument, NULL, OPT_RESOURCES };
	for (size_t i = 0; i < sizeof(update_flags) / sizeof(update_flags[0]); i++)
		options[n++] = (struct option){ update_flags[i].name, required_argument, NULL,
						update_flags[i].opt };
	/* runc spells it --cpu-share; --cpu-shares is docker's and also taken. */
	options[n++] = (struct option){ "cpu-shares", required_argument, NULL, OPT_CPU_SHARE };
	options[n++] = (struct option){ "l3-cache-schema", required_argument, NULL, OPT_L3_CACHE_SCHEMA };
	options[n++] = (struct option){ "mem-bw-schema", required_argument, NULL, OPT_MEM_BW_SCHEMA };
	options[n] = (struct option){ NULL, 0, NULL, 0 };

	while ((c = cli_getopt(cmd, argc, argv, "r:", options)) != -1) {
		if (c == OPT_RESOURCES) {
			file = optarg;
			continue;
		}
		if (c == OPT_L3_CACHE_SCHEMA || c == OPT_MEM_BW_SCHEMA)
			return cli_fail_usage(cmd->name, "Intel RDT (%s) is not supported by silo",
					      argv[optind - 1]);
		if (c == '?')
			return 1;
		for (size_t i = 0; i < sizeof(update_flags) / sizeof(update_flags[0]); i++)
			if (update_flags[i].opt == c)
				values[i] = optarg;
	}
	if (cli_want_args(cmd->name, argc - optind, 1, 1) < 0)
		return 1;
	/* The file first, then the single-value flags over it. */
	resources = file ? read_resources(file) : json_object();
	if (!resources)
		return 1;
	if (!json_is_object(resources))
		return cli_fail_usage(cmd->name, "--resources: expected a JSON object (linux.resources)");
	for (size_t i = 0; i < sizeof(update_flags) / sizeof(update_flags[0]); i++)
		if (values[i] && set_update_flag(resources, &update_flags[i], values[i]) != 0)
			return 1;
	if (container_update(ctx, argv[optind], resources, &err) < 0)
		return cli_fail(NULL, &err);
	return 0;
}

/* --- events --- */

/* A Go duration ("5s", "1m30s", "250ms", "1.5h"); a bare number is
 * seconds. */
static int parse_duration_ms(const char *text, long long *out)
{
	static const struct { const char *unit; double ms; } units[] = {
		{ "ns", 1e-6 }, { "us", 1e-3 }, { "µs", 1e-3 }, { "ms", 1 },
		{ "s", 1000 },  { "m", 60000 }, { "h", 3600000 },
	};
	double total = 0;
	const char *p = text;
	char *end;

	if (!*p)
		return -1;
	while (*p) {
		double v = strtod(p, &end);
		size_t best = 0;
		int found = -1;

		if (end == p || v < 0)
			return -1;
		p = end;
		if (!*p && total == 0) {
			total = v * 1000;
			break;
		}
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t len = strlen(units[i].unit);

			if (!strncmp(p, units[i].unit, len) && len > best) {
				best = len;
				found = (int)i;
			}
		}
		if (found < 0)
			return -1;
		total += v * units[found].ms;
		p += best;
	}
	if (total < 1 || total > 1e12)
		return -1;
	*out = (long long)total;
	return 0;
}

static int print_event(const char *type, const char *id, json_t *data)
{
	_cleanup_json_ json_t *event = json_pack("{s:s, s:s}", "type", type, "id", id);
	_cleanup_free_ char *text = NULL;

	if (!event)
		return -1;
	if (data)
		json_object_set(event, "data", data);
	text = json_dumps(event, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!text)
		return -1;
	printf("%s\n", text);
	fflush(stdout);
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Statistics now and every interval, an "oom" event as each OOM happens,
 * until the container stops. */
static int stream_events(const struct runtime_context *ctx, const char *id, long long interval)
{
	struct container_watch watch;
	struct silo_err err;
	long long next = now_ms();
	int exited = 0, r = 0;

	if (container_watch_open(ctx, id, &watch, &err) < 0)
		return cli_fail(NULL, &err);
	while (!exited && r == 0) {
		long long now = now_ms();
		uint64_t ooms = 0;

		if (now >= next) {
			json_t *data = NULL;

			if (container_stats(ctx, id, &data, &err) < 0) {
				/* It stopped between two looks. */
				if (err.code == ESRCH || err.code == ENOENT)
					break;
				r = cli_fail(NULL, &err);
				break;
			}
			print_event("stats", id, data);
			json_decref(data);
			next = now + interval;
			continue;
		}
		if (container_watch_wait(&watch, (int)(next - now), &ooms, &exited, &err) < 0) {
			r = cli_fail(NULL, &err);
			break;
		}
		while (ooms-- > 0)
			print_event("oom", id, NULL);
	}
	container_watch_close(&watch);
	return r;
}

int runtime_cmd_events(const struct runtime_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{ "stats", no_argument, NULL, 's' },
		{ "interval", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find_command(runtime_commands, "events");
	long long interval = 5000;
	struct silo_err err;
	int stats = 0, c;

	while ((c = cli_getopt(cmd, argc, argv, "", options)) != -1) {
		if (c == 's')
			stats = 1;
		else if (c == 'i' && parse_duration_ms(optarg, &interval) == 0)
			continue;
		else if (c == 'i')
			return cli_fail_usage(cmd->name, "--interval: invalid duration \"%s\" (e.g. 5s, 500ms)",
					      optarg);
		else
			return 1;
	}
	if (cli_want_args(cmd->name, argc - optind, 1, 1) < 0)
		return 1;
	if (stats) {
		_cleanup_json_ json_t *data = NULL;

		if (container_stats(ctx, argv[optind], &data, &err) < 0)
			return cli_fail(NULL, &err);
		return print_event("stats", argv[optind], data) < 0;
	}
	return stream_events(ctx, argv[optind], interval);
}
