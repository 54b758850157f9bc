/* cgroup v2: one hierarchy, where a cgroup gets a controller only once each
 * of its ancestors lists it in cgroup.subtree_control, and where the files
 * and their scales differ from v1, which linux.resources was written for.
 *
 * The conversions (see docs/cgroups.md for the table):
 *   memory.limit        -> memory.max          (-1 -> "max")
 *   memory.reservation  -> memory.low          (-1 -> "max")
 *   memory.swap         -> memory.swap.max = swap - limit: v1 limits memory
 *                          plus swap, v2 swap alone
 *   memory.kernel/TCP   -> nothing: v2 counts kernel memory in memory.max
 *   cpu.shares          -> cpu.weight, [2, 262144] mapped linearly on
 *                          [1, 10000]
 *   cpu.quota/period    -> cpu.max "QUOTA PERIOD"; cpu.burst -> cpu.max.burst
 *   blockIO.weight      -> io.bfq.weight as is (BFQ keeps v1's 1..1000), or
 *                          else io.weight, [10, 1000] mapped on [1, 10000]
 *   blockIO.throttle*   -> io.max "MAJ:MIN rbps=|wbps=|riops=|wiops=N"
 *   hugepageLimits      -> hugetlb.SIZE.max (and .rsvd.max)
 *   devices             -> an eBPF program (cgroup_devices_bpf.c)
 * Fields v2 cannot express (swappiness, disableOOMKiller, leaf weights,
 * realtime, net_cls/net_prio) are errors naming the field. */
#include "runtime/cgroup_v2.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"

#define FIELD_MAX 256

/* --- conversions --- */

uint64_t cgroup_v2_cpu_weight(uint64_t shares)
{
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cgroup_v2_io_weight(uint64_t weight)
{
	if (weight < 10)
		weight = 10;
	if (weight > 1000)
		weight = 1000;
	return 1 + ((weight - 10) * 9999) / 990;
}

int cgroup_v2_cpu_max(int has_quota, int64_t quota, int has_period, uint64_t period,
		      const char *current, char *out, size_t len)
{
	char now_quota[32] = "max";
	uint64_t now_period = 100000; /* the kernel's default */
	char quota_text[32];

	if (!has_quota && !has_period)
		return -1;
	if (current) {
		unsigned long long p;

		if (sscanf(current, "%31s %llu", now_quota, &p) == 2)
			now_period = p;
	}
	if (has_quota && quota < 0)
		snprintf(quota_text, sizeof(quota_text), "max");
	else if (has_quota)
		snprintf(quota_text, sizeof(quota_text), "%" PRId64, quota);
	else
		snprintf(quota_text, sizeof(quota_text), "%s", now_quota);
	snprintf(out, len, "%s %" PRIu64, quota_text, has_period ? period : now_period);
	return 0;
}

int cgroup_v2_swap_max(int64_t swap, uint64_t limit, char *out, size_t len, struct silo_err *err)
{
	if (swap < 0) {
		snprintf(out, len, "max");
		return 0;
	}
	if (limit == UINT64_MAX)
		return silo_err_set(err, EINVAL,
				    "linux.resources.memory.swap: cgroup v2 limits swap alone (swap - limit), so a swap limit needs a memory limit");
	if ((uint64_t)swap < limit)
		return silo_err_set(err, EINVAL,
				    "linux.resources.memory.swap: %" PRId64 " is below the memory limit (%" PRIu64 "), and swap counts memory plus swap",
				    swap, limit);
	snprintf(out, len, "%" PRIu64, (uint64_t)swap - limit);
	return 0;
}

/* --- controllers down a path --- */

/* Whether a space-separated list (cgroup.controllers, subtree_control) has
 * name; a leading '+' is skipped, as in what silo writes. */
static int list_has(const char *list, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = list; p && *p;) {
		p += strspn(p, " \n+");
		if (!strncmp(p, name, len) && (p[len] == ' ' || p[len] == '\n' || p[len] == '\0'))
			return 1;
		p += strcspn(p, " \n");
	}
	return 0;
}

