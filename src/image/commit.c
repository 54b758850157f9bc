/* A container's changes as a new image (see commit.h): pack, compress and
 * store the layer, unpack it into the layer cache, then config, manifest
 * and record, all under the shared "gc" lock so a concurrent garbage
 * collection never takes the new blobs before the record names them. */
#include "image/commit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <zlib.h>

#include "image/images.h"
#include "image/import.h"
#include "image/layers.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "image/tar_tree.h"
#include "image/tar_writer.h"
#include "util/cleanup.h"
#include "util/clock.h"
#include "util/json.h"

#define GZIP_BLOCK (64 * 1024)

/* ----------------------------------------------------------- the layer -- */

/* The tar goes through the DiffID hash and gzip into the store. */
struct layer_sink {
	z_stream z;
	struct digest_ctx diff;
	struct store_blob_writer *blob;
	unsigned char out[GZIP_BLOCK];
};

static int deflate_some(struct layer_sink *s, int flush, struct silo_err *err)
{
	int r;

	do {
		size_t have;

		s->z.next_out = s->out;
		s->z.avail_out = sizeof(s->out);
		r = deflate(&s->z, flush);
		if (r == Z_STREAM_ERROR)
			return silo_err_set(err, EIO, "commit: compress the layer failed");
		have = sizeof(s->out) - s->z.avail_out;
		if (have && store_blob_write(s->blob, s->out, have, err) < 0)
			return -1;
	} while (s->z.avail_out == 0 || (flush == Z_FINISH && r != Z_STREAM_END));
	return 0;
}

static int sink_write(void *opaque, const void *data, size_t len, struct silo_err *err)
{
	struct layer_sink *s = opaque;

	digest_update(&s->diff, data, len);
	s->z.next_in = (unsigned char *)data;
	s->z.avail_in = (uInt)len;
	return deflate_some(s, Z_NO_FLUSH, err);
}

/* Packs upper_fd into a gzip blob: blob gets its digest and size, diff_id
 * the digest of the tar. */
