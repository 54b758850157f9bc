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
/* Records the layer and moves it into layers/. A layer another silo
 * published meanwhile wins; ours is dropped. */
int layer_build_publish(const struct store *store, struct layer_build *b, const char *chain_id,
			const char *diff_id, const char *blob_digest, uint64_t size,
			struct silo_err *err);
/* Removes the build directory. */
void layer_build_abort(struct layer_build *b);

/* The size layer.json records, or 0. */
uint64_t layer_size(const struct store *store, const char *chain_id);
int layer_remove(const struct store *store, const char *chain_id, struct silo_err *err);

#endif
