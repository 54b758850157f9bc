/* Writing docker and OCI archives (see save.h) with tar_writer.c. Every
 * byte that leaves the store is hashed on the way and checked against the
 * digest it is filed under: a corrupt store gives an error, never a
 * corrupt archive. */
#include "image/save.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "image/archive_lib.h"
#include "image/digest.h"
#include "image/images.h"
#include "image/layers.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "image/tar_writer.h"
#include "util/cleanup.h"
#include "util/json.h"

#define COPY_BLOCK (128 * 1024)

/* One image to write and the names it goes out with. */
struct save_image {
	json_t *rec;
	json_t *names; /* canonical names */
};

struct saver {
	const struct store *store;
	struct tar_writer tar;
	struct save_image *images;
	size_t n_images;
	json_t *written; /* blob paths already in the archive */
};

static void saver_free(struct saver *s)
{
	for (size_t i = 0; i < s->n_images; i++) {
		json_decref(s->images[i].rec);
		json_decref(s->images[i].names);
	}
	free(s->images);
	json_decref(s->written);
}

/* The tag the argument names, when it names one of the image's tags. */
static char *named_tag(json_t *rec, const char *text)
{
	_cleanup_image_ref_ struct image_ref ref = { 0 };
	struct silo_err ignored = { 0 };
	char *name;

	if (image_ref_parse(text, &ref, &ignored) < 0 || ref.digest)
		return NULL;
	name = image_ref_string(&ref);
	if (name && !json_array_has_string(json_object_get(rec, "names"), name)) {
		free(name);
		return NULL;
	}
	return name;
}

static int add_image(struct saver *s, const char *text, struct silo_err *err)
{
	_cleanup_json_ json_t *rec = NULL;
	_cleanup_free_ char *tag = NULL;
	const char *id;
	struct save_image *grown;

	if (images_find(s->store, text, &rec, err) < 0)
		return -1;
	id = json_string_value(json_object_get(rec, "id"));
	tag = named_tag(rec, text);
	for (size_t i = 0; i < s->n_images; i++) {
		if (strcmp(json_string_value(json_object_get(s->images[i].rec, "id")), id))
			continue;
		if (tag && !json_array_has_string(s->images[i].names, tag))
			json_array_append_new(s->images[i].names, json_string(tag));
		return 0;
	}
	grown = realloc(s->images, (s->n_images + 1) * sizeof(*grown));
	if (!grown)
		return silo_err_sys(err, ENOMEM, "save");
	s->images = grown;
	s->images[s->n_images].rec = steal_pointer(&rec);
	s->images[s->n_images].names = json_array();
	if (tag)
		json_array_append_new(s->images[s->n_images].names, json_string(tag));
	s->n_images++;
	return 0;
}

/* blobs/sha256/<hex>, once per archive. Returns 1 when already written. */
static int claim_path(struct saver *s, const char *digest, char path[96])
{
	snprintf(path, 96, "blobs/sha256/%s", digest_hex(digest));
	if (json_object_get(s->written, path))
		return 1;
	json_object_set_new(s->written, path, json_true());
	return 0;
}

static int write_small_blob(struct saver *s, const char *digest, struct silo_err *err)
{
	_cleanup_free_ char *data = NULL;
	char path[96];
	size_t len;

	if (claim_path(s, digest, path))
		return 0;
	if (store_blob_read(s->store, digest, MANIFEST_MAX_SIZE, &data, &len, err) < 0)
		return -1;
	return tar_write_file(&s->tar, path, data, len, err);
}

/* A stored blob as it is, hashed on its way out. */
static int write_blob(struct saver *s, const char *digest, struct silo_err *err)
{
	_cleanup_free_ char *file = store_blob_path(s->store, digest);
	_cleanup_close_ int fd = file ? open(file, O_RDONLY | O_CLOEXEC) : -1;
	_cleanup_free_ char *buf = malloc(COPY_BLOCK);
	struct digest_ctx ctx;
	char path[96], actual[DIGEST_STRING_LENGTH + 1];
	struct stat st;
	ssize_t n;

	if (claim_path(s, digest, path))
		return 0;
	if (fd < 0 || fstat(fd, &st) < 0)
		return silo_err_errno(err, "open blob %s", digest);
	if (!buf)
		return silo_err_sys(err, ENOMEM, "save");
	if (tar_begin_file(&s->tar, path, (uint64_t)st.st_size, err) < 0 || digest_init(&ctx, err) < 0)
		return -1;
	while ((n = read(fd, buf, COPY_BLOCK)) > 0) {
		digest_update(&ctx, buf, (size_t)n);
		if (tar_write_data(&s->tar, buf, (size_t)n, err) < 0) {
			digest_free(&ctx);
			return -1;
		}
	}
	digest_final(&ctx, actual);
	digest_free(&ctx);
	if (n < 0)
		return silo_err_errno(err, "read blob %s", digest);
	if (strcmp(actual, digest))
		return silo_err_set(err, EIO, "blob %s in the store is corrupt (its content hashes to %s)",
				    digest, actual);
	return tar_end_file(&s->tar, err);
}

