/* What `silo stats` shows of a running container: its cgroup's usage as
 * the runtime library reads it (v1 or v2), and its network traffic from
 * its network namespace's /proc/net/dev. */
#ifndef SILO_ENGINE_STATS_H
#define SILO_ENGINE_STATS_H

#include <stdint.h>

#include "engine/lifecycle.h"
#include "util/err.h"

struct engine_stats {
	uint64_t taken_ns;   /* CLOCK_MONOTONIC when read */
	uint64_t cpu_ns;     /* CPU time used, every CPU together */
	uint64_t memory;     /* in use, without the inactive page cache (docker's) */
	uint64_t memory_limit; /* the cgroup's limit, or the host's memory when it has none */
	uint64_t net_rx, net_tx;     /* bytes, every interface but lo */
	uint64_t block_read, block_write; /* bytes */
	uint64_t pids;
};

/* Fails with "container NAME is not running" when it is not. */
int engine_container_stats(const struct engine_env *env, const char *id, struct engine_stats *out,
			   struct silo_err *err);

/* docker's CPU %: the CPU time used between two reads over the time that
 * passed (100% is one CPU busy). */
double engine_stats_cpu_percent(const struct engine_stats *before, const struct engine_stats *now);

#endif
