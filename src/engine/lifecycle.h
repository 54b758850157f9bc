/* Engine containers as users see them: made from an image (create), run
 * under a monitor (monitor.h), signalled, stopped and removed. Every entry
 * point takes the store root and the runtime context (the runtime's state
 * root); a container's runtime ID is its full engine ID. */
#ifndef SILO_ENGINE_LIFECYCLE_H
#define SILO_ENGINE_LIFECYCLE_H

#include <jansson.h>

#include "engine/config.h"
#include "engine/network.h"
#include "image/store.h"
#include "runtime/container.h"
#include "util/err.h"

struct engine_env {
	const struct store *store;
	struct runtime_context rt;
};

/* The runtime state root for engine containers: $SILO_RUNTIME_ROOT, else
 * /run/silo for root, else $XDG_RUNTIME_DIR/silo. */
char *engine_runtime_root(void);

enum engine_pull_policy { ENGINE_PULL_MISSING, ENGINE_PULL_ALWAYS, ENGINE_PULL_NEVER };

struct engine_create_request {
	const char *image;
	const char *name; /* NULL: a generated one */
	enum engine_pull_policy pull;
	struct engine_run_flags flags; /* hostname, dir, etc_dir, netns_path are filled in */
	struct engine_net_flags net;
	int auto_remove;
	const char *hostname;    /* -h, or NULL: the short ID */
	const char *stop_signal; /* --stop-signal, or NULL: the image's */
	int stop_timeout;        /* --stop-timeout seconds, or -1: stop's default */
	json_t *mounts;          /* -v, --mount, --tmpfs entries (mounts.h), or NULL */
	json_t *restart_policy;  /* --restart (restart.h), or NULL: "no" */
	char **labels;           /* -l K=V (or K: empty), on top of the image's Labels; or NULL */
	json_t *log_config;      /* --log-driver, --log-opt (logfile.h), or NULL: json-file */
	int keep_mounted;        /* leave the rootfs mounted: a start follows at once */
	/* Called before a pull starts, so the CLI can say so. */
	void (*on_pull)(void *opaque, const char *image);
	void *opaque;
};

/* Makes the record, its volumes (named ones on first use, anonymous ones;
 * seeded from the image), the rootfs snapshot, the container's /etc files
 * and bundle/config.json. The snapshot stays mounted with keep_mounted. On
 * failure nothing is left. */
int engine_container_create(const struct engine_env *env, struct engine_create_request *req,
			    char id[65], struct silo_err *err);

/* Resolves a user spec through ROOTFS/etc/passwd and /etc/group, read
 * inside the root (RESOLVE_IN_ROOT: the image may make them symlinks). */
int engine_user_resolve_in_root(const char *rootfs, const char *spec, struct engine_user *user,
				struct silo_err *err);

/* The record with its state made truthful: a container whose monitor died
 * and whose process is gone is recorded exited (its runtime state deleted,
 * its rootfs unmounted). *out is a new reference. */
int engine_container_inspect(const struct engine_env *env, const char *id, json_t **out,
			     struct silo_err *err);

/* "created", "running", "restarting" (between two runs of its restart
 * policy) or "exited" from a record. */
const char *engine_container_status(json_t *rec);

/* Whether the container's processes are frozen (pause). A paused
 * container is still "running" in its record. */
int engine_container_paused(const struct engine_env *env, const char *id);

/* Freezes (pause) or thaws (unpause) every process of a running
 * container through the runtime's freezer (the v1 freezer, or v2's
 * cgroup.freeze). Pausing what is not running, or is paused already, is
 * an error naming the container; so is unpausing what is not paused. */
int engine_container_pause(const struct engine_env *env, const char *id, struct silo_err *err);
int engine_container_unpause(const struct engine_env *env, const char *id, struct silo_err *err);

/* Sends sig to the container's init (thawing a paused container so it
 * takes it); fails with "container ... is not
 * running" when it is not. */
int engine_container_signal(const struct engine_env *env, const char *id, int sig,
			    struct silo_err *err);

/* StopSignal (a paused container is thawed to take it), then SIGKILL
 * after timeout seconds (<0: the container's --stop-timeout, else 10);
 * returns once the container is recorded exited.
 * A stopped container is fine. */
int engine_container_stop(const struct engine_env *env, const char *id, int timeout,
			  struct silo_err *err);

/* Waits until the container is recorded exited (or removed: *exit_code is
 * then -1). */
int engine_container_wait(const struct engine_env *env, const char *id, int *exit_code,
			  struct silo_err *err);

/* Removes record, runtime state, overlay mount and upper directory, and
 * with volumes its anonymous volumes. A running container needs force (it
 * is killed first). */
int engine_container_remove(const struct engine_env *env, const char *id, int force, int volumes,
			    struct silo_err *err);

/* Whether the container's monitor (or foreground silo) is alive: it holds
 * monitor.lock for as long as it runs. */
int engine_monitor_alive(const char *store_root, const char *id);

/* Where the runtime keeps the store's compiled seccomp programs
 * (runtime/seccomp_cache.h), for runtime_context.seccomp_cache: the
 * profile of every container with the same capabilities is compiled once.
 * NULL when out of memory. */
char *engine_seccomp_cache_dir(const struct engine_env *env);

/* Releases what an exited container holds: runtime state and cgroup, the
 * overlay mount. */
void engine_container_release(const struct engine_env *env, const char *id);

#endif
