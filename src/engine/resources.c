/* Resource flags → config.json (see resources.h). Values are checked while
 * the flags are read, so a bad one stops `run` before anything is made:
 * the runtime would only find out once the container is half set up. */
#include "engine/resources.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "util/json.h"

#define CPU_PERIOD_US 100000ULL
/* Below this a container cannot even start its init (docker's minimum). */
#define MEMORY_MINIMUM (6LL << 20)

int engine_size_parse(const char *text, unsigned long long *out)
{
	char *end;
	unsigned long long n, unit = 1;

	if (!text || text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	n = strtoull(text, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'k': case 'K': unit = 1ULL << 10; end++; break;
	case 'm': case 'M': unit = 1ULL << 20; end++; break;
	case 'g': case 'G': unit = 1ULL << 30; end++; break;
	case 't': case 'T': unit = 1ULL << 40; end++; break;
	default: break;
	}
	if (unit > 1 && *end == 'i')
		end++;
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end || (n && unit > ~0ULL / n))
		return -1;
	*out = n * unit;
	return 0;
}

static int parse_long(const char *text, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(text, &end, 10);
	return errno || end == text || *end ? -1 : 0;
}

static const struct {
	const char *name; /* docker's --ulimit name */
	const char *type; /* OCI's */
	int resource;
} ulimit_names[] = {
	{ "as", "RLIMIT_AS", RLIMIT_AS },
	{ "core", "RLIMIT_CORE", RLIMIT_CORE },
	{ "cpu", "RLIMIT_CPU", RLIMIT_CPU },
	{ "data", "RLIMIT_DATA", RLIMIT_DATA },
	{ "fsize", "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "locks", "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "memlock", "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
	{ "msgqueue", "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "nice", "RLIMIT_NICE", RLIMIT_NICE },
	{ "nofile", "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "nproc", "RLIMIT_NPROC", RLIMIT_NPROC },
	{ "rss", "RLIMIT_RSS", RLIMIT_RSS },
	{ "rtprio", "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
	{ "rttime", "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "sigpending", "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "stack", "RLIMIT_STACK", RLIMIT_STACK },
};

static int parse_limit(const char *text, unsigned long long *out)
{
	long long n;

	if (!strcmp(text, "unlimited") || !strcmp(text, "-1")) {
		*out = RLIM_INFINITY;
		return 0;
	}
	if (parse_long(text, &n) < 0 || n < 0)
		return -1;
	*out = (unsigned long long)n;
	return 0;
}

static void limit_text(unsigned long long v, char *buf, size_t size)
{
	if (v == RLIM_INFINITY)
		snprintf(buf, size, "unlimited");
	else
		snprintf(buf, size, "%llu", v);
}

/* name=soft[:hard]. A limit above the host's hard one could only be set
 * with CAP_SYS_RESOURCE, which silo may not have (it is not in every
 * bounding set): refused here, not by setrlimit inside the container. */
static int add_ulimit(struct engine_resources *r, const char *value, struct silo_err *err)
{
	const char *eq = strchr(value, '=');
	char name[32], soft_text[32], *hard_text;
	unsigned long long soft, hard;
	struct rlimit host;
	size_t i;

	if (!eq || eq == value || (size_t)(eq - value) >= sizeof(name) || strlen(eq + 1) >= sizeof(soft_text))
		return silo_err_set(err, EINVAL, "invalid --ulimit \"%s\": want NAME=SOFT[:HARD]", value);
	snprintf(name, sizeof(name), "%.*s", (int)(eq - value), value);
	snprintf(soft_text, sizeof(soft_text), "%s", eq + 1);
	hard_text = strchr(soft_text, ':');
	if (hard_text)
		*hard_text++ = 0;
	for (i = 0; i < sizeof(ulimit_names) / sizeof(ulimit_names[0]); i++)
		if (!strcmp(ulimit_names[i].name, name))
			break;
	if (i == sizeof(ulimit_names) / sizeof(ulimit_names[0]))
		return silo_err_set(err, EINVAL, "invalid --ulimit \"%s\": unknown limit \"%s\"", value, name);
	if (parse_limit(soft_text, &soft) < 0 || (hard_text && parse_limit(hard_text, &hard) < 0))
		return silo_err_set(err, EINVAL, "invalid --ulimit \"%s\": limits are numbers or \"unlimited\"",
				    value);
	if (!hard_text)
		hard = soft;
	if (soft > hard)
		return silo_err_set(err, EINVAL, "invalid --ulimit \"%s\": the soft limit is above the hard one",
				    value);
	if (getrlimit(ulimit_names[i].resource, &host) == 0 && host.rlim_max != RLIM_INFINITY &&
	    hard > host.rlim_max) {
		char want[32], have[32];

		limit_text(hard, want, sizeof(want));
		limit_text(host.rlim_max, have, sizeof(have));
		return silo_err_set(err, EPERM,
				    "invalid --ulimit \"%s\": %s is above the host's hard limit for %s (%s)",
				    value, want, name, have);
	}
	if (!r->ulimits && !(r->ulimits = json_array()))
		return silo_err_sys(err, ENOMEM, "--ulimit");
	/* A later --ulimit of the same name wins. */
	for (size_t j = json_array_size(r->ulimits); j-- > 0;)
		if (!strcmp(json_string_value(json_object_get(json_array_get(r->ulimits, j), "type")),
			    ulimit_names[i].type))
			json_array_remove(r->ulimits, j);
	json_array_append_new(r->ulimits, json_pack("{s:s, s:I, s:I}", "type", ulimit_names[i].type,
						    "soft", (json_int_t)soft, "hard", (json_int_t)hard));
	return 0;
}

/* The memory nodes there are: the highest in /sys/devices/system/node/online
 * ("0" or "0-3"), plus one; 1 when the kernel has no NUMA. */
static long memory_nodes(void)
{
	FILE *f = fopen("/sys/devices/system/node/online", "re");
	char line[256];
	long last = 0;

	if (f && fgets(line, sizeof(line), f)) {
		char *p = line + strlen(line);

		while (p > line && !isdigit((unsigned char)p[-1]))
			p--;
		while (p > line && isdigit((unsigned char)p[-1]))
			p--;
		last = strtol(p, NULL, 10);
	}
	if (f)
		fclose(f);
	return last + 1;
}

/* 0-3,5: every CPU (or memory node) must be there, or the cgroup write
 * fails later. online is how many there are. */
static int check_cpuset(const char *value, long online)
{
	const char *p = value;

	if (!*p)
		return -1;
	while (*p) {
		char *end;
		long first, last;

		if (!isdigit((unsigned char)*p))
			return -1;
		first = last = strtol(p, &end, 10);
		if (*end == '-') {
			if (!isdigit((unsigned char)end[1]))
				return -1;
			last = strtol(end + 1, &end, 10);
		}
		if (last < first || last >= online)
			return -1;
		if (*end == ',' && end[1])
			end++;
		else if (*end)
			return -1;
		p = end;
	}
	return 0;
}

int engine_resources_set(struct engine_resources *r, const char *flag, const char *value,
			 struct silo_err *err)
{
	unsigned long long bytes;
	long long n;

	if (!strcmp(flag, "memory")) {
		if (engine_size_parse(value, &bytes) < 0 || bytes > LLONG_MAX)
			return silo_err_set(err, EINVAL, "invalid --memory \"%s\": want bytes, with a k, m or g suffix",
					    value);
		if ((long long)bytes < MEMORY_MINIMUM)
			return silo_err_set(err, EINVAL, "invalid --memory \"%s\": the minimum is 6m", value);
		r->memory = (long long)bytes;
	} else if (!strcmp(flag, "memory-swap")) {
		if (!strcmp(value, "-1")) {
			r->memory_swap = -1;
		} else {
			if (engine_size_parse(value, &bytes) < 0 || bytes == 0 || bytes > LLONG_MAX)
				return silo_err_set(err, EINVAL,
						    "invalid --memory-swap \"%s\": want bytes (k, m or g suffix), or -1 for unlimited",
						    value);
			r->memory_swap = (long long)bytes;
		}
	} else if (!strcmp(flag, "memory-reservation")) {
		if (engine_size_parse(value, &bytes) < 0 || bytes == 0 || bytes > LLONG_MAX)
			return silo_err_set(err, EINVAL,
					    "invalid --memory-reservation \"%s\": want bytes above 0, with a k, m or g suffix",
					    value);
		r->memory_reservation = (long long)bytes;
	} else if (!strcmp(flag, "cpus")) {
		char *end;
		double cpus;
		long online = sysconf(_SC_NPROCESSORS_ONLN);

		errno = 0;
		cpus = strtod(value, &end);
		if (errno || end == value || *end || !isfinite(cpus) || cpus < 0.01 || cpus > (double)online)
			return silo_err_set(err, EINVAL, "invalid --cpus \"%s\": want a number from 0.01 to %ld (the CPUs there are)",
					    value, online);
		r->cpu_period = CPU_PERIOD_US;
		r->cpu_quota = (long long)(cpus * (double)CPU_PERIOD_US + 0.5);
	} else if (!strcmp(flag, "cpu-shares")) {
		if (parse_long(value, &n) < 0 || n < 2 || n > 262144)
			return silo_err_set(err, EINVAL, "invalid --cpu-shares \"%s\": want a number from 2 to 262144",
					    value);
		r->cpu_shares = (unsigned long long)n;
	} else if (!strcmp(flag, "cpuset-cpus")) {
		if (check_cpuset(value, sysconf(_SC_NPROCESSORS_CONF)) < 0)
			return silo_err_set(err, EINVAL, "invalid --cpuset-cpus \"%s\": want CPUs like 0-2,4, from 0 to %ld",
					    value, sysconf(_SC_NPROCESSORS_CONF) - 1);
		r->cpuset_cpus = value;
	} else if (!strcmp(flag, "cpuset-mems")) {
		if (check_cpuset(value, memory_nodes()) < 0)
			return silo_err_set(err, EINVAL, "invalid --cpuset-mems \"%s\": want memory nodes like 0-1,3, from 0 to %ld",
					    value, memory_nodes() - 1);
		r->cpuset_mems = value;
	} else if (!strcmp(flag, "pids-limit")) {
		if (parse_long(value, &n) < 0 || n < -1)
			return silo_err_set(err, EINVAL, "invalid --pids-limit \"%s\": want a number, or -1 for unlimited",
					    value);
		r->pids_limit = n == 0 ? -1 : n;
	} else if (!strcmp(flag, "shm-size")) {
		if (engine_size_parse(value, &bytes) < 0 || bytes == 0)
			return silo_err_set(err, EINVAL, "invalid --shm-size \"%s\": want bytes above 0, with a k, m or g suffix",
					    value);
		r->shm_size = bytes;
	} else if (!strcmp(flag, "ulimit")) {
		return add_ulimit(r, value, err);
	} else {
		return silo_err_set(err, EINVAL, "unknown resource flag --%s", flag);
	}
	return 0;
}

int engine_resources_check(const struct engine_resources *r, struct silo_err *err)
{
	if (r->memory_swap > 0 && !r->memory)
		return silo_err_set(err, EINVAL, "invalid --memory-swap: it needs --memory too (it is memory plus swap)");
	if (r->memory_swap > 0 && r->memory_swap < r->memory)
		return silo_err_set(err, EINVAL,
				    "invalid --memory-swap: it is memory plus swap, so it must be at least --memory");
	if (r->memory && r->memory_reservation > r->memory)
		return silo_err_set(err, EINVAL,
				    "invalid --memory-reservation: it must not be above --memory");
	return 0;
}

/* The user's limit replaces the default of the same type. */
static void merge_rlimits(json_t *process, json_t *ulimits)
{
	json_t *list = json_object_child_array(process, "rlimits");
	size_t i;
	json_t *u;

	json_array_foreach(ulimits, i, u) {
		const char *type = json_string_value(json_object_get(u, "type"));

		for (size_t j = json_array_size(list); j-- > 0;)
			if (!strcmp(json_string_value(json_object_get(json_array_get(list, j), "type")) ?: "", type))
				json_array_remove(list, j);
		json_array_append(list, u);
	}
}

static void set_shm_size(json_t *mounts, unsigned long long size)
{
	size_t i, j;
	json_t *m, *opt;
	char option[64];

	snprintf(option, sizeof(option), "size=%llu", size);
	json_array_foreach(mounts, i, m) {
		json_t *options = json_object_get(m, "options");

		if (strcmp(json_string_value(json_object_get(m, "destination")) ?: "", "/dev/shm") ||
		    strcmp(json_string_value(json_object_get(m, "type")) ?: "", "tmpfs") ||
		    strcmp(json_string_value(json_object_get(m, "source")) ?: "", "shm"))
			continue;
		json_array_foreach(options, j, opt) {
			if (!strncmp(json_string_value(opt) ?: "", "size=", 5)) {
				json_array_set_new(options, j, json_string(option));
				break;
			}
		}
		if (j == json_array_size(options))
			json_array_append_new(options, json_string(option));
	}
}

int engine_resources_apply(const struct engine_resources *r, json_t *config)
{
	json_t *linux_section = json_object_child(config, "linux");
	json_t *resources = json_object_child(linux_section, "resources");

	if (r->memory) {
		json_t *memory = json_object_child(resources, "memory");
		/* docker's default: as much swap as memory. */
		long long swap = r->memory_swap ? r->memory_swap : 2 * r->memory;

		json_object_set_new(memory, "limit", json_integer(r->memory));
		json_object_set_new(memory, "swap", json_integer(swap));
	} else if (r->memory_swap == -1) {
		json_object_set_new(json_object_child(resources, "memory"), "swap", json_integer(-1));
	}
	if (r->memory_reservation)
		json_object_set_new(json_object_child(resources, "memory"), "reservation",
				    json_integer(r->memory_reservation));
	if (r->cpu_quota) {
		json_t *cpu = json_object_child(resources, "cpu");

		json_object_set_new(cpu, "quota", json_integer(r->cpu_quota));
		json_object_set_new(cpu, "period", json_integer((json_int_t)r->cpu_period));
	}
	if (r->cpu_shares)
		json_object_set_new(json_object_child(resources, "cpu"), "shares",
				    json_integer((json_int_t)r->cpu_shares));
	if (r->cpuset_cpus)
		json_object_set_new(json_object_child(resources, "cpu"), "cpus", json_string(r->cpuset_cpus));
	if (r->cpuset_mems)
		json_object_set_new(json_object_child(resources, "cpu"), "mems", json_string(r->cpuset_mems));
	if (r->pids_limit)
		json_object_set_new(json_object_child(resources, "pids"), "limit", json_integer(r->pids_limit));
	if (r->shm_size)
		set_shm_size(json_object_get(config, "mounts"), r->shm_size);
	if (r->ulimits)
		merge_rlimits(json_object_child(config, "process"), r->ulimits);
	return 0;
}

static json_int_t field(json_t *section, const char *key)
{
	return json_integer_value(json_object_get(section, key));
}

void engine_resources_inspect(json_t *config, json_t *host_config)
{
	json_t *resources = json_object_get(json_object_get(config, "linux"), "resources");
	json_t *memory = json_object_get(resources, "memory");
	json_t *cpu = json_object_get(resources, "cpu");
	json_t *pids_limit = json_object_get(json_object_get(resources, "pids"), "limit");
	json_int_t quota = field(cpu, "quota"), period = field(cpu, "period");

	json_object_set_new(host_config, "Memory", json_integer(field(memory, "limit")));
	json_object_set_new(host_config, "MemorySwap", json_integer(field(memory, "swap")));
	json_object_set_new(host_config, "MemoryReservation", json_integer(field(memory, "reservation")));
	/* --cpus is a quota of so many periods: docker shows it in billionths. */
	json_object_set_new(host_config, "NanoCpus",
			    json_integer(quota > 0 && period > 0 ? quota * 1000000000 / period : 0));
	json_object_set_new(host_config, "CpuQuota", json_integer(quota));
	json_object_set_new(host_config, "CpuPeriod", json_integer(period));
	json_object_set_new(host_config, "CpuShares", json_integer(field(cpu, "shares")));
	json_object_set_new(host_config, "CpusetCpus", json_string(json_string_value(json_object_get(cpu, "cpus")) ?: ""));
	json_object_set_new(host_config, "CpusetMems", json_string(json_string_value(json_object_get(cpu, "mems")) ?: ""));
	json_object_set_new(host_config, "PidsLimit", json_is_integer(pids_limit) ? json_incref(pids_limit) : json_null());
}

void engine_resources_free(struct engine_resources *r)
{
	json_decref(r->ulimits);
	r->ulimits = NULL;
}
