/* Importing a rootfs tarball (see import.h): decompress into the store,
 * unpack, write config and manifest, record. */
#include "image/import.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "image/archive_lib.h"
#include "image/images.h"
#include "image/layers.h"
#include "image/reference.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/clock.h"

#define READ_BLOCK (128 * 1024)

/* The input as libarchive reads it, counted: an empty pipe is told apart
 * from one that is not a tarball. */
struct input {
	int fd;
	uint64_t total;
	char buf[READ_BLOCK];
};

static la_ssize_t input_read(struct archive *a, void *opaque, const void **out)
{
	struct input *in = opaque;
	ssize_t n;

	do
		n = read(in->fd, in->buf, sizeof(in->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(a, errno, "%s", strerror(errno));
		return -1;
	}
	in->total += (uint64_t)n;
	*out = in->buf;
	return n;
}

/* The tarball, uncompressed, into the store; digest gets its digest. */
static int store_tarball(const struct store *store, int fd, char digest[DIGEST_STRING_LENGTH + 1],
			 uint64_t *size, struct silo_err *err)
{
	_cleanup_archive_ struct archive *a = archive_read_new();
	_cleanup_free_ char *buf = malloc(READ_BLOCK);
	_cleanup_free_ struct input *in = calloc(1, sizeof(*in));
	struct archive_entry *entry;
	struct store_blob_writer w;
	la_ssize_t n;

	if (!a || !buf || !in)
		return silo_err_sys(err, ENOMEM, "import");
	in->fd = fd;
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_xz(a);
	archive_read_support_format_raw(a);
	if (archive_read_open(a, in, NULL, input_read, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(a, &entry) != ARCHIVE_OK) {
		if (in->total == 0)
			return silo_err_set(err, EINVAL, "the tarball is empty");
		return silo_err_set(err, EIO, "read the tarball: %s", archive_error_string(a));
	}
	if (store_blob_begin_unnamed(store, &w, err) < 0)
		return -1;
	while ((n = archive_read_data(a, buf, READ_BLOCK)) > 0) {
		if (store_blob_write(&w, buf, (size_t)n, err) < 0) {
			store_blob_abort(&w, 0);
			return -1;
		}
	}
	if (n < 0) {
		store_blob_abort(&w, 0);
		return silo_err_set(err, EIO, "read the tarball: %s", archive_error_string(a));
	}
	if (w.written == 0) {
		store_blob_abort(&w, 0);
		return silo_err_set(err, EINVAL, "the tarball is empty");
	}
	*size = w.written;
	if (store_blob_commit(&w, err) < 0)
		return -1;
	snprintf(digest, DIGEST_STRING_LENGTH + 1, "%s", w.expected);
	return 0;
}

/* ------------------------------------------------------------ --change -- */

/* ["a","b"] as a JSON array of strings, or NULL. */
static json_t *string_list(const char *text)
{
	json_t *v = json_loads(text, 0, NULL);
	size_t i;
	json_t *s;

	if (!json_is_array(v)) {
		json_decref(v);
		return NULL;
	}
	json_array_foreach(v, i, s)
		if (!json_is_string(s)) {
			json_decref(v);
			return NULL;
		}
	return v;
}

/* The exec form as given, or the shell form run by /bin/sh -c. */
static json_t *command_value(const char *rest)
{
	if (rest[0] == '[')
		return string_list(rest);
	return json_pack("[s,s,s]", "/bin/sh", "-c", rest);
}

/* Space-separated words (no quoting: --change values are short). */
static json_t *words(const char *rest)
{
	json_t *out = json_array();
	const char *p = rest;

	while (out && *p) {
		size_t n;

		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, " \t");
		if (n)
			json_array_append_new(out, json_stringn(p, n));
		p += n;
	}
	return out;
}

static int set_env(json_t *config, const char *key, size_t key_len, const char *value)
{
	json_t *env = json_object_child_array(config, "Env");
	size_t i;
	json_t *v;

	json_array_foreach(env, i, v) {
		const char *s = json_string_value(v);

		if (s && !strncmp(s, key, key_len) && s[key_len] == '=') {
			json_array_remove(env, i);
			break;
		}
	}
	return json_array_append_new(env, json_sprintf("%.*s=%s", (int)key_len, key, value));
}

/* A set as docker keeps it: {"80/tcp": {}}. */
static void add_to_set(json_t *config, const char *field, const char *key)
{
	json_t *set = json_object_get(config, field);

	if (!json_is_object(set)) {
		set = json_object();
		json_object_set_new(config, field, set);
	}
	json_object_set_new(set, key, json_object());
}

int image_import_change(json_t *config, const char *change, struct silo_err *err)
{
	return image_config_change(config, change, "import", err);
}

int image_config_change(json_t *config, const char *change, const char *command,
			struct silo_err *err)
{
	_cleanup_json_ json_t *list = NULL;
	_cleanup_free_ char *rest = NULL;
	char keyword[16];
	const char *p = change;
	size_t n, i;
	json_t *w;

	while (*p == ' ')
		p++;
	n = strcspn(p, " \t");
	if (n == 0 || n >= sizeof(keyword))
		return silo_err_set(err, EINVAL, "--change \"%s\": no Dockerfile instruction", change);
	for (i = 0; i < n; i++)
		keyword[i] = (char)(p[i] >= 'a' && p[i] <= 'z' ? p[i] - 32 : p[i]);
	keyword[n] = '\0';
	p += n;
	while (*p == ' ' || *p == '\t')
		p++;
	rest = strdup(p);
	if (!rest)
		return silo_err_sys(err, ENOMEM, "--change");
	for (n = strlen(rest); n > 0 && (rest[n - 1] == ' ' || rest[n - 1] == '\n'); n--)
		rest[n - 1] = '\0';
	if (!*rest)
		return silo_err_set(err, EINVAL, "--change \"%s\": %s wants a value", change, keyword);
	if (!strcmp(keyword, "CMD") || !strcmp(keyword, "ENTRYPOINT")) {
		json_t *v = command_value(rest);

		if (!v)
			return silo_err_set(err, EINVAL, "--change \"%s\": not a JSON list of strings", change);
		json_object_set_new(config, !strcmp(keyword, "CMD") ? "Cmd" : "Entrypoint", v);
	} else if (!strcmp(keyword, "ENV")) {
		const char *eq = strchr(rest, '='), *space = strpbrk(rest, " \t");

		if (!eq || (space && space < eq)) {
			/* ENV KEY value with spaces */
			if (!space)
				return silo_err_set(err, EINVAL, "--change \"%s\": ENV wants KEY=VALUE", change);
			for (p = space; *p == ' ' || *p == '\t'; p++)
				;
			set_env(config, rest, (size_t)(space - rest), p);
		} else {
			list = words(rest);
			json_array_foreach(list, i, w) {
				const char *s = json_string_value(w), *e = strchr(s, '=');

				if (!e)
					return silo_err_set(err, EINVAL, "--change \"%s\": \"%s\" is not KEY=VALUE",
							    change, s);
				set_env(config, s, (size_t)(e - s), e + 1);
			}
		}
	} else if (!strcmp(keyword, "WORKDIR") || !strcmp(keyword, "USER") ||
		   !strcmp(keyword, "STOPSIGNAL")) {
		json_object_set_new(config,
				    !strcmp(keyword, "WORKDIR") ? "WorkingDir" :
				    !strcmp(keyword, "USER")    ? "User" :
								  "StopSignal",
				    json_string(rest));
	} else if (!strcmp(keyword, "EXPOSE")) {
		list = words(rest);
		json_array_foreach(list, i, w) {
			const char *s = json_string_value(w);
			char port[64];

			if (strspn(s, "0123456789") == 0)
				return silo_err_set(err, EINVAL, "--change \"%s\": \"%s\" is not PORT[/PROTOCOL]",
						    change, s);
			snprintf(port, sizeof(port), "%s%s", s, strchr(s, '/') ? "" : "/tcp");
			add_to_set(config, "ExposedPorts", port);
		}
	} else if (!strcmp(keyword, "LABEL")) {
		json_t *labels = json_object_get(config, "Labels");

		if (!json_is_object(labels)) {
			labels = json_object();
			json_object_set_new(config, "Labels", labels);
		}
		list = words(rest);
		json_array_foreach(list, i, w) {
			const char *s = json_string_value(w), *e = strchr(s, '=');
			_cleanup_free_ char *key = e ? strndup(s, (size_t)(e - s)) : NULL;

			if (!key || !*key)
				return silo_err_set(err, EINVAL, "--change \"%s\": \"%s\" is not KEY=VALUE",
						    change, s);
			json_object_set_new(labels, key, json_string(e + 1));
		}
	} else if (!strcmp(keyword, "VOLUME")) {
		list = rest[0] == '[' ? string_list(rest) : words(rest);
		if (!list)
			return silo_err_set(err, EINVAL, "--change \"%s\": not a JSON list of strings", change);
		json_array_foreach(list, i, w)
			add_to_set(config, "Volumes", json_string_value(w));
	} else {
		return silo_err_set(err, EINVAL,
				    "--change \"%s\": %s cannot apply %s (it knows CMD, ENTRYPOINT, ENV, "
				    "EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR)",
				    change, command, keyword);
	}
	return 0;
}

/* ----------------------------------------------------------------- import -- */

static json_t *make_config(const struct image_import_options *opts, const char *diff_id)
{
	char created[64];
	json_t *config, *history;

	clock_format_now(created, sizeof(created));
	history = json_pack("{s:s}", "created", created);
	if (opts->message)
		json_object_set_new(history, "comment", json_string(opts->message));
	else
		json_object_set_new(history, "comment",
				    json_sprintf("Imported from %s", opts->source ? opts->source : "-"));
	config = json_pack("{s:s,s:s,s:s,s:o,s:{s:s,s:[s]},s:[o]}", "created", created, "architecture",
			   opts->platform.architecture, "os", opts->platform.os, "config",
			   opts->config ? json_deep_copy(opts->config) : json_object(), "rootfs", "type", "layers",
			   "diff_ids", diff_id, "history", history);
	if (config && *opts->platform.variant)
		json_object_set_new(config, "variant", json_string(opts->platform.variant));
	return config;
}

int image_store_json(const struct store *store, json_t *doc, char **text,
		    char digest[DIGEST_STRING_LENGTH + 1], struct silo_err *err)
{
	*text = json_dumps(doc, JSON_COMPACT);
	if (!*text)
		return silo_err_sys(err, ENOMEM, "import");
	if (digest_buffer(*text, strlen(*text), digest, err) < 0)
		return -1;
	return store_blob_put(store, digest, *text, strlen(*text), err);
}

static int import_locked(const struct store *store, int fd, const struct image_import_options *opts,
			 const char *name, char id[DIGEST_STRING_LENGTH + 1], struct silo_err *err)
{
	char layer[DIGEST_STRING_LENGTH + 1], manifest_digest[DIGEST_STRING_LENGTH + 1];
	_cleanup_json_ json_t *config_doc = NULL;
	_cleanup_json_ json_t *manifest_doc = NULL;
	_cleanup_json_ json_t *rec = NULL;
	_cleanup_free_ char *config_text = NULL;
	_cleanup_free_ char *manifest_text = NULL;
	_cleanup_image_config_ struct image_config config = { 0 };
	_cleanup_manifest_ struct manifest m = { 0 };
	char *chain_ids[2] = { layer, NULL };
	uint64_t size = 0;

	if (store_tarball(store, fd, layer, &size, err) < 0)
		return -1;
	/* One layer: its chain ID is its DiffID. */
	if (layer_unpack_blob(store, layer, layer, layer, err) < 0)
		return -1;
	config_doc = make_config(opts, layer);
	if (!config_doc)
		return silo_err_sys(err, ENOMEM, "import");
	if (image_store_json(store, config_doc, &config_text, id, err) < 0 ||
	    image_config_parse(config_text, strlen(config_text), &config, err) < 0)
		return -1;
	manifest_doc = json_pack("{s:i,s:s,s:{s:s,s:s,s:I},s:[{s:s,s:s,s:I}]}", "schemaVersion", 2,
				 "mediaType", MEDIA_OCI_MANIFEST, "config", "mediaType", MEDIA_OCI_CONFIG,
				 "digest", id, "size", (json_int_t)strlen(config_text), "layers",
				 "mediaType", MEDIA_OCI_LAYER, "digest", layer, "size", (json_int_t)size);
	if (!manifest_doc)
		return silo_err_sys(err, ENOMEM, "import");
	if (image_store_json(store, manifest_doc, &manifest_text, manifest_digest, err) < 0 ||
	    manifest_parse(manifest_text, strlen(manifest_text), MEDIA_OCI_MANIFEST, &m, err) < 0)
		return -1;
	rec = image_record_new(store, &m, manifest_digest, NULL, &config, chain_ids);
	if (!rec)
		return silo_err_sys(err, ENOMEM, "import");
	if (name)
		json_array_append_new(json_object_get(rec, "names"), json_string(name));
	return images_add(store, rec, err);
}

int image_import(const struct store *store, int fd, const struct image_import_options *opts,
		 char id[DIGEST_STRING_LENGTH + 1], struct silo_err *err)
{
	_cleanup_free_ char *name = NULL;
	int gc, r;

	if (archive_lib_load(err) < 0)
		return -1;
	if (opts->ref) {
		_cleanup_image_ref_ struct image_ref ref = { 0 };

		if (image_ref_parse(opts->ref, &ref, err) < 0)
			return -1;
		if (ref.digest)
			return silo_err_set(err, EINVAL, "import as \"%s\": a new image's name cannot have a digest",
					    opts->ref);
		name = image_ref_string(&ref);
		if (!name)
			return silo_err_sys(err, ENOMEM, "import");
	}
	gc = store_lock_shared(store, "gc", err);
	if (gc < 0)
		return -1;
	r = import_locked(store, fd, opts, name, id, err);
	close(gc);
	if (r < 0) {
		struct silo_err ignored = { 0 };

		images_collect_garbage(store, &ignored);
		return silo_err_prefix(err, "import %s", opts->source ? opts->source : "-");
	}
	return 0;
}
