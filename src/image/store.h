/* The content store under the storage root (default /var/lib/silo):
 *
 *   blobs/sha256/<hex>          content-addressed blobs: manifests, configs,
 *                               compressed layers, exactly as served
 *   layers/<chain hex>/diff/    an unpacked layer, keyed by its chain ID
 *   layers/<chain hex>/layer.json  what the layer is (diffID, blob, size)
 *   tmp/                        downloads and extractions in progress
 *   locks/                      flock files, one per blob or layer
 *   images.json                 image records (images.c)
 *
 * Nothing becomes visible half-written: a blob is written to tmp/, hashed
 * while it streams, fsynced and renamed into blobs/ only when its digest and
 * size match; a layer is extracted into tmp/, synced and renamed into
 * layers/ in one step. A download that broke off keeps its partial file in
 * tmp/ so the next attempt resumes it with a Range request. */
#ifndef SILO_IMAGE_STORE_H
#define SILO_IMAGE_STORE_H

#include <stdint.h>
#include <stdio.h>

#include "image/digest.h"
#include "util/err.h"

#define STORE_DEFAULT_ROOT "/var/lib/silo"

struct store {
	char *root;
	int root_fd;
};

/* Opens (creating) the store at root; NULL means $SILO_ROOT or the default. */
int store_open(const char *root, struct store *out, struct silo_err *err);
void store_close(struct store *store);

/* root/blobs/sha256/<hex> of a valid digest. */
char *store_blob_path(const struct store *store, const char *digest);
int store_blob_exists(const struct store *store, const char *digest);
/* Reads a whole (small) blob, checking its digest again. */
int store_blob_read(const struct store *store, const char *digest, size_t max, char **out,
		    size_t *len, struct silo_err *err);
/* Stores a blob that is already in memory, after checking its digest. */
int store_blob_put(const struct store *store, const char *digest, const void *data, size_t len,
		   struct silo_err *err);
int store_blob_remove(const struct store *store, const char *digest, struct silo_err *err);

/* A blob being written: every byte is hashed as it goes to tmp/. */
struct store_blob_writer {
	const struct store *store;
	char expected[DIGEST_STRING_LENGTH + 1];
	int64_t expected_size; /* -1: unknown */
	char *partial_path;
	int fd;
	struct digest_ctx digest;
	uint64_t written;
	uint64_t writeback_from; /* bytes before this were handed to the disk */
};

/* Starts writing the blob with this digest. With resume, bytes a previous
 * attempt left in tmp/ are kept (and rehashed); w->written says how many. */
int store_blob_begin(const struct store *store, const char *digest, int64_t size, int resume,
		     struct store_blob_writer *w, struct silo_err *err);
/* Starts writing a blob whose digest nobody announced (a layer of a docker
 * archive, an imported tarball): commit names it by its content and leaves
 * that digest in w->expected. */
int store_blob_begin_unnamed(const struct store *store, struct store_blob_writer *w,
			     struct silo_err *err);
int store_blob_write(struct store_blob_writer *w, const void *data, size_t len,
		     struct silo_err *err);
/* Checks digest and size, then makes the blob visible. On a mismatch the
 * partial file is deleted: nothing of a bad blob is kept. */
int store_blob_commit(struct store_blob_writer *w, struct silo_err *err);
/* Stops writing; keep_partial leaves the bytes for a later resume. */
void store_blob_abort(struct store_blob_writer *w, int keep_partial);

/* Takes an exclusive flock on locks/<name>, waiting for another silo that
 * holds it. Returns the descriptor (close it to unlock). */
int store_lock(const struct store *store, const char *name, struct silo_err *err);
/* A shared flock: pulls hold "gc" shared, garbage collection exclusive, so
 * a blob a running pull just stored is never collected before its image
 * record exists. */
int store_lock_shared(const struct store *store, const char *name, struct silo_err *err);

/* root/layers/<chain hex> */
char *store_layer_path(const struct store *store, const char *chain_id);
int store_layer_exists(const struct store *store, const char *chain_id);

static inline void store_closep(struct store *s)
{
	store_close(s);
}
#define _cleanup_store_ __attribute__((cleanup(store_closep)))

#endif
