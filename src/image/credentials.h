/* Registry credentials in the files docker and the containers tools use:
 * docker's config.json ($DOCKER_CONFIG/config.json or ~/.docker/config.json)
 * and containers' auth.json ($REGISTRY_AUTH_FILE, or
 * $XDG_RUNTIME_DIR/containers/auth.json). Both hold
 * {"auths": {"<registry>": {"auth": base64("user:password")}}}. login and
 * logout write docker's file, keeping everything else in it. */
#ifndef SILO_IMAGE_CREDENTIALS_H
#define SILO_IMAGE_CREDENTIALS_H

#include "util/err.h"

/* Finds credentials for registry. Returns 1 with *user and *password set
 * (caller frees), 0 when there are none, negative on a broken file. */
int credentials_lookup(const char *registry, char **user, char **password, struct silo_err *err);
int credentials_store(const char *registry, const char *user, const char *password,
		      struct silo_err *err);
/* Returns 0, or -ENOENT when there was nothing to remove. */
int credentials_erase(const char *registry, struct silo_err *err);

/* The path login writes to. */
char *credentials_docker_config_path(void);

#endif
