/* exec: a new process inside a running container, set up exactly as the
 * container's init was: same namespaces, cgroup, root, and the process's
 * own user, capabilities, rlimits, no_new_privs and seccomp filter. */
#ifndef SILO_RUNTIME_EXEC_H
#define SILO_RUNTIME_EXEC_H

#include <jansson.h>

#include "runtime/container.h"
#include "util/err.h"

struct exec_options {
	const char *id;
	json_t *process; /* an OCI process object (see container_config) */
	const char *console_socket;
	const char *pid_file;
	int detach;
	int preserve_fds;
};

/* The container's config.json as it was created; *out is a new reference. */
int container_config(const struct runtime_context *ctx, const char *id, json_t **out,
		     struct silo_err *err);

/* Runs the process. In the foreground, waits and sets *exit_status (128+N
 * for a signal); detached, returns once the process has exec'd. */
int container_exec(const struct runtime_context *ctx, const struct exec_options *opts,
		   int *exit_status, struct silo_err *err);

#endif
