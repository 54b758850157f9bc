/* Reading a container's usage (see stats.h). Memory is counted as docker
 * counts it: the cgroup's usage less its inactive file cache, which the
 * kernel drops first. */
#include "engine/stats.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime/container_resources.h"
#include "util/cleanup.h"

static uint64_t number(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_integer(v) && json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
}

static uint64_t host_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);

	return pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size : 0;
}

static void read_memory(json_t *memory, struct engine_stats *out)
{
	json_t *usage = json_object_get(memory, "usage");
	json_t *raw = json_object_get(memory, "raw");
	uint64_t used = number(usage, "usage"), limit = number(usage, "limit");
	/* v1 names it total_inactive_file (with the children), v2 inactive_file. */
	uint64_t inactive = json_object_get(raw, "total_inactive_file") ? number(raw, "total_inactive_file")
									 : number(raw, "inactive_file");
	uint64_t host = host_memory();

	out->memory = inactive < used ? used - inactive : used;
	/* No limit reads as a huge number (v1) or none at all (v2's "max"). */
	out->memory_limit = limit == 0 || (host && limit > host) ? host : limit;
}

static void read_blkio(json_t *blkio, struct engine_stats *out)
{
	size_t i;
	json_t *entry;

	json_array_foreach(json_object_get(blkio, "ioServiceBytesRecursive"), i, entry) {
		const char *op = json_string_value(json_object_get(entry, "op")) ?: "";

		if (!strcasecmp(op, "read"))
			out->block_read += number(entry, "value");
		else if (!strcasecmp(op, "write"))
			out->block_write += number(entry, "value");
	}
}

/* The init's /proc/PID/net/dev lists the interfaces of its network
 * namespace: "  eth0: RX-bytes packets … TX-bytes …". */
static void read_network(pid_t pid, struct engine_stats *out)
{
	char path[64], line[512];
	_cleanup_fclose_ FILE *f = NULL;

	snprintf(path, sizeof(path), "/proc/%d/net/dev", (int)pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		char *name = line + strspn(line, " ");
		unsigned long long v[9];

		if (!colon)
			continue;
		*colon = '\0';
		if (!strcmp(name, "lo"))
			continue;
		if (sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
			   &v[4], &v[5], &v[6], &v[7], &v[8]) != 9)
			continue;
		out->net_rx += v[0];
		out->net_tx += v[8];
	}
}

int engine_container_stats(const struct engine_env *env, const char *id, struct engine_stats *out,
			   struct silo_err *err)
{
	_cleanup_json_ json_t *rec = NULL;
	_cleanup_json_ json_t *data = NULL;
	const char *name;
	struct timespec now;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	if (engine_container_inspect(env, id, &rec, err) < 0)
		return -1;
	name = json_string_value(json_object_get(rec, "name")) ?: id;
	if (strcmp(engine_container_status(rec), "running"))
		return silo_err_set(err, EINVAL, "container %s is not running", name);
	if (container_stats(&env->rt, id, &data, err) < 0)
		return silo_err_prefix(err, "stats of container %s", name);
	clock_gettime(CLOCK_MONOTONIC, &now);
	out->taken_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
	out->cpu_ns = number(json_object_get(json_object_get(data, "cpu"), "usage"), "total");
	read_memory(json_object_get(data, "memory"), out);
	read_blkio(json_object_get(data, "blkio"), out);
	out->pids = number(json_object_get(data, "pids"), "current");
	/* With --network host the traffic is the host's, not the container's. */
	pid = (pid_t)json_integer_value(json_object_get(json_object_get(rec, "state"), "pid"));
	if (pid > 0 && strcmp(json_string_value(json_object_get(rec, "networkMode")) ?: "", "host"))
		read_network(pid, out);
	return 0;
}

double engine_stats_cpu_percent(const struct engine_stats *before, const struct engine_stats *now)
{
	if (now->taken_ns <= before->taken_ns || now->cpu_ns < before->cpu_ns)
		return 0.0;
	return (double)(now->cpu_ns - before->cpu_ns) * 100.0 / (double)(now->taken_ns - before->taken_ns);
}
