/* rename and update of engine containers (see control.h). The record and
 * bundle/config.json change under the record's lock, so an update and a
 * monitor recording an exit never lose each other's write. */
#include "engine/control.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/network.h"
#include "engine/record.h"
#include "engine/restart.h"
#include "runtime/container_resources.h"
#include "util/cleanup.h"
#include "util/json.h"

#define CONFIG_MAX (4 * 1024 * 1024)

int engine_container_rename(const struct engine_env *env, const char *id, const char *name,
			    struct silo_err *err)
{
	_cleanup_json_ json_t *rec = NULL;

	if (record_rename(env->store->root, id, name, err) < 0)
		return -1;
	if (engine_container_inspect(env, id, &rec, err) < 0)
		return -1;
	if (!strcmp(engine_container_status(rec), "running"))
		engine_network_names_changed(env, id);
	return 0;
}

struct update_change {
	const char *config_path;
	json_t *resources;      /* linux.resources fields to set, or NULL */
	json_t *restart_policy; /* or NULL */
	struct silo_err *err;
};

static int apply_change(json_t *rec, void *opaque)
{
	struct update_change *c = opaque;
	_cleanup_json_ json_t *config = NULL;
	json_t *linux_section, *resources;

	if (c->restart_policy && json_object_set(rec, "restartPolicy", c->restart_policy) < 0)
		return -1;
	if (!c->resources)
		return 0;
	if (json_load_path(c->config_path, CONFIG_MAX, &config, c->err) < 0)
		return -1;
	linux_section = json_object_child(config, "linux");
	resources = linux_section ? json_object_child(linux_section, "resources") : NULL;
	if (!resources || json_object_update_recursive(resources, c->resources) < 0)
		return -1;
	return json_write_path_atomic(c->config_path, config, 0600, c->err);
}

/* --memory-swap alone (docker allows it) is checked against the memory
 * limit the container has. */
static int check_swap_alone(const char *config_path, long long swap, const char *name,
			    struct silo_err *err)
{
	_cleanup_json_ json_t *config = NULL;
	json_t *memory;
	long long limit;

	if (json_load_path(config_path, CONFIG_MAX, &config, err) < 0)
		return silo_err_prefix(err, "update container %s", name);
	memory = json_object_get(json_object_get(json_object_get(config, "linux"), "resources"), "memory");
	limit = (long long)json_integer_value(json_object_get(memory, "limit"));
	if (limit <= 0)
		return silo_err_set(err, EINVAL,
				    "invalid --memory-swap: container %s has no memory limit: give --memory too", name);
	if (swap < limit)
		return silo_err_set(err, EINVAL,
				    "invalid --memory-swap: it is memory plus swap, so it must be at least container %s's memory limit (%lld)",
				    name, limit);
	return 0;
}

int engine_container_update(const struct engine_env *env, const char *id,
			    const struct engine_resources *resources, json_t *restart_policy,
			    struct silo_err *err)
{
	_cleanup_json_ json_t *rec = NULL;
	_cleanup_json_ json_t *changes = json_object();
	_cleanup_free_ char *config_path = record_path(env->store->root, id, "bundle/config.json");
	struct silo_err inner = { 0 };
	struct update_change change = { .config_path = config_path, .restart_policy = restart_policy,
					.err = &inner };
	const char *name;
	json_t *fields;

	if (!changes || !config_path)
		return silo_err_sys(err, ENOMEM, "update container %s", id);
	if (engine_container_inspect(env, id, &rec, err) < 0)
		return -1;
	name = json_string_value(json_object_get(rec, "name")) ?: id;
	if (restart_policy && restart_policy_active(restart_policy) &&
	    json_is_true(json_object_get(rec, "autoRemove")))
		return silo_err_set(err, EINVAL,
				    "cannot update container %s: a restart policy conflicts with its --rm", name);
	if (resources->memory_swap > 0 && !resources->memory &&
	    check_swap_alone(config_path, resources->memory_swap, name, err) < 0)
		return -1;
	engine_resources_apply(resources, changes);
	if (resources->memory_swap > 0 && !resources->memory)
		json_object_set_new(json_object_child(json_object_child(json_object_child(changes, "linux"), "resources"),
						      "memory"),
				    "swap", json_integer(resources->memory_swap));
	fields = json_object_get(json_object_get(changes, "linux"), "resources");
	if (json_object_size(fields) > 0) {
		change.resources = fields;
		/* Live first: a value the kernel refuses changes nothing. */
		if (!strcmp(engine_container_status(rec), "running") &&
		    container_update(&env->rt, id, fields, err) < 0)
			return silo_err_prefix(err, "update container %s", name);
	}
	if (!change.resources && !restart_policy)
		return 0;
	if (record_update(env->store->root, id, apply_change, &change, err) < 0) {
		if (inner.msg[0])
			*err = inner;
		return silo_err_prefix(err, "update container %s", name);
	}
	return 0;
}
