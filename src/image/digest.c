/* SHA-256 digests: streams through OpenSSL's EVP interface, opened when a
 * command first hashes a stream (its accelerated code matters for layers
 * of hundreds of megabytes; loading libcrypto costs about 3 ms, which a
 * command that only reads an image's config need not pay), buffers through
 * util/sha256. */
#include "image/digest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "util/dlib.h"
#include "util/sha256.h"
#include "util/strv.h"

#define LIBCRYPTO_SONAME "libcrypto.so.3"

static struct {
	void *handle;
	EVP_MD_CTX *(*ctx_new)(void);
	void (*ctx_free)(EVP_MD_CTX *ctx);
	const EVP_MD *(*sha256)(void);
	int (*init)(EVP_MD_CTX *ctx, const EVP_MD *type, ENGINE *impl);
	int (*update)(EVP_MD_CTX *ctx, const void *data, size_t len);
	int (*final)(EVP_MD_CTX *ctx, unsigned char *md, unsigned int *len);
} lib;

int digest_load_library(struct silo_err *err)
{
	const struct dlib_symbol symbols[] = {
		{ "EVP_MD_CTX_new", (void **)&lib.ctx_new, 0 },
		{ "EVP_MD_CTX_free", (void **)&lib.ctx_free, 0 },
		{ "EVP_sha256", (void **)&lib.sha256, 0 },
		{ "EVP_DigestInit_ex", (void **)&lib.init, 0 },
		{ "EVP_DigestUpdate", (void **)&lib.update, 0 },
		{ "EVP_DigestFinal_ex", (void **)&lib.final, 0 },
	};

	if (dlib_open(&lib.handle, LIBCRYPTO_SONAME, symbols, ARRAY_SIZE(symbols), err) < 0)
		return silo_err_prefix(err, "sha256");
	return 0;
}

static void format_digest(const unsigned char *raw, char out[DIGEST_STRING_LENGTH + 1])
{
	memcpy(out, "sha256:", 7);
	for (unsigned int i = 0; i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", raw[i]);
	out[DIGEST_STRING_LENGTH] = '\0';
}

int digest_init(struct digest_ctx *ctx, struct silo_err *err)
{
	EVP_MD_CTX *md;

	ctx->md = NULL;
	ctx->bytes = 0;
	if (digest_load_library(err) < 0)
		return -1;
	md = lib.ctx_new();
	if (!md)
		return silo_err_sys(err, ENOMEM, "sha256");
	if (lib.init(md, lib.sha256(), NULL) != 1) {
		lib.ctx_free(md);
		return silo_err_set(err, EINVAL, "sha256: OpenSSL cannot initialise the digest");
	}
	ctx->md = md;
	return 0;
}

void digest_update(struct digest_ctx *ctx, const void *data, size_t len)
{
	lib.update(ctx->md, data, len);
	ctx->bytes += len;
}

void digest_final(struct digest_ctx *ctx, char out[DIGEST_STRING_LENGTH + 1])
{
	unsigned char raw[EVP_MAX_MD_SIZE] = { 0 };
	unsigned int len = 0;

	lib.final(ctx->md, raw, &len);
	format_digest(raw, out);
}

void digest_free(struct digest_ctx *ctx)
{
	if (ctx->md)
		lib.ctx_free(ctx->md);
	ctx->md = NULL;
}

int digest_buffer(const void *data, size_t len, char out[DIGEST_STRING_LENGTH + 1],
		  struct silo_err *err)
{
	uint8_t raw[SHA256_LENGTH];

	(void)err;
	sha256(data, len, raw);
	format_digest(raw, out);
	return 0;
}
