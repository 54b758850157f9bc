/* A running container's cgroup as the runtime's commands see it: pause and
 * resume, the processes inside (ps), live updates of linux.resources,
 * usage statistics, and a watch for OOM events and the container's end
 * (events). Each works from the container's state.json. */
#ifndef SILO_RUNTIME_CONTAINER_RESOURCES_H
#define SILO_RUNTIME_CONTAINER_RESOURCES_H

#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>

#include "runtime/cgroup.h"
#include "runtime/container.h"
#include "util/err.h"

/* Freezes every process of the container, waiting until they have all
 * stopped; the container's status is then "paused". */
int container_pause(const struct runtime_context *ctx, const char *id, struct silo_err *err);
int container_resume(const struct runtime_context *ctx, const char *id, struct silo_err *err);

/* The host PIDs of the container's processes (cgroup.procs). */
int container_processes(const struct runtime_context *ctx, const char *id, pid_t **pids,
			size_t *n, struct silo_err *err);

/* Applies resources (an object shaped like linux.resources, only the
 * fields to change) to the live container, and records them in its state
 * so later updates and reads start from them. */
int container_update(const struct runtime_context *ctx, const char *id, json_t *resources,
		     struct silo_err *err);

/* The container's usage: the "data" of `events --stats`. */
int container_stats(const struct runtime_context *ctx, const char *id, json_t **data,
		    struct silo_err *err);

struct container_watch {
	int pidfd; /* readable once the init has exited */
	int has_oom;
	struct cgroup_oom_watch oom;
};

int container_watch_open(const struct runtime_context *ctx, const char *id,
			 struct container_watch *watch, struct silo_err *err);
/* Waits up to timeout_ms (-1: no limit) for something to happen. *ooms is
 * the number of OOM events since the last call, *exited says the container
 * has stopped. */
int container_watch_wait(struct container_watch *watch, int timeout_ms, uint64_t *ooms,
			 int *exited, struct silo_err *err);
void container_watch_close(struct container_watch *watch);

#endif
