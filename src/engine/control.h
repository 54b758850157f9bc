/* Changing a container after it was made: rename, and update of its
 * resource limits and restart policy. A running container takes the
 * change live; either way it is saved, so the next start and inspect
 * have it. */
#ifndef SILO_ENGINE_CONTROL_H
#define SILO_ENGINE_CONTROL_H

#include <jansson.h>

#include "engine/lifecycle.h"
#include "engine/resources.h"
#include "util/err.h"

/* The name is checked as create checks it, under the same lock; a
 * running container keeps running, and its peers' /etc/hosts on its
 * user-defined networks are rewritten with the new name. */
int engine_container_rename(const struct engine_env *env, const char *id, const char *name,
			    struct silo_err *err);

/* The limits set in resources (unset fields stay as they are) go to the
 * live cgroup through the runtime's update when the container runs, and
 * into bundle/config.json's linux.resources; restart_policy (NULL: no
 * change) into the record, where the monitor reads it at the next exit. */
int engine_container_update(const struct engine_env *env, const char *id,
			    const struct engine_resources *resources, json_t *restart_policy,
			    struct silo_err *err);

#endif
