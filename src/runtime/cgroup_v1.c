/* cgroup v1: one hierarchy per controller (or group of controllers), each
 * with its own files. linux.resources was designed on these, so values go
 * in as they are; what needs care is the order of files whose values bound
 * each other (memory <= memory+swap, runtime <= period), and the files that
 * exist only with some kernels or I/O schedulers. */
#include "runtime/cgroup_v1.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"

#define FIELD_MAX 256

/* Two files whose values bound each other: which order works depends on
 * whether the values go up or down, so write A then B, and on EINVAL try B
 * then A. */
static int write_pair(int dirfd, const char *file_a, const char *value_a, const char *field_a,
		      const char *file_b, const char *value_b, const char *field_b,
		      struct silo_err *err)
{
	struct silo_err first;

	if (cgroup_write(dirfd, file_a, value_a, field_a, &first) == 0)
		return cgroup_write(dirfd, file_b, value_b, field_b, err);
	if (first.code != EINVAL || cgroup_write(dirfd, file_b, value_b, field_b, NULL) < 0 ||
	    cgroup_write(dirfd, file_a, value_a, field_a, NULL) < 0) {
		if (err)
			*err = first;
		return -1;
	}
	return 0;
}

/* --- memory --- */

/* kernel and kernelTCP are NOT RECOMMENDED in the spec, and newer kernels
 * dropped the files or ignore writes: applied where the kernel takes them,
 * skipped otherwise. */
static int write_optional(int dirfd, const char *file, int64_t value, const char *field,
			  struct silo_err *err)
{
	struct silo_err inner;

	if (!cgroup_has_file(dirfd, file))
		return 0;
	if (cgroup_write_i64(dirfd, file, value, field, &inner) == 0 || inner.code == EOPNOTSUPP ||
	    inner.code == ENOTSUP)
		return 0;
	if (err)
		*err = inner;
	return -1;
}

int cgroup_v1_apply_memory(int dirfd, const struct cgroup_memory *m, struct silo_err *err)
{
	const char *p = "linux.resources.memory";
	int has_memsw = cgroup_has_file(dirfd, "memory.memsw.limit_in_bytes");
	char limit[32], swap[32];

	snprintf(limit, sizeof(limit), "%" PRId64, m->limit);
	snprintf(swap, sizeof(swap), "%" PRId64, m->swap);
	if (m->has_swap && !has_memsw && m->swap != -1)
		return silo_err_set(err, ENOTSUP,
				    "%s.swap: the kernel does not account swap (no memory.memsw.limit_in_bytes; boot with swapaccount=1)",
				    p);
	if (m->has_limit && m->has_swap && has_memsw) {
		if (write_pair(dirfd, "memory.limit_in_bytes", limit, "linux.resources.memory.limit",
			       "memory.memsw.limit_in_bytes", swap, "linux.resources.memory.swap", err) < 0)
			return -1;
	} else if (m->has_limit) {
		struct silo_err inner;
		uint64_t memsw;

		if (cgroup_write(dirfd, "memory.limit_in_bytes", limit, "linux.resources.memory.limit",
				 &inner) < 0) {
			if (inner.code == EINVAL && has_memsw &&
			    cgroup_read_u64(dirfd, "memory.memsw.limit_in_bytes", &memsw) == 0 &&
			    (m->limit < 0 || (uint64_t)m->limit > memsw))
				return silo_err_set(err, EINVAL,
						    "%s.limit: %s is above the memory+swap limit (%" PRIu64 "): give swap too",
						    p, limit, memsw);
			if (err)
				*err = inner;
			return -1;
		}
	} else if (m->has_swap && has_memsw &&
		   cgroup_write(dirfd, "memory.memsw.limit_in_bytes", swap, "linux.resources.memory.swap",
				err) < 0) {
		return -1;
	}
	if (m->has_reservation &&
	    cgroup_write_i64(dirfd, "memory.soft_limit_in_bytes", m->reservation,
			     "linux.resources.memory.reservation", err) < 0)
		return -1;
	if (m->has_kernel && write_optional(dirfd, "memory.kmem.limit_in_bytes", m->kernel,
					    "linux.resources.memory.kernel", err) < 0)
		return -1;
	if (m->has_kernel_tcp && write_optional(dirfd, "memory.kmem.tcp.limit_in_bytes", m->kernel_tcp,
						"linux.resources.memory.kernelTCP", err) < 0)
		return -1;
	if (m->has_swappiness &&
	    cgroup_write_u64(dirfd, "memory.swappiness", m->swappiness,
			     "linux.resources.memory.swappiness", err) < 0)
		return -1;
	if (m->has_disable_oom_killer &&
	    cgroup_write(dirfd, "memory.oom_control", m->disable_oom_killer ? "1" : "0",
			 "linux.resources.memory.disableOOMKiller", err) < 0)
		return -1;
	if (m->has_use_hierarchy) {
		uint64_t now;

		/* Kernels since 5.16 are always hierarchical and refuse 0. */
		if (cgroup_read_u64(dirfd, "memory.use_hierarchy", &now) == 0 &&
		    now == (uint64_t)m->use_hierarchy)
			return 0;
		if (cgroup_write(dirfd, "memory.use_hierarchy", m->use_hierarchy ? "1" : "0",
				 "linux.resources.memory.useHierarchy", err) < 0)
			return -1;
	}
	return 0;
}

