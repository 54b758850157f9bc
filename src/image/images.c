/* The image records file and garbage collection. */
#include "image/images.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/layers.h"
#include "image/reference.h"
#include "util/cleanup.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/json.h"

#define IMAGES_MAX_SIZE (64 * 1024 * 1024)

static char *images_path(const struct store *store)
{
	char *path;

	return asprintf(&path, "%s/images.json", store->root) < 0 ? NULL : path;
}

static int load(const struct store *store, json_t **out, struct silo_err *err)
{
	_cleanup_free_ char *path = images_path(store);
	json_t *root, *images;

	if (!path)
		return silo_err_sys(err, ENOMEM, "load images");
	if (access(path, F_OK) < 0) {
		*out = json_pack("{s:[]}", "images");
		return *out ? 0 : silo_err_sys(err, ENOMEM, "load images");
	}
	if (json_load_path(path, IMAGES_MAX_SIZE, &root, err) < 0)
		return -1;
	images = json_object_get(root, "images");
	if (!json_is_array(images)) {
		json_decref(root);
		return silo_err_set(err, EINVAL, "%s: no \"images\" array", path);
	}
	*out = root;
	return 0;
}

static int save(const struct store *store, json_t *root, struct silo_err *err)
{
	_cleanup_free_ char *path = images_path(store);

	if (!path)
		return silo_err_sys(err, ENOMEM, "save images");
	return json_write_path_atomic(path, root, 0600, err);
}

static void array_remove(json_t *arr, const char *s)
{
	for (size_t i = json_array_size(arr); i-- > 0;)
		if (!strcmp(json_string_value(json_array_get(arr, i)), s))
			json_array_remove(arr, i);
}

/* Normalises what a user typed into the canonical name, if it is one. */
static char *canonical_name(const char *text)
{
	struct image_ref ref = { 0 };
	struct silo_err ignored = { 0 };
	char *s;

	if (image_ref_parse(text, &ref, &ignored) < 0)
		return NULL;
	if (ref.tag && ref.digest) {
		free(ref.tag);
		ref.tag = NULL;
	}
	s = image_ref_string(&ref);
	image_ref_free(&ref);
	return s;
}

/* Index of the record text names, -1 if none, -2 if an ID prefix is
 * ambiguous. *by_name says whether a name (not an ID) matched. */
static ssize_t find_index(json_t *images, const char *text, int *by_name)
{
	_cleanup_free_ char *name = canonical_name(text);
	const char *hex = !strncmp(text, "sha256:", 7) ? text + 7 : text;
	size_t hex_len = strlen(hex);
	ssize_t found = -1;
	size_t i;
	json_t *rec;

	*by_name = 0;
	if (name) {
		json_array_foreach(images, i, rec) {
			if (json_array_has_string(json_object_get(rec, "names"), name) ||
			    json_array_has_string(json_object_get(rec, "digests"), name)) {
				*by_name = 1;
				return (ssize_t)i;
			}
		}
	}
	if (hex_len == 0 || hex_len > 64 || strspn(hex, "0123456789abcdef") != hex_len)
		return -1;
	json_array_foreach(images, i, rec) {
		const char *id = json_string_value(json_object_get(rec, "id"));

		if (id && !strncmp(id + 7, hex, hex_len)) {
			if (found >= 0)
				return -2;
			found = (ssize_t)i;
		}
	}
	return found;
}

static json_t *string_array(char *const *v, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < n; i++)
		json_array_append_new(arr, json_string(v[i]));
	return arr;
}

