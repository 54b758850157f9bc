/* The OCI config of an engine container: silo's default config
 * (spec_default) turned into what a docker user expects, then the image's
 * config (Entrypoint, Cmd, Env, WorkingDir, User) and the run flags on top. */
#ifndef SILO_ENGINE_CONFIG_H
#define SILO_ENGINE_CONFIG_H

#include <jansson.h>

#include "engine/resources.h"
#include "engine/security.h"
#include "engine/user.h"
#include "util/err.h"

struct engine_run_flags {
	char **env;             /* -e K=V or K (taken from our environment); NULL-terminated or NULL */
	const char *workdir;    /* -w, or NULL */
	const char *user;       /* -u, or NULL: the image's */
	int tty;                /* -t */
	int interactive;        /* -i */
	const char *entrypoint; /* --entrypoint, or NULL: the image's; "" clears it */
	char **cmd;             /* arguments after IMAGE; NULL or empty: the image's Cmd */
	int network_host;       /* --network host: no network namespace */
	int read_only;          /* --read-only: the root is mounted read-only */
	const char *hostname;   /* the container's hostname */
	const char *dir;        /* the container's directory */
	const char *etc_dir;    /* where its hostname, hosts, resolv.conf are (NULL: dir) */
	const char *netns_path; /* the network namespace to join, or NULL: a new one */
	json_t *mounts;         /* config.json entries for -v, --mount, --tmpfs (mounts_oci), or NULL */
	const struct engine_resources *resources; /* -m, --cpus, --ulimit …, or NULL */
	const struct engine_security *security;   /* --cap-add, --privileged …, or NULL: defaults */
	const char *init_path;  /* --init: the host's silo-init, bound at ENGINE_INIT_PATH; or NULL */
	struct engine_userns *userns; /* --userns, --uidmap, --gidmap (userns_mode.h), or NULL;
				       * create fills in --userns auto's maps */
};

/* Where --init's init is bound in the container, and run as PID 1 with
 * the container's command after "--". */
#define ENGINE_INIT_PATH "/dev/init"

/* The silo-init next to the engine module (a build tree, or
 * $libdir/silo once installed), or NULL with err set when it is not
 * there. */
char *engine_config_init_path(struct silo_err *err);

/* NAME next to the engine module (silo-init, silo-monitor: the helpers
 * installed with it), or NULL with errno when the module's place is not
 * known. Whether it is there is the caller's to check. */
char *engine_helper_path(const char *name);

/* Docker's default capabilities, CAP_ names. */
extern const char *const engine_default_capabilities[];

/* The process's arguments: entrypoint + command, as docker combines them
 * (--entrypoint drops the image's Cmd). Fails when both are empty. */
int engine_config_args(json_t *image_config, const struct engine_run_flags *flags, json_t **out,
		       struct silo_err *err);

/* The user spec to resolve: -u, else the image's User, else "" (root). */
const char *engine_config_user(json_t *image_config, const struct engine_run_flags *flags);

/* The image's StopSignal, or "SIGTERM". */
const char *engine_config_stop_signal(json_t *image_config);

/* The whole config.json. image_config is the image's config blob (with its
 * "config" object) or NULL. user is the resolved user. */
int engine_config_build(json_t *image_config, const struct engine_run_flags *flags,
			const struct engine_user *user, json_t **out, struct silo_err *err);

#endif
