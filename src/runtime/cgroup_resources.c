/* linux.resources as a typed model: every field checked, with its name in
 * the message, before anything is written to a cgroup; and the device rules
 * a container gets, with the one function that says what they decide (the
 * v2 eBPF program implements exactly that). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cgroup.h"
#include "util/cleanup.h"

#define FIELD_MAX 256

static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number with a fraction";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

static int wrong_type(const char *field, const char *want, const json_t *v, struct silo_err *err)
{
	return silo_err_set(err, EINVAL, "%s: expected %s, got %s", field, want, json_kind(v));
}

/* The member KEY of obj, or NULL when absent or null; *field is its name. */
static json_t *member(json_t *obj, const char *parent, const char *key, char *field)
{
	json_t *v = json_object_get(obj, key);

	snprintf(field, FIELD_MAX, "%s.%s", parent, key);
	return v && !json_is_null(v) ? v : NULL;
}

static int get_i64(json_t *obj, const char *parent, const char *key, int *has, int64_t *out,
		   struct silo_err *err)
{
	char field[FIELD_MAX];
	json_t *v = member(obj, parent, key, field);

	*has = 0;
	if (!v)
		return 0;
	if (!json_is_integer(v))
		return wrong_type(field, "an integer", v, err);
	*has = 1;
	*out = json_integer_value(v);
	return 0;
}

static int get_u64(json_t *obj, const char *parent, const char *key, uint64_t max, int *has,
		   uint64_t *out, struct silo_err *err)
{
	char field[FIELD_MAX];
	int64_t v;

	if (get_i64(obj, parent, key, has, &v, err) < 0)
		return -1;
	if (!*has)
		return 0;
	snprintf(field, sizeof(field), "%s.%s", parent, key);
	if (v < 0)
		return silo_err_set(err, EINVAL, "%s: %" PRId64 " is negative", field, v);
	if ((uint64_t)v > max)
		return silo_err_set(err, EINVAL, "%s: %" PRId64 " is above the maximum, %" PRIu64, field,
				    v, max);
	*out = (uint64_t)v;
	return 0;
}

static int get_bool(json_t *obj, const char *parent, const char *key, int *has, int *out,
		    struct silo_err *err)
{
	char field[FIELD_MAX];
	json_t *v = member(obj, parent, key, field);

	*has = 0;
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return wrong_type(field, "a boolean", v, err);
	*has = 1;
	*out = json_is_true(v);
	return 0;
}

/* *out is a copy, or NULL when absent. */
static int get_string(json_t *obj, const char *parent, const char *key, char **out,
		      struct silo_err *err)
{
	char field[FIELD_MAX];
	json_t *v = member(obj, parent, key, field);

	*out = NULL;
	if (!v)
		return 0;
	if (!json_is_string(v))
		return wrong_type(field, "a string", v, err);
	*out = strdup(json_string_value(v));
	return *out ? 0 : silo_err_sys(err, ENOMEM, "%s", field);
}

static json_t *get_container(json_t *obj, const char *parent, const char *key, int array,
			     char *field, struct silo_err *err, int *r)
{
	json_t *v = member(obj, parent, key, field);

	*r = 0;
	if (v && (array ? !json_is_array(v) : !json_is_object(v))) {
		*r = wrong_type(field, array ? "an array" : "an object", v, err);
		return NULL;
	}
	return v;
}

/* A byte count where -1 means unlimited. 0 is what runc's callers send for
 * "not set", and is taken that way. */
static int get_bytes(json_t *obj, const char *parent, const char *key, int *has, int64_t *out,
		     struct silo_err *err)
{
	if (get_i64(obj, parent, key, has, out, err) < 0)
		return -1;
	if (*has && *out == 0)
		*has = 0;
	if (*has && *out < -1)
		return silo_err_set(err, EINVAL, "%s.%s: %" PRId64 " is neither -1 (unlimited) nor a number of bytes",
				    parent, key, *out);
	return 0;
}