json_t *image_record_new(const struct store *store, const struct manifest *m,
			 const char *manifest_digest, const char *index_digest,
			 const struct image_config *config, char *const *chain_ids)
{
	json_t *blobs = json_array();
	uint64_t size = 0;
	char platform[96];

	if (!blobs)
		return NULL;
	for (size_t i = 0; i < m->n_layers; i++) {
		json_array_append_new(blobs, json_string(m->layers[i].digest));
		size += layer_size(store, chain_ids[i]);
	}
	platform_format(&config->platform, platform, sizeof(platform));
	return json_pack("{s:s,s:s,s:s,s:s?,s:[],s:[],s:s?,s:I,s:s,s:o,s:o,s:o,s:I}", "id",
			 m->config.digest, "manifest", manifest_digest, "mediaType", m->media_type,
			 "index", index_digest, "names", "digests", "created", config->created, "size",
			 (json_int_t)size, "platform", platform, "layers",
			 string_array(chain_ids, m->n_layers), "diffIDs",
			 string_array(config->diff_ids, config->n_diff_ids), "blobs", blobs, "pulled",
			 (json_int_t)time(NULL));
}

int images_read_config(const struct store *store, json_t *record, json_t **out,
		       struct silo_err *err)
{
	const char *id = json_string_value(json_object_get(record, "id"));
	_cleanup_free_ char *text = NULL;
	json_error_t jerr;
	size_t len;

	if (!id)
		return silo_err_set(err, EINVAL, "image record without an id");
	if (store_blob_read(store, id, MANIFEST_MAX_SIZE, &text, &len, err) < 0)
		return silo_err_prefix(err, "image %s", id);
	*out = json_loadb(text, len, 0, &jerr);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return silo_err_set(err, EINVAL, "image config %s: not a JSON object (line %d: %s)", id,
				    jerr.line, jerr.text);
	}
	return 0;
}

int images_add(const struct store *store, json_t *record, struct silo_err *err)
{
	_cleanup_close_ int lock = store_lock(store, "images", err);
	_cleanup_json_ json_t *root = NULL;
	json_t *images, *names, *rec, *existing = NULL;
	const char *id = json_string_value(json_object_get(record, "id"));
	size_t i, j;
	json_t *v;

	if (lock < 0 || load(store, &root, err) < 0)
		return -1;
	images = json_object_get(root, "images");
	names = json_object_get(record, "names");
	json_array_foreach(images, i, rec) {
		if (!strcmp(json_string_value(json_object_get(rec, "id")), id)) {
			existing = rec;
			continue;
		}
		json_array_foreach(names, j, v)
			array_remove(json_object_get(rec, "names"), json_string_value(v));
	}
	if (existing) {
		json_t *old_names = json_object_get(existing, "names");
		json_t *old_digests = json_object_get(existing, "digests");

		json_array_foreach(names, j, v)
			if (!json_array_has_string(old_names, json_string_value(v)))
				json_array_append(old_names, v);
		json_array_foreach(json_object_get(record, "digests"), j, v)
			if (!json_array_has_string(old_digests, json_string_value(v)))
				json_array_append(old_digests, v);
	} else if (json_array_append(images, record) < 0) {
		return silo_err_sys(err, ENOMEM, "add image");
	}
	return save(store, root, err);
}

int images_list(const struct store *store, json_t **out, struct silo_err *err)
{
	_cleanup_close_ int lock = store_lock(store, "images", err);
	_cleanup_json_ json_t *root = NULL;

	if (lock < 0 || load(store, &root, err) < 0)
		return -1;
	*out = json_deep_copy(json_object_get(root, "images"));
	return *out ? 0 : silo_err_sys(err, ENOMEM, "list images");
}

static int not_found(const char *text, ssize_t idx, struct silo_err *err)
{
	if (idx == -2)
		return silo_err_set(err, EINVAL, "image ID prefix \"%s\" matches more than one image", text);
	return silo_err_set(err, ENOENT, "no such image: %s", text);
}

int images_find(const struct store *store, const char *text, json_t **out, struct silo_err *err)
{
	_cleanup_close_ int lock = store_lock(store, "images", err);
	_cleanup_json_ json_t *root = NULL;
	ssize_t idx;
	int by_name;

	if (lock < 0 || load(store, &root, err) < 0)
		return -1;
	idx = find_index(json_object_get(root, "images"), text, &by_name);
	if (idx < 0)
		return not_found(text, idx, err);
	*out = json_incref(json_array_get(json_object_get(root, "images"), (size_t)idx));
	return 0;
}

