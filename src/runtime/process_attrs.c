/* personality, I/O priority, scheduler and NUMA memory policy. The syscalls
 * for the last three have no glibc wrapper of the shape we need, so they
 * are called directly. */
#include "runtime/process_attrs.h"

#include <errno.h>
#include <jansson.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

struct name_value {
	const char *name;
	long value;
};

static long lookup(const struct name_value *table, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (!strcmp(table[i].name, name))
			return table[i].value;
	return -1;
}
#define LOOKUP(table, name) lookup(table, sizeof(table) / sizeof(table[0]), name)

static const struct name_value ioprio_classes[] = {
	{ "IOPRIO_CLASS_RT", 1 }, { "IOPRIO_CLASS_BE", 2 }, { "IOPRIO_CLASS_IDLE", 3 },
};

static const struct name_value sched_policies[] = {
	{ "SCHED_OTHER", SCHED_OTHER }, { "SCHED_FIFO", SCHED_FIFO },   { "SCHED_RR", SCHED_RR },
	{ "SCHED_BATCH", SCHED_BATCH }, { "SCHED_IDLE", SCHED_IDLE },   { "SCHED_DEADLINE", 6 },
};

static const struct name_value sched_flags[] = {
	{ "SCHED_FLAG_RESET_ON_FORK", 0x01 }, { "SCHED_FLAG_RECLAIM", 0x02 },
	{ "SCHED_FLAG_DL_OVERRUN", 0x04 },    { "SCHED_FLAG_KEEP_POLICY", 0x08 },
	{ "SCHED_FLAG_KEEP_PARAMS", 0x10 },   { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
	{ "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
};

static const struct name_value mpol_modes[] = {
	{ "MPOL_DEFAULT", 0 },	  { "MPOL_PREFERRED", 1 }, { "MPOL_BIND", 2 },
	{ "MPOL_INTERLEAVE", 3 }, { "MPOL_LOCAL", 4 },	   { "MPOL_PREFERRED_MANY", 5 },
	{ "MPOL_WEIGHTED_INTERLEAVE", 6 },
};

static const struct name_value mpol_flags[] = {
	{ "MPOL_F_NUMA_BALANCING", 1 << 13 },
	{ "MPOL_F_RELATIVE_NODES", 1 << 14 },
	{ "MPOL_F_STATIC_NODES", 1 << 15 },
};

/* The sched_setattr(2) argument; glibc has no definition. */
struct silo_sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
};

static json_t *field(const struct spec *spec, const char *section, const char *key)
{
	return json_object_get(json_object_get(spec->document, section), key);
}

static int flags_of(json_t *list, const struct name_value *table, size_t n, const char *what,
		    unsigned long *out, struct silo_err *err)
{
	size_t i;
	json_t *f;

	*out = 0;
	json_array_foreach (list, i, f) {
		long v = lookup(table, n, json_string_value(f));

		if (v < 0)
			return silo_err_set(err, EINVAL, "config.json: %s[%zu]: unknown flag \"%s\"", what, i,
					    json_string_value(f) ? json_string_value(f) : "?");
		*out |= (unsigned long)v;
	}
	return 0;
}

static int check_personality(const struct spec *spec, unsigned long *persona, struct silo_err *err)
{
	json_t *p = field(spec, "linux", "personality");
	const char *domain = json_string_value(json_object_get(p, "domain"));

	*persona = 0;
	if (!p || json_is_null(p))
		return 0;
	if (domain && !strcmp(domain, "LINUX"))
		*persona = PER_LINUX;
	else if (domain && !strcmp(domain, "LINUX32"))
		*persona = PER_LINUX32;
	else
		return silo_err_set(err, EINVAL,
				    "config.json: linux.personality.domain: \"%s\" is not LINUX or LINUX32",
				    domain ? domain : "");
	if (json_array_size(json_object_get(p, "flags")))
		return silo_err_set(err, EINVAL,
				    "config.json: linux.personality.flags: no flags are defined yet");
	return 1;
}

static int check_ioprio(const struct spec *spec, int *value, struct silo_err *err)
{
	json_t *io = field(spec, "process", "ioPriority");
	long cls;
	json_int_t prio;

	if (!io || json_is_null(io))
		return 0;
	cls = LOOKUP(ioprio_classes, json_string_value(json_object_get(io, "class")));
	prio = json_integer_value(json_object_get(io, "priority"));
	if (cls < 0)
		return silo_err_set(err, EINVAL, "config.json: process.ioPriority.class: unknown class");
	if (prio < 0 || prio > 7)
		return silo_err_set(err, EINVAL, "config.json: process.ioPriority.priority: must be 0 to 7");
	*value = (int)((cls << 13) | prio);
	return 1;
}

static int check_scheduler(const struct spec *spec, struct silo_sched_attr *attr,
			   struct silo_err *err)
{
	json_t *s = field(spec, "process", "scheduler");
	unsigned long flags;
	long policy;

	memset(attr, 0, sizeof(*attr));
	if (!s || json_is_null(s))
		return 0;
	policy = LOOKUP(sched_policies, json_string_value(json_object_get(s, "policy")));
	if (policy < 0)
		return silo_err_set(err, EINVAL, "config.json: process.scheduler.policy: unknown policy");
	if (flags_of(json_object_get(s, "flags"), sched_flags,
		     sizeof(sched_flags) / sizeof(sched_flags[0]), "process.scheduler.flags", &flags,
		     err) < 0)
		return -1;
	attr->size = sizeof(*attr);
	attr->sched_policy = (uint32_t)policy;
	attr->sched_flags = flags;
	attr->sched_nice = (int32_t)json_integer_value(json_object_get(s, "nice"));
	attr->sched_priority = (uint32_t)json_integer_value(json_object_get(s, "priority"));
	attr->sched_runtime = (uint64_t)json_integer_value(json_object_get(s, "runtime"));
	attr->sched_deadline = (uint64_t)json_integer_value(json_object_get(s, "deadline"));
	attr->sched_period = (uint64_t)json_integer_value(json_object_get(s, "period"));
	if (attr->sched_nice < -20 || attr->sched_nice > 19)
		return silo_err_set(err, EINVAL, "config.json: process.scheduler.nice: must be -20 to 19");
	return 1;
}

/* "0-3,5" -> a node mask. */
static int parse_nodes(const char *text, unsigned long *mask, struct silo_err *err)
{
	const char *p = text;

	*mask = 0;
	while (p && *p) {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;

		if (end == p)
			goto bad;
		if (*end == '-') {
			p = end + 1;
			hi = strtol(p, &end, 10);
			if (end == p)
				goto bad;
		}
		if (lo < 0 || hi < lo || hi >= (long)(8 * sizeof(*mask)))
			goto bad;
		for (long n = lo; n <= hi; n++)
			*mask |= 1UL << n;
		p = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			goto bad;
	}
	return 0;
bad:
	return silo_err_set(err, EINVAL, "config.json: linux.memoryPolicy.nodes: invalid \"%s\"", text);
}

static int check_mempolicy(const struct spec *spec, long *mode, unsigned long *nodes,
			   struct silo_err *err)
{
	json_t *m = field(spec, "linux", "memoryPolicy");
	unsigned long flags;

	if (!m || json_is_null(m))
		return 0;
	*mode = LOOKUP(mpol_modes, json_string_value(json_object_get(m, "mode")));
	if (*mode < 0)
		return silo_err_set(err, EINVAL, "config.json: linux.memoryPolicy.mode: unknown mode");
	if (flags_of(json_object_get(m, "flags"), mpol_flags, sizeof(mpol_flags) / sizeof(mpol_flags[0]),
		     "linux.memoryPolicy.flags", &flags, err) < 0)
		return -1;
	*mode |= (long)flags;
	if (parse_nodes(json_string_value(json_object_get(m, "nodes")), nodes, err) < 0)
		return -1;
	return 1;
}

int process_attrs_validate(const struct spec *spec, struct silo_err *err)
{
	struct silo_sched_attr attr;
	unsigned long persona, nodes;
	long mode;
	int ioprio;

	if (check_personality(spec, &persona, err) < 0 || check_ioprio(spec, &ioprio, err) < 0 ||
	    check_scheduler(spec, &attr, err) < 0 || check_mempolicy(spec, &mode, &nodes, err) < 0)
		return -1;
	return 0;
}

int process_attrs_apply(const struct spec *spec, struct silo_err *err)
{
	struct silo_sched_attr attr;
	unsigned long persona, nodes = 0;
	long mode = 0;
	int ioprio, r;

	r = check_personality(spec, &persona, err);
	if (r < 0 || (r > 0 && personality(persona) < 0))
		return r < 0 ? -1 : silo_err_errno(err, "config.json: linux.personality");
	r = check_ioprio(spec, &ioprio, err);
	/* ioprio_set(IOPRIO_WHO_PROCESS, 0 = ourselves, value) */
	if (r < 0 || (r > 0 && syscall(SYS_ioprio_set, 1, 0, ioprio) < 0))
		return r < 0 ? -1 : silo_err_errno(err, "config.json: process.ioPriority");
	r = check_scheduler(spec, &attr, err);
	if (r < 0 || (r > 0 && syscall(SYS_sched_setattr, 0, &attr, 0) < 0))
		return r < 0 ? -1 : silo_err_errno(err, "config.json: process.scheduler");
	r = check_mempolicy(spec, &mode, &nodes, err);
	if (r < 0 || (r > 0 && syscall(SYS_set_mempolicy, mode, nodes ? &nodes : NULL,
				       nodes ? 8 * sizeof(nodes) + 1 : 0) < 0))
		return r < 0 ? -1 : silo_err_errno(err, "config.json: linux.memoryPolicy");
	return 0;
}
