/* Building, publishing and removing unpacked layers. */
#include "image/layers.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "image/digest.h"
#include "image/unpack.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

int layer_build_begin(const struct store *store, const char *chain_id, struct layer_build *b,
		      struct silo_err *err)
{
	memset(b, 0, sizeof(*b));
	if (asprintf(&b->dir, "%s/tmp/layer-%s", store->root, digest_hex(chain_id)) < 0) {
		b->dir = NULL;
		return silo_err_sys(err, ENOMEM, "unpack layer");
	}
	if (asprintf(&b->diff, "%s/diff", b->dir) < 0) {
		b->diff = NULL;
		layer_build_abort(b);
		return silo_err_sys(err, ENOMEM, "unpack layer");
	}
	if (fs_remove_tree(b->dir, err) < 0) {
		layer_build_abort(b);
		return -1;
	}
	if (mkdir(b->dir, 0700) < 0 || mkdir(b->diff, 0755) < 0) {
		silo_err_errno(err, "create \"%s\"", b->dir);
		layer_build_abort(b);
		return -1;
	}
	return 0;
}

int layer_build_publish(const struct store *store, struct layer_build *b,
			const struct layer_info *info, struct silo_err *err)
{
	_cleanup_json_ json_t *meta = json_pack("{s:s,s:s,s:s?,s:I,s:I}", "chainID", info->chain_id,
						 "diffID", info->diff_id, "blob", info->blob_digest, "size",
						 (json_int_t)info->size, "tarSize",
						 (json_int_t)info->tar_size);
	const char *chain_id = info->chain_id;
	_cleanup_free_ char *meta_path = NULL;
	_cleanup_free_ char *final = store_layer_path(store, chain_id);
	_cleanup_close_ int fd = -1;

	if (!meta || !final || asprintf(&meta_path, "%s/layer.json", b->dir) < 0)
		return silo_err_sys(err, ENOMEM, "publish layer %s", chain_id);
	if (json_write_path_atomic(meta_path, meta, 0600, err) < 0)
		return -1;
	/* Everything extracted reaches the disk before the layer becomes
	 * visible. */
	fd = open(b->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || syncfs(fd) < 0)
		return silo_err_errno(err, "sync layer %s", chain_id);
	if (rename(b->dir, final) < 0) {
		if (errno == EEXIST || errno == ENOTEMPTY) {
			layer_build_abort(b);
			return 0;
		}
		return silo_err_errno(err, "publish layer %s", chain_id);
	}
	free(b->dir);
	free(b->diff);
	b->dir = b->diff = NULL;
	return 0;
}

void layer_build_abort(struct layer_build *b)
{
	struct silo_err ignored = { 0 };

	if (b->dir)
		fs_remove_tree(b->dir, &ignored);
	free(b->dir);
	free(b->diff);
	b->dir = b->diff = NULL;
}

static uint64_t layer_field(const struct store *store, const char *chain_id, const char *key)
{
	_cleanup_free_ char *dir = store_layer_path(store, chain_id);
	_cleanup_free_ char *path = NULL;
	_cleanup_json_ json_t *meta = NULL;
	struct silo_err ignored = { 0 };

	if (!dir || asprintf(&path, "%s/layer.json", dir) < 0)
		return 0;
	if (json_load_path(path, 65536, &meta, &ignored) < 0)
		return 0;
	return (uint64_t)json_integer_value(json_object_get(meta, key));
}

uint64_t layer_size(const struct store *store, const char *chain_id)
{
	return layer_field(store, chain_id, "size");
}

uint64_t layer_tar_size(const struct store *store, const char *chain_id)
{
	return layer_field(store, chain_id, "tarSize");
}

int layer_unpack_blob(const struct store *store, const char *blob_digest, const char *chain_id,
		      const char *diff_id, struct silo_err *err)
{
	_cleanup_free_ char *path = store_blob_path(store, blob_digest);
	_cleanup_close_ int lock = -1;
	_cleanup_close_ int fd = -1;
	struct layer_build build = { 0 };
	struct unpack_result result;
	struct layer_info info;
	char lock_name[128];

	snprintf(lock_name, sizeof(lock_name), "blob-%s", digest_hex(blob_digest));
	lock = store_lock(store, lock_name, err);
	if (lock < 0)
		return -1;
	if (store_layer_exists(store, chain_id))
		return 0;
	fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0)
		return silo_err_errno(err, "open blob %s", blob_digest);
	if (layer_build_begin(store, chain_id, &build, err) < 0)
		return -1;
	if (unpack_layer_fd(fd, build.diff, &result, err) < 0) {
		layer_build_abort(&build);
		return silo_err_prefix(err, "layer %s", blob_digest);
	}
	if (strcmp(result.diff_id, diff_id)) {
		layer_build_abort(&build);
		return silo_err_set(err, EIO, "layer %s: uncompressed content is %s, but the image config says %s",
				    blob_digest, result.diff_id, diff_id);
	}
	info = (struct layer_info){ chain_id, diff_id, blob_digest, result.content_size, result.tar_size };
	if (layer_build_publish(store, &build, &info, err) < 0) {
		layer_build_abort(&build);
		return -1;
	}
	return 0;
}

int layer_remove(const struct store *store, const char *chain_id, struct silo_err *err)
{
	_cleanup_free_ char *dir = store_layer_path(store, chain_id);
	_cleanup_free_ char *doomed = NULL;

	if (!dir || asprintf(&doomed, "%s/tmp/removing-%s", store->root, digest_hex(chain_id)) < 0)
		return silo_err_sys(err, ENOMEM, "remove layer");
	/* Out of layers/ first, in one step, so nobody sees it half gone. */
	if (rename(dir, doomed) < 0)
		return errno == ENOENT ? 0 : silo_err_errno(err, "remove layer %s", chain_id);
	return fs_remove_tree(doomed, err);
}