int images_tag(const struct store *store, const char *source, const char *target,
	       struct silo_err *err)
{
	_cleanup_close_ int lock = store_lock(store, "images", err);
	_cleanup_json_ json_t *root = NULL;
	_cleanup_free_ char *name = NULL;
	struct image_ref ref = { 0 };
	json_t *images, *rec;
	ssize_t idx;
	size_t i;
	int by_name;

	if (lock < 0)
		return -1;
	if (image_ref_parse(target, &ref, err) < 0)
		return -1;
	if (ref.digest) {
		image_ref_free(&ref);
		return silo_err_set(err, EINVAL, "tag \"%s\": a tag cannot have a digest", target);
	}
	name = image_ref_string(&ref);
	image_ref_free(&ref);
	if (!name)
		return silo_err_sys(err, ENOMEM, "tag");
	if (load(store, &root, err) < 0)
		return -1;
	images = json_object_get(root, "images");
	idx = find_index(images, source, &by_name);
	if (idx < 0)
		return not_found(source, idx, err);
	json_array_foreach(images, i, rec)
		array_remove(json_object_get(rec, "names"), name);
	rec = json_array_get(images, (size_t)idx);
	json_array_append_new(json_object_get(rec, "names"), json_string(name));
	return save(store, root, err);
}

static void report_line(void (*report)(void *, const char *), void *opaque, const char *what,
			const char *value)
{
	_cleanup_free_ char *line = NULL;

	if (report && asprintf(&line, "%s: %s", what, value) >= 0)
		report(opaque, line);
}

/* The lines rmi and image prune print for an image that goes: each of its
 * names and digests (untagged), then its ID (deleted). */
static void report_untagged(void (*report)(void *, const char *), void *opaque, json_t *rec,
			    const char *untagged)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(rec, "names"), i, v) {
		_cleanup_free_ char *familiar = image_ref_familiar(json_string_value(v));

		report_line(report, opaque, untagged, familiar);
	}
	json_array_foreach(json_object_get(rec, "digests"), i, v) {
		_cleanup_free_ char *familiar = image_ref_familiar(json_string_value(v));

		report_line(report, opaque, untagged, familiar);
	}
}

static void report_removed(void (*report)(void *, const char *), void *opaque, json_t *rec,
			   const char *untagged, const char *deleted)
{
	report_untagged(report, opaque, rec, untagged);
	report_line(report, opaque, deleted, json_string_value(json_object_get(rec, "id")));
}

/* images_remove up to the garbage collection, which takes the images lock
 * itself. */
static int remove_record(const struct store *store, const char *text, int force, json_t *in_use,
			 void (*report)(void *opaque, const char *line), void *opaque, struct silo_err *err)
{
	_cleanup_close_ int lock = store_lock(store, "images", err);
	_cleanup_json_ json_t *root = NULL;
	_cleanup_free_ char *name = canonical_name(text);
	json_t *images, *rec, *names;
	ssize_t idx;
	int by_name;

	if (lock < 0 || load(store, &root, err) < 0)
		return -1;
	images = json_object_get(root, "images");
	idx = find_index(images, text, &by_name);
	if (idx < 0)
		return not_found(text, idx, err);
	rec = json_array_get(images, (size_t)idx);
	names = json_object_get(rec, "names");
	if (by_name && name && json_array_has_string(names, name) && json_array_size(names) > 1) {
		_cleanup_free_ char *familiar = image_ref_familiar(name);

		array_remove(names, name);
		report_line(report, opaque, "Untagged", familiar);
	} else {
		const char *user = json_string_value(
			json_object_get(in_use, json_string_value(json_object_get(rec, "id"))));

		if (!by_name && json_array_size(names) > 1 && !force)
			return silo_err_set(err, EBUSY,
					    "image %s is referenced in multiple repositories (use -f, or "
					    "remove the names one by one)",
					    text);
		if (user && !force)
			return silo_err_set(err, EBUSY,
					    "unable to remove image %s: container %.12s uses it (remove the "
					    "container first, or use -f to only untag the image)",
					    text, user);
		if (user) {
			/* -f: the names go, the image and its layers stay for
			 * the container; a prune takes it once none uses it. */
			report_untagged(report, opaque, rec, "Untagged");
			json_array_clear(names);
			json_array_clear(json_object_get(rec, "digests"));
		} else {
			report_removed(report, opaque, rec, "Untagged", "Deleted");
			json_array_remove(images, (size_t)idx);
		}
	}
	return save(store, root, err);
}