static int parse_memory(json_t *obj, struct cgroup_memory *m, int *any, struct silo_err *err)
{
	const char *p = "linux.resources.memory";
	int has_check = 0;
	int64_t swappiness = 0;

	if (get_bytes(obj, p, "limit", &m->has_limit, &m->limit, err) < 0 ||
	    get_bytes(obj, p, "reservation", &m->has_reservation, &m->reservation, err) < 0 ||
	    get_bytes(obj, p, "swap", &m->has_swap, &m->swap, err) < 0 ||
	    get_bytes(obj, p, "kernel", &m->has_kernel, &m->kernel, err) < 0 ||
	    get_bytes(obj, p, "kernelTCP", &m->has_kernel_tcp, &m->kernel_tcp, err) < 0 ||
	    get_i64(obj, p, "swappiness", &m->has_swappiness, &swappiness, err) < 0 ||
	    get_bool(obj, p, "disableOOMKiller", &m->has_disable_oom_killer, &m->disable_oom_killer,
		     err) < 0 ||
	    get_bool(obj, p, "useHierarchy", &m->has_use_hierarchy, &m->use_hierarchy, err) < 0 ||
	    get_bool(obj, p, "checkBeforeUpdate", &has_check, &m->check_before_update, err) < 0)
		return -1;
	/* Docker sends -1 for "leave swappiness alone". */
	if (m->has_swappiness && swappiness == -1)
		m->has_swappiness = 0;
	if (m->has_swappiness && (swappiness < 0 || swappiness > 100))
		return silo_err_set(err, EINVAL, "%s.swappiness: %" PRId64 " is not between 0 and 100", p,
				    swappiness);
	m->swappiness = (uint64_t)swappiness;
	*any = m->has_limit || m->has_reservation || m->has_swap || m->has_kernel ||
	       m->has_kernel_tcp || m->has_swappiness || m->has_disable_oom_killer ||
	       m->has_use_hierarchy;
	return 0;
}

static int parse_cpu(json_t *obj, struct cgroup_resources *res, struct silo_err *err)
{
	const char *p = "linux.resources.cpu";
	struct cgroup_cpu *c = &res->cpu;

	if (get_u64(obj, p, "shares", UINT64_MAX, &c->has_shares, &c->shares, err) < 0 ||
	    get_i64(obj, p, "quota", &c->has_quota, &c->quota, err) < 0 ||
	    get_u64(obj, p, "burst", UINT64_MAX, &c->has_burst, &c->burst, err) < 0 ||
	    get_u64(obj, p, "period", UINT64_MAX, &c->has_period, &c->period, err) < 0 ||
	    get_i64(obj, p, "realtimeRuntime", &c->has_realtime_runtime, &c->realtime_runtime, err) < 0 ||
	    get_u64(obj, p, "realtimePeriod", UINT64_MAX, &c->has_realtime_period, &c->realtime_period,
		    err) < 0 ||
	    get_i64(obj, p, "idle", &c->has_idle, &c->idle, err) < 0 ||
	    get_string(obj, p, "cpus", &c->cpus, err) < 0 || get_string(obj, p, "mems", &c->mems, err) < 0)
		return -1;
	/* 0 is runc's callers' "not set" for these. */
	if (c->has_shares && c->shares == 0)
		c->has_shares = 0;
	if (c->has_quota && c->quota == 0)
		c->has_quota = 0;
	if (c->has_period && c->period == 0)
		c->has_period = 0;
	if (c->has_realtime_period && c->realtime_period == 0)
		c->has_realtime_period = 0;
	if (c->cpus && !c->cpus[0]) {
		free(c->cpus);
		c->cpus = NULL;
	}
	if (c->mems && !c->mems[0]) {
		free(c->mems);
		c->mems = NULL;
	}
	if (c->has_quota && c->quota < -1)
		return silo_err_set(err, EINVAL, "%s.quota: %" PRId64 " is neither -1 (unlimited) nor a number of microseconds",
				    p, c->quota);
	if (c->has_realtime_runtime && c->realtime_runtime < -1)
		return silo_err_set(err, EINVAL, "%s.realtimeRuntime: %" PRId64 " is neither -1 nor a number of microseconds",
				    p, c->realtime_runtime);
	if (c->has_idle && c->idle != 0 && c->idle != 1)
		return silo_err_set(err, EINVAL, "%s.idle: %" PRId64 " is neither 0 nor 1", p, c->idle);
	if (c->has_burst && c->has_quota && c->quota > 0 && c->burst > (uint64_t)c->quota)
		return silo_err_set(err, EINVAL, "%s.burst: %" PRIu64 " is larger than quota (%" PRId64 ")",
				    p, c->burst, c->quota);
	res->has_cpu = c->has_shares || c->has_quota || c->has_burst || c->has_period ||
		       c->has_realtime_runtime || c->has_realtime_period || c->has_idle;
	res->has_cpuset = c->cpus || c->mems;
	return 0;
}

