/* Loading an OCI layout in a tar archive (an oci-archive, as `skopeo copy
 * ... oci-archive:FILE` or `tar -C LAYOUT -c .` make it). Every blob is
 * stored through the content store's writer, so its digest is checked as
 * it streams, exactly as a pulled one; layers are unpacked with unpack.c
 * and published by chain ID. Each manifest of index.json becomes an image
 * named by its io.containerd.image.name annotation (docker 25 writes it)
 * or else its org.opencontainers.image.ref.name, read as an image
 * reference ("busybox:latest" -> docker.io/library/busybox:latest); one
 * with neither is loaded by ID only. */
#ifndef SILO_IMAGE_OCI_ARCHIVE_H
#define SILO_IMAGE_OCI_ARCHIVE_H

#include "image/image_archive.h"

int oci_archive_load(const struct store *store, int fd, const char *label,
		     image_archive_report_fn report, void *opaque, struct silo_err *err);

#endif
