/* Loading a docker archive (see docker_archive.h). manifest.json (read in
 * the first pass) says which files matter; the second pass stores them:
 * configs in memory and in the store, layers straight into the store as
 * they are. Then every image's layers are unpacked from the stored blobs,
 * each image gets an OCI manifest describing exactly those blobs, and the
 * records are added once every image is complete. */
#include "image/docker_archive.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "image/archive_lib.h"
#include "image/images.h"
#include "image/layers.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "util/cleanup.h"
#include "util/json.h"

/* A file manifest.json names. */
struct docker_file {
	char *path; /* in the archive, links followed */
	int is_config;
	int found;
	char digest[DIGEST_STRING_LENGTH + 1]; /* of the stored blob */
	uint64_t size;
	const char *media_type; /* layers: by their compression */
	char *text;             /* configs */
	size_t len;
};

struct docker_image {
	size_t config;
	size_t *layers;
	size_t n_layers;
	json_t *repo_tags; /* borrowed from manifest.json */
};

struct docker_load {
	const struct store *store;
	const struct image_archive_scan *scan;
	json_t *manifest;
	json_t *by_path; /* path -> index in files */
	struct docker_file *files;
	size_t n_files;
	struct docker_image *images;
	size_t n_images;
};

static void load_free(struct docker_load *l)
{
	for (size_t i = 0; i < l->n_files; i++) {
		free(l->files[i].path);
		free(l->files[i].text);
	}
	free(l->files);
	for (size_t i = 0; i < l->n_images; i++)
		free(l->images[i].layers);
	free(l->images);
	json_decref(l->by_path);
	json_decref(l->manifest);
}

/* Follows symlink and hard link entries (docker's legacy <id>/layer.tar
 * often is one) to the entry that has the data. */
static int resolve_path(const struct image_archive_scan *scan, const char *raw, char *out, size_t size)
{
	if (image_archive_clean_name(raw, out, size) < 0)
		return -1;
	for (int hop = 0; hop < 16; hop++) {
		const char *target = json_string_value(json_object_get(scan->links, out));

		if (!target)
			return 0;
		snprintf(out, size, "%s", target);
	}
	return -1;
}

static int add_file(struct docker_load *l, const char *raw, int is_config, size_t *index,
		    struct silo_err *err)
{
	char path[4096];
	json_t *known;
	struct docker_file *grown;

	if (resolve_path(l->scan, raw, path, sizeof(path)) < 0)
		return silo_err_set(err, EINVAL, "manifest.json: \"%s\" is no path inside the archive", raw);
	known = json_object_get(l->by_path, path);
	if (known) {
		*index = (size_t)json_integer_value(known);
		if (l->files[*index].is_config != is_config)
			return silo_err_set(err, EINVAL, "manifest.json: \"%s\" is both a config and a layer", raw);
		return 0;
	}
	grown = realloc(l->files, (l->n_files + 1) * sizeof(*grown));
	if (!grown)
		return silo_err_sys(err, ENOMEM, "load");
	l->files = grown;
	memset(&l->files[l->n_files], 0, sizeof(*grown));
	l->files[l->n_files].path = strdup(path);
	l->files[l->n_files].is_config = is_config;
	if (!l->files[l->n_files].path ||
	    json_object_set_new(l->by_path, path, json_integer((json_int_t)l->n_files)) < 0)
		return silo_err_sys(err, ENOMEM, "load");
	*index = l->n_files++;
	return 0;
}