static int enable_one(int dirfd, const char *dir, const char *controller, int required,
		      const char *field, struct silo_err *err)
{
	_cleanup_free_ char *available = cgroup_read(dirfd, "cgroup.controllers");
	_cleanup_free_ char *enabled = cgroup_read(dirfd, "cgroup.subtree_control");
	char value[80];
	struct silo_err inner;

	if (list_has(enabled, controller))
		return 0;
	if (!list_has(available, controller)) {
		if (!required)
			return 0;
		return silo_err_set(err, ENOTSUP, "%s: the %s controller is not available in cgroup \"%s\"",
				    field, controller, dir);
	}
	snprintf(value, sizeof(value), "+%s", controller);
	if (cgroup_write(dirfd, "cgroup.subtree_control", value, field, &inner) == 0 || !required)
		return 0;
	if (inner.code == EBUSY)
		return silo_err_set(err, EBUSY,
				    "%s: cannot enable the %s controller below cgroup \"%s\": it has processes of its own, and cgroup v2 gives controllers only to the children of cgroups without",
				    field, controller, dir);
	if (err)
		*err = inner;
	return -1;
}

int cgroup_v2_enable(const struct cgroup_hierarchy *h, const char *path, const char *controllers,
		     int required, const char *field, struct silo_err *err)
{
	/* Each ancestor of path, from the root of the hierarchy down to
	 * path's parent: path[0, end) names it. */
	for (size_t end = 0;;) {
		char dir[4096];
		_cleanup_close_ int fd = -1;
		_cleanup_free_ char *list = strdup(controllers);
		char *save = NULL;
		const char *next;

		snprintf(dir, sizeof(dir), "%s%.*s", h->mountpoint, (int)end, path);
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return silo_err_errno(err, "%s: open cgroup \"%s\"", field, dir);
		if (!list)
			return silo_err_sys(err, ENOMEM, "%s", field);
		for (char *c = strtok_r(list, ",", &save); c; c = strtok_r(NULL, ",", &save))
			if (enable_one(fd, end ? dir + strlen(h->mountpoint) : "/", c, required, field,
				       err) < 0)
				return -1;
		next = strchr(path + end + 1, '/');
		if (!next)
			return 0;
		end = (size_t)(next - path);
	}
}

/* --- applying --- */

static void limit_text(int64_t value, char *out, size_t len)
{
	if (value < 0)
		snprintf(out, len, "max");
	else
		snprintf(out, len, "%" PRId64, value);
}

int cgroup_v2_apply_memory(int dirfd, const struct cgroup_memory *m, struct silo_err *err)
{
	const char *p = "linux.resources.memory";
	char value[32];

	if (m->has_swappiness)
		return silo_err_set(err, ENOTSUP, "%s.swappiness: cgroup v2 has no swappiness per cgroup", p);
	if (m->has_disable_oom_killer && m->disable_oom_killer)
		return silo_err_set(err, ENOTSUP,
				    "%s.disableOOMKiller: cgroup v2 cannot turn the OOM killer off (memory.high in linux.resources.unified throttles instead)",
				    p);
	if (m->has_use_hierarchy && !m->use_hierarchy)
		return silo_err_set(err, ENOTSUP, "%s.useHierarchy: cgroup v2 is always hierarchical", p);
	if (m->has_limit) {
		limit_text(m->limit, value, sizeof(value));
		if (cgroup_write(dirfd, "memory.max", value, "linux.resources.memory.limit", err) < 0)
			return -1;
	}
	if (m->has_swap) {
		uint64_t limit = UINT64_MAX;

		if (m->has_limit)
			limit = m->limit < 0 ? UINT64_MAX : (uint64_t)m->limit;
		else if (cgroup_read_u64(dirfd, "memory.max", &limit) < 0)
			limit = UINT64_MAX;
		if (!cgroup_has_file(dirfd, "memory.swap.max")) {
			if (m->swap >= 0)
				return silo_err_set(err, ENOTSUP,
						    "%s.swap: the kernel does not account swap (no memory.swap.max)", p);
		} else if (cgroup_v2_swap_max(m->swap, limit, value, sizeof(value), err) < 0 ||
			   cgroup_write(dirfd, "memory.swap.max", value, "linux.resources.memory.swap", err) < 0) {
			return -1;
		}
	}
	if (m->has_reservation) {
		limit_text(m->reservation, value, sizeof(value));
		if (cgroup_write(dirfd, "memory.low", value, "linux.resources.memory.reservation", err) < 0)
			return -1;
	}
	/* kernel and kernelTCP: charged to memory.max on v2; nothing to set. */
	return 0;
}

