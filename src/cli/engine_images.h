/* The image commands of the engine face: pull, images, rmi, tag, load,
 * save, import, history, and the `image` group (image ls, image inspect,
 * image rm ...), with docker's flags and output shapes. */
#ifndef SILO_CLI_ENGINE_IMAGES_H
#define SILO_CLI_ENGINE_IMAGES_H

#include <stdint.h>

#include "cli/engine_cli.h"
#include "image/images.h"
#include "image/store.h"
#include "util/err.h"

extern const struct engine_command engine_image_commands[];

/* image prune and system prune: removes the images filter selects that no
 * container (running or not) was made from, and every layer and blob no
 * image keeps; prints header and docker's lines ("untagged: NAME",
 * "deleted: ID") when an image went (then *printed is true).
 * filter->in_use is filled here. */
int engine_prune_images(const struct store *store, struct images_prune_filter *filter,
			const char *header, uint64_t *reclaimed, int *printed, struct silo_err *err);

#endif
