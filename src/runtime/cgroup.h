/* cgroups: find the host's hierarchies (v2, v1, or hybrid: v1 controllers
 * plus a v2 mount that holds whatever controllers v1 did not take), make a
 * container's cgroup in each, apply linux.resources, put the init there,
 * freeze, signal, measure and remove it without leaving anything behind.
 *
 * The pieces: cgroup.c (hierarchies, paths, the life of a cgroup, and the
 * typed model of linux.resources), cgroup_v1.c and cgroup_v2.c (each
 * controller's files in one dialect, the v1 -> v2 conversions, freezing,
 * statistics, OOM notices), cgroup_devices_bpf.c (the v2 device controller,
 * an eBPF program). Every resource family goes to the hierarchy its
 * controller lives in, so a hybrid host mixes both dialects. */
#ifndef SILO_RUNTIME_CGROUP_H
#define SILO_RUNTIME_CGROUP_H

#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/err.h"

enum cgroup_mode { CGROUP_MODE_V1, CGROUP_MODE_HYBRID, CGROUP_MODE_V2 };

struct cgroup_hierarchy {
	char *mountpoint;  /* /sys/fs/cgroup/memory, /sys/fs/cgroup/unified, ... */
	/* v1: the controllers bound here ("memory", "cpu,cpuacct",
	 * "name=systemd"). v2: the controllers its root offers
	 * (cgroup.controllers, comma-separated; "" on a hybrid host whose
	 * v1 mounts took them all). */
	char *controllers;
	int v2;
};

struct cgroup_host {
	enum cgroup_mode mode;
	struct cgroup_hierarchy *hierarchies;
	size_t n_hierarchies;
};

/* Parent of relative cgroupsPaths; silo removes it (and what it made below
 * it) once empty. A config without cgroupsPath gets CGROUP_DEFAULT_PARENT-ID,
 * one level under the root. */
#define CGROUP_DEFAULT_PARENT "/silo"

int cgroup_detect(struct cgroup_host *host, struct silo_err *err);
/* Adds a hierarchy by hand (tests build hosts out of plain directories).
 * For v2, controllers NULL reads MOUNTPOINT/cgroup.controllers. */
int cgroup_host_add(struct cgroup_host *host, const char *mountpoint, const char *controllers,
		    int v2);
void cgroup_host_free(struct cgroup_host *host);

/* The hierarchy where a controller works: the v1 one it is bound to, else
 * the v2 one if it offers it. "devices" and "freezer" are features of every
 * v2 cgroup (an eBPF program, cgroup.freeze) rather than controllers there.
 * NULL when the host does not have it. */
const struct cgroup_hierarchy *cgroup_find(const struct cgroup_host *host, const char *controller);
/* The v2 hierarchy, if any (on a hybrid host, the one at .../unified). */
const struct cgroup_hierarchy *cgroup_v2_hierarchy(const struct cgroup_host *host);

/* Normalises a config's cgroupsPath to an absolute path: NULL or "" makes
 * CGROUP_DEFAULT_PARENT-ID, a relative path goes under
 * CGROUP_DEFAULT_PARENT (and sets *default_parent). NULL when the path is
 * unusable ("..", or nothing left once cleaned). */
char *cgroup_resolve_path(const char *cgroups_path, const char *id, int *default_parent);

/* Makes the cgroup in every hierarchy. A cgroup that already exists must be
 * empty and not frozen (it could be another container's). On failure,
 * nothing made here is left. On v2 hosts the controllers the parent offers
 * are enabled down to the new cgroup. Safe while other containers' deletes
 * remove the parents they find empty (see make_path in cgroup.c). */
int cgroup_create(const struct cgroup_host *host, const char *path, struct silo_err *err);

/* Applies linux.resources (a JSON object) at create time. linux_devices
 * (the config's linux.devices, or NULL) are allowed in the device
 * controller along with the devices every container gets, see
 * cgroup_devices_rules(). Errors start with "config.json: " and name the
 * field. */
int cgroup_apply_resources(const struct cgroup_host *host, const char *path, json_t *resources,
			   json_t *linux_devices, struct silo_err *err);
/* The same for `update`: only the fields present change, and
 * memory.checkBeforeUpdate refuses a limit below the current usage. */
int cgroup_update_resources(const struct cgroup_host *host, const char *path, json_t *resources,
			    json_t *linux_devices, struct silo_err *err);

/* An O_PATH directory descriptor of the v2 cgroup for clone3's
 * CLONE_INTO_CGROUP, or -1 (no v2 hierarchy, or it cannot be opened). */
int cgroup_open_v2(const struct cgroup_host *host, const char *path);

