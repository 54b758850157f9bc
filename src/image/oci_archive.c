/* Loading an OCI layout tar archive (see oci_archive.h): one pass over the
 * tar stores index.json in memory and every blobs/sha256/<hex> in the
 * content store (digest-checked); then each manifest's layers are unpacked
 * from the stored blobs, and once all of them are, the images are
 * recorded, as a pull records them. */
#include "image/oci_archive.h"

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

#define INDEX_MAX (4 * 1024 * 1024)

static int store_blob_entry(const struct store *store, struct archive *a, const char *name,
			    struct silo_err *err)
{
	const char *hex = name + strlen("blobs/sha256/");
	char expected[DIGEST_STRING_LENGTH + 1], digest[DIGEST_STRING_LENGTH + 1];
	unsigned char magic[8];
	uint64_t size;

	if (strlen(hex) != 64 || strspn(hex, "0123456789abcdef") != 64)
		return silo_err_set(err, EINVAL, "archive entry %s: not a sha256 digest", name);
	snprintf(expected, sizeof(expected), "sha256:%s", hex);
	return image_archive_store_entry(store, a, name, expected, digest, &size, magic, err);
}

/* The archive's blobs into the store, and its index.json. */
static int read_archive(const struct store *store, int fd, const char *label, char **index,
			size_t *index_len, struct silo_err *err)
{
	struct archive *a = NULL;
	struct archive_entry *entry;
	int r = 0;

	*index = NULL;
	if (image_archive_open(fd, label, &a, err) < 0)
		return -1;
	while (r == 0 && ((r = archive_read_next_header(a, &entry)) == ARCHIVE_OK || r == ARCHIVE_WARN)) {
		const char *raw = archive_entry_pathname(entry);
		char name[4096];

		r = 0;
		if (!raw || image_archive_clean_name(raw, name, sizeof(name)) < 0 ||
		    archive_entry_filetype(entry) != AE_IFREG || archive_entry_hardlink(entry))
			continue;
		if (!strcmp(name, "index.json")) {
			free(*index);
			*index = NULL;
			r = image_archive_read_entry(a, "index.json", INDEX_MAX, index, index_len, err);
		} else if (!strncmp(name, "blobs/sha256/", 13)) {
			r = store_blob_entry(store, a, name, err);
		}
	}
	if (r == ARCHIVE_EOF)
		r = 0;
	else if (r > 0 || (r < 0 && !err->msg[0]))
		r = silo_err_set(err, EIO, "read the archive: %s", archive_error_string(a));
	archive_read_free(a);
	if (r == 0 && !*index)
		r = silo_err_set(err, EINVAL, "not an OCI layout archive: it has no index.json");
	return r < 0 ? -1 : 0;
}

static int read_manifest(const struct store *store, const char *digest, struct manifest *m,
			 struct silo_err *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;

	if (store_blob_read(store, digest, MANIFEST_MAX_SIZE, &text, &len, err) < 0)
		return silo_err_prefix(err, "manifest %s (is its blob in the archive?)", digest);
	return manifest_parse(text, len, NULL, m, err);
}

/* The name an index entry gives its image: docker 25 puts the full name in
 * io.containerd.image.name and only the tag in ref.name. */
static const char *entry_name(json_t *desc)
{
	json_t *annotations = json_object_get(desc, "annotations");
	const char *full = json_string_value(json_object_get(annotations, "io.containerd.image.name"));

	return full ? full : json_string_value(json_object_get(annotations, "org.opencontainers.image.ref.name"));
}

/* Unpacks the layers of one image manifest of the archive and makes its
 * record (not yet added). */