/* Opens the stored blob for reading through its decompression. */
static int open_uncompressed(const struct store *store, const char *blob, struct archive **out,
			     int *fd, struct silo_err *err)
{
	_cleanup_free_ char *file = store_blob_path(store, blob);
	struct archive *a = archive_read_new();
	struct archive_entry *entry;

	*fd = file ? open(file, O_RDONLY | O_CLOEXEC) : -1;
	if (*fd < 0) {
		archive_read_free(a);
		return silo_err_errno(err, "open blob %s", blob);
	}
	if (!a)
		return silo_err_sys(err, ENOMEM, "save");
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_xz(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_fd(a, *fd, COPY_BLOCK) != ARCHIVE_OK ||
	    archive_read_next_header(a, &entry) != ARCHIVE_OK) {
		silo_err_set(err, EIO, "decompress blob %s: %s", blob, archive_error_string(a));
		archive_read_free(a);
		return -1;
	}
	*out = a;
	return 0;
}

/* How long the layer's tar is: layer.json says, or (for a layer an older
 * silo stored) decompressing once tells. */
static int uncompressed_size(const struct store *store, const char *blob, const char *chain_id,
			     uint64_t *size, struct silo_err *err)
{
	_cleanup_archive_ struct archive *a = NULL;
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	la_ssize_t n;

	*size = layer_tar_size(store, chain_id);
	if (*size)
		return 0;
	buf = malloc(COPY_BLOCK);
	if (!buf)
		return silo_err_sys(err, ENOMEM, "save");
	if (open_uncompressed(store, blob, &a, &fd, err) < 0)
		return -1;
	while ((n = archive_read_data(a, buf, COPY_BLOCK)) > 0)
		*size += (uint64_t)n;
	if (n < 0)
		return silo_err_set(err, EIO, "decompress blob %s: %s", blob, archive_error_string(a));
	return 0;
}

/* A layer as the plain tar its DiffID names. */
static int write_layer_tar(struct saver *s, const char *blob, const char *chain_id,
			   const char *diff_id, struct silo_err *err)
{
	_cleanup_archive_ struct archive *a = NULL;
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = malloc(COPY_BLOCK);
	_cleanup_digest_ struct digest_ctx ctx = { 0 };
	char path[96], actual[DIGEST_STRING_LENGTH + 1];
	uint64_t size;
	la_ssize_t n;

	if (claim_path(s, diff_id, path))
		return 0;
	if (!buf)
		return silo_err_sys(err, ENOMEM, "save");
	if (uncompressed_size(s->store, blob, chain_id, &size, err) < 0 ||
	    open_uncompressed(s->store, blob, &a, &fd, err) < 0 || digest_init(&ctx, err) < 0 ||
	    tar_begin_file(&s->tar, path, size, err) < 0)
		return -1;
	while ((n = archive_read_data(a, buf, COPY_BLOCK)) > 0) {
		digest_update(&ctx, buf, (size_t)n);
		if (tar_write_data(&s->tar, buf, (size_t)n, err) < 0)
			return silo_err_prefix(err, "layer %s", diff_id);
	}
	if (n < 0)
		return silo_err_set(err, EIO, "decompress blob %s: %s", blob, archive_error_string(a));
	digest_final(&ctx, actual);
	if (strcmp(actual, diff_id))
		return silo_err_set(err, EIO, "layer %s in the store is corrupt (blob %s uncompresses to %s)",
				    diff_id, blob, actual);
	return tar_end_file(&s->tar, err);
}

static json_t *familiar_names(json_t *names)
{
	json_t *out = json_array();
	size_t i;
	json_t *v;

	json_array_foreach(names, i, v) {
		char *familiar = image_ref_familiar(json_string_value(v));

		if (familiar)
			json_array_append_new(out, json_string(familiar));
		free(familiar);
	}
	return out;
}

static int write_docker_image(struct saver *s, const struct save_image *img, json_t *manifest,
			      struct silo_err *err)
{
	json_t *rec = img->rec;
	const char *id = json_string_value(json_object_get(rec, "id"));
	json_t *blobs = json_object_get(rec, "blobs");
	json_t *chains = json_object_get(rec, "layers");
	json_t *diffs = json_object_get(rec, "diffIDs");
	_cleanup_json_ json_t *layers = json_array();
	_cleanup_json_ json_t *tags = familiar_names(img->names);
	json_t *entry;

	if (!layers || !tags)
		return silo_err_sys(err, ENOMEM, "save");
	if (json_array_size(blobs) != json_array_size(diffs) || json_array_size(chains) != json_array_size(diffs))
		return silo_err_set(err, EINVAL, "image %s: its record's layers do not add up", id);
	if (write_small_blob(s, id, err) < 0)
		return -1;
	for (size_t i = 0; i < json_array_size(diffs); i++) {
		const char *diff_id = json_string_value(json_array_get(diffs, i));

		if (write_layer_tar(s, json_string_value(json_array_get(blobs, i)),
				    json_string_value(json_array_get(chains, i)), diff_id, err) < 0)
			return -1;
		json_array_append_new(layers, json_sprintf("blobs/sha256/%s", digest_hex(diff_id)));
	}
	entry = json_pack("{s:o,s:O,s:O}", "Config", json_sprintf("blobs/sha256/%s", digest_hex(id)),
			  "RepoTags", json_array_size(tags) ? tags : json_null(), "Layers", layers);
	if (!entry || json_array_append_new(manifest, entry) < 0)
		return silo_err_sys(err, ENOMEM, "save");
	return 0;
}