/* --- cpu --- */

int cgroup_v1_apply_cpu(int dirfd, const struct cgroup_cpu *c, struct silo_err *err)
{
	char quota[32], period[32], runtime[32], rt_period[32];

	snprintf(quota, sizeof(quota), "%" PRId64, c->quota);
	snprintf(period, sizeof(period), "%" PRIu64, c->period);
	snprintf(runtime, sizeof(runtime), "%" PRId64, c->realtime_runtime);
	snprintf(rt_period, sizeof(rt_period), "%" PRIu64, c->realtime_period);
	if (c->has_shares &&
	    cgroup_write_u64(dirfd, "cpu.shares", c->shares, "linux.resources.cpu.shares", err) < 0)
		return -1;
	if (c->has_period && c->has_quota) {
		if (write_pair(dirfd, "cpu.cfs_period_us", period, "linux.resources.cpu.period",
			       "cpu.cfs_quota_us", quota, "linux.resources.cpu.quota", err) < 0)
			return -1;
	} else if (c->has_period) {
		if (cgroup_write(dirfd, "cpu.cfs_period_us", period, "linux.resources.cpu.period", err) < 0)
			return -1;
	} else if (c->has_quota &&
		   cgroup_write(dirfd, "cpu.cfs_quota_us", quota, "linux.resources.cpu.quota", err) < 0) {
		return -1;
	}
	if (c->has_burst &&
	    cgroup_write_u64(dirfd, "cpu.cfs_burst_us", c->burst, "linux.resources.cpu.burst", err) < 0)
		return -1;
	if (c->has_idle &&
	    cgroup_write_i64(dirfd, "cpu.idle", c->idle, "linux.resources.cpu.idle", err) < 0)
		return -1;
	if (c->has_realtime_period && c->has_realtime_runtime) {
		if (write_pair(dirfd, "cpu.rt_period_us", rt_period, "linux.resources.cpu.realtimePeriod",
			       "cpu.rt_runtime_us", runtime, "linux.resources.cpu.realtimeRuntime", err) < 0)
			goto realtime_failed;
	} else if (c->has_realtime_period) {
		if (cgroup_write(dirfd, "cpu.rt_period_us", rt_period, "linux.resources.cpu.realtimePeriod",
				 err) < 0)
			return -1;
	} else if (c->has_realtime_runtime &&
		   cgroup_write(dirfd, "cpu.rt_runtime_us", runtime, "linux.resources.cpu.realtimeRuntime",
				err) < 0) {
		goto realtime_failed;
	}
	return 0;
realtime_failed:
	/* Realtime time is handed down: a child gets none unless its parent
	 * keeps enough of its own. */
	if (err && err->code == EINVAL && c->realtime_runtime > 0)
		return silo_err_set(err, EINVAL,
				    "linux.resources.cpu.realtimeRuntime: the kernel refused %s microseconds: the parent cgroup must have at least that much realtime time (cpu.rt_runtime_us) left for it",
				    runtime);
	return -1;
}

/* --- block I/O --- */

