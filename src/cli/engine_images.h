/* The image commands of the engine face: pull, images, rmi, tag, load,
 * save, import, history, and the `image` group (image ls, image inspect,
 * image rm ...), with docker's flags and output shapes. */
#ifndef SILO_CLI_ENGINE_IMAGES_H
#define SILO_CLI_ENGINE_IMAGES_H

#include "cli/engine_cli.h"

extern const struct engine_command engine_image_commands[];

#endif
