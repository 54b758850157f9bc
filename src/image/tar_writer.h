/* A small ustar writer for the archives `silo save` makes: directories and
 * regular files only, with fixed owner (0:0) and time (the epoch), so the
 * same images always give the same bytes. libarchive stays a reader (see
 * DESIGN.md); this is all the writing an image archive needs. Sizes of
 * 8 GiB and more use the base-256 size field that GNU tar, libarchive and
 * Go's archive/tar all read. */
#ifndef SILO_IMAGE_TAR_WRITER_H
#define SILO_IMAGE_TAR_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define TAR_BLOCK 512

struct tar_writer {
	int fd;
	uint64_t entry_left; /* data bytes the current entry still expects */
	uint64_t entry_size;
};

void tar_writer_init(struct tar_writer *t, int fd);
/* A directory entry; name without the trailing slash. */
int tar_write_dir(struct tar_writer *t, const char *name, struct silo_err *err);
/* Starts a regular file of exactly size bytes; tar_write_data gives them. */
int tar_begin_file(struct tar_writer *t, const char *name, uint64_t size, struct silo_err *err);
int tar_write_data(struct tar_writer *t, const void *data, size_t len, struct silo_err *err);
/* Pads the file to a block; fails when fewer bytes came than announced. */
int tar_end_file(struct tar_writer *t, struct silo_err *err);
/* A whole file from memory. */
int tar_write_file(struct tar_writer *t, const char *name, const void *data, size_t len,
		   struct silo_err *err);
/* The two zero blocks that end an archive. */
int tar_finish(struct tar_writer *t, struct silo_err *err);

#endif
