/* Manifests and image configs: Docker schema 2, OCI image manifests,
 * Docker manifest lists and OCI indexes (with platform selection), and the
 * parts of an image config silo needs (diffIDs, platform, created). Schema 1
 * is refused. Everything parsed here came from a registry or an archive, so
 * sizes are limited and every digest is checked for form. */
#ifndef SILO_IMAGE_MANIFEST_H
#define SILO_IMAGE_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define MANIFEST_MAX_SIZE (4 * 1024 * 1024)

#define MEDIA_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MEDIA_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MEDIA_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MEDIA_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define MEDIA_DOCKER_SCHEMA1 "application/vnd.docker.distribution.manifest.v1+json"
#define MEDIA_DOCKER_SCHEMA1_SIGNED "application/vnd.docker.distribution.manifest.v1+prettyjws"
#define MEDIA_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MEDIA_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MEDIA_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MEDIA_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MEDIA_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MEDIA_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"

/* What the Accept header of a manifest request lists. */
#define MANIFEST_ACCEPT                                                                         \
	MEDIA_OCI_INDEX ", " MEDIA_DOCKER_LIST ", " MEDIA_OCI_MANIFEST ", " MEDIA_DOCKER_MANIFEST

struct platform {
	char os[32];
	char architecture[32];
	char variant[16]; /* "" when none */
};

struct descriptor {
	char *media_type;
	char *digest;
	int64_t size;
	int has_platform;
	struct platform platform;
};

enum manifest_kind { MANIFEST_IMAGE, MANIFEST_INDEX };

struct manifest {
	enum manifest_kind kind;
	char *media_type;
	struct descriptor config;     /* MANIFEST_IMAGE */
	struct descriptor *layers;    /* MANIFEST_IMAGE */
	size_t n_layers;
	struct descriptor *manifests; /* MANIFEST_INDEX */
	size_t n_manifests;
};

/* Parses a manifest or index. content_type (the HTTP Content-Type, may be
 * NULL) wins over the mediaType field when both are there. */
int manifest_parse(const char *data, size_t len, const char *content_type, struct manifest *out,
		   struct silo_err *err);
void manifest_free(struct manifest *m);

/* "linux/arm64/v8", "linux/amd64", "arm64" (os defaults to linux). */
int platform_parse(const char *text, struct platform *out, struct silo_err *err);
/* The platform silo runs on, in Go's names (amd64, arm64/v8, arm/v7...). */
void platform_host(struct platform *out);
void platform_format(const struct platform *p, char *buf, size_t size);

/* Picks the index entry for want. An entry without a variant matches any
 * wanted variant when no entry has the exact one. */
int manifest_select_platform(const struct manifest *index, const struct platform *want,
			     const struct descriptor **out, struct silo_err *err);

struct image_config {
	char **diff_ids; /* NULL-terminated */
	size_t n_diff_ids;
	struct platform platform;
	char *created; /* RFC 3339, or NULL */
};

int image_config_parse(const char *data, size_t len, struct image_config *out,
		       struct silo_err *err);
void image_config_free(struct image_config *c);

/* chain[0] = diff[0]; chain[i] = sha256(chain[i-1] + " " + diff[i]), as the
 * OCI image spec defines it. Fills out (n entries, caller frees each). */
int image_chain_ids(char *const *diff_ids, size_t n, char **out, struct silo_err *err);

static inline void manifest_freep(struct manifest *m)
{
	manifest_free(m);
}
static inline void image_config_freep(struct image_config *c)
{
	image_config_free(c);
}
#define _cleanup_manifest_ __attribute__((cleanup(manifest_freep)))
#define _cleanup_image_config_ __attribute__((cleanup(image_config_freep)))

#endif