static int write_layer(const struct store *store, int upper_fd, const char *const *mount_points,
		       char blob[DIGEST_STRING_LENGTH + 1], uint64_t *size,
		       char diff_id[DIGEST_STRING_LENGTH + 1], struct silo_err *err)
{
	const struct tar_tree_options opts = { .overlay_whiteouts = 1, .skip_empty = mount_points };
	struct store_blob_writer w;
	_cleanup_free_ struct layer_sink *s = calloc(1, sizeof(*s));
	struct tar_writer t;
	struct stat st;
	int r;

	if (!s)
		return silo_err_sys(err, ENOMEM, "commit");
	if (fstat(upper_fd, &st) < 0)
		return silo_err_errno(err, "commit: the container's changes");
	if (deflateInit2(&s->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return silo_err_sys(err, ENOMEM, "commit: compress the layer");
	if (digest_init(&s->diff, err) < 0) {
		deflateEnd(&s->z);
		return -1;
	}
	if (store_blob_begin_unnamed(store, &w, err) < 0) {
		deflateEnd(&s->z);
		digest_free(&s->diff);
		return -1;
	}
	s->blob = &w;
	tar_writer_init_sink(&t, sink_write, s);
	r = tar_tree_write(&t, upper_fd, &st, "", &opts, err);
	if (r == 0)
		r = tar_finish(&t, err);
	if (r == 0) {
		s->z.next_in = NULL;
		s->z.avail_in = 0;
		r = deflate_some(s, Z_FINISH, err);
	}
	deflateEnd(&s->z);
	digest_final(&s->diff, diff_id);
	digest_free(&s->diff);
	if (r < 0) {
		store_blob_abort(&w, 0);
		return silo_err_prefix(err, "commit: pack the container's changes");
	}
	*size = w.written;
	if (store_blob_commit(&w, err) < 0)
		return -1;
	snprintf(blob, DIGEST_STRING_LENGTH + 1, "%s", w.expected);
	return 0;
}

/* ---------------------------------------------------------- the config -- */

static void set_env(json_t *config, const char *entry)
{
	json_t *env = json_object_child_array(config, "Env");
	size_t key_len = strcspn(entry, "="), i;
	json_t *v;

	json_array_foreach(env, i, v) {
		const char *s = json_string_value(v);

		if (s && !strncmp(s, entry, key_len) && s[key_len] == '=') {
			json_array_remove(env, i);
			break;
		}
	}
	json_array_append_new(env, json_string(entry));
}

/* The container's command, said in the config's terms: with the image's
 * Entrypoint in front of it, what follows is Cmd; a command that does not
 * start with it replaced the Entrypoint (--entrypoint). */
static void apply_command(json_t *config, json_t *args)
{
	json_t *entrypoint = json_object_get(config, "Entrypoint");
	size_t n = json_array_size(entrypoint), i;
	int prefix = n <= json_array_size(args);
	json_t *cmd;

	if (!json_is_array(args) || json_array_size(args) == 0)
		return;
	for (i = 0; prefix && i < n; i++)
		prefix = json_equal(json_array_get(entrypoint, i), json_array_get(args, i));
	if (!prefix) {
		json_object_set_new(config, "Entrypoint", json_deep_copy(args));
		json_object_set_new(config, "Cmd", json_null());
		return;
	}
	cmd = json_array();
	for (i = n; i < json_array_size(args); i++)
		json_array_append(cmd, json_array_get(args, i));
	json_object_set_new(config, "Cmd", cmd);
}

static int apply_changes(json_t *config, const struct image_commit_options *opts, struct silo_err *err)
{
	if (opts->args)
		apply_command(config, opts->args);
	for (char *const *e = opts->env; e && *e; e++)
		if (strchr(*e, '='))
			set_env(config, *e);
	for (char *const *c = opts->changes; c && *c; c++)
		if (image_config_change(config, *c, "commit", err) < 0)
			return -1;
	return 0;
}

static int new_name(const char *text, char **out, struct silo_err *err)
{
	_cleanup_image_ref_ struct image_ref ref = { 0 };

	*out = NULL;
	if (!text)
		return 0;
	if (image_ref_parse(text, &ref, err) < 0)
		return silo_err_prefix(err, "commit");
	if (ref.digest)
		return silo_err_set(err, EINVAL, "commit as \"%s\": a new image's name cannot have a digest",
				    text);
	*out = image_ref_string(&ref);
	return *out ? 0 : silo_err_sys(err, ENOMEM, "commit");
}

int image_commit_check(const struct image_commit_options *opts, struct silo_err *err)
{
	_cleanup_json_ json_t *scratch = json_object();
	_cleanup_free_ char *name = NULL;

	if (!scratch)
		return silo_err_sys(err, ENOMEM, "commit");
	if (new_name(opts->ref, &name, err) < 0)
		return -1;
	return apply_changes(scratch, opts, err);
}

/* The base config with the changes, the new layer and its history. */
static json_t *make_config(json_t *base, const struct image_commit_options *opts, const char *diff_id,
			   struct silo_err *err)
{
	_cleanup_json_ json_t *config = json_deep_copy(base);
	char created[64];
	json_t *history, *rootfs;

	if (!config) {
		silo_err_sys(err, ENOMEM, "commit");
		return NULL;
	}
	clock_format_now(created, sizeof(created));
	if (apply_changes(json_object_child(config, "config"), opts, err) < 0)
		return NULL;
	json_object_set_new(config, "created", json_string(created));
	if (opts->author)
		json_object_set_new(config, "author", json_string(opts->author));
	rootfs = json_object_child(config, "rootfs");
	json_object_set_new(rootfs, "type", json_string("layers"));
	json_array_append_new(json_object_child_array(rootfs, "diff_ids"), json_string(diff_id));
	history = json_pack("{s:s}", "created", created);
	if (opts->created_by)
		json_object_set_new(history, "created_by", json_string(opts->created_by));
	if (opts->author)
		json_object_set_new(history, "author", json_string(opts->author));
	if (opts->message)
		json_object_set_new(history, "comment", json_string(opts->message));
	json_array_append_new(json_object_child_array(config, "history"), history);
	return steal_pointer(&config);
}

/* -------------------------------------------------------- the manifest -- */

/* The base manifest's layers (docker media types said the OCI way) and
 * the new one. */
static json_t *make_manifest(const struct store *store, json_t *rec, const char *config_digest,
			     size_t config_size, const char *blob, uint64_t blob_size,
			     struct silo_err *err)
{
	const char *digest = json_string_value(json_object_get(rec, "manifest"));
	_cleanup_free_ char *text = NULL;
	_cleanup_json_ json_t *base = NULL;
	json_t *layers = json_array(), *l;
	size_t len, i;

	if (!digest || store_blob_read(store, digest, MANIFEST_MAX_SIZE, &text, &len, err) < 0) {
		json_decref(layers);
		if (!digest)
			silo_err_set(err, EINVAL, "commit: the base image has no manifest");
		return NULL;
	}
	base = json_loadb(text, len, 0, NULL);
	json_array_foreach(json_object_get(base, "layers"), i, l) {
		json_t *copy = json_deep_copy(l);
		const char *type = json_string_value(json_object_get(l, "mediaType"));

		if (type && !strcmp(type, MEDIA_DOCKER_LAYER))
			json_object_set_new(copy, "mediaType", json_string(MEDIA_OCI_LAYER_GZIP));
		json_array_append_new(layers, copy);
	}
	json_array_append_new(layers, json_pack("{s:s,s:s,s:I}", "mediaType", MEDIA_OCI_LAYER_GZIP, "digest",
						blob, "size", (json_int_t)blob_size));
	return json_pack("{s:i,s:s,s:{s:s,s:s,s:I},s:o}", "schemaVersion", 2, "mediaType",
			 MEDIA_OCI_MANIFEST, "config", "mediaType", MEDIA_OCI_CONFIG, "digest", config_digest,
			 "size", (json_int_t)config_size, "layers", layers);
}

/* ------------------------------------------------------------- commit -- */

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int commit_locked(const struct store *store, int upper_fd, const struct image_commit_options *opts,
			 const char *name, char id[DIGEST_STRING_LENGTH + 1], struct silo_err *err)
{
	char blob[DIGEST_STRING_LENGTH + 1], diff_id[DIGEST_STRING_LENGTH + 1];
	char manifest_digest[DIGEST_STRING_LENGTH + 1];
	_cleanup_json_ json_t *rec = NULL;
	_cleanup_json_ json_t *base_config = NULL;
	_cleanup_json_ json_t *config_doc = NULL;
	_cleanup_json_ json_t *manifest_doc = NULL;
	_cleanup_json_ json_t *new_rec = NULL;
	_cleanup_free_ char *config_text = NULL;
	_cleanup_free_ char *manifest_text = NULL;
	_cleanup_image_config_ struct image_config config = { 0 };
	_cleanup_manifest_ struct manifest m = { 0 };
	char **chain_ids = NULL;
	uint64_t blob_size = 0;
	int r = -1;

	if (images_find(store, opts->base, &rec, err) < 0)
		return silo_err_prefix(err, "commit: the container's image");
	if (images_read_config(store, rec, &base_config, err) < 0)
		return -1;
	if (write_layer(store, upper_fd, opts->mount_points, blob, &blob_size, diff_id, err) < 0)
		return -1;
	config_doc = make_config(base_config, opts, diff_id, err);
	if (!config_doc)
		return -1;
	if (image_store_json(store, config_doc, &config_text, id, err) < 0 ||
	    image_config_parse(config_text, strlen(config_text), &config, err) < 0)
		return -1;
	chain_ids = calloc(config.n_diff_ids + 1, sizeof(*chain_ids));
	if (!chain_ids)
		return silo_err_sys(err, ENOMEM, "commit");
	if (image_chain_ids(config.diff_ids, config.n_diff_ids, chain_ids, err) < 0)
		goto out;
	/* Unpacked through the same path as a pulled layer: the DiffID is
	 * checked again, and the layer cache has it under its chain ID. */
	if (layer_unpack_blob(store, blob, chain_ids[config.n_diff_ids - 1], diff_id, err) < 0)
		goto out;
	manifest_doc = make_manifest(store, rec, id, strlen(config_text), blob, blob_size, err);
	if (!manifest_doc)
		goto out;
	if (image_store_json(store, manifest_doc, &manifest_text, manifest_digest, err) < 0 ||
	    manifest_parse(manifest_text, strlen(manifest_text), MEDIA_OCI_MANIFEST, &m, err) < 0)
		goto out;
	if (m.n_layers != config.n_diff_ids) {
		silo_err_set(err, EINVAL, "commit: the base image's manifest has %zu layers for %zu diff_ids",
			     m.n_layers - 1, config.n_diff_ids - 1);
		goto out;
	}
	new_rec = image_record_new(store, &m, manifest_digest, NULL, &config, chain_ids);
	if (!new_rec) {
		silo_err_sys(err, ENOMEM, "commit");
		goto out;
	}
	if (name)
		json_array_append_new(json_object_get(new_rec, "names"), json_string(name));
	r = images_add(store, new_rec, err);
out:
	free_strings(chain_ids, config.n_diff_ids);
	return r;
}

int image_commit(const struct store *store, int upper_fd, const struct image_commit_options *opts,
		 char id[DIGEST_STRING_LENGTH + 1], struct silo_err *err)
{
	_cleanup_free_ char *name = NULL;
	int gc, r;

	if (new_name(opts->ref, &name, err) < 0)
		return -1;
	gc = store_lock_shared(store, "gc", err);
	if (gc < 0)
		return -1;
	r = commit_locked(store, upper_fd, opts, name, id, err);
	close(gc);
	if (r < 0) {
		struct silo_err ignored = { 0 };

		images_collect_garbage(store, &ignored);
		return -1;
	}
	return 0;
}