/* Joining a cgroup from the inside. Moving a process into a cgroup (its
 * PID written to cgroup.procs or tasks) takes the kernel's global
 * cgroup_threadgroup_rwsem for writing, and the first writer after a quiet
 * moment waits for an RCU grace period: 5-25 ms on the 2-core development
 * VM, the largest single cost of a create on a v1 or hybrid host. A task
 * that writes "0" (itself) to a v1 `tasks` file moves without that lock.
 * So the runtime opens the `tasks` file of the cgroup in every v1
 * hierarchy (cgroup_join_open), the child it clones inherits the
 * descriptors and moves itself through them (cgroup_join_self) before it
 * does anything else. The child must have a single thread: `tasks` moves
 * the writing thread only. The kernel checks the permission of whoever
 * opened the file, so this works the same for a child in a new user
 * namespace. The v2 hierarchy has no such file: the child is cloned into
 * it (CLONE_INTO_CGROUP, which takes the lock only for reading), or moved
 * there with cgroup_enter_v2 on kernels before 5.7. A kernel without the
 * shortcut for "0" takes the lock for it too, and is then no slower than
 * the runtime writing the child's PID. */
struct cgroup_join {
	int *fds; /* the `tasks` files, one per v1 hierarchy */
	const char **mountpoints; /* of those hierarchies, for messages */
	size_t n;
};
int cgroup_join_open(const struct cgroup_host *host, const char *path, struct cgroup_join *join,
		     struct silo_err *err);
/* Writes "0" to every descriptor, closing each: in the child. */
int cgroup_join_self(struct cgroup_join *join, struct silo_err *err);
void cgroup_join_close(struct cgroup_join *join);
/* Moves pid into the v2 cgroup (cgroup.procs): for a child that could not
 * be cloned into it. */
int cgroup_enter_v2(const struct cgroup_host *host, const char *path, pid_t pid,
		    struct silo_err *err);
int cgroup_read_pids(const struct cgroup_host *host, const char *path, pid_t **pids,
		     size_t *n, struct silo_err *err);

/* Sends sig to every process in the cgroup (cgroup.kill for SIGKILL where
 * v2 has it). A frozen cgroup is thawed after a SIGKILL, since frozen v1
 * tasks do not die. Returns how many processes there were, or < 0. */
int cgroup_signal_all(const struct cgroup_host *host, const char *path, int sig,
		      struct silo_err *err);

/* Freezes (waiting until every task is frozen) or thaws the cgroup: the v1
 * freezer where it is mounted, cgroup.freeze on v2. */
int cgroup_freeze(const struct cgroup_host *host, const char *path, int frozen,
		  struct silo_err *err);
/* 1 frozen, 0 not (or freezing still in progress), < 0 unknown. */
int cgroup_is_frozen(const struct cgroup_host *host, const char *path);
/* Same, detecting the host itself (for the status of a container). */
int cgroup_path_is_frozen(const char *path);

/* The container's usage in runc's `events --stats` shape: {cpu, cpuset,
 * memory, pids, blkio, hugetlb, ...}. */
int cgroup_stats(const struct cgroup_host *host, const char *path, json_t **out,
		 struct silo_err *err);

/* Notices of the cgroup running out of memory: fd becomes readable, then
 * cgroup_oom_watch_read says how many OOM events happened since. */
struct cgroup_oom_watch {
	int fd;        /* poll for POLLIN */
	int v2;
	int cgroup_fd; /* v2: the cgroup directory, for memory.events */
	int event_fd;  /* v1: the eventfd registered with cgroup.event_control */
	uint64_t seen; /* v2: the "oom" count reported so far */
};
int cgroup_oom_watch_open(const struct cgroup_host *host, const char *path,
			  struct cgroup_oom_watch *watch, struct silo_err *err);
int cgroup_oom_watch_read(struct cgroup_oom_watch *watch, uint64_t *events);
void cgroup_oom_watch_close(struct cgroup_oom_watch *watch);

/* Kills what is left inside, then removes the cgroup from every hierarchy;
 * with remove_parent, also its ancestors up to and including
 * CGROUP_DEFAULT_PARENT once they are empty. */
int cgroup_destroy(const struct cgroup_host *host, const char *path, int remove_parent,
		   struct silo_err *err);

/* --- linux.resources as a typed model (cgroup.c parses, v1/v2 apply) --- */

#define CGROUP_DEVICE_MKNOD 1u
#define CGROUP_DEVICE_READ 2u
#define CGROUP_DEVICE_WRITE 4u

struct cgroup_device_rule {
	int allow;
	char type;           /* 'a', 'c' or 'b' */
	int64_t major, minor; /* -1: any */
	unsigned access;     /* CGROUP_DEVICE_* bits */
};

struct cgroup_device_weight {
	int64_t major, minor;
	int has_weight, has_leaf_weight;
	uint16_t weight, leaf_weight;
};

struct cgroup_device_rate {
	int64_t major, minor;
	uint64_t rate;
};

struct cgroup_hugepage_limit {
	char *page_size; /* "2MB", "1GB", "64KB" */
	uint64_t limit;
};

struct cgroup_net_priority {
	char *interface;
	uint32_t priority;
};

struct cgroup_rdma_limit {
	char *device;
	int has_handles, has_objects;
	uint32_t handles, objects;
};

struct cgroup_unified_entry {
	char *key;
	char *value;
};

/* Each has_X says the field was given; values are as the spec types them.
 * Values that mean "not set" to runc's callers (a memory limit of 0, say)
 * are dropped while parsing, see docs/cgroups.md. */