static int parse_manifest(struct docker_load *l, struct silo_err *err)
{
	json_error_t jerr;
	size_t i;
	json_t *entry;

	l->manifest = json_loadb(l->scan->docker_manifest, l->scan->docker_manifest_len, 0, &jerr);
	if (!l->manifest)
		return silo_err_set(err, EINVAL, "manifest.json:%d:%d: %s", jerr.line, jerr.column, jerr.text);
	if (!json_is_array(l->manifest) || json_array_size(l->manifest) == 0)
		return silo_err_set(err, EINVAL, "manifest.json is not a list of images");
	l->by_path = json_object();
	l->images = calloc(json_array_size(l->manifest), sizeof(*l->images));
	if (!l->by_path || !l->images)
		return silo_err_sys(err, ENOMEM, "load");
	json_array_foreach(l->manifest, i, entry) {
		struct docker_image *img = &l->images[l->n_images++];
		const char *config = json_string_value(json_object_get(entry, "Config"));
		json_t *layers = json_object_get(entry, "Layers");
		json_t *tags = json_object_get(entry, "RepoTags");
		size_t j;
		json_t *layer;

		if (!config || !json_is_array(layers))
			return silo_err_set(err, EINVAL, "manifest.json: image %zu has no Config or no Layers", i);
		if (!json_is_array(tags) && !json_is_null(tags) && tags)
			return silo_err_set(err, EINVAL, "manifest.json: image %zu: RepoTags is %s, not a list", i,
					    json_kind_name(tags));
		img->repo_tags = tags;
		if (add_file(l, config, 1, &img->config, err) < 0)
			return -1;
		img->layers = calloc(json_array_size(layers) + 1, sizeof(size_t));
		if (!img->layers)
			return silo_err_sys(err, ENOMEM, "load");
		json_array_foreach(layers, j, layer) {
			if (!json_is_string(layer))
				return silo_err_set(err, EINVAL, "manifest.json: image %zu: Layers[%zu] is not a path", i, j);
			if (add_file(l, json_string_value(layer), 0, &img->layers[img->n_layers++], err) < 0)
				return -1;
		}
	}
	return 0;
}

/* The digest a file's name promises: docker names configs <hex>.json,
 * docker 25 names every blob blobs/sha256/<hex>. */
static int digest_from_name(const char *path, int is_config, char out[DIGEST_STRING_LENGTH + 1])
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len < 64 || strspn(base, "0123456789abcdef") != 64)
		return 0;
	if (len == 64 && base - path >= 7 && !strncmp(base - 7, "sha256/", 7)) {
		snprintf(out, DIGEST_STRING_LENGTH + 1, "sha256:%.64s", base);
		return 1;
	}
	if (is_config && len == 69 && !strcmp(base + 64, ".json")) {
		snprintf(out, DIGEST_STRING_LENGTH + 1, "sha256:%.64s", base);
		return 1;
	}
	return 0;
}

static int read_config(struct docker_load *l, struct archive *a, struct docker_file *f,
		       struct silo_err *err)
{
	char promised[DIGEST_STRING_LENGTH + 1];

	if (image_archive_read_entry(a, f->path, MANIFEST_MAX_SIZE, &f->text, &f->len, err) < 0 ||
	    digest_buffer(f->text, f->len, f->digest, err) < 0)
		return -1;
	if (digest_from_name(f->path, 1, promised) && strcmp(promised, f->digest))
		return silo_err_set(err, EIO, "config %s: digest mismatch (the content hashes to %s)",
				    f->path, f->digest);
	f->size = f->len;
	return store_blob_put(l->store, f->digest, f->text, f->len, err);
}

static int read_layer(struct docker_load *l, struct archive *a, struct docker_file *f,
		      struct silo_err *err)
{
	char promised[DIGEST_STRING_LENGTH + 1];
	int has_promise = digest_from_name(f->path, 0, promised);
	unsigned char m[8];