static int get_device_number(json_t *obj, const char *parent, const char *key, int required,
			     int64_t *out, struct silo_err *err)
{
	int has;

	*out = -1;
	if (get_i64(obj, parent, key, &has, out, err) < 0)
		return -1;
	if (!has && required)
		return silo_err_set(err, EINVAL, "%s.%s: missing", parent, key);
	if (!has)
		*out = -1;
	else if (*out < (required ? 0 : -1) || *out > UINT32_MAX)
		return silo_err_set(err, EINVAL, "%s.%s: %" PRId64 " is not a device number", parent,
				    key, *out);
	return 0;
}

static int parse_weight_devices(json_t *list, const char *field, struct cgroup_block_io *b,
				struct silo_err *err)
{
	size_t i;
	json_t *one;

	b->weight_devices = calloc(json_array_size(list) + 1, sizeof(*b->weight_devices));
	if (!b->weight_devices)
		return silo_err_sys(err, ENOMEM, "%s", field);
	json_array_foreach (list, i, one) {
		struct cgroup_device_weight *w = &b->weight_devices[i];
		char item[FIELD_MAX + 32];
		uint64_t v;

		snprintf(item, sizeof(item), "%s[%zu]", field, i);
		if (!json_is_object(one))
			return wrong_type(item, "an object", one, err);
		if (get_device_number(one, item, "major", 1, &w->major, err) < 0 ||
		    get_device_number(one, item, "minor", 1, &w->minor, err) < 0 ||
		    get_u64(one, item, "weight", UINT16_MAX, &w->has_weight, &v, err) < 0)
			return -1;
		w->weight = (uint16_t)v;
		if (get_u64(one, item, "leafWeight", UINT16_MAX, &w->has_leaf_weight, &v, err) < 0)
			return -1;
		w->leaf_weight = (uint16_t)v;
		if (!w->has_weight && !w->has_leaf_weight)
			return silo_err_set(err, EINVAL, "%s: needs weight or leafWeight", item);
		b->n_weight_devices++;
	}
	return 0;
}

static int parse_rates(json_t *list, const char *field, struct cgroup_device_rate **out,
		       size_t *n, struct silo_err *err)
{
	size_t i;
	json_t *one;

	*out = calloc(json_array_size(list) + 1, sizeof(**out));
	if (!*out)
		return silo_err_sys(err, ENOMEM, "%s", field);
	json_array_foreach (list, i, one) {
		struct cgroup_device_rate *r = &(*out)[i];
		char item[FIELD_MAX + 32];
		int has;

		snprintf(item, sizeof(item), "%s[%zu]", field, i);
		if (!json_is_object(one))
			return wrong_type(item, "an object", one, err);
		if (get_device_number(one, item, "major", 1, &r->major, err) < 0 ||
		    get_device_number(one, item, "minor", 1, &r->minor, err) < 0 ||
		    get_u64(one, item, "rate", UINT64_MAX, &has, &r->rate, err) < 0)
			return -1;
		if (!has)
			return silo_err_set(err, EINVAL, "%s.rate: missing", item);
		(*n)++;
	}
	return 0;
}

