/* The copy snapshot: a container root made by copying the image's unpacked
 * layers, for where overlayfs cannot be mounted (see snapshot.h). */
#ifndef SILO_ENGINE_SNAPSHOT_COPY_H
#define SILO_ENGINE_SNAPSHOT_COPY_H

#include <jansson.h>

#include "util/err.h"

/* Copies the layer directories lower_dirs (base layer first) into the
 * directory dst_fd, one on top of the other, as overlayfs would show them:
 * a layer's whiteout (a 0/0 character device) removes what the layers
 * below have at its path, an opaque directory (trusted.overlay.opaque "y")
 * hides everything below it, and a later layer's entry replaces an earlier
 * one (a directory merges into a directory). Ownership, modes, times and
 * extended attributes (file capabilities) are kept, overlayfs' own
 * attributes dropped; hard links inside a layer stay links. Nothing is
 * followed: every entry is opened relative to its parent's descriptor with
 * O_NOFOLLOW, so a symlink in a layer is copied as a link and never leads
 * the copy out of dst_fd. */
int snapshot_copy_layers(int dst_fd, json_t *lower_dirs, struct silo_err *err);

#endif
