/* The cgroup v2 dialect: the unified hierarchy's files, the conversions
 * from the v1-shaped values of linux.resources, enabling controllers down a
 * path, cgroup.freeze and cgroup.kill, statistics and OOM notices. The
 * functions work on the container cgroup's directory (dirfd). */
#ifndef SILO_RUNTIME_CGROUP_V2_H
#define SILO_RUNTIME_CGROUP_V2_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/cgroup.h"

/* --- conversions (pure; unit-tested) --- */

/* cpu.shares [2, 262144] (v1 default 1024) -> cpu.weight [1, 10000], the
 * linear map of one range onto the other; out-of-range shares are clamped. */
uint64_t cgroup_v2_cpu_weight(uint64_t shares);
/* blkio weight [10, 1000] -> io.weight [1, 10000], linear, clamped. */
uint64_t cgroup_v2_io_weight(uint64_t weight);
/* "QUOTA PERIOD" for cpu.max. quota < 0 is "max"; a missing quota keeps
 * the current one, read from current ("max 100000" or NULL). */
int cgroup_v2_cpu_max(int has_quota, int64_t quota, int has_period, uint64_t period,
		      const char *current, char *out, size_t len);
/* memory.swap.max from the v1-shaped memory+swap total: swap - limit, "max"
 * for -1. limit is the new memory limit, or the current memory.max when the
 * config does not give one (UINT64_MAX for "max"). */
int cgroup_v2_swap_max(int64_t swap, uint64_t limit, char *out, size_t len,
		       struct silo_err *err);

/* --- applying --- */

/* Enables each controller of the comma-separated list in the
 * cgroup.subtree_control of every ancestor of path (from the hierarchy's
 * root down to path's parent), so that path gets them. required: a
 * controller that cannot be enabled is an error naming field; otherwise it
 * is skipped. */
int cgroup_v2_enable(const struct cgroup_hierarchy *h, const char *path, const char *controllers,
		     int required, const char *field, struct silo_err *err);

int cgroup_v2_apply_memory(int dirfd, const struct cgroup_memory *memory, struct silo_err *err);
int cgroup_v2_apply_cpu(int dirfd, const struct cgroup_cpu *cpu, struct silo_err *err);
int cgroup_v2_apply_io(int dirfd, const struct cgroup_block_io *block_io, struct silo_err *err);
/* unified entries: each key is a file of the cgroup, written as is. */
int cgroup_v2_apply_unified(int dirfd, const struct cgroup_unified_entry *entries, size_t n,
			    struct silo_err *err);

/* cgroup.freeze, waiting for cgroup.events to say "frozen 1". */
int cgroup_v2_freeze(int dirfd, int frozen, struct silo_err *err);
int cgroup_v2_is_frozen(int dirfd);
/* cgroup.kill (Linux 5.14+): 0, or -ENOENT without it. */
int cgroup_v2_kill(int dirfd);

void cgroup_v2_stats_cpu(int dirfd, json_t *cpu);
void cgroup_v2_stats_memory(int dirfd, json_t *memory);
void cgroup_v2_stats_io(int dirfd, json_t *blkio);
void cgroup_v2_stats_hugetlb(int dirfd, json_t *hugetlb);
/* The "oom" and "oom_kill" counts of memory.events. */
int cgroup_v2_memory_events(int dirfd, uint64_t *oom, uint64_t *oom_kill);
/* An inotify descriptor that wakes when memory.events changes. */
int cgroup_v2_oom_watch(int dirfd, struct silo_err *err);

#endif
