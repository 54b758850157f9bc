/* Streaming SHA-256 over OpenSSL's EVP interface. */
#include "image/digest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

int digest_init(struct digest_ctx *ctx, struct silo_err *err)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	ctx->md = NULL;
	ctx->bytes = 0;
	if (!md)
		return silo_err_sys(err, ENOMEM, "sha256");
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		return silo_err_set(err, EINVAL, "sha256: OpenSSL cannot initialise the digest");
	}
	ctx->md = md;
	return 0;
}

void digest_update(struct digest_ctx *ctx, const void *data, size_t len)
{
	EVP_DigestUpdate(ctx->md, data, len);
	ctx->bytes += len;
}

void digest_final(struct digest_ctx *ctx, char out[DIGEST_STRING_LENGTH + 1])
{
	unsigned char raw[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	EVP_DigestFinal_ex(ctx->md, raw, &len);
	memcpy(out, "sha256:", 7);
	for (unsigned int i = 0; i < len && i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", raw[i]);
	out[DIGEST_STRING_LENGTH] = '\0';
}

void digest_free(struct digest_ctx *ctx)
{
	if (ctx->md)
		EVP_MD_CTX_free(ctx->md);
	ctx->md = NULL;
}

int digest_buffer(const void *data, size_t len, char out[DIGEST_STRING_LENGTH + 1],
		  struct silo_err *err)
{
	struct digest_ctx ctx;

	if (digest_init(&ctx, err) < 0)
		return -1;
	digest_update(&ctx, data, len);
	digest_final(&ctx, out);
	digest_free(&ctx);
	return 0;
}
