/* Image references as users type them ("alpine", "ghcr.io/org/app:1.2",
 * "localhost:5000/x@sha256:..."), parsed and normalised the way docker
 * does: a name without a registry is on docker.io, a docker.io name of one
 * component is under library/, and a name with neither tag nor digest means
 * :latest. */
#ifndef SILO_IMAGE_REFERENCE_H
#define SILO_IMAGE_REFERENCE_H

#include "util/err.h"

#define IMAGE_REF_DEFAULT_REGISTRY "docker.io"
#define IMAGE_REF_DEFAULT_TAG "latest"

struct image_ref {
	char *registry;   /* "docker.io", "localhost:5000", "[::1]:5000" */
	char *repository; /* "library/alpine" */
	char *tag;        /* NULL when only a digest was given */
	char *digest;     /* "sha256:<64 hex>" or NULL */
};

/* Parses text into out (which the caller frees with image_ref_free). An
 * invalid reference fails with a message that says which part is wrong. */
int image_ref_parse(const char *text, struct image_ref *out, struct silo_err *err);
void image_ref_free(struct image_ref *ref);

/* "docker.io/library/alpine" */
char *image_ref_name(const struct image_ref *ref);
/* "docker.io/library/alpine:latest", or name@digest when there is no tag. */
char *image_ref_string(const struct image_ref *ref);
/* The short form docker shows: "alpine:latest", "ghcr.io/org/app:1". */
char *image_ref_familiar(const char *canonical);

/* The host that serves the registry API for a registry name: docker.io's
 * API lives at registry-1.docker.io. */
const char *image_ref_api_host(const char *registry);

/* A registry on loopback (localhost, 127.0.0.0/8, ::1) may speak plain HTTP
 * without configuration, as docker allows. */
int image_ref_registry_is_loopback(const char *registry);

/* Checks "algorithm:hex" (sha256 only: 64 lowercase hex digits). */
int image_ref_digest_valid(const char *digest);

static inline void image_ref_freep(struct image_ref *ref)
{
	image_ref_free(ref);
}
#define _cleanup_image_ref_ __attribute__((cleanup(image_ref_freep)))

#endif