int cgroup_v2_apply_cpu(int dirfd, const struct cgroup_cpu *c, struct silo_err *err)
{
	const char *p = "linux.resources.cpu";
	char value[64];

	if ((c->has_realtime_runtime && c->realtime_runtime != 0) || c->has_realtime_period)
		return silo_err_set(err, ENOTSUP,
				    "%s.%s: cgroup v2 has no realtime group scheduling (cpu.rt_*)", p,
				    c->has_realtime_runtime ? "realtimeRuntime" : "realtimePeriod");
	if (c->has_shares &&
	    cgroup_write_u64(dirfd, "cpu.weight", cgroup_v2_cpu_weight(c->shares),
			     "linux.resources.cpu.shares", err) < 0)
		return -1;
	if (c->has_quota || c->has_period) {
		_cleanup_free_ char *current = c->has_quota && c->has_period ? NULL
									 : cgroup_read(dirfd, "cpu.max");

		cgroup_v2_cpu_max(c->has_quota, c->quota, c->has_period, c->period, current, value,
				  sizeof(value));
		if (cgroup_write(dirfd, "cpu.max", value,
				 c->has_quota ? "linux.resources.cpu.quota" : "linux.resources.cpu.period",
				 err) < 0)
			return -1;
	}
	if (c->has_burst &&
	    cgroup_write_u64(dirfd, "cpu.max.burst", c->burst, "linux.resources.cpu.burst", err) < 0)
		return -1;
	if (c->has_idle &&
	    cgroup_write_i64(dirfd, "cpu.idle", c->idle, "linux.resources.cpu.idle", err) < 0)
		return -1;
	return 0;
}

int cgroup_v2_apply_io(int dirfd, const struct cgroup_block_io *b, struct silo_err *err)
{
	static const char *const keys[] = { "rbps", "wbps", "riops", "wiops" };
	static const char *const fields[] = { "throttleReadBpsDevice", "throttleWriteBpsDevice",
					      "throttleReadIOPSDevice", "throttleWriteIOPSDevice" };
	const char *p = "linux.resources.blockIO";
	int bfq = cgroup_has_file(dirfd, "io.bfq.weight");
	const char *weight_file = bfq ? "io.bfq.weight" : "io.weight";
	char line[128], field[FIELD_MAX];

	if (b->has_leaf_weight)
		return silo_err_set(err, ENOTSUP, "%s.leafWeight: cgroup v2 has no leaf weights", p);
	if ((b->has_weight || b->n_weight_devices) && !bfq && !cgroup_has_file(dirfd, "io.weight"))
		return silo_err_set(err, ENOTSUP,
				    "%s.weight: no io.weight nor io.bfq.weight on this host: weights need the BFQ scheduler or the iocost controller",
				    p);
	if (b->has_weight) {
		snprintf(line, sizeof(line), "default %" PRIu64,
			 bfq ? (uint64_t)b->weight : cgroup_v2_io_weight(b->weight));
		if (cgroup_write(dirfd, weight_file, line, "linux.resources.blockIO.weight", err) < 0)
			return -1;
	}
	for (size_t i = 0; i < b->n_weight_devices; i++) {
		const struct cgroup_device_weight *w = &b->weight_devices[i];

		snprintf(field, sizeof(field), "%s.weightDevice[%zu]", p, i);
		if (w->has_leaf_weight)
			return silo_err_set(err, ENOTSUP, "%s.leafWeight: cgroup v2 has no leaf weights", field);
		snprintf(line, sizeof(line), "%" PRId64 ":%" PRId64 " %" PRIu64, w->major, w->minor,
			 bfq ? (uint64_t)w->weight : cgroup_v2_io_weight(w->weight));
		if (cgroup_write(dirfd, weight_file, line, field, err) < 0)
			return -1;
	}
	for (int t = 0; t < 4; t++)
		for (size_t i = 0; i < b->n_throttle[t]; i++) {
			const struct cgroup_device_rate *r = &b->throttle[t][i];

			snprintf(field, sizeof(field), "%s.%s[%zu]", p, fields[t], i);
			/* 0 lifts the limit in v1; "max" does in v2. */
			if (r->rate)
				snprintf(line, sizeof(line), "%" PRId64 ":%" PRId64 " %s=%" PRIu64, r->major,
					 r->minor, keys[t], r->rate);
			else
				snprintf(line, sizeof(line), "%" PRId64 ":%" PRId64 " %s=max", r->major,
					 r->minor, keys[t]);
			if (cgroup_write(dirfd, "io.max", line, field, err) < 0)
				return -1;
		}
	return 0;
}


