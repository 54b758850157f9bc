/* Reading the per-registry settings file. */
#include "image/registry_config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"

#define REGISTRY_CONFIG_MAX_SIZE (1024 * 1024)

void registry_config_free(struct registry_config *c)
{
	strv_free(c->mirrors);
	memset(c, 0, sizeof(*c));
}

int registry_config_lookup(const char *registry, struct registry_config *out,
			   struct silo_err *err)
{
	const char *path = getenv("SILO_REGISTRIES_CONF");
	_cleanup_json_ json_t *root = NULL;
	json_t *entry, *mirrors, *m;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!path || !*path)
		path = REGISTRY_CONFIG_DEFAULT_PATH;
	if (access(path, F_OK) < 0)
		return 0;
	if (json_load_path(path, REGISTRY_CONFIG_MAX_SIZE, &root, err) < 0)
		return -1;
	entry = json_object_get(json_object_get(root, "registries"), registry);
	if (!entry)
		return 0;
	if (!json_is_object(entry))
		return silo_err_set(err, EINVAL, "%s: registries.\"%s\" is not an object", path, registry);
	out->plain_http = json_is_true(json_object_get(entry, "plain-http"));
	out->insecure = json_is_true(json_object_get(entry, "insecure"));
	mirrors = json_object_get(entry, "mirrors");
	json_array_foreach(mirrors, i, m) {
		if (!json_is_string(m) || strv_push(&out->mirrors, json_string_value(m)) < 0) {
			registry_config_free(out);
			return silo_err_set(err, EINVAL, "%s: registries.\"%s\".mirrors must be strings", path,
					    registry);
		}
	}
	return 0;
}