	if (image_archive_store_entry(l->store, a, f->path, has_promise ? promised : NULL, f->digest,
				      &f->size, m, err) < 0)
		return -1;
	if (m[0] == 0x1f && m[1] == 0x8b)
		f->media_type = MEDIA_OCI_LAYER_GZIP;
	else if (m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
		f->media_type = MEDIA_OCI_LAYER_ZSTD;
	else if (!memcmp(m, "\xfd" "7zXZ", 5) || !memcmp(m, "BZh", 3))
		return silo_err_set(err, ENOTSUP,
				    "layer %s is compressed with xz or bzip2, which an image manifest cannot "
				    "describe; recompress it with gzip or zstd, or leave it a plain tar",
				    f->path);
	else
		f->media_type = MEDIA_OCI_LAYER;
	return 0;
}

/* Pass two: the files manifest.json names, into the store. */
static int read_files(struct docker_load *l, int fd, const char *label, struct silo_err *err)
{
	struct archive *a = NULL;
	struct archive_entry *entry;
	int r;

	if (image_archive_open(fd, label, &a, err) < 0)
		return -1;
	while ((r = archive_read_next_header(a, &entry)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		const char *raw = archive_entry_pathname(entry);
		char name[4096];
		json_t *known;
		struct docker_file *f;

		if (!raw || image_archive_clean_name(raw, name, sizeof(name)) < 0 ||
		    archive_entry_filetype(entry) != AE_IFREG || archive_entry_hardlink(entry))
			continue;
		known = json_object_get(l->by_path, name);
		if (!known)
			continue;
		f = &l->files[json_integer_value(known)];
		if (f->found)
			continue;
		if ((f->is_config ? read_config(l, a, f, err) : read_layer(l, a, f, err)) < 0) {
			archive_read_free(a);
			return -1;
		}
		f->found = 1;
	}
	if (r != ARCHIVE_EOF) {
		silo_err_set(err, EIO, "read the archive: %s", archive_error_string(a));
		archive_read_free(a);
		return -1;
	}
	archive_read_free(a);
	for (size_t i = 0; i < l->n_files; i++)
		if (!l->files[i].found)
			return silo_err_set(err, EINVAL, "manifest.json lists %s, which is not in the archive",
					    l->files[i].path);
	return 0;
}

/* An OCI manifest for the image's blobs as they came in the archive,
 * stored; m gets it parsed, digest its digest. */
static int make_manifest(struct docker_load *l, const struct docker_image *img, struct manifest *m,
			 char digest[DIGEST_STRING_LENGTH + 1], struct silo_err *err)
{
	const struct docker_file *config = &l->files[img->config];
	_cleanup_json_ json_t *doc = NULL;
	_cleanup_free_ char *text = NULL;
	json_t *layers = json_array();

	for (size_t i = 0; layers && i < img->n_layers; i++) {
		const struct docker_file *f = &l->files[img->layers[i]];

		json_array_append_new(layers, json_pack("{s:s,s:s,s:I}", "mediaType", f->media_type,
							"digest", f->digest, "size", (json_int_t)f->size));
	}
	doc = json_pack("{s:i,s:s,s:{s:s,s:s,s:I},s:o}", "schemaVersion", 2, "mediaType",
			MEDIA_OCI_MANIFEST, "config", "mediaType", MEDIA_OCI_CONFIG, "digest",
			config->digest, "size", (json_int_t)config->size, "layers", layers);
	text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	if (!text)
		return silo_err_sys(err, ENOMEM, "make a manifest");
	if (digest_buffer(text, strlen(text), digest, err) < 0 ||
	    store_blob_put(l->store, digest, text, strlen(text), err) < 0)
		return -1;
	return manifest_parse(text, strlen(text), MEDIA_OCI_MANIFEST, m, err);
}

/* The names of an image: RepoTags, or with none the legacy repositories
 * file ({"repo": {"tag": "<id>"}}) when the archive has this one image. */
static int add_names(struct docker_load *l, const struct docker_image *img, json_t *rec,
		     struct silo_err *err)
{
	_cleanup_json_ json_t *repositories = NULL;
	json_t *names = json_object_get(rec, "names");
	const char *repo;
	size_t i;
	json_t *v, *tags;

	json_array_foreach(img->repo_tags, i, v) {
		_cleanup_image_ref_ struct image_ref ref = { 0 };
		_cleanup_free_ char *name = NULL;

		if (!json_is_string(v) || image_ref_parse(json_string_value(v), &ref, err) < 0)
			return silo_err_prefix(err, "manifest.json: RepoTags[%zu]", i);
		if (ref.digest)
			continue;
		name = image_ref_string(&ref);
		if (!name)
			return silo_err_sys(err, ENOMEM, "load");
		json_array_append_new(names, json_string(name));
	}
	if (json_array_size(names) || l->n_images != 1 || !l->scan->repositories)
		return 0;
	repositories = json_loadb(l->scan->repositories, l->scan->repositories_len, 0, NULL);
	json_object_foreach(repositories, repo, tags) {
		const char *tag;

		json_object_foreach(tags, tag, v) {
			_cleanup_image_ref_ struct image_ref ref = { 0 };
			_cleanup_free_ char *text = NULL;
			_cleanup_free_ char *name = NULL;

			if (asprintf(&text, "%s:%s", repo, tag) < 0)
				return silo_err_sys(err, ENOMEM, "load");
			if (image_ref_parse(text, &ref, err) < 0)
				return silo_err_prefix(err, "repositories");
			name = image_ref_string(&ref);
			if (!name)
				return silo_err_sys(err, ENOMEM, "load");
			json_array_append_new(names, json_string(name));
		}
	}
	return 0;
}

/* Unpacks one image's layers and makes its record. */
static int prepare_image(struct docker_load *l, const struct docker_image *img, json_t **out,
			 struct silo_err *err)
{
	const struct docker_file *config_file = &l->files[img->config];
	_cleanup_image_config_ struct image_config config = { 0 };
	_cleanup_manifest_ struct manifest m = { 0 };
	_cleanup_strv_ char **chain_ids = NULL;
	_cleanup_json_ json_t *rec = NULL;
	char manifest_digest[DIGEST_STRING_LENGTH + 1];

	if (image_config_parse(config_file->text, config_file->len, &config, err) < 0)
		return silo_err_prefix(err, "config %s", config_file->path);
	if (config.n_diff_ids != img->n_layers)
		return silo_err_set(err, EINVAL, "config %s lists %zu diffIDs but manifest.json %zu layers",
				    config_file->path, config.n_diff_ids, img->n_layers);
	chain_ids = calloc(img->n_layers + 1, sizeof(char *));
	if (!chain_ids)
		return silo_err_sys(err, ENOMEM, "load");
	if (image_chain_ids(config.diff_ids, img->n_layers, chain_ids, err) < 0)
		return -1;
	for (size_t i = 0; i < img->n_layers; i++) {
		const struct docker_file *f = &l->files[img->layers[i]];

		if (layer_unpack_blob(l->store, f->digest, chain_ids[i], config.diff_ids[i], err) < 0)
			return silo_err_prefix(err, "%s", f->path);
	}
	if (make_manifest(l, img, &m, manifest_digest, err) < 0)
		return -1;
	rec = image_record_new(l->store, &m, manifest_digest, NULL, &config, chain_ids);
	if (!rec)
		return silo_err_sys(err, ENOMEM, "record image");
	if (add_names(l, img, rec, err) < 0)
		return -1;
	*out = steal_pointer(&rec);
	return 0;
}

int docker_archive_load(const struct store *store, int fd, const char *label,
			const struct image_archive_scan *scan, image_archive_report_fn report,
			void *opaque, struct silo_err *err)
{
	struct docker_load l = { .store = store, .scan = scan };
	_cleanup_json_ json_t *records = json_array();
	int r = -1;

	if (!records)
		return silo_err_sys(err, ENOMEM, "load");
	if (parse_manifest(&l, err) < 0 || read_files(&l, fd, label, err) < 0)
		goto out;
	for (size_t i = 0; i < l.n_images; i++) {
		json_t *rec = NULL;

		if (prepare_image(&l, &l.images[i], &rec, err) < 0)
			goto out;
		json_array_append_new(records, rec);
	}
	r = image_archive_record_all(store, records, report, opaque, err);
out:
	load_free(&l);
	return r;
}