int cgroup_v2_apply_unified(int dirfd, const struct cgroup_unified_entry *entries, size_t n,
			    struct silo_err *err)
{
	for (size_t i = 0; i < n; i++) {
		char field[FIELD_MAX];

		snprintf(field, sizeof(field), "linux.resources.unified[\"%s\"]", entries[i].key);
		if (!cgroup_has_file(dirfd, entries[i].key))
			return silo_err_set(err, ENOENT, "%s: the container's cgroup has no file %s", field,
					    entries[i].key);
		if (cgroup_write(dirfd, entries[i].key, entries[i].value, field, err) < 0)
			return -1;
	}
	return 0;
}

/* --- freezing and killing --- */

int cgroup_v2_is_frozen(int dirfd)
{
	uint64_t frozen;

	if (cgroup_read_keyed(dirfd, "cgroup.events", "frozen", &frozen) < 0)
		return -1;
	return frozen == 1;
}

int cgroup_v2_freeze(int dirfd, int frozen, struct silo_err *err)
{
	if (cgroup_write(dirfd, "cgroup.freeze", frozen ? "1" : "0", "freeze", err) < 0)
		return -1;
	/* cgroup.events says "frozen 1" once every task has stopped. */
	for (int tries = 0; tries < 2000; tries++) {
		struct timespec pause = { 0, (tries < 100 ? 1 : 5) * 1000000L };

		if (cgroup_v2_is_frozen(dirfd) == !!frozen)
			return 0;
		nanosleep(&pause, NULL);
	}
	if (!frozen)
		return 0;
	cgroup_write(dirfd, "cgroup.freeze", "0", "freeze", NULL);
	return silo_err_set(err, ETIMEDOUT, "the cgroup did not report frozen: a task would not stop");
}

int cgroup_v2_kill(int dirfd)
{
	if (!cgroup_has_file(dirfd, "cgroup.kill"))
		return -ENOENT;
	return cgroup_write(dirfd, "cgroup.kill", "1", "kill", NULL) < 0 ? -EIO : 0;
}

/* --- statistics --- */


