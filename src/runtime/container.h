/* The runtime as a library: the OCI lifecycle (create, start, kill, delete,
 * state) that both the runtime face and the engine call in-process. */
#ifndef SILO_RUNTIME_CONTAINER_H
#define SILO_RUNTIME_CONTAINER_H

#include <jansson.h>
#include <sys/types.h>

#include "util/err.h"

struct runtime_context {
	const char *root; /* state root: /run/silo by default */
	int systemd_cgroup;
	/* Where compiled seccomp programs are kept between creates
	 * (seccomp_cache.h; the engine keeps them in its store), or NULL to
	 * compile each profile in the init every time. */
	const char *seccomp_cache;
};

struct create_options {
	const char *id;
	const char *bundle;
	const char *pid_file;       /* NULL: none */
	const char *console_socket; /* NULL: none */
	int preserve_fds;
	int no_pivot;
	int no_new_keyring;
};

/* Builds the container up to the exec of its process. On success *pid is
 * the init's PID; on failure nothing is left (state, cgroup, process). */
int container_create(const struct runtime_context *ctx, const struct create_options *opts,
		     pid_t *pid, struct silo_err *err);

int container_start(const struct runtime_context *ctx, const char *id, struct silo_err *err);

/* create for a caller that starts the container right after (the engine's
 * monitor, run): the init waits for its start on the socket pair it was
 * built over, *start_fd, instead of on an exec socket, and
 * container_start_pair() releases it. No socket inode is bound and
 * unlinked, nobody connects, and start does not read the state again. The
 * container counts as running from the moment it is recorded, an instant
 * nobody can tell from the one between create and start. Closing *start_fd
 * without a start ends the init; delete then clears the rest. */
int container_create_to_start(const struct runtime_context *ctx, const struct create_options *opts,
			      pid_t *pid, int *start_fd, struct silo_err *err);

/* Starts a container made by container_create_to_start: the same errors
 * as container_start for an exec that fails, then the poststart hooks.
 * start_fd stays the caller's to close. */
int container_start_pair(const struct runtime_context *ctx, const char *id, int start_fd,
			 struct silo_err *err);

/* create + start, then (unless detach) wait for the process, forwarding
 * signals, and delete the container. *exit_status is the process's exit
 * code, or 128+N when signal N killed it. */
int container_run(const struct runtime_context *ctx, const struct create_options *opts,
		  int detach, int *exit_status, struct silo_err *err);

int container_kill(const struct runtime_context *ctx, const char *id, int sig, int all,
		   struct silo_err *err);

int container_delete(const struct runtime_context *ctx, const char *id, int force,
		     struct silo_err *err);

/* The OCI state object of one container. */
int container_state(const struct runtime_context *ctx, const char *id, json_t **out,
		    struct silo_err *err);

/* State objects of every container under the root, sorted by ID. */
int container_list(const struct runtime_context *ctx, json_t **out, struct silo_err *err);

#endif
