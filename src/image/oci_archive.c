/* Loading an OCI layout tar archive (see oci_archive.h): one pass over the
 * tar stores index.json in memory and every blobs/sha256/<hex> in the
 * content store (digest-checked); then each manifest's layers are unpacked
 * from the stored blobs and the image is recorded, as a pull records it. */
#include "image/oci_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "image/images.h"
#include "image/layers.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "image/unpack.h"
#include "util/cleanup.h"

#define INDEX_MAX (4 * 1024 * 1024)

static int store_entry_blob(const struct store *store, struct archive *a, const char *hex,
			    struct silo_err *err)
{
	struct store_blob_writer w;
	char digest[DIGEST_STRING_LENGTH + 1], buf[65536];
	ssize_t n;

	if (strlen(hex) != 64 || strspn(hex, "0123456789abcdef") != 64)
		return silo_err_set(err, EINVAL, "archive entry blobs/sha256/%s: not a sha256 digest", hex);
	snprintf(digest, sizeof(digest), "sha256:%s", hex);
	if (store_blob_exists(store, digest))
		return 0;
	if (store_blob_begin(store, digest, -1, 0, &w, err) < 0)
		return -1;
	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
		if (store_blob_write(&w, buf, (size_t)n, err) < 0) {
			store_blob_abort(&w, 0);
			return -1;
		}
	}
	if (n < 0) {
		store_blob_abort(&w, 0);
		return silo_err_set(err, EIO, "read blob %s from the archive: %s", digest,
				    archive_error_string(a));
	}
	return store_blob_commit(&w, err);
}