static int parse_block_io(json_t *obj, struct cgroup_resources *res, struct silo_err *err)
{
	static const char *const throttles[] = { "throttleReadBpsDevice", "throttleWriteBpsDevice",
						 "throttleReadIOPSDevice", "throttleWriteIOPSDevice" };
	const char *p = "linux.resources.blockIO";
	struct cgroup_block_io *b = &res->block_io;
	char field[FIELD_MAX];
	json_t *list;
	uint64_t v;
	int r;

	if (get_u64(obj, p, "weight", UINT16_MAX, &b->has_weight, &v, err) < 0)
		return -1;
	b->weight = (uint16_t)v;
	if (get_u64(obj, p, "leafWeight", UINT16_MAX, &b->has_leaf_weight, &v, err) < 0)
		return -1;
	b->leaf_weight = (uint16_t)v;
	if (b->has_weight && b->weight == 0)
		b->has_weight = 0;
	if (b->has_leaf_weight && b->leaf_weight == 0)
		b->has_leaf_weight = 0;
	list = get_container(obj, p, "weightDevice", 1, field, err, &r);
	if (r < 0 || (list && parse_weight_devices(list, field, b, err) < 0))
		return -1;
	for (int t = 0; t < 4; t++) {
		list = get_container(obj, p, throttles[t], 1, field, err, &r);
		if (r < 0 || (list && parse_rates(list, field, &b->throttle[t], &b->n_throttle[t], err) < 0))
			return -1;
	}
	res->has_block_io = b->has_weight || b->has_leaf_weight || b->n_weight_devices ||
			    b->n_throttle[0] || b->n_throttle[1] || b->n_throttle[2] || b->n_throttle[3];
	return 0;
}

/* "<size><K|M|G|T|P>B", as the hugetlb files spell the sizes. */
static int valid_page_size(const char *s)
{
	const char *p = s;

	while (*p >= '0' && *p <= '9')
		p++;
	return p > s && s[0] != '0' && strchr("KMGTP", p[0]) && p[0] && p[1] == 'B' && !p[2];
}

static int parse_hugepages(json_t *list, struct cgroup_resources *res, struct silo_err *err)
{
	const char *p = "linux.resources.hugepageLimits";
	size_t i;
	json_t *one;

	res->hugepages = calloc(json_array_size(list) + 1, sizeof(*res->hugepages));
	if (!res->hugepages)
		return silo_err_sys(err, ENOMEM, "%s", p);
	json_array_foreach (list, i, one) {
		struct cgroup_hugepage_limit *h = &res->hugepages[i];
		char item[FIELD_MAX + 32];
		int has;

		snprintf(item, sizeof(item), "%s[%zu]", p, i);
		if (!json_is_object(one))
			return wrong_type(item, "an object", one, err);
		res->n_hugepages++;
		if (get_string(one, item, "pageSize", &h->page_size, err) < 0 ||
		    get_u64(one, item, "limit", UINT64_MAX, &has, &h->limit, err) < 0)
			return -1;
		if (!h->page_size)
			return silo_err_set(err, EINVAL, "%s.pageSize: missing", item);
		if (!valid_page_size(h->page_size))
			return silo_err_set(err, EINVAL, "%s.pageSize: \"%s\" is not a size such as 2MB or 1GB",
					    item, h->page_size);
		if (!has)
			return silo_err_set(err, EINVAL, "%s.limit: missing", item);
	}
	return 0;
}

static int parse_network(json_t *obj, struct cgroup_resources *res, struct silo_err *err)
{
	const char *p = "linux.resources.network";
	char field[FIELD_MAX];
	json_t *list, *one;
	uint64_t v;
	size_t i;
	int r;

	if (get_u64(obj, p, "classID", UINT32_MAX, &res->has_network_class, &v, err) < 0)
		return -1;
	res->network_class_id = (uint32_t)v;
	list = get_container(obj, p, "priorities", 1, field, err, &r);
	if (r < 0 || !list)
		return r;
	res->net_priorities = calloc(json_array_size(list) + 1, sizeof(*res->net_priorities));
	if (!res->net_priorities)
		return silo_err_sys(err, ENOMEM, "%s", field);
	json_array_foreach (list, i, one) {
		struct cgroup_net_priority *n = &res->net_priorities[i];
		char item[FIELD_MAX + 32];
		int has;

		snprintf(item, sizeof(item), "%s[%zu]", field, i);
		if (!json_is_object(one))
			return wrong_type(item, "an object", one, err);
		res->n_net_priorities++;
		if (get_string(one, item, "name", &n->interface, err) < 0 ||
		    get_u64(one, item, "priority", UINT32_MAX, &has, &v, err) < 0)
			return -1;
		n->priority = (uint32_t)v;
		if (!n->interface || !n->interface[0] || strpbrk(n->interface, " \n/"))
			return silo_err_set(err, EINVAL, "%s.name: missing or not an interface name", item);
		if (!has)
			return silo_err_set(err, EINVAL, "%s.priority: missing", item);
	}
	return 0;
}

