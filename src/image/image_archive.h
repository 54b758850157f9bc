/* `silo load`: images from a tar archive of either kind, told apart by
 * what is inside (the file name does not matter, and the tar may be
 * compressed with gzip, zstd or xz as a whole):
 *
 *   docker-archive  manifest.json (+ repositories): what docker save,
 *                   podman save and skopeo's docker-archive write
 *                   (docker_archive.c);
 *   oci-archive     index.json: an OCI image layout in a tar
 *                   (oci_archive.c). An archive with both (docker 25 and
 *                   later write both) is read as a docker archive, whose
 *                   manifest.json has the full names.
 *
 * Loading reads the archive twice: once for the small files that say what
 * it holds, once for the blobs, which go to the content store through its
 * writer (every digest checked as it streams). Layers are unpacked and
 * checked against their DiffIDs, and only when every image of the archive
 * is complete are they recorded, together. A broken archive stores no
 * image: what it left in the store is collected before load returns. This
 * file also holds the tar reading the two loaders share. */
#ifndef SILO_IMAGE_IMAGE_ARCHIVE_H
#define SILO_IMAGE_IMAGE_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "image/digest.h"
#include "image/store.h"
#include "util/err.h"

struct archive;

typedef void (*image_archive_report_fn)(void *opaque, const char *line);

/* Loads every image of the archive at path ("-" or NULL: standard input,
 * copied to the store's tmp/ first). report gets docker's lines: "Loaded
 * image: NAME" or "Loaded image ID: sha256:...". */
int image_archive_load(const struct store *store, const char *path,
		       image_archive_report_fn report, void *opaque, struct silo_err *err);

/* What the first pass found. */
struct image_archive_scan {
	char *docker_manifest; /* manifest.json, or NULL */
	size_t docker_manifest_len;
	char *repositories; /* docker's legacy "repositories", or NULL */
	size_t repositories_len;
	int has_oci_index;
	json_t *links; /* symlink entries: cleaned name -> cleaned target */
};

/* For the loaders: the archive read from the start again (fd is a regular
 * file, rewound), with every decompressor libarchive has in-process. */
int image_archive_open(int fd, const char *label, struct archive **out, struct silo_err *err);
/* Entry names as a path inside the archive: "./", "/" and "." parts
 * dropped, ".." resolved; -1 for a name that leaves the archive or is
 * empty. */
int image_archive_clean_name(const char *raw, char *out, size_t size);
/* The current entry's data, at most max bytes, NUL-terminated. */
int image_archive_read_entry(struct archive *a, const char *name, size_t max, char **out,
			     size_t *len, struct silo_err *err);
/* The current entry's data into the content store. With expected (a
 * digest the archive promises, as an OCI layout's blobs/sha256/<hex> name
 * does) it is checked; without, the blob is named by its content. Either
 * way digest gets the stored blob's digest and size its length; magic the
 * first bytes (for telling compressions apart). */
int image_archive_store_entry(const struct store *store, struct archive *a, const char *name,
			      const char *expected, char digest[DIGEST_STRING_LENGTH + 1],
			      uint64_t *size, unsigned char magic[8], struct silo_err *err);
/* Adds the records (a JSON array), every image of the archive complete,
 * and reports each. */
int image_archive_record_all(const struct store *store, json_t *records,
			     image_archive_report_fn report, void *opaque, struct silo_err *err);

#endif
