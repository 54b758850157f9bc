/* `pull`: resolve a reference to one image manifest (choosing the platform
 * from an index), fetch its config, and bring in every layer the store does
 * not have yet. Each missing layer streams in one pass: download -> sha256
 * and size check (store.c) -> decompress and extract (unpack.c, on its own
 * thread) -> DiffID check against the config; only then does the layer
 * become visible. Layers download in parallel. */
#ifndef SILO_IMAGE_PULL_H
#define SILO_IMAGE_PULL_H

#include <stdint.h>

#include "image/digest.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "image/store.h"
#include "util/err.h"

enum pull_event_kind {
	PULL_EVENT_RESOLVED,      /* digest: the manifest's */
	PULL_EVENT_LAYER_EXISTS,  /* digest: the layer blob's */
	PULL_EVENT_LAYER_WAITING, /* queued for download */
	PULL_EVENT_LAYER_BYTES,   /* have/total bytes so far (at most 5 a second) */
	PULL_EVENT_LAYER_DOWNLOADED, /* every byte is in (checks follow) */
	PULL_EVENT_LAYER_DONE,    /* downloaded, verified and extracted */
};

struct pull_event {
	enum pull_event_kind kind;
	const char *digest;
	uint64_t have; /* WAITING: what an earlier attempt left, to resume */
	int64_t total;
};

struct pull_options {
	struct platform platform;
	int tls_verify; /* 1, 0, or -1 for the registry's configuration */
	int parallel;   /* concurrent layer downloads; 0 for the default */
	void (*progress)(void *opaque, const struct pull_event *event);
	void *opaque;
};

/* Pulls ref into store and records it. Fills image_id ("sha256:...",
 * the config digest). */
int pull_image(const struct store *store, const struct image_ref *ref,
	       const struct pull_options *opts, char image_id[DIGEST_STRING_LENGTH + 1],
	       struct silo_err *err);

#endif
