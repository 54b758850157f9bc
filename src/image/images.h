/* Image records: images.json in the store maps names ("docker.io/library/
 * alpine:latest") and digests to images. An image's ID is the digest of its
 * config, as with docker. Every change happens under the "images" flock,
 * read-modify-write, saved by write-temp, fsync, rename. Removing the last
 * name of an image removes the image and collects the layers and blobs no
 * other image uses. Record fields:
 *
 *   id, manifest (digest), mediaType, names[], digests[] ("name@sha256:.."),
 *   created, size, platform, layers[] (chain IDs), blobs[] (layer blobs),
 *   diffIDs[] */
#ifndef SILO_IMAGE_IMAGES_H
#define SILO_IMAGE_IMAGES_H

#include <stdint.h>

#include <jansson.h>

#include "image/manifest.h"
#include "image/store.h"
#include "util/err.h"

/* A new record (names and digests empty) for the image manifest m, stored
 * as manifest_digest (and reached through index_digest, or NULL), whose
 * config is config and whose layers are chain_ids, all in the store. */
json_t *image_record_new(const struct store *store, const struct manifest *m,
			 const char *manifest_digest, const char *index_digest,
			 const struct image_config *config, char *const *chain_ids);

/* The record's image config, read from the store (digest checked). */
int images_read_config(const struct store *store, json_t *record, json_t **out,
		       struct silo_err *err);

/* Adds or updates a record; its names move to it from any other image. */
int images_add(const struct store *store, json_t *record, struct silo_err *err);

/* A copy of every record (a JSON array). */
int images_list(const struct store *store, json_t **out, struct silo_err *err);

/* Finds the record for a name, a name@digest, a full ID or a unique ID
 * prefix. Returns a new reference, or fails with ENOENT. */
int images_find(const struct store *store, const char *text, json_t **out, struct silo_err *err);

/* Adds name target to the image source names. */
int images_tag(const struct store *store, const char *source, const char *target,
	       struct silo_err *err);

/* rmi: by name removes the name (and the image with its last name); by ID
 * removes the image, which needs force when it has several names. An image
 * whose ID is a key of in_use (the images containers use; the value is the
 * container's ID) is not removed: that fails, and with force only its
 * names go. report gets "Untagged: NAME" and "Deleted: ID" lines. */
int images_remove(const struct store *store, const char *text, int force, json_t *in_use,
		  void (*report)(void *opaque, const char *line), void *opaque, struct silo_err *err);

/* Removes layers and blobs no image refers to. */
int images_collect_garbage(const struct store *store, struct silo_err *err);

/* Which images a prune removes: untagged ones (no name, digests do not
 * count, as with docker's dangling images), or with all every image;
 * never one whose ID is a key of in_use (the images containers use). A
 * filter narrows it further: created before until (with has_until), and
 * with every label of labels ("KEY" or "KEY=VALUE") and none of
 * labels_not. */
struct images_prune_filter {
	int all;
	json_t *in_use;
	int has_until;
	double until;
	char *const *labels;
	size_t n_labels;
	char *const *labels_not;
	size_t n_labels_not;
};

/* Removes the images the filter selects, then every layer and blob no
 * image is left with. report gets docker's prune lines ("untagged: NAME",
 * "deleted: ID"); *reclaimed the bytes that left the store (blobs and
 * unpacked layers). */
int images_prune(const struct store *store, const struct images_prune_filter *filter,
		 void (*report)(void *opaque, const char *line), void *opaque, uint64_t *reclaimed,
		 struct silo_err *err);

#endif
