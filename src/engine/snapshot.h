/* The container's root filesystem: an overlayfs mount of the image's
 * unpacked layers (read-only lower directories, shared by every container
 * of the image) with an upper and work directory of the container's own.
 * Mounted when the container starts, unmounted when it stops or is removed;
 * the upper directory keeps the container's changes in between. */
#ifndef SILO_ENGINE_SNAPSHOT_H
#define SILO_ENGINE_SNAPSHOT_H

#include <jansson.h>

#include "util/err.h"

/* Makes DIR/upper, DIR/work and DIR/bundle/rootfs. */
int snapshot_prepare(const char *dir, struct silo_err *err);

/* Mounts the overlay on DIR/bundle/rootfs. lower_dirs lists the layer
 * directories from the image's base layer to its top one. Mounting what is
 * already mounted is a no-op. */
int snapshot_mount(const char *dir, json_t *lower_dirs, struct silo_err *err);

/* Whether the overlay is mounted on DIR/bundle/rootfs. */
int snapshot_is_mounted(const char *dir);

/* Unmounts DIR/bundle/rootfs; not mounted is fine. */
int snapshot_unmount(const char *dir, struct silo_err *err);

/* The overlay's option string, for tests: "lowerdir=TOP:...:BASE,upperdir=
 * DIR/upper,workdir=DIR/work". NULL (and err) when a path cannot be put in
 * mount options or the result exceeds what mount(2) takes. */
char *snapshot_overlay_options(const char *dir, json_t *lower_dirs, struct silo_err *err);

#endif