static int parse_rdma(json_t *obj, struct cgroup_resources *res, struct silo_err *err)
{
	const char *p = "linux.resources.rdma";
	const char *name;
	json_t *one;

	res->rdma = calloc(json_object_size(obj) + 1, sizeof(*res->rdma));
	if (!res->rdma)
		return silo_err_sys(err, ENOMEM, "%s", p);
	json_object_foreach (obj, name, one) {
		struct cgroup_rdma_limit *l = &res->rdma[res->n_rdma];
		char item[FIELD_MAX + 32];
		uint64_t v;

		snprintf(item, sizeof(item), "%s[\"%s\"]", p, name);
		if (!json_is_object(one))
			return wrong_type(item, "an object", one, err);
		l->device = strdup(name);
		res->n_rdma++;
		if (!l->device)
			return silo_err_sys(err, ENOMEM, "%s", item);
		if (!name[0] || strpbrk(name, " \n"))
			return silo_err_set(err, EINVAL, "%s: not a device name", item);
		if (get_u64(one, item, "hcaHandles", UINT32_MAX, &l->has_handles, &v, err) < 0)
			return -1;
		l->handles = (uint32_t)v;
		if (get_u64(one, item, "hcaObjects", UINT32_MAX, &l->has_objects, &v, err) < 0)
			return -1;
		l->objects = (uint32_t)v;
		if (!l->has_handles && !l->has_objects)
			return silo_err_set(err, EINVAL, "%s: needs hcaHandles or hcaObjects", item);
	}
	return 0;
}

static int parse_unified(json_t *obj, struct cgroup_resources *res, struct silo_err *err)
{
	const char *p = "linux.resources.unified";
	const char *key;
	json_t *value;

	res->has_unified = 1;
	res->unified = calloc(json_object_size(obj) + 1, sizeof(*res->unified));
	if (!res->unified)
		return silo_err_sys(err, ENOMEM, "%s", p);
	json_object_foreach (obj, key, value) {
		struct cgroup_unified_entry *e = &res->unified[res->n_unified];

		if (!json_is_string(value)) {
			char item[FIELD_MAX + 32];

			snprintf(item, sizeof(item), "%s[\"%s\"]", p, key);
			return wrong_type(item, "a string", value, err);
		}
		/* A key names a file of the container's cgroup, never a path. */
		if (!key[0] || key[0] == '.' || strchr(key, '/') || !strchr(key, '.'))
			return silo_err_set(err, EINVAL, "%s[\"%s\"]: not the name of a cgroup file", p, key);
		e->key = strdup(key);
		e->value = strdup(json_string_value(value));
		res->n_unified++;
		if (!e->key || !e->value)
			return silo_err_sys(err, ENOMEM, "%s", p);
	}
	return 0;
}

static int parse_access(const char *text, unsigned *out)
{
	*out = 0;
	for (const char *c = text; *c; c++) {
		if (*c == 'r')
			*out |= CGROUP_DEVICE_READ;
		else if (*c == 'w')
			*out |= CGROUP_DEVICE_WRITE;
		else if (*c == 'm')
			*out |= CGROUP_DEVICE_MKNOD;
		else
			return -1;
	}
	return *out ? 0 : -1;
}

static int parse_devices(json_t *list, struct cgroup_device_rule **out, size_t *n,
			 struct silo_err *err)
{
	const char *p = "linux.resources.devices";
	size_t i;
	json_t *one;

