/* Safe extraction of a layer tarball into a directory. libarchive only
 * reads (and decompresses: gzip, zstd, xz, or none); every file is written
 * by silo through descriptors resolved inside the layer directory, so no
 * entry of a hostile layer can reach outside it. Whiteouts become
 * overlayfs whiteouts: ".wh.NAME" a 0:0 character device NAME, and
 * ".wh..wh..opq" the trusted.overlay.opaque xattr on its directory. */
#ifndef SILO_IMAGE_UNPACK_H
#define SILO_IMAGE_UNPACK_H

#include <stdint.h>
#include <sys/types.h>

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

/* How `silo cp` extracts: the same safe writer with other rules. */
struct unpack_options {
	int whiteouts;     /* ".wh." entries become overlayfs whiteouts (layers) */
	int cross_mounts;  /* lookups may cross mount points (a container's volumes) */
	int keep_types;    /* a directory never replaces a non-directory nor the
			    * other way round: that is an error */
	int set_owner;     /* every entry gets uid:gid instead of the archive's */
	int skip_xattrs;   /* the archive's extended attributes are not applied */
	uid_t uid;
	gid_t gid;
	/* When set, the first entry's name (the archive's top) is replaced by
	 * this in every name ("" puts the top's contents in the root); an entry
	 * outside the top is refused. */
	const char *rename_top;
};

/* Reads a plain tar stream from fd (to EOF) and extracts it into the
 * directory root_fd (not closed) by opts. */
int unpack_tar_fd_at(int fd, int root_fd, const struct unpack_options *opts,
		     struct unpack_result *result, struct silo_err *err);

/* Opens libarchive, which the two calls above read with, and the library
 * they hash with, unless they are open already. They do so themselves, but it must be done before where they
 * run in threads (opening it is not thread-safe) or after joining a
 * container's mount namespace (the library must come from the host's
 * filesystem, never from the container's). */
int unpack_load_library(struct silo_err *err);

#endif
