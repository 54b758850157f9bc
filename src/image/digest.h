/* SHA-256 digests, of streams as data goes past and of buffers, in the
 * "sha256:<hex>" form the OCI specs use. */
#ifndef SILO_IMAGE_DIGEST_H
#define SILO_IMAGE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define DIGEST_STRING_LENGTH (7 + 64)

struct digest_ctx {
	void *md;       /* EVP_MD_CTX */
	uint64_t bytes; /* how much went through */
};

/* Opens the library streams are hashed with, unless it is open already.
 * digest_init does so itself; see util/dlib.h for when to do it first. */
int digest_load_library(struct silo_err *err);
int digest_init(struct digest_ctx *ctx, struct silo_err *err);
void digest_update(struct digest_ctx *ctx, const void *data, size_t len);
/* Writes "sha256:<64 hex>" and a NUL to out. */
void digest_final(struct digest_ctx *ctx, char out[DIGEST_STRING_LENGTH + 1]);
void digest_free(struct digest_ctx *ctx);

/* One-shot digest of a buffer. */
int digest_buffer(const void *data, size_t len, char out[DIGEST_STRING_LENGTH + 1],
		  struct silo_err *err);

/* The hex part of "sha256:<hex>" (the digest must be valid). */
static inline const char *digest_hex(const char *digest)
{
	return digest + 7;
}

static inline void digest_freep(struct digest_ctx *ctx)
{
	digest_free(ctx);
}
#define _cleanup_digest_ __attribute__((cleanup(digest_freep)))

#endif
