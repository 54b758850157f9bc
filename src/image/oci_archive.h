/* `silo load`: images from an OCI layout in a tar archive (an oci-archive,
 * as `skopeo copy ... oci-archive:FILE` or `tar -C LAYOUT -c .` make it;
 * gzip, zstd or xz compressed, or not). Every blob is stored through the
 * content store's writer, so its digest is checked as it streams, exactly
 * as a pulled one; layers are unpacked with unpack.c and published by
 * chain ID. Each manifest of index.json becomes an image named by its
 * org.opencontainers.image.ref.name annotation, read as an image reference
 * ("busybox:latest" -> docker.io/library/busybox:latest); one without the
 * annotation is loaded by ID only. */
#ifndef SILO_IMAGE_OCI_ARCHIVE_H
#define SILO_IMAGE_OCI_ARCHIVE_H

#include "image/store.h"
#include "util/err.h"

/* report gets "Loaded image: NAME" or "Loaded image ID: sha256:..." lines. */
int oci_archive_load(const struct store *store, const char *path,
		     void (*report)(void *opaque, const char *line), void *opaque, struct silo_err *err);

#endif