	*out = calloc(json_array_size(list) + 1, sizeof(**out));
	if (!*out)
		return silo_err_sys(err, ENOMEM, "%s", p);
	json_array_foreach (list, i, one) {
		struct cgroup_device_rule *rule = &(*out)[i];
		_cleanup_free_ char *type = NULL;
		_cleanup_free_ char *access = NULL;
		char item[FIELD_MAX + 32];
		int has;

		snprintf(item, sizeof(item), "%s[%zu]", p, i);
		if (!json_is_object(one))
			return wrong_type(item, "an object", one, err);
		if (get_bool(one, item, "allow", &has, &rule->allow, err) < 0 ||
		    get_string(one, item, "type", &type, err) < 0 ||
		    get_device_number(one, item, "major", 0, &rule->major, err) < 0 ||
		    get_device_number(one, item, "minor", 0, &rule->minor, err) < 0 ||
		    get_string(one, item, "access", &access, err) < 0)
			return -1;
		if (!has)
			return silo_err_set(err, EINVAL, "%s.allow: missing", item);
		if (type && (strlen(type) != 1 || !strchr("acb", type[0])))
			return silo_err_set(err, EINVAL, "%s.type: \"%s\" is not a, c or b", item, type);
		rule->type = type ? type[0] : 'a';
		if (!access || !access[0])
			rule->access = CGROUP_DEVICE_READ | CGROUP_DEVICE_WRITE | CGROUP_DEVICE_MKNOD;
		else if (parse_access(access, &rule->access) < 0)
			return silo_err_set(err, EINVAL, "%s.access: \"%s\" is not made of r, w and m", item,
					    access);
		(*n)++;
	}
	return 0;
}

void cgroup_resources_free(struct cgroup_resources *res)
{
	free(res->cpu.cpus);
	free(res->cpu.mems);
	free(res->block_io.weight_devices);
	for (int t = 0; t < 4; t++)
		free(res->block_io.throttle[t]);
	for (size_t i = 0; i < res->n_hugepages; i++)
		free(res->hugepages[i].page_size);
	free(res->hugepages);
	for (size_t i = 0; i < res->n_net_priorities; i++)
		free(res->net_priorities[i].interface);
	free(res->net_priorities);
	for (size_t i = 0; i < res->n_rdma; i++)
		free(res->rdma[i].device);
	free(res->rdma);
	free(res->devices);
	for (size_t i = 0; i < res->n_unified; i++) {
		free(res->unified[i].key);
		free(res->unified[i].value);
	}
	free(res->unified);
	memset(res, 0, sizeof(*res));
}

static int parse_memory_section(json_t *obj, struct cgroup_resources *res, struct silo_err *err)
{
	return parse_memory(obj, &res->memory, &res->has_memory, err);
}

static int parse_pids(json_t *obj, struct cgroup_resources *res, struct silo_err *err)
{
	return get_i64(obj, "linux.resources.pids", "limit", &res->has_pids, &res->pids_limit, err);
}

int cgroup_resources_parse(json_t *resources, json_t *linux_devices, struct cgroup_resources *out,
			   struct silo_err *err)
{
	static const struct {
		const char *key;
		int array;
		int (*parse)(json_t *value, struct cgroup_resources *res, struct silo_err *err);
	} sections[] = {
		{ "memory", 0, parse_memory_section }, { "cpu", 0, parse_cpu },
		{ "pids", 0, parse_pids },             { "blockIO", 0, parse_block_io },
		{ "hugepageLimits", 1, parse_hugepages }, { "network", 0, parse_network },
		{ "rdma", 0, parse_rdma },             { "unified", 0, parse_unified },
	};
	const char *p = "linux.resources";
	struct cgroup_device_rule *rules = NULL;
	char field[FIELD_MAX];
	size_t n_rules = 0;
	json_t *v;
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (!resources)
		return 0;
	if (!json_is_object(resources))
		return wrong_type(p, "an object", resources, err);
	for (size_t i = 0; r == 0 && i < sizeof(sections) / sizeof(sections[0]); i++) {
		v = get_container(resources, p, sections[i].key, sections[i].array, field, err, &r);
		if (r == 0 && v)
			r = sections[i].parse(v, out, err);
	}
	if (r == 0 && (v = get_container(resources, p, "devices", 1, field, err, &r))) {
		out->has_devices = 1;
		r = parse_devices(v, &rules, &n_rules, err);
		if (r == 0)
			r = cgroup_devices_rules(rules, n_rules, linux_devices, &out->devices,
						 &out->n_devices, err);
		free(rules);
	}
	if (r < 0) {
		cgroup_resources_free(out);
		return -1;
	}
	return 0;
}