int images_remove(const struct store *store, const char *text, int force, json_t *in_use,
		  void (*report)(void *opaque, const char *line), void *opaque, struct silo_err *err)
{
	if (remove_record(store, text, force, in_use, report, opaque, err) < 0)
		return -1;
	return images_collect_garbage(store, err);
}

static void collect_strings(json_t *images, const char *key, json_t *set)
{
	size_t i, j;
	json_t *rec, *v;

	json_array_foreach(images, i, rec) {
		json_t *field = json_object_get(rec, key);

		if (json_is_string(field))
			json_object_set_new(set, json_string_value(field) + 7, json_true());
		json_array_foreach(field, j, v)
			json_object_set_new(set, json_string_value(v) + 7, json_true());
	}
}

/* Removes entries of dir (by hex name) that are not in keep, adding their
 * bytes to *freed. */
static int sweep(const struct store *store, const char *dir, json_t *keep, int layers,
		 uint64_t *freed, struct silo_err *err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *e;

	if (asprintf(&path, "%s/%s", store->root, dir) < 0)
		return silo_err_sys(err, ENOMEM, "collect garbage");
	d = opendir(path);
	if (!d)
		return silo_err_errno(err, "read \"%s\"", path);
	while ((e = readdir(d))) {
		char digest[DIGEST_STRING_LENGTH + 1];

		if (strlen(e->d_name) != 64 || json_object_get(keep, e->d_name))
			continue;
		snprintf(digest, sizeof(digest), "sha256:%s", e->d_name);
		if (layers) {
			uint64_t size = layer_size(store, digest);

			if (layer_remove(store, digest, err) < 0)
				return -1;
			*freed += size;
		} else {
			struct stat st;
			uint64_t size = fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0
						? (uint64_t)st.st_size
						: 0;

			if (store_blob_remove(store, digest, err) < 0)
				return -1;
			*freed += size;
		}
	}
	return 0;
}

/* What a killed pull, load or import left in tmp/: with "gc" held
 * exclusive no other silo is building anything, so every layer build, half
 * removed layer and unnamed blob there is stale. Partial downloads stay:
 * the next pull of that blob resumes them. */
static int sweep_tmp(const struct store *store, struct silo_err *err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *e;

	if (asprintf(&path, "%s/tmp", store->root) < 0)
		return silo_err_sys(err, ENOMEM, "collect garbage");
	d = opendir(path);
	if (!d)
		return silo_err_errno(err, "read \"%s\"", path);
	while ((e = readdir(d))) {
		_cleanup_free_ char *stale = NULL;

		if (strncmp(e->d_name, "layer-", 6) && strncmp(e->d_name, "removing-", 9) &&
		    strncmp(e->d_name, "unnamed-", 8))
			continue;
		if (asprintf(&stale, "%s/%s", path, e->d_name) < 0)
			return silo_err_sys(err, ENOMEM, "collect garbage");
		if (e->d_type == DT_DIR) {
			if (fs_remove_tree(stale, err) < 0)
				return -1;
		} else if (unlink(stale) < 0 && errno != ENOENT) {
			return silo_err_errno(err, "remove \"%s\"", stale);
		}
	}
	return 0;
}