static uint64_t add_saturating(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

void cgroup_v2_stats_cpu(int dirfd, json_t *cpu)
{
	json_t *usage = json_object_get(cpu, "usage");
	json_t *throttling = json_object_get(cpu, "throttling");
	uint64_t v;

	/* cpu.stat counts microseconds; runc's shape wants nanoseconds. */
	if (cgroup_read_keyed(dirfd, "cpu.stat", "usage_usec", &v) == 0)
		cgroup_json_set_u64(usage, "total", v * 1000);
	if (cgroup_read_keyed(dirfd, "cpu.stat", "user_usec", &v) == 0)
		cgroup_json_set_u64(usage, "user", v * 1000);
	if (cgroup_read_keyed(dirfd, "cpu.stat", "system_usec", &v) == 0)
		cgroup_json_set_u64(usage, "kernel", v * 1000);
	if (cgroup_read_keyed(dirfd, "cpu.stat", "nr_periods", &v) == 0)
		cgroup_json_set_u64(throttling, "periods", v);
	if (cgroup_read_keyed(dirfd, "cpu.stat", "nr_throttled", &v) == 0)
		cgroup_json_set_u64(throttling, "throttledPeriods", v);
	if (cgroup_read_keyed(dirfd, "cpu.stat", "throttled_usec", &v) == 0)
		cgroup_json_set_u64(throttling, "throttledTime", v * 1000);
}


void cgroup_v2_stats_memory(int dirfd, json_t *memory)
{
	_cleanup_free_ char *stat = cgroup_read(dirfd, "memory.stat");
	_cleanup_free_ char *events = cgroup_read(dirfd, "memory.events");
	json_t *usage = json_object(), *raw = cgroup_keyed_numbers(stat);
	uint64_t current = 0, max = UINT64_MAX, v;

	cgroup_read_u64(dirfd, "memory.current", &current);
	cgroup_read_u64(dirfd, "memory.max", &max);
	cgroup_json_set_u64(usage, "usage", current);
	cgroup_json_set_u64(usage, "limit", max);
	if (cgroup_read_u64(dirfd, "memory.peak", &v) == 0)
		cgroup_json_set_u64(usage, "max", v);
	/* v1's failcnt counted hits of the limit: "max" events here. */
	cgroup_json_set_u64(usage, "failcnt",
		cgroup_read_keyed(dirfd, "memory.events", "max", &v) == 0 ? v : 0);
	json_object_set_new(memory, "usage", usage);
	if (cgroup_read_u64(dirfd, "memory.swap.current", &v) == 0) {
		json_t *swap = json_object();
		uint64_t swap_max = UINT64_MAX;

		/* Reported as memory+swap, the v1 meaning callers expect. */
		cgroup_read_u64(dirfd, "memory.swap.max", &swap_max);
		cgroup_json_set_u64(swap, "usage", add_saturating(v, current));
		cgroup_json_set_u64(swap, "limit", add_saturating(swap_max, max));
		cgroup_json_set_u64(swap, "failcnt",
			cgroup_read_keyed(dirfd, "memory.swap.events", "max", &v) == 0 ? v : 0);
		json_object_set_new(memory, "swap", swap);
	}
	if (json_object_get(raw, "file"))
		json_object_set(memory, "cache", json_object_get(raw, "file"));
	json_object_set_new(memory, "raw", raw);
	if (events)
		json_object_set_new(memory, "event_count", cgroup_keyed_numbers(events));
}

void cgroup_v2_stats_io(int dirfd, json_t *blkio)
{
	_cleanup_free_ char *text = cgroup_read(dirfd, "io.stat");
	json_t *bytes = json_array(), *ios = json_array();
	char *save = NULL;

	for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		static const struct { const char *key, *op; int bytes; } parts[] = {
			{ "rbytes=", "Read", 1 }, { "wbytes=", "Write", 1 }, { "dbytes=", "Discard", 1 },
			{ "rios=", "Read", 0 },   { "wios=", "Write", 0 },   { "dios=", "Discard", 0 },
		};
		unsigned major, minor;

		if (sscanf(line, "%u:%u", &major, &minor) != 2)
			continue;
		for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
			char *at = strstr(line, parts[i].key);

			if (!at)
				continue;
			json_array_append_new(parts[i].bytes ? bytes : ios,
					      json_pack("{s:I, s:I, s:s, s:I}", "major", (json_int_t)major,
							"minor", (json_int_t)minor, "op", parts[i].op, "value",
							(json_int_t)strtoull(at + strlen(parts[i].key), NULL, 10)));
		}
	}
	json_object_set_new(blkio, "ioServiceBytesRecursive", bytes);
	json_object_set_new(blkio, "ioServicedRecursive", ios);
}

void cgroup_v2_stats_hugetlb(int dirfd, json_t *hugetlb)
{
	char sizes[256];
	char *save = NULL;

	cgroup_hugetlb_sizes(dirfd, ".max", sizes, sizeof(sizes));
	for (char *size = strtok_r(sizes, ", ", &save); size; size = strtok_r(NULL, ", ", &save)) {
		json_t *entry = json_object();
		char file[96];
		uint64_t v;

		snprintf(file, sizeof(file), "hugetlb.%s.current", size);
		if (cgroup_read_u64(dirfd, file, &v) == 0)
			cgroup_json_set_u64(entry, "usage", v);
		snprintf(file, sizeof(file), "hugetlb.%s.events", size);
		cgroup_json_set_u64(entry, "failcnt", cgroup_read_keyed(dirfd, file, "max", &v) == 0 ? v : 0);
		json_object_set_new(hugetlb, size, entry);
	}
}

int cgroup_v2_memory_events(int dirfd, uint64_t *oom, uint64_t *oom_kill)
{
	*oom = *oom_kill = 0;
	if (cgroup_read_keyed(dirfd, "memory.events", "oom", oom) < 0)
		return -1;
	cgroup_read_keyed(dirfd, "memory.events", "oom_kill", oom_kill);
	return 0;
}

int cgroup_v2_oom_watch(int dirfd, struct silo_err *err)
{
	_cleanup_close_ int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	char path[64];

	if (fd < 0)
		return silo_err_errno(err, "watch for OOM events");
	/* The kernel reports a change of memory.events as a modification. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d/memory.events", dirfd);
	if (inotify_add_watch(fd, path, IN_MODIFY) < 0)
		return silo_err_errno(err, "watch memory.events for OOM events");
	return steal_fd(&fd);
}
