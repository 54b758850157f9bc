/* Reading and writing registry credentials. */
#include "image/credentials.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "util/base64.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

#define CREDENTIALS_MAX_SIZE (4 * 1024 * 1024)

/* Docker Hub's credentials live under the old v1 index address. */
static const char *auth_key(const char *registry)
{
	return strcmp(registry, "docker.io") ? registry : "https://index.docker.io/v1/";
}

char *credentials_docker_config_path(void)
{
	const char *dir = getenv("DOCKER_CONFIG");
	const char *home = getenv("HOME");
	char *path;
	int r;

	if (dir && *dir)
		r = asprintf(&path, "%s/config.json", dir);
	else
		r = asprintf(&path, "%s/.docker/config.json", home && *home ? home : "/root");
	return r < 0 ? NULL : path;
}

static char *auth_json_path(void)
{
	const char *file = getenv("REGISTRY_AUTH_FILE");
	const char *run = getenv("XDG_RUNTIME_DIR");
	char *path;

	if (file && *file)
		return strdup(file);
	if (run && *run && asprintf(&path, "%s/containers/auth.json", run) >= 0)
		return path;
	return NULL;
}

/* A key matches with or without a scheme and a trailing path, as docker
 * writes "https://host/v1/" for some registries. */
static int key_matches(const char *key, const char *registry)
{
	size_t len;

	if (!strcmp(key, registry))
		return 1;
	if (!strncmp(key, "https://", 8))
		key += 8;
	else if (!strncmp(key, "http://", 7))
		key += 7;
	if (!strcmp(registry, "docker.io") &&
	    (!strncmp(key, "index.docker.io", 15) || !strncmp(key, "registry-1.docker.io", 20)))
		return 1;
	len = strlen(registry);
	return !strncmp(key, registry, len) && (key[len] == '\0' || key[len] == '/');
}

static int decode_auth(const char *b64, char **user, char **password, struct silo_err *err)
{
	_cleanup_free_ unsigned char *raw = NULL;
	size_t len;
	char *colon;
	int r = base64_decode(b64, &raw, &len);

	if (r == -ENOMEM)
		return silo_err_sys(err, ENOMEM, "decode credentials");
	if (r < 0)
		return silo_err_set(err, EINVAL, "credentials: \"auth\" is not base64");
	colon = strchr((char *)raw, ':');
	if (!colon)
		return silo_err_set(err, EINVAL, "credentials: \"auth\" is not user:password");
	*colon = '\0';
	*user = strdup((char *)raw);
	*password = strdup(colon + 1);
	if (!*user || !*password) {
		free(*user);
		free(*password);
		return silo_err_sys(err, ENOMEM, "decode credentials");
	}
	return 1;
}

static int lookup_in(const char *path, const char *registry, char **user, char **password,
		     struct silo_err *err)
{
	_cleanup_json_ json_t *root = NULL;
	json_t *auths, *entry;
	const char *key;

	if (!path || access(path, F_OK) < 0)
		return 0;
	if (json_load_path(path, CREDENTIALS_MAX_SIZE, &root, err) < 0)
		return -1;
	auths = json_object_get(root, "auths");
	json_object_foreach(auths, key, entry) {
		const char *b64 = json_string_value(json_object_get(entry, "auth"));

		if (!key_matches(key, registry) || !b64 || !*b64)
			continue;
		if (decode_auth(b64, user, password, err) < 0)
			return silo_err_prefix(err, "%s", path);
		return 1;
	}
	return 0;
}

int credentials_lookup(const char *registry, char **user, char **password, struct silo_err *err)
{
	_cleanup_free_ char *auth_json = auth_json_path();
	_cleanup_free_ char *docker = credentials_docker_config_path();
	int r;

	*user = *password = NULL;
	r = lookup_in(auth_json, registry, user, password, err);
	if (r != 0)
		return r;
	return lookup_in(docker, registry, user, password, err);
}

static int load_docker_config(const char *path, json_t **out, struct silo_err *err)
{
	if (access(path, F_OK) < 0) {
		*out = json_object();
		return *out ? 0 : silo_err_sys(err, ENOMEM, "credentials");
	}
	return json_load_path(path, CREDENTIALS_MAX_SIZE, out, err);
}

int credentials_store(const char *registry, const char *user, const char *password,
		      struct silo_err *err)
{
	_cleanup_free_ char *path = credentials_docker_config_path();
	_cleanup_free_ char *plain = NULL;
	_cleanup_free_ char *b64 = NULL;
	_cleanup_free_ char *dir = NULL;
	_cleanup_json_ json_t *root = NULL;
	json_t *auths;

	if (!path || asprintf(&plain, "%s:%s", user, password) < 0 ||
	    !(b64 = base64_encode(plain, strlen(plain))))
		return silo_err_sys(err, ENOMEM, "store credentials");
	if (load_docker_config(path, &root, err) < 0)
		return -1;
	auths = json_object_get(root, "auths");
	if (!json_is_object(auths)) {
		auths = json_object();
		if (!auths || json_object_set_new(root, "auths", auths) < 0)
			return silo_err_sys(err, ENOMEM, "store credentials");
	}
	if (json_object_set_new(auths, auth_key(registry), json_pack("{s:s}", "auth", b64)) < 0)
		return silo_err_sys(err, ENOMEM, "store credentials");
	dir = strdup(path);
	if (!dir)
		return silo_err_sys(err, ENOMEM, "store credentials");
	*strrchr(dir, '/') = '\0';
	if (fs_mkdir_p(dir, 0700, err) < 0)
		return -1;
	return json_write_path_atomic(path, root, 0600, err);
}

int credentials_erase(const char *registry, struct silo_err *err)
{
	_cleanup_free_ char *path = credentials_docker_config_path();
	_cleanup_json_ json_t *root = NULL;
	json_t *auths;
	const char *key;
	json_t *entry;
	void *tmp;
	int found = 0;

	if (!path)
		return silo_err_sys(err, ENOMEM, "remove credentials");
	if (access(path, F_OK) < 0)
		return silo_err_set(err, ENOENT, "not logged in to %s", registry);
	if (load_docker_config(path, &root, err) < 0)
		return -1;
	auths = json_object_get(root, "auths");
	json_object_foreach_safe(auths, tmp, key, entry) {
		if (key_matches(key, registry)) {
			json_object_del(auths, key);
			found = 1;
		}
	}
	if (!found)
		return silo_err_set(err, ENOENT, "not logged in to %s", registry);
	return json_write_path_atomic(path, root, 0600, err);
}