static int read_index(struct archive *a, char **out, struct silo_err *err)
{
	size_t cap = 4096, len = 0;
	_cleanup_free_ char *buf = malloc(cap);
	ssize_t n;

	if (!buf)
		return silo_err_sys(err, ENOMEM, "index.json");
	for (;;) {
		if (len + 1 >= cap) {
			char *more;

			if (cap >= INDEX_MAX)
				return silo_err_set(err, EFBIG, "index.json is larger than %d bytes", INDEX_MAX);
			more = realloc(buf, cap * 2);
			if (!more)
				return silo_err_sys(err, ENOMEM, "index.json");
			buf = more;
			cap *= 2;
		}
		n = archive_read_data(a, buf + len, cap - len - 1);
		if (n < 0)
			return silo_err_set(err, EIO, "read index.json: %s", archive_error_string(a));
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*out = steal_pointer(&buf);
	return 0;
}

/* The archive's blobs into the store, and its index.json. */
static int read_archive(const struct store *store, const char *path, char **index,
			struct silo_err *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *entry;
	int r = 0;

	if (!a)
		return silo_err_sys(err, ENOMEM, "read \"%s\"", path);
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		r = silo_err_set(err, EIO, "open \"%s\": %s", path, archive_error_string(a));
		archive_read_free(a);
		return r;
	}
	*index = NULL;
	while (r == 0 && (r = archive_read_next_header(a, &entry)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(entry);

		while (name && name[0] == '.' && name[1] == '/')
			name += 2;
		if (!name || archive_entry_filetype(entry) != AE_IFREG)
			continue;
		if (!strcmp(name, "index.json")) {
			free(*index);
			*index = NULL;
			r = read_index(a, index, err);
		} else if (!strncmp(name, "blobs/sha256/", 13)) {
			r = store_entry_blob(store, a, name + 13, err);
		}
	}
	if (r == ARCHIVE_EOF)
		r = 0;
	else if (r > 0 || (r < 0 && !err->msg[0]))
		r = silo_err_set(err, EIO, "read \"%s\": %s", path, archive_error_string(a));
	archive_read_free(a);
	if (r == 0 && !*index)
		r = silo_err_set(err, EINVAL, "\"%s\" is not an OCI layout archive: it has no index.json", path);
	if (r < 0)
		silo_err_prefix(err, "load \"%s\"", path);
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

static int unpack_one(const struct store *store, const struct descriptor *layer,
		      const char *chain_id, const char *diff_id, struct silo_err *err)
{
	_cleanup_free_ char *path = store_blob_path(store, layer->digest);
	_cleanup_close_ int lock = -1;
	_cleanup_close_ int fd = -1;
	struct layer_build build = { 0 };
	struct unpack_result result;
	char lock_name[128];

	snprintf(lock_name, sizeof(lock_name), "blob-%s", digest_hex(layer->digest));
	lock = store_lock(store, lock_name, err);
	if (lock < 0)
		return -1;
	if (store_layer_exists(store, chain_id))
		return 0;
	fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0)
		return silo_err_errno(err, "layer %s is not in the archive", layer->digest);
	if (layer_build_begin(store, chain_id, &build, err) < 0)
		return -1;
	if (unpack_layer_fd(fd, build.diff, &result, err) < 0) {
		layer_build_abort(&build);
		return silo_err_prefix(err, "layer %s", layer->digest);
	}
	if (strcmp(result.diff_id, diff_id)) {
		layer_build_abort(&build);
		return silo_err_set(err, EIO, "layer %s: uncompressed content is %s, but the image config says %s",
				    layer->digest, result.diff_id, diff_id);
	}
	if (layer_build_publish(store, &build, chain_id, diff_id, layer->digest, result.content_size, err) < 0) {
		layer_build_abort(&build);
		return -1;
	}
	return 0;
}

static json_t *strings(char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* Unpacks and records one image manifest of the archive. */
static int load_image(const struct store *store, const char *manifest_digest, const char *ref_name,
		      void (*report)(void *, const char *), void *opaque, struct silo_err *err)
{
	_cleanup_manifest_ struct manifest m = { 0 };
	_cleanup_image_config_ struct image_config config = { 0 };
	_cleanup_image_ref_ struct image_ref ref = { 0 };
	_cleanup_free_ char *config_text = NULL;
	_cleanup_free_ char *name = NULL;
	_cleanup_free_ char *digested = NULL;
	_cleanup_json_ json_t *rec = NULL;
	char **chain_ids = NULL;
	char platform[96], line[512];
	uint64_t size = 0;
	size_t len;
	json_t *blobs;
	int r = -1;

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
	if (!chain_ids || image_chain_ids(config.diff_ids, m.n_layers, chain_ids, err) < 0) {
		free(chain_ids);
		return chain_ids ? -1 : silo_err_sys(err, ENOMEM, "load");
	}
	blobs = json_array();
	for (size_t i = 0; i < m.n_layers; i++) {
		if (unpack_one(store, &m.layers[i], chain_ids[i], config.diff_ids[i], err) < 0)
			goto out;
		json_array_append_new(blobs, json_string(m.layers[i].digest));
		size += layer_size(store, chain_ids[i]);
	}
	platform_format(&config.platform, platform, sizeof(platform));
	rec = json_pack("{s:s,s:s,s:s,s:[],s:[],s:s?,s:I,s:s,s:o,s:o,s:o,s:I}", "id", m.config.digest,
			"manifest", manifest_digest, "mediaType", m.media_type, "names", "digests",
			"created", config.created, "size", (json_int_t)size, "platform", platform, "layers",
			strings(chain_ids, m.n_layers), "diffIDs", strings(config.diff_ids, config.n_diff_ids),
			"blobs", blobs, "pulled", (json_int_t)time(NULL));
	if (!rec) {
		silo_err_sys(err, ENOMEM, "record image");
		goto out;
	}
	if (ref_name) {
		name = image_ref_string(&ref);
		_cleanup_free_ char *repo = image_ref_name(&ref);

		if (!name || !repo || asprintf(&digested, "%s@%s", repo, manifest_digest) < 0) {
			silo_err_sys(err, ENOMEM, "record image");
			goto out;
		}
		json_array_append_new(json_object_get(rec, "names"), json_string(name));
		json_array_append_new(json_object_get(rec, "digests"), json_string(digested));
	}
	if (images_add(store, rec, err) < 0)
		goto out;
	if (name) {
		_cleanup_free_ char *familiar = image_ref_familiar(name);

		snprintf(line, sizeof(line), "Loaded image: %s", familiar ? familiar : name);
	} else {
		snprintf(line, sizeof(line), "Loaded image ID: %s", m.config.digest);
	}
	if (report)
		report(opaque, line);
	r = 0;
out:
	for (size_t i = 0; i < m.n_layers; i++)
		free(chain_ids[i]);
	free(chain_ids);
	return r;
}

int oci_archive_load(const struct store *store, const char *path,
		     void (*report)(void *opaque, const char *line), void *opaque, struct silo_err *err)
{
	_cleanup_free_ char *index_text = NULL;
	_cleanup_json_ json_t *index = NULL;
	_cleanup_close_ int gc = -1;
	json_error_t jerr;
	size_t i;
	json_t *desc;

	/* As a pull: stored blobs are safe from a concurrent rmi's garbage
	 * collection until the image record refers to them. */
	gc = store_lock_shared(store, "gc", err);
	if (gc < 0)
		return -1;
	if (read_archive(store, path, &index_text, err) < 0)
		return -1;
	index = json_loads(index_text, 0, &jerr);
	if (!json_is_array(json_object_get(index, "manifests")))
		return silo_err_set(err, EINVAL, "load \"%s\": index.json:%d:%d: %s", path, jerr.line,
				    jerr.column, index ? "no manifests array" : jerr.text);
	if (json_array_size(json_object_get(index, "manifests")) == 0)
		return silo_err_set(err, EINVAL, "load \"%s\": index.json lists no images", path);
	json_array_foreach(json_object_get(index, "manifests"), i, desc) {
		const char *digest = json_string_value(json_object_get(desc, "digest"));
		const char *ref_name = json_string_value(json_object_get(
			json_object_get(desc, "annotations"), "org.opencontainers.image.ref.name"));

		if (!digest || strncmp(digest, "sha256:", 7) || strlen(digest) != DIGEST_STRING_LENGTH)
			return silo_err_set(err, EINVAL, "load \"%s\": index.json: manifests[%zu]: bad digest", path, i);
		if (load_image(store, digest, ref_name, report, opaque, err) < 0)
			return silo_err_prefix(err, "load \"%s\"", path);
	}
	return 0;
}