struct cgroup_memory {
	int has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp;
	int has_swappiness, has_disable_oom_killer, has_use_hierarchy;
	int64_t limit, reservation, swap, kernel, kernel_tcp; /* -1: unlimited */
	uint64_t swappiness;
	int disable_oom_killer, use_hierarchy, check_before_update;
};

struct cgroup_cpu {
	int has_shares, has_quota, has_burst, has_period, has_realtime_runtime,
		has_realtime_period, has_idle;
	uint64_t shares, burst, period, realtime_period;
	int64_t quota, realtime_runtime, idle; /* quota -1: unlimited */
	char *cpus, *mems;                      /* NULL when absent */
};

struct cgroup_block_io {
	int has_weight, has_leaf_weight;
	uint16_t weight, leaf_weight;
	struct cgroup_device_weight *weight_devices;
	size_t n_weight_devices;
	/* read bps, write bps, read iops, write iops */
	struct cgroup_device_rate *throttle[4];
	size_t n_throttle[4];
};

enum { CGROUP_THROTTLE_READ_BPS, CGROUP_THROTTLE_WRITE_BPS, CGROUP_THROTTLE_READ_IOPS,
       CGROUP_THROTTLE_WRITE_IOPS };

struct cgroup_resources {
	int has_memory, has_cpu, has_cpuset, has_pids, has_block_io, has_network_class,
		has_devices;
	struct cgroup_memory memory;
	struct cgroup_cpu cpu;
	int64_t pids_limit; /* <= 0: unlimited */
	struct cgroup_block_io block_io;
	struct cgroup_hugepage_limit *hugepages;
	size_t n_hugepages;
	uint32_t network_class_id;
	struct cgroup_net_priority *net_priorities;
	size_t n_net_priorities;
	struct cgroup_rdma_limit *rdma;
	size_t n_rdma;
	struct cgroup_device_rule *devices; /* the config's rules plus silo's, see below */
	size_t n_devices;
	struct cgroup_unified_entry *unified;
	size_t n_unified;
	int has_unified;
};

/* Parses and checks linux.resources (field names in errors start with
 * "linux.resources"). linux_devices: see cgroup_apply_resources. */
int cgroup_resources_parse(json_t *resources, json_t *linux_devices, struct cgroup_resources *out,
			   struct silo_err *err);
void cgroup_resources_free(struct cgroup_resources *res);

/* The device rules a container gets: the config's, in order, and right
 * after the last rule that covers every device (the usual "deny all"),
 * allowances for the devices the spec gives every container (/dev/null,
 * zero, full, random, urandom, tty, ptmx, the pts) and for linux.devices.
 * A later, more precise rule of the config still wins over them. */
int cgroup_devices_rules(const struct cgroup_device_rule *config, size_t n, json_t *linux_devices,
			 struct cgroup_device_rule **out, size_t *n_out, struct silo_err *err);

/* What the rules decide for one access (one CGROUP_DEVICE_* bit or several,
 * all of which must be allowed): the last matching rule wins; with none,
 * the access is allowed (a v1 cgroup starts with its parent's list, which is
 * normally "everything"). The eBPF program implements exactly this. */
int cgroup_devices_allowed(const struct cgroup_device_rule *rules, size_t n, char type,
			   uint32_t major, uint32_t minor, unsigned access);

/* --- files of a cgroup, for cgroup_v1.c and cgroup_v2.c --- */

/* Writes value to FILE in the cgroup directory dirfd. field names what the
 * value came from ("linux.resources.memory.limit") for the message. */
int cgroup_write(int dirfd, const char *file, const char *value, const char *field,
		 struct silo_err *err);
/* The same in two steps, for many writes to one file: open FILE (its
 * descriptor, or -1 naming field and FILE), then write value to it. */
int cgroup_open_file(int dirfd, const char *file, const char *field, struct silo_err *err);
int cgroup_write_fd(int fd, const char *file, const char *value, const char *field,
		    struct silo_err *err);
int cgroup_write_u64(int dirfd, const char *file, uint64_t value, const char *field,
		     struct silo_err *err);
int cgroup_write_i64(int dirfd, const char *file, int64_t value, const char *field,
		     struct silo_err *err);
int cgroup_has_file(int dirfd, const char *file);
/* Reads a small file; NULL when it cannot be read. */
char *cgroup_read(int dirfd, const char *file);

/* For the statistics of both versions: a number into a JSON object (capped
 * at INT64_MAX), "key value" lines into an object of numbers, and the huge
 * page sizes a hierarchy offers ("hugetlb.<size><suffix>" files). */
void cgroup_json_set_u64(json_t *obj, const char *key, uint64_t v);
json_t *cgroup_keyed_numbers(const char *text);
void cgroup_hugetlb_sizes(int dirfd, const char *suffix, char *out, size_t len);
/* A single number ("max" reads as UINT64_MAX); -1 when unreadable. */
int cgroup_read_u64(int dirfd, const char *file, uint64_t *out);
/* The value of KEY in a flat-keyed file ("key value" lines); -1 if absent. */
int cgroup_read_keyed(int dirfd, const char *file, const char *key, uint64_t *out);

#endif
