/* Safe extraction of a layer tarball into a directory. libarchive only
 * reads (and decompresses: gzip, zstd, xz, or none); every file is written
 * by silo through descriptors resolved inside the layer directory, so no
 * entry of a hostile layer can reach outside it. Whiteouts become
 * overlayfs whiteouts: ".wh.NAME" a 0:0 character device NAME, and
 * ".wh..wh..opq" the trusted.overlay.opaque xattr on its directory. */
#ifndef SILO_IMAGE_UNPACK_H
#define SILO_IMAGE_UNPACK_H

#include <stdint.h>

#include "image/digest.h"
#include "util/err.h"

struct unpack_result {
	char diff_id[DIGEST_STRING_LENGTH + 1]; /* sha256 of the uncompressed tar */
	uint64_t tar_size;                      /* bytes of the uncompressed tar */
	uint64_t content_size;                  /* bytes of the files written */
	unsigned skipped_devices;               /* device nodes the kernel refused */
};

/* Reads a (compressed or plain) tar stream from fd until its end and
 * extracts it into dest, an existing empty directory. Reads fd to EOF even
 * after the tar ends, so a writer on a pipe never blocks. */
int unpack_layer_fd(int fd, const char *dest, struct unpack_result *result,
		    struct silo_err *err);

#endif