static int collect_garbage(const struct store *store, uint64_t *freed, struct silo_err *err)
{
	_cleanup_close_ int gc = store_lock(store, "gc", err);
	_cleanup_close_ int lock = -1;
	_cleanup_json_ json_t *root = NULL;
	_cleanup_json_ json_t *keep_layers = json_object();
	_cleanup_json_ json_t *keep_blobs = json_object();
	json_t *images;

	if (gc < 0)
		return -1;
	lock = store_lock(store, "images", err);
	if (lock < 0 || load(store, &root, err) < 0)
		return -1;
	if (!keep_layers || !keep_blobs)
		return silo_err_sys(err, ENOMEM, "collect garbage");
	images = json_object_get(root, "images");
	collect_strings(images, "layers", keep_layers);
	collect_strings(images, "blobs", keep_blobs);
	collect_strings(images, "id", keep_blobs);
	collect_strings(images, "manifest", keep_blobs);
	collect_strings(images, "index", keep_blobs);
	if (sweep(store, "layers", keep_layers, 1, freed, err) < 0 || sweep_tmp(store, err) < 0)
		return -1;
	return sweep(store, "blobs/sha256", keep_blobs, 0, freed, err);
}

int images_collect_garbage(const struct store *store, struct silo_err *err)
{
	uint64_t freed = 0;

	return collect_garbage(store, &freed, err);
}

/* Whether the image's config has the label "KEY" or "KEY=VALUE". */
static int has_label(json_t *labels, const char *spec)
{
	const char *eq = strchr(spec, '=');
	json_t *v;

	if (!eq)
		return json_object_get(labels, spec) != NULL;
	v = json_object_getn(labels, spec, (size_t)(eq - spec));
	return json_is_string(v) && !strcmp(json_string_value(v), eq + 1);
}

static int prune_selects(const struct store *store, const struct images_prune_filter *f,
			 json_t *rec, struct silo_err *err)
{
	const char *id = json_string_value(json_object_get(rec, "id"));
	_cleanup_json_ json_t *config = NULL;
	json_t *labels;

	if (!id || json_object_get(f->in_use, id))
		return 0;
	if (!f->all && json_array_size(json_object_get(rec, "names")))
		return 0;
	if (f->has_until) {
		const char *created = json_string_value(json_object_get(rec, "created"));
		struct timespec ts;
		double when;

		/* An image whose config gives no (readable) creation time counts
		 * from when it came into the store. */
		if (created && clock_parse_rfc3339(created, &ts) == 0)
			when = (double)ts.tv_sec + ts.tv_nsec / 1e9;
		else
			when = (double)json_integer_value(json_object_get(rec, "pulled"));
		if (when >= f->until)
			return 0;
	}
	if (!f->n_labels && !f->n_labels_not)
		return 1;
	if (images_read_config(store, rec, &config, err) < 0)
		return -1;
	labels = json_object_get(json_object_get(config, "config"), "Labels");
	for (size_t i = 0; i < f->n_labels; i++)
		if (!has_label(labels, f->labels[i]))
			return 0;
	for (size_t i = 0; i < f->n_labels_not; i++)
		if (has_label(labels, f->labels_not[i]))
			return 0;
	return 1;
}

/* images_prune up to the garbage collection, which takes the images lock
 * itself. */
static int prune_records(const struct store *store, const struct images_prune_filter *filter,
			 void (*report)(void *opaque, const char *line), void *opaque, struct silo_err *err)
{
	_cleanup_close_ int lock = store_lock(store, "images", err);
	_cleanup_json_ json_t *root = NULL;
	json_t *images;
	int removed = 0;

	if (lock < 0 || load(store, &root, err) < 0)
		return -1;
	images = json_object_get(root, "images");
	for (size_t i = json_array_size(images); i-- > 0;) {
		json_t *rec = json_array_get(images, i);
		int r = prune_selects(store, filter, rec, err);

		if (r < 0)
			return -1;
		if (!r)
			continue;
		report_removed(report, opaque, rec, "untagged", "deleted");
		json_array_remove(images, i);
		removed = 1;
	}
	return removed ? save(store, root, err) : 0;
}

int images_prune(const struct store *store, const struct images_prune_filter *filter,
		 void (*report)(void *opaque, const char *line), void *opaque, uint64_t *reclaimed,
		 struct silo_err *err)
{
	*reclaimed = 0;
	if (prune_records(store, filter, report, opaque, err) < 0)
		return -1;
	/* Also when no image went: layers and blobs an interrupted rmi, pull
	 * or load left unreferenced are reclaimed here too. */
	return collect_garbage(store, reclaimed, err);
}
