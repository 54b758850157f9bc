/* Per-registry settings from a small JSON file ($SILO_REGISTRIES_CONF, or
 * /etc/silo/registries.json; see docs/images.md):
 *
 *   {"registries": {"myreg.local:5000": {"plain-http": true},
 *                   "docker.io": {"mirrors": ["mirror.local:5000"]},
 *                   "lab.example": {"insecure": true}}}
 *
 * plain-http: speak HTTP, not HTTPS; insecure: HTTPS without verifying the
 * certificate (and fall back to HTTP); mirrors: tried in order before the
 * registry itself, for pulls. Loopback registries may speak plain HTTP
 * without an entry. */
#ifndef SILO_IMAGE_REGISTRY_CONFIG_H
#define SILO_IMAGE_REGISTRY_CONFIG_H

#include "util/err.h"

#define REGISTRY_CONFIG_DEFAULT_PATH "/etc/silo/registries.json"

struct registry_config {
	int plain_http;
	int insecure;
	char **mirrors; /* NULL-terminated, or NULL */
};

int registry_config_lookup(const char *registry, struct registry_config *out,
			   struct silo_err *err);
void registry_config_free(struct registry_config *c);

#endif
