/* OCI hooks: programs the runtime runs at fixed points of the lifecycle,
 * each given the container's state JSON on stdin. */
#ifndef SILO_RUNTIME_HOOKS_H
#define SILO_RUNTIME_HOOKS_H

#include <jansson.h>
#include <sys/types.h>

#include "runtime/spec.h"
#include "util/err.h"

enum hook_kind {
	HOOK_PRESTART,        /* runtime namespace, during create (deprecated) */
	HOOK_CREATE_RUNTIME,  /* runtime namespace, before pivot_root */
	HOOK_CREATE_CONTAINER,/* container namespaces, before pivot_root */
	HOOK_START_CONTAINER, /* container, after start, before the user process */
	HOOK_POSTSTART,       /* runtime, after the user process started */
	HOOK_POSTSTOP,        /* runtime, after the container is deleted */
};

/* Checks config.json's hooks object: names, paths, args, env, timeout. */
int hooks_validate(const json_t *config, struct silo_err *err);

/* Whether config has hooks of this kind. */
int hooks_present(const json_t *config, enum hook_kind kind);

/* Runs every hook of kind in order, with state on stdin; stops at the first
 * failure (exit status, signal, or timeout) and says which hook and why. */
int hooks_run(const json_t *config, enum hook_kind kind, const json_t *state,
	      struct silo_err *err);

/* The state object hooks get: ociVersion, id, status, pid, bundle,
 * annotations. */
json_t *hooks_state(const char *id, const char *status, pid_t pid, const struct spec *spec);

#endif
