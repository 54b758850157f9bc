/* A small ustar writer. The archives `silo save` makes hold directories and
 * regular files only, with fixed owner (0:0) and time (the epoch), so the
 * same images always give the same bytes (tar_write_dir, tar_begin_file).
 * `cp`, `export` and `commit` write any entry with its own metadata
 * (tar_write_entry); what ustar cannot hold (long names and link targets,
 * large IDs) goes in a pax extended header before it. libarchive stays a
 * reader (see DESIGN.md). Sizes of 8 GiB and more use the base-256 size
 * field that GNU tar, libarchive and Go's archive/tar all read. */
#ifndef SILO_IMAGE_TAR_WRITER_H
#define SILO_IMAGE_TAR_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define TAR_BLOCK 512

/* Where the bytes go when not to a descriptor (a compressor, a hash). */
typedef int (*tar_sink_fn)(void *opaque, const void *data, size_t len, struct silo_err *err);

struct tar_writer {
	int fd;
	tar_sink_fn sink; /* when set, instead of fd */
	void *sink_opaque;
	uint64_t entry_left; /* data bytes the current entry still expects */
	uint64_t entry_size;
};

void tar_writer_init(struct tar_writer *t, int fd);
void tar_writer_init_sink(struct tar_writer *t, tar_sink_fn sink, void *opaque);

#define TAR_TYPE_FILE '0'
#define TAR_TYPE_HARDLINK '1'
#define TAR_TYPE_SYMLINK '2'
#define TAR_TYPE_CHAR '3'
#define TAR_TYPE_BLOCK '4'
#define TAR_TYPE_DIR '5'
#define TAR_TYPE_FIFO '6'

struct tar_xattr {
	const char *name;
	const void *value;
	size_t size;
};

/* One entry with its metadata. A directory's name may end in "/" or not. */
struct tar_entry {
	const char *name;
	char type;            /* TAR_TYPE_* */
	unsigned mode;        /* permission bits (07777) */
	uint64_t uid, gid;
	int64_t mtime;        /* seconds */
	uint64_t size;        /* regular files: the bytes tar_write_data gives */
	const char *linkname; /* hard and symbolic links */
	unsigned dev_major, dev_minor;
	const struct tar_xattr *xattrs; /* as SCHILY.xattr pax records */
	size_t n_xattrs;
};

/* Writes the header (and a pax header when needed). A regular file's data
 * follows with tar_write_data and tar_end_file. */
int tar_write_entry(struct tar_writer *t, const struct tar_entry *e, struct silo_err *err);
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
