/* `silo save`: images of the store as one tar archive, either
 *
 *   docker-archive (the default, as docker's): manifest.json listing each
 *     image's config, RepoTags and layers, the config and every layer as
 *     blobs/sha256/<hex> (the layout docker 25 writes). Layers go out as
 *     plain tars, as every docker archive reader expects, so a layer's
 *     file is named by its DiffID; each is decompressed from the stored
 *     blob and checked against that DiffID on the way out;
 *   oci-archive: an OCI image layout (oci-layout, index.json, blobs/) with
 *     the stored manifest, config and layer blobs byte for byte, so
 *     digests stay what the registry served. index.json names each image
 *     with org.opencontainers.image.ref.name (the familiar name, as
 *     `silo load` and skopeo's oci-archive:FILE:NAME read it) and
 *     io.containerd.image.name (the full name).
 *
 * An argument that names a tag exports that name; one that gives an ID
 * exports the image without names, as docker does. Nothing of the store
 * changes; the "gc" lock is held shared so no rmi collects a blob being
 * read. */
#ifndef SILO_IMAGE_SAVE_H
#define SILO_IMAGE_SAVE_H

#include <stddef.h>

#include "image/store.h"
#include "util/err.h"

enum image_save_format { IMAGE_SAVE_DOCKER_ARCHIVE, IMAGE_SAVE_OCI_ARCHIVE };

/* Writes the archive of the images refs name to fd. */
int image_save(const struct store *store, char *const *refs, size_t n,
	       enum image_save_format format, int fd, struct silo_err *err);

#endif
