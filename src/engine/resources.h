/* The resource flags of run, create and update (-m, --memory-swap,
 * --memory-reservation, --cpus, --cpu-shares, --cpuset-cpus, --cpuset-mems,
 * --pids-limit, --shm-size, --ulimit): parsed
 * and checked when the flag is read, then written into config.json's
 * linux.resources, process.rlimits and the /dev/shm mount. */
#ifndef SILO_ENGINE_RESOURCES_H
#define SILO_ENGINE_RESOURCES_H

#include <jansson.h>

#include "util/err.h"

struct engine_resources {
	long long memory;             /* -m bytes, 0: no limit */
	long long memory_swap;        /* --memory-swap: memory + swap, -1: unlimited, 0: unset */
	long long memory_reservation; /* --memory-reservation bytes (a soft limit), 0: unset */
	long long cpu_quota;          /* --cpus, in microseconds a cpu_period; 0: unset */
	unsigned long long cpu_period;
	unsigned long long cpu_shares; /* 0: unset */
	const char *cpuset_cpus;      /* NULL: unset */
	const char *cpuset_mems;      /* NULL: unset */
	long long pids_limit;         /* 0: unset, -1: unlimited */
	unsigned long long shm_size;  /* bytes of /dev/shm, 0: the default 64m */
	json_t *ulimits;              /* [{type, soft, hard}] for process.rlimits, or NULL */
};

/* Bytes, with docker's suffixes: 64m, 64MB, 1g, 512k, 1048576. */
int engine_size_parse(const char *text, unsigned long long *out);

/* Reads one flag, named without its dashes ("memory", "cpus", "ulimit" …).
 * A bad value fails with `invalid --memory "10x": …`. */
int engine_resources_set(struct engine_resources *r, const char *flag, const char *value,
			 struct silo_err *err);

/* What needs several flags at once: --memory-swap below --memory. */
int engine_resources_check(const struct engine_resources *r, struct silo_err *err);

/* Puts the limits into config (linux.resources, process.rlimits, the
 * /dev/shm mount's size). */
int engine_resources_apply(const struct engine_resources *r, json_t *config);

/* inspect's view of config.json's linux.resources, docker's HostConfig
 * fields: Memory, MemorySwap, MemoryReservation, NanoCpus, CpuQuota,
 * CpuPeriod, CpuShares, CpusetCpus, CpusetMems, PidsLimit (null: none). */
void engine_resources_inspect(json_t *config, json_t *host_config);

void engine_resources_free(struct engine_resources *r);

#endif