int cgroup_v1_apply_block_io(int dirfd, const struct cgroup_block_io *b, struct silo_err *err)
{
	static const char *const throttle_files[] = {
		"blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
		"blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device",
	};
	static const char *const throttle_fields[] = {
		"throttleReadBpsDevice", "throttleWriteBpsDevice", "throttleReadIOPSDevice",
		"throttleWriteIOPSDevice",
	};
	const char *p = "linux.resources.blockIO";
	/* CFQ (gone since Linux 5.0) had blkio.weight and leaf weights; BFQ
	 * has blkio.bfq.weight, on the same 1..1000 scale. */
	int cfq = cgroup_has_file(dirfd, "blkio.weight");
	int bfq = cgroup_has_file(dirfd, "blkio.bfq.weight");
	char line[128], field[FIELD_MAX];

	if (b->has_weight) {
		if (!cfq && !bfq)
			return silo_err_set(err, ENOTSUP,
					    "%s.weight: no blkio.weight nor blkio.bfq.weight on this host: weights need the BFQ I/O scheduler",
					    p);
		if (cgroup_write_u64(dirfd, cfq ? "blkio.weight" : "blkio.bfq.weight", b->weight,
				     "linux.resources.blockIO.weight", err) < 0)
			return -1;
	}
	if (b->has_leaf_weight &&
	    (!cgroup_has_file(dirfd, "blkio.leaf_weight") ||
	     cgroup_write_u64(dirfd, "blkio.leaf_weight", b->leaf_weight,
			      "linux.resources.blockIO.leafWeight", err) < 0)) {
		if (!cgroup_has_file(dirfd, "blkio.leaf_weight"))
			return silo_err_set(err, ENOTSUP,
					    "%s.leafWeight: leaf weights came with the CFQ I/O scheduler, which this kernel does not have",
					    p);
		return -1;
	}
	for (size_t i = 0; i < b->n_weight_devices; i++) {
		const struct cgroup_device_weight *w = &b->weight_devices[i];

		snprintf(field, sizeof(field), "%s.weightDevice[%zu]", p, i);
		if (w->has_weight) {
			if (!cfq && !cgroup_has_file(dirfd, "blkio.bfq.weight_device"))
				return silo_err_set(err, ENOTSUP,
						    "%s.weight: no blkio.weight_device nor blkio.bfq.weight_device on this host",
						    field);
			snprintf(line, sizeof(line), "%" PRId64 ":%" PRId64 " %u", w->major, w->minor,
				 w->weight);
			if (cgroup_write(dirfd, cfq ? "blkio.weight_device" : "blkio.bfq.weight_device",
					 line, field, err) < 0)
				return -1;
		}
		if (w->has_leaf_weight) {
			if (!cgroup_has_file(dirfd, "blkio.leaf_weight_device"))
				return silo_err_set(err, ENOTSUP,
						    "%s.leafWeight: leaf weights came with the CFQ I/O scheduler, which this kernel does not have",
						    field);
			snprintf(line, sizeof(line), "%" PRId64 ":%" PRId64 " %u", w->major, w->minor,
				 w->leaf_weight);
			if (cgroup_write(dirfd, "blkio.leaf_weight_device", line, field, err) < 0)
				return -1;
		}
	}
	for (int t = 0; t < 4; t++)
		for (size_t i = 0; i < b->n_throttle[t]; i++) {
			const struct cgroup_device_rate *r = &b->throttle[t][i];

			snprintf(field, sizeof(field), "%s.%s[%zu]", p, throttle_fields[t], i);
			snprintf(line, sizeof(line), "%" PRId64 ":%" PRId64 " %" PRIu64, r->major,
				 r->minor, r->rate);
			if (cgroup_write(dirfd, throttle_files[t], line, field, err) < 0)
				return -1;
		}
	return 0;
}

/* --- huge pages, network, devices --- */


int cgroup_v1_apply_net_cls(int dirfd, uint32_t class_id, struct silo_err *err)
{
	return cgroup_write_u64(dirfd, "net_cls.classid", class_id, "linux.resources.network.classID",
				err);
}

