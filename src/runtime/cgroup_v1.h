/* The cgroup v1 dialect: each controller's files, the freezer, statistics
 * and OOM notices. Every function works on the directory of the container's
 * cgroup in the hierarchy of the controller concerned (dirfd). */
#ifndef SILO_RUNTIME_CGROUP_V1_H
#define SILO_RUNTIME_CGROUP_V1_H

#include <jansson.h>

#include "runtime/cgroup.h"

int cgroup_v1_apply_memory(int dirfd, const struct cgroup_memory *memory, struct silo_err *err);
int cgroup_v1_apply_cpu(int dirfd, const struct cgroup_cpu *cpu, struct silo_err *err);
int cgroup_v1_apply_block_io(int dirfd, const struct cgroup_block_io *block_io,
			     struct silo_err *err);
int cgroup_v1_apply_net_cls(int dirfd, uint32_t class_id, struct silo_err *err);
int cgroup_v1_apply_net_prio(int dirfd, const struct cgroup_net_priority *priorities, size_t n,
			     struct silo_err *err);
int cgroup_v1_apply_devices(int dirfd, const struct cgroup_device_rule *rules, size_t n,
			    struct silo_err *err);

/* One rule as devices.allow/devices.deny take it ("c 1:3 rwm", "a"). A
 * type "a" rule that is not about every device and every access becomes
 * two lines, "c ..." and "b ...": v1 reads "a" as "all, whatever follows". */
int cgroup_v1_device_lines(const struct cgroup_device_rule *rule, char lines[2][64]);

/* freezer.state: FROZEN, waiting until the kernel reports it, or THAWED. */
int cgroup_v1_freeze(int dirfd, int frozen, struct silo_err *err);
int cgroup_v1_is_frozen(int dirfd);

/* Usage, in runc's shape. cpuacct_fd and cpu_fd may be -1. */
void cgroup_v1_stats_cpu(int cpuacct_fd, int cpu_fd, json_t *cpu);
void cgroup_v1_stats_memory(int dirfd, json_t *memory);
void cgroup_v1_stats_blkio(int dirfd, json_t *blkio);
void cgroup_v1_stats_hugetlb(int dirfd, json_t *hugetlb);
/* Times the OOM killer ran in the cgroup (memory.oom_control oom_kill). */
int cgroup_v1_oom_kills(int dirfd, uint64_t *out);

/* An eventfd that counts the cgroup's OOM events (cgroup.event_control). */
int cgroup_v1_oom_watch(int dirfd, struct silo_err *err);

#endif
