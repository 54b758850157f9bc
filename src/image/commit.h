/* `silo commit`, on the image side: a container's changes (the overlayfs
 * upper directory over its image's layers) become one more layer on top of
 * that image. The directory is packed by tar_tree.c with overlay whiteouts
 * turned into the image spec's (a 0:0 character device into ".wh.NAME", an
 * opaque directory into ".wh..wh..opq"), gzip-compressed into the store
 * while its DiffID and digest are computed, and unpacked like a pulled
 * layer into the layer cache under its chain ID, so containers of the new
 * image start from it at once. The new config is the base image's with the
 * changes applied, rootfs.diff_ids and history extended; the manifest is
 * an OCI one listing the base layers and the new one. */
#ifndef SILO_IMAGE_COMMIT_H
#define SILO_IMAGE_COMMIT_H

#include <jansson.h>

#include "image/digest.h"
#include "image/store.h"
#include "util/err.h"

struct image_commit_options {
	const char *base;        /* the image the container runs (its ID) */
	const char *ref;         /* the name to give the new image, or NULL */
	const char *author;      /* -a, or NULL */
	const char *message;     /* -m, the history comment, or NULL */
	const char *created_by;  /* the history's created_by: the container's command */
	char *const *env;        /* "K=V" set on top of the image's Env, or NULL */
	json_t *args;            /* the container's process args: its Cmd (after the
				  * image's Entrypoint) becomes the new image's, as
				  * docker does; or NULL */
	char *const *changes;    /* --change instructions, or NULL */
	/* Empty files in the upper directory that are only mount points the
	 * runtime made (/etc/hosts ...): not the container's changes. */
	const char *const *mount_points;
};

/* Checks the name and the changes without touching the store, so a
 * commit that would fail does so before the container is paused. */
int image_commit_check(const struct image_commit_options *opts, struct silo_err *err);

/* Packs the directory upper_fd (not closed) as the new layer and stores
 * the image; id gets its ID. A failure leaves nothing in the store. */
int image_commit(const struct store *store, int upper_fd, const struct image_commit_options *opts,
		 char id[DIGEST_STRING_LENGTH + 1], struct silo_err *err);

#endif