int cgroup_v1_apply_net_prio(int dirfd, const struct cgroup_net_priority *priorities, size_t n,
			     struct silo_err *err)
{
	for (size_t i = 0; i < n; i++) {
		char line[128], field[FIELD_MAX];

		snprintf(field, sizeof(field), "linux.resources.network.priorities[%zu]", i);
		snprintf(line, sizeof(line), "%s %u", priorities[i].interface, priorities[i].priority);
		if (cgroup_write(dirfd, "net_prio.ifpriomap", line, field, err) < 0)
			return -1;
	}
	return 0;
}

static void device_access(unsigned access, char *out)
{
	char *p = out;

	if (access & CGROUP_DEVICE_READ)
		*p++ = 'r';
	if (access & CGROUP_DEVICE_WRITE)
		*p++ = 'w';
	if (access & CGROUP_DEVICE_MKNOD)
		*p++ = 'm';
	*p = '\0';
}

static void device_number(int64_t n, char *out, size_t len)
{
	if (n < 0)
		snprintf(out, len, "*");
	else
		snprintf(out, len, "%" PRId64, n);
}

int cgroup_v1_device_lines(const struct cgroup_device_rule *rule, char lines[2][64])
{
	const unsigned all = CGROUP_DEVICE_READ | CGROUP_DEVICE_WRITE | CGROUP_DEVICE_MKNOD;
	char access[4], major[24], minor[24];

	if (rule->type == 'a' && rule->major < 0 && rule->minor < 0 && rule->access == all) {
		snprintf(lines[0], 64, "a");
		return 1;
	}
	device_access(rule->access, access);
	device_number(rule->major, major, sizeof(major));
	device_number(rule->minor, minor, sizeof(minor));
	if (rule->type != 'a') {
		snprintf(lines[0], 64, "%c %s:%s %s", rule->type, major, minor, access);
		return 1;
	}
	snprintf(lines[0], 64, "c %s:%s %s", major, minor, access);
	snprintf(lines[1], 64, "b %s:%s %s", major, minor, access);
	return 2;
}

int cgroup_v1_apply_devices(int dirfd, const struct cgroup_device_rule *rules, size_t n,
			    struct silo_err *err)
{
	/* In order: the kernel's list is the result of the whole sequence.
	 * Each file is opened once (a rule is one write). */
	static const char *const files[2] = { "devices.deny", "devices.allow" };
	int fds[2] = { -1, -1 }, r = 0;

	for (size_t i = 0; r == 0 && i < n; i++) {
		char lines[2][64], field[FIELD_MAX];
		int count = cgroup_v1_device_lines(&rules[i], lines), a = !!rules[i].allow;

		snprintf(field, sizeof(field), "linux.resources.devices (rule %zu)", i);
		if (fds[a] < 0 && (fds[a] = cgroup_open_file(dirfd, files[a], field, err)) < 0)
			r = -1;
		for (int k = 0; r == 0 && k < count; k++)
			r = cgroup_write_fd(fds[a], files[a], lines[k], field, err);
	}
	for (int a = 0; a < 2; a++)
		if (fds[a] >= 0)
			close(fds[a]);
	return r;
}

/* --- freezer --- */

int cgroup_v1_is_frozen(int dirfd)
{
	_cleanup_free_ char *state = cgroup_read(dirfd, "freezer.state");

	if (!state)
		return -1;
	return !strncmp(state, "FROZEN", 6);
}

int cgroup_v1_freeze(int dirfd, int frozen, struct silo_err *err)
{
	if (!frozen)
		return cgroup_write(dirfd, "freezer.state", "THAWED", "freezer", err);
	/* FREEZING lasts until every task has stopped; a task busy in the
	 * kernel (vfork, a page fault) can hold it there, so ask again now
	 * and then. About ten seconds in all. */
	for (int tries = 0; tries < 2000; tries++) {
		struct timespec pause = { 0, (tries < 100 ? 1 : 5) * 1000000L };

		if (tries % 50 == 0 && cgroup_write(dirfd, "freezer.state", "FROZEN", "freezer", err) < 0)
			return -1;
		if (cgroup_v1_is_frozen(dirfd) == 1)
			return 0;
		nanosleep(&pause, NULL);
	}
	cgroup_write(dirfd, "freezer.state", "THAWED", "freezer", NULL);
	return silo_err_set(err, ETIMEDOUT, "the freezer did not reach FROZEN: a task would not stop");
}

