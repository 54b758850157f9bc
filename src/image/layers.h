/* Unpacked layers, keyed by chain ID and shared by every image that has
 * them: layers/<chain hex>/diff is the tree, layers/<chain hex>/layer.json
 * says what it is. A layer is built in tmp/layer-<chain hex> (by whoever
 * holds that blob's lock) and appears in layers/ by one rename, after a
 * syncfs, so a crash never leaves a half layer visible. */
#ifndef SILO_IMAGE_LAYERS_H
#define SILO_IMAGE_LAYERS_H

#include <stdint.h>

#include "image/store.h"
#include "util/err.h"

struct layer_build {
	char *dir;  /* tmp/layer-<hex> */
	char *diff; /* tmp/layer-<hex>/diff */
};

/* Makes a fresh, empty build directory for chain_id (removing what a
 * killed silo left there). */
int layer_build_begin(const struct store *store, const char *chain_id, struct layer_build *b,
		      struct silo_err *err);
/* What a built layer is, as layer.json records it. */
struct layer_info {
	const char *chain_id;
	const char *diff_id;
	const char *blob_digest; /* the (compressed) blob it came from */
	uint64_t size;           /* bytes of its files */
	uint64_t tar_size;       /* bytes of its uncompressed tar */
};

/* Records the layer and moves it into layers/. A layer another silo
 * published meanwhile wins; ours is dropped. */
int layer_build_publish(const struct store *store, struct layer_build *b,
			const struct layer_info *info, struct silo_err *err);
/* Removes the build directory. */
void layer_build_abort(struct layer_build *b);

/* The size layer.json records, or 0. */
uint64_t layer_size(const struct store *store, const char *chain_id);
/* The size of the layer's uncompressed tar, or 0 when layer.json (written
 * by an older silo) does not say. */
uint64_t layer_tar_size(const struct store *store, const char *chain_id);

/* Unpacks the stored blob blob_digest as the layer chain_id, unless that
 * layer exists: under the blob's lock, checking the DiffID. */
int layer_unpack_blob(const struct store *store, const char *blob_digest, const char *chain_id,
		      const char *diff_id, struct silo_err *err);
int layer_remove(const struct store *store, const char *chain_id, struct silo_err *err);

#endif
