/* The container's root filesystem, made one of two ways:
 *
 * - overlay (the default): an overlayfs mount of the image's unpacked
 *   layers (read-only lower directories, shared by every container of the
 *   image) with an upper and work directory of the container's own.
 *   Mounted when the container starts, unmounted when it stops or is
 *   removed; the upper directory keeps the container's changes in between.
 * - copy: where overlayfs cannot be mounted (or SILO_SNAPSHOTTER=copy), the
 *   layers are copied once into DIR/bundle/rootfs, a plain directory that
 *   the container changes in place; "mounting" it is a no-op and rm takes
 *   it with the container's directory. There is no upper directory: the
 *   container's changes are mixed with the image's files (see
 *   docs/engine.md).
 *
 * A container keeps the mode it was made with: DIR/snapshotter says "copy"
 * for a copy; without it the container is an overlay one. */
#ifndef SILO_ENGINE_SNAPSHOT_H
#define SILO_ENGINE_SNAPSHOT_H

#include <jansson.h>

#include "util/err.h"

enum snapshot_mode {
	SNAPSHOT_OVERLAY,
	SNAPSHOT_COPY,
};

/* The mode new containers get: $SILO_SNAPSHOTTER ("overlay" or "copy"),
 * else overlay. Fails naming the variable for any other value. */
int snapshot_default_mode(enum snapshot_mode *mode, struct silo_err *err);

/* The mode of the container in DIR. */
enum snapshot_mode snapshot_mode_of(const char *dir);

/* Sets up DIR for its snapshot: a container already prepared keeps its
 * mode; a new one gets mode (overlay: DIR/upper, DIR/work and
 * DIR/bundle/rootfs; copy: DIR/snapshotter and DIR/bundle).
 * snapshot_prepare uses snapshot_default_mode. */
int snapshot_prepare_mode(const char *dir, enum snapshot_mode mode, struct silo_err *err);
int snapshot_prepare(const char *dir, struct silo_err *err);

/* Makes DIR/bundle/rootfs the container's root: mounts the overlay, or
 * makes the copy when there is none yet. lower_dirs lists the layer
 * directories from the image's base layer to its top one. Mounting what is
 * already mounted is a no-op. An overlay container whose overlay the
 * kernel refuses (no overlayfs: ENODEV; not allowed: EPERM; a store on a
 * filesystem overlayfs cannot use as upper: EINVAL), or that has more
 * layers than overlay mount options can list, becomes a copy one, as long
 * as it has no changes of its own yet. */
int snapshot_mount(const char *dir, json_t *lower_dirs, struct silo_err *err);

/* Whether the overlay is mounted on DIR/bundle/rootfs. */
int snapshot_is_mounted(const char *dir);
/* docker inspect's GraphDriver for the container in DIR: {"Name":
 * "overlay", "Data": {LowerDir (top layer first, ':' between), UpperDir,
 * WorkDir, MergedDir}} or {"Name": "copy", "Data": {MergedDir}}. What a
 * diff or commit reads: the overlay's changes are all in UpperDir; a
 * copy's are mixed with the image's files in MergedDir. */
json_t *snapshot_inspect(const char *dir, json_t *lower_dirs);

/* Unmounts DIR/bundle/rootfs; not mounted is fine. */
int snapshot_unmount(const char *dir, struct silo_err *err);

/* The overlay's option string, for tests: "lowerdir=TOP:...:BASE,upperdir=
 * DIR/upper,workdir=DIR/work". NULL (and err) when a path cannot be put in
 * mount options or the result exceeds what mount(2) takes. */
char *snapshot_overlay_options(const char *dir, json_t *lower_dirs, struct silo_err *err);

#endif