static int prepare_image(const struct store *store, const char *manifest_digest, const char *ref_name,
			 json_t **out, struct silo_err *err)
{
	_cleanup_manifest_ struct manifest m = { 0 };
	_cleanup_image_config_ struct image_config config = { 0 };
	_cleanup_image_ref_ struct image_ref ref = { 0 };
	_cleanup_free_ char *config_text = NULL;
	_cleanup_strv_ char **chain_ids = NULL;
	_cleanup_json_ json_t *rec = NULL;
	size_t len;

	if (read_manifest(store, manifest_digest, &m, err) < 0)
		return -1;
	if (m.kind != MANIFEST_IMAGE)
		return silo_err_set(err, EINVAL, "manifest %s: nested indexes are not supported", manifest_digest);
	if (store_blob_read(store, m.config.digest, MANIFEST_MAX_SIZE, &config_text, &len, err) < 0 ||
	    image_config_parse(config_text, len, &config, err) < 0)
		return silo_err_prefix(err, "image config %s", m.config.digest);
	if (config.n_diff_ids != m.n_layers)
		return silo_err_set(err, EINVAL, "manifest %s has %zu layers but its config %zu diffIDs",
				    manifest_digest, m.n_layers, config.n_diff_ids);
	if (ref_name && image_ref_parse(ref_name, &ref, err) < 0)
		return silo_err_prefix(err, "image name \"%s\" in index.json", ref_name);
	chain_ids = calloc(m.n_layers + 1, sizeof(char *));
	if (!chain_ids)
		return silo_err_sys(err, ENOMEM, "load");
	if (image_chain_ids(config.diff_ids, m.n_layers, chain_ids, err) < 0)
		return -1;
	for (size_t i = 0; i < m.n_layers; i++)
		if (layer_unpack_blob(store, m.layers[i].digest, chain_ids[i], config.diff_ids[i], err) < 0)
			return silo_err_prefix(err, "%s", ref_name ? ref_name : manifest_digest);
	rec = image_record_new(store, &m, manifest_digest, NULL, &config, chain_ids);
	if (!rec)
		return silo_err_sys(err, ENOMEM, "record image");
	if (ref_name) {
		_cleanup_free_ char *name = image_ref_string(&ref);
		_cleanup_free_ char *repo = image_ref_name(&ref);
		_cleanup_free_ char *digested = NULL;

		if (!name || !repo || asprintf(&digested, "%s@%s", repo, manifest_digest) < 0)
			return silo_err_sys(err, ENOMEM, "record image");
		if (!ref.digest)
			json_array_append_new(json_object_get(rec, "names"), json_string(name));
		json_array_append_new(json_object_get(rec, "digests"), json_string(digested));
	}
	*out = steal_pointer(&rec);
	return 0;
}

int oci_archive_load(const struct store *store, int fd, const char *label,
		     image_archive_report_fn report, void *opaque, struct silo_err *err)
{
	_cleanup_free_ char *index_text = NULL;
	_cleanup_json_ json_t *index = NULL;
	_cleanup_json_ json_t *records = json_array();
	json_error_t jerr;
	size_t i, len = 0;
	json_t *desc;

	if (!records)
		return silo_err_sys(err, ENOMEM, "load");
	if (read_archive(store, fd, label, &index_text, &len, err) < 0)
		return -1;
	index = json_loadb(index_text, len, 0, &jerr);
	if (!json_is_array(json_object_get(index, "manifests")))
		return silo_err_set(err, EINVAL, "index.json:%d:%d: %s", jerr.line, jerr.column,
				    index ? "no manifests array" : jerr.text);
	if (json_array_size(json_object_get(index, "manifests")) == 0)
		return silo_err_set(err, EINVAL, "index.json lists no images");
	json_array_foreach(json_object_get(index, "manifests"), i, desc) {
		const char *digest = json_string_value(json_object_get(desc, "digest"));
		json_t *rec = NULL;

		if (!digest || !image_ref_digest_valid(digest))
			return silo_err_set(err, EINVAL, "index.json: manifests[%zu]: bad digest", i);
		if (prepare_image(store, digest, entry_name(desc), &rec, err) < 0)
			return -1;
		json_array_append_new(records, rec);
	}
	return image_archive_record_all(store, records, report, opaque, err);
}