/* --- device rules --- */

static int push_rule(struct cgroup_device_rule **list, size_t *n, struct cgroup_device_rule rule)
{
	struct cgroup_device_rule *grown = realloc(*list, (*n + 1) * sizeof(**list));

	if (!grown)
		return -ENOMEM;
	grown[(*n)++] = rule;
	*list = grown;
	return 0;
}

int cgroup_devices_rules(const struct cgroup_device_rule *config, size_t n, json_t *linux_devices,
			 struct cgroup_device_rule **out, size_t *n_out, struct silo_err *err)
{
	/* The spec's default devices (config-linux.md, "Default Devices"),
	 * and the pseudo-terminals behind /dev/pts and /dev/console. */
	static const struct { char type; int64_t major, minor; } defaults[] = {
		{ 'c', 1, 3 }, { 'c', 1, 5 }, { 'c', 1, 7 }, { 'c', 1, 8 }, { 'c', 1, 9 },
		{ 'c', 5, 0 }, { 'c', 5, 1 }, { 'c', 5, 2 }, { 'c', 136, -1 },
	};
	const unsigned rwm = CGROUP_DEVICE_READ | CGROUP_DEVICE_WRITE | CGROUP_DEVICE_MKNOD;
	struct cgroup_device_rule *list = NULL;
	size_t count = 0, last_wildcard = 0;
	int have_wildcard = 0;

	for (size_t i = 0; i < n; i++)
		if (config[i].type == 'a' && config[i].major < 0 && config[i].minor < 0) {
			have_wildcard = 1;
			last_wildcard = i;
		}
	for (size_t i = 0; i < n; i++) {
		if (push_rule(&list, &count, config[i]) < 0)
			goto nomem;
		if (!have_wildcard || i != last_wildcard)
			continue;
		for (size_t d = 0; d < sizeof(defaults) / sizeof(defaults[0]); d++) {
			struct cgroup_device_rule rule = { 1, defaults[d].type, defaults[d].major,
							   defaults[d].minor, rwm };

			if (push_rule(&list, &count, rule) < 0)
				goto nomem;
		}
		for (size_t d = 0; json_is_array(linux_devices) && d < json_array_size(linux_devices); d++) {
			json_t *dev = json_array_get(linux_devices, d);
			const char *type = json_string_value(json_object_get(dev, "type"));
			json_t *major = json_object_get(dev, "major"), *minor = json_object_get(dev, "minor");
			struct cgroup_device_rule rule = { 1, 'c', 0, 0, rwm };

			/* spec.c checked these; a FIFO ("p") needs no rule. */
			if (!type || !json_is_integer(major) || !json_is_integer(minor) ||
			    !strchr("cub", type[0]) || !type[0])
				continue;
			rule.type = type[0] == 'b' ? 'b' : 'c';
			rule.major = json_integer_value(major);
			rule.minor = json_integer_value(minor);
			if (push_rule(&list, &count, rule) < 0)
				goto nomem;
		}
	}
	*out = list;
	*n_out = count;
	return 0;
nomem:
	free(list);
	return silo_err_sys(err, ENOMEM, "linux.resources.devices");
}

static int rule_matches(const struct cgroup_device_rule *rule, char type, uint32_t major,
			uint32_t minor)
{
	return (rule->type == 'a' || rule->type == type) &&
	       (rule->major < 0 || (uint32_t)rule->major == major) &&
	       (rule->minor < 0 || (uint32_t)rule->minor == minor);
}

int cgroup_devices_allowed(const struct cgroup_device_rule *rules, size_t n, char type,
			   uint32_t major, uint32_t minor, unsigned access)
{
	for (unsigned bit = 1; bit <= CGROUP_DEVICE_WRITE; bit <<= 1) {
		if (!(access & bit))
			continue;
		for (size_t i = n; i-- > 0;) {
			if (!(rules[i].access & bit) || !rule_matches(&rules[i], type, major, minor))
				continue;
			if (!rules[i].allow)
				return 0;
			break;
		}
	}
	return 1;
}

