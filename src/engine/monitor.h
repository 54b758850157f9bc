/* Running an engine container: the per-container monitor. In the
 * foreground it is `silo run` itself; with -d it is a fork of silo that
 * calls setsid and lives as long as the container. Either way it is the
 * parent of the container's init (the runtime clones it in-process), holds
 * the read ends of the container's stdout and stderr (or its pty master) and
 * writes them to container.log, waits for the exit, records the exit code
 * and time, releases the runtime state and the rootfs mount, and removes an
 * --rm container. With a restart policy (restart.h) it starts the container
 * again after docker's back-off, unless the user stopped it; in the
 * foreground it returns at the first exit and a detached copy of it takes
 * the restarts over. A detached monitor serves attach clients (attach.h)
 * and, while the container runs, is the lean silo binary
 * (monitor_lean.h). */
#ifndef SILO_ENGINE_MONITOR_H
#define SILO_ENGINE_MONITOR_H

#include "engine/lifecycle.h"
#include "util/err.h"

struct monitor_request {
	const struct engine_env *env;
	const char *id;
	int foreground;  /* copy the output to our stdout/stderr too */
	int interactive; /* the container reads our stdin */
	/* Detached: a connected attach client to serve from the start
	 * (`run -it`), or -1; and the window size to give the pty first
	 * (rows 0: leave it). */
	int attach_fd;
	unsigned short rows, cols;
	/* Called once: with NULL when the container's process runs, or with
	 * the error that stopped it from starting. */
	void (*on_started)(void *opaque, const struct silo_err *err);
	void *opaque;
};

/* Returns -1 when the container could not be started (err says why, and
 * *exit_status is 125, 126 or 127 as docker would exit), else 0 with the
 * container's exit status (128+N for signal N). */
int monitor_run(const struct monitor_request *req, int *exit_status, struct silo_err *err);

/* What a detached monitor starts with: a client already connected to it
 * (our end of a socketpair, or -1), and the pty's first window size. */
struct monitor_detach_options {
	int attach_fd;
	unsigned short rows, cols;
};

/* -d: forks a monitor that runs the container, and returns once it has
 * started (0) or failed to (-1, err says why). A detached monitor serves
 * attach clients (attach.h); opts may be NULL. */
int monitor_spawn_detached(const struct engine_env *env, const char *id,
			   const struct monitor_detach_options *opts, struct silo_err *err);

#endif
