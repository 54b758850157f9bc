/* Loading docker archives: what `docker save`, `podman save` and skopeo's
 * docker-archive write. manifest.json lists each image as its config file,
 * its RepoTags and its layer files, in order; the files may be named
 * anything (<hex>.json and <id>/layer.tar in docker before 25, <diffID>.tar
 * in skopeo, blobs/sha256/<hex> in docker 25 and later), may be symlinks
 * to each other, and layers may be plain tars (the usual) or gzip or zstd
 * compressed. The legacy "repositories" file names the image when
 * manifest.json has no RepoTags.
 *
 * Checks: a config is the image's ID, so its sha256 must match a
 * <hex>.json or blobs/sha256/<hex> name; every layer must uncompress to
 * the DiffID its config lists, and a blobs/sha256/<hex> layer must hash to
 * its name. Each layer file is stored as it is in the archive; the image
 * gets an OCI manifest (made here, stored with it) that describes those
 * blobs, so `save` and `push` can hand them out again. */
#ifndef SILO_IMAGE_DOCKER_ARCHIVE_H
#define SILO_IMAGE_DOCKER_ARCHIVE_H

#include "image/image_archive.h"

int docker_archive_load(const struct store *store, int fd, const char *label,
			const struct image_archive_scan *scan, image_archive_report_fn report,
			void *opaque, struct silo_err *err);

#endif