static int write_json(struct saver *s, const char *name, json_t *value, struct silo_err *err)
{
	_cleanup_free_ char *text = json_dumps(value, JSON_COMPACT);

	if (!text)
		return silo_err_sys(err, ENOMEM, "save");
	return tar_write_file(&s->tar, name, text, strlen(text), err);
}

static int save_docker(struct saver *s, struct silo_err *err)
{
	_cleanup_json_ json_t *manifest = json_array();

	if (!manifest)
		return silo_err_sys(err, ENOMEM, "save");
	for (size_t i = 0; i < s->n_images; i++)
		if (write_docker_image(s, &s->images[i], manifest, err) < 0)
			return -1;
	return write_json(s, "manifest.json", manifest, err);
}

/* An index.json entry for the image's manifest, named or not. */
static int index_entry(const struct save_image *img, const char *name, size_t manifest_size,
		       json_t *manifests, struct silo_err *err)
{
	json_t *rec = img->rec;
	json_t *desc = json_pack("{s:s,s:s,s:I}", "mediaType",
				 json_string_value(json_object_get(rec, "mediaType")), "digest",
				 json_string_value(json_object_get(rec, "manifest")), "size",
				 (json_int_t)manifest_size);

	if (!desc)
		return silo_err_sys(err, ENOMEM, "save");
	if (name) {
		_cleanup_free_ char *familiar = image_ref_familiar(name);

		json_object_set_new(desc, "annotations",
				    json_pack("{s:s,s:s}", "io.containerd.image.name", name,
					      "org.opencontainers.image.ref.name", familiar ? familiar : name));
	}
	json_array_append_new(manifests, desc);
	return 0;
}

static int write_oci_image(struct saver *s, const struct save_image *img, json_t *manifests,
			   struct silo_err *err)
{
	json_t *rec = img->rec;
	const char *manifest_digest = json_string_value(json_object_get(rec, "manifest"));
	_cleanup_manifest_ struct manifest m = { 0 };
	_cleanup_free_ char *text = NULL;
	size_t len, i;
	json_t *name;

	if (!manifest_digest)
		return silo_err_set(err, EINVAL, "image %s has no manifest",
				    json_string_value(json_object_get(rec, "id")));
	if (store_blob_read(s->store, manifest_digest, MANIFEST_MAX_SIZE, &text, &len, err) < 0 ||
	    manifest_parse(text, len, json_string_value(json_object_get(rec, "mediaType")), &m, err) < 0)
		return -1;
	if (write_small_blob(s, manifest_digest, err) < 0 || write_small_blob(s, m.config.digest, err) < 0)
		return -1;
	for (size_t l = 0; l < m.n_layers; l++)
		if (write_blob(s, m.layers[l].digest, err) < 0)
			return -1;
	if (json_array_size(img->names) == 0)
		return index_entry(img, NULL, len, manifests, err);
	json_array_foreach(img->names, i, name)
		if (index_entry(img, json_string_value(name), len, manifests, err) < 0)
			return -1;
	return 0;
}

static int save_oci(struct saver *s, struct silo_err *err)
{
	static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
	_cleanup_json_ json_t *index = json_pack("{s:i,s:s,s:[]}", "schemaVersion", 2, "mediaType",
						  MEDIA_OCI_INDEX, "manifests");

	if (!index)
		return silo_err_sys(err, ENOMEM, "save");
	if (tar_write_file(&s->tar, "oci-layout", layout, strlen(layout), err) < 0)
		return -1;
	for (size_t i = 0; i < s->n_images; i++)
		if (write_oci_image(s, &s->images[i], json_object_get(index, "manifests"), err) < 0)
			return -1;
	return write_json(s, "index.json", index, err);
}

int image_save(const struct store *store, char *const *refs, size_t n,
	       enum image_save_format format, int fd, struct silo_err *err)
{
	struct saver s = { .store = store };
	_cleanup_close_ int gc = -1;
	int r = -1;

	if (archive_lib_load(err) < 0)
		return -1;
	gc = store_lock_shared(store, "gc", err);
	if (gc < 0)
		return -1;
	tar_writer_init(&s.tar, fd);
	s.written = json_object();
	if (!s.written)
		return silo_err_sys(err, ENOMEM, "save");
	for (size_t i = 0; i < n; i++)
		if (add_image(&s, refs[i], err) < 0)
			goto out;
	if (tar_write_dir(&s.tar, "blobs", err) < 0 || tar_write_dir(&s.tar, "blobs/sha256", err) < 0)
		goto out;
	if ((format == IMAGE_SAVE_OCI_ARCHIVE ? save_oci(&s, err) : save_docker(&s, err)) < 0)
		goto out;
	r = tar_finish(&s.tar, err);
out:
	saver_free(&s);
	return r;
}