/* --- statistics --- */


static void set_file_u64(json_t *obj, const char *key, int dirfd, const char *file)
{
	uint64_t v;

	if (cgroup_read_u64(dirfd, file, &v) == 0)
		cgroup_json_set_u64(obj, key, v);
}

static json_t *number_list(const char *text)
{
	json_t *list = json_array();

	for (const char *p = text; list && p && *p;) {
		char *end;
		uint64_t v = strtoull(p, &end, 10);

		if (end == p)
			break;
		json_array_append_new(list, json_integer((json_int_t)v));
		p = end;
	}
	return list;
}

void cgroup_v1_stats_cpu(int cpuacct_fd, int cpu_fd, json_t *cpu)
{
	json_t *usage = json_object_get(cpu, "usage");
	json_t *throttling = json_object_get(cpu, "throttling");
	static const struct { const char *file, *key; } lists[] = {
		{ "cpuacct.usage_percpu", "percpu" },
		{ "cpuacct.usage_percpu_sys", "percpu_kernel" },
		{ "cpuacct.usage_percpu_user", "percpu_user" },
	};
	uint64_t v;

	if (cpuacct_fd >= 0) {
		set_file_u64(usage, "total", cpuacct_fd, "cpuacct.usage");
		for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
			_cleanup_free_ char *text = cgroup_read(cpuacct_fd, lists[i].file);

			if (text)
				json_object_set_new(usage, lists[i].key, number_list(text));
		}
		/* Nanoseconds where the kernel has them, else clock ticks. */
		if (cgroup_read_u64(cpuacct_fd, "cpuacct.usage_sys", &v) == 0) {
			cgroup_json_set_u64(usage, "kernel", v);
			set_file_u64(usage, "user", cpuacct_fd, "cpuacct.usage_user");
		} else {
			long hz = sysconf(_SC_CLK_TCK);
			uint64_t ticks;

			if (hz <= 0)
				hz = 100;
			if (cgroup_read_keyed(cpuacct_fd, "cpuacct.stat", "system", &ticks) == 0)
				cgroup_json_set_u64(usage, "kernel", ticks * (1000000000ull / (uint64_t)hz));
			if (cgroup_read_keyed(cpuacct_fd, "cpuacct.stat", "user", &ticks) == 0)
				cgroup_json_set_u64(usage, "user", ticks * (1000000000ull / (uint64_t)hz));
		}
	}
	if (cpu_fd >= 0) {
		if (cgroup_read_keyed(cpu_fd, "cpu.stat", "nr_periods", &v) == 0)
			cgroup_json_set_u64(throttling, "periods", v);
		if (cgroup_read_keyed(cpu_fd, "cpu.stat", "nr_throttled", &v) == 0)
			cgroup_json_set_u64(throttling, "throttledPeriods", v);
		if (cgroup_read_keyed(cpu_fd, "cpu.stat", "throttled_time", &v) == 0)
			cgroup_json_set_u64(throttling, "throttledTime", v);
	}
}

static json_t *memory_entry(int dirfd, const char *prefix)
{
	static const struct { const char *key, *file; } parts[] = {
		{ "limit", "limit_in_bytes" },
		{ "usage", "usage_in_bytes" },
		{ "max", "max_usage_in_bytes" },
		{ "failcnt", "failcnt" },
	};
	json_t *entry = json_object();
	char file[96];

	for (size_t i = 0; entry && i < sizeof(parts) / sizeof(parts[0]); i++) {
		snprintf(file, sizeof(file), "%s%s", prefix, parts[i].file);
		set_file_u64(entry, parts[i].key, dirfd, file);
	}
	return entry;
}


void cgroup_v1_stats_memory(int dirfd, json_t *memory)
{
	_cleanup_free_ char *stat = cgroup_read(dirfd, "memory.stat");
	json_t *raw = cgroup_keyed_numbers(stat);
	json_t *cache;
	uint64_t kills;

	json_object_set_new(memory, "usage", memory_entry(dirfd, "memory."));
	if (cgroup_has_file(dirfd, "memory.memsw.usage_in_bytes"))
		json_object_set_new(memory, "swap", memory_entry(dirfd, "memory.memsw."));
	if (cgroup_has_file(dirfd, "memory.kmem.usage_in_bytes"))
		json_object_set_new(memory, "kernel", memory_entry(dirfd, "memory.kmem."));
	if (cgroup_has_file(dirfd, "memory.kmem.tcp.usage_in_bytes"))
		json_object_set_new(memory, "kernelTCP", memory_entry(dirfd, "memory.kmem.tcp."));
	cache = json_object_get(raw, "total_cache");
	if (!cache)
		cache = json_object_get(raw, "cache");
	if (cache)
		json_object_set(memory, "cache", cache);
	json_object_set_new(memory, "raw", raw);
	if (cgroup_v1_oom_kills(dirfd, &kills) == 0)
		json_object_set_new(memory, "event_count", json_pack("{s:I}", "oom_kill", (json_int_t)kills));
}

/* blkio's "MAJ:MIN Op value" lines, without the "Total" line. */
static json_t *blkio_entries(const char *text)
{
	json_t *list = json_array();
	_cleanup_free_ char *copy = text ? strdup(text) : NULL;
	char *save = NULL;

	for (char *line = copy ? strtok_r(copy, "\n", &save) : NULL; list && line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned major, minor;
		char op[32];
		unsigned long long value;

		if (sscanf(line, "%u:%u %31s %llu", &major, &minor, op, &value) != 4)
			continue;
		json_array_append_new(list, json_pack("{s:I, s:I, s:s, s:I}", "major", (json_int_t)major,
						      "minor", (json_int_t)minor, "op", op, "value",
						      (json_int_t)value));
	}
	return list;
}

void cgroup_v1_stats_blkio(int dirfd, json_t *blkio)
{
	static const struct { const char *key, *file, *fallback; } parts[] = {
		{ "ioServiceBytesRecursive", "blkio.throttle.io_service_bytes_recursive",
		  "blkio.bfq.io_service_bytes_recursive" },
		{ "ioServicedRecursive", "blkio.throttle.io_serviced_recursive",
		  "blkio.bfq.io_serviced_recursive" },
	};

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		_cleanup_free_ char *text = cgroup_read(dirfd, parts[i].file);

		if (!text)
			text = cgroup_read(dirfd, parts[i].fallback);
		if (text)
			json_object_set_new(blkio, parts[i].key, blkio_entries(text));
	}
}

void cgroup_v1_stats_hugetlb(int dirfd, json_t *hugetlb)
{
	char sizes[256];
	char *save = NULL;

	cgroup_hugetlb_sizes(dirfd, ".usage_in_bytes", sizes, sizeof(sizes));
	for (char *size = strtok_r(sizes, ", ", &save); size; size = strtok_r(NULL, ", ", &save)) {
		json_t *entry = json_object();
		char file[96];

		snprintf(file, sizeof(file), "hugetlb.%s.usage_in_bytes", size);
		set_file_u64(entry, "usage", dirfd, file);
		snprintf(file, sizeof(file), "hugetlb.%s.max_usage_in_bytes", size);
		set_file_u64(entry, "max", dirfd, file);
		snprintf(file, sizeof(file), "hugetlb.%s.failcnt", size);
		set_file_u64(entry, "failcnt", dirfd, file);
		json_object_set_new(hugetlb, size, entry);
	}
}

int cgroup_v1_oom_kills(int dirfd, uint64_t *out)
{
	return cgroup_read_keyed(dirfd, "memory.oom_control", "oom_kill", out);
}

int cgroup_v1_oom_watch(int dirfd, struct silo_err *err)
{
	_cleanup_close_ int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	_cleanup_close_ int control = openat(dirfd, "memory.oom_control", O_RDONLY | O_CLOEXEC);
	char line[64];

	if (efd < 0 || control < 0)
		return silo_err_errno(err, "watch for OOM events");
	/* "<eventfd> <fd of memory.oom_control>": the kernel counts each OOM
	 * of the cgroup on the eventfd. */
	snprintf(line, sizeof(line), "%d %d", efd, control);
	if (cgroup_write(dirfd, "cgroup.event_control", line, "watch for OOM events", err) < 0)
		return -1;
	return steal_fd(&efd);
}
