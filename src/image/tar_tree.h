/* A file or a directory tree written as tar entries: what `silo cp` sends,
 * `silo export` streams and `silo commit` packs into a layer. Every lookup
 * below the top is relative to a descriptor of its directory and never
 * follows a symlink, so a tree that changes while it is read (a running
 * container's) can only change what is written, never where it is read
 * from. Hard links inside the tree stay hard links. */
#ifndef SILO_IMAGE_TAR_TREE_H
#define SILO_IMAGE_TAR_TREE_H

#include <sys/stat.h>

#include "image/tar_writer.h"
#include "util/err.h"

struct tar_tree_options {
	/* An overlayfs upper directory: a 0:0 character device is a deleted
	 * file (".wh.NAME"), a directory with trusted.overlay.opaque=y hides
	 * what the layers below it hold (".wh..wh..opq"). */
	int overlay_whiteouts;
	/* Directories on another file system than the top are written, their
	 * contents not (export: the container's own file system only). */
	int one_file_system;
	/* Directories of the kernel's own file systems (procfs, sysfs,
	 * cgroupfs, devpts, mqueue ...) are written, their contents not: a
	 * container's mount namespace has them, its files do not. */
	int skip_kernel_fs;
	/* Paths (relative to the top, "etc/hosts") left out when they are
	 * empty regular files: mount points someone else made, or NULL. */
	const char *const *skip_empty;
};

/* Writes the object fd refers to, whose stat is st, as name ("" for the
 * archive's root: its contents without an entry of its own), then, for a
 * directory, everything under it. fd is opened O_RDONLY for a regular file
 * or a directory and may be -1 (or an O_PATH descriptor) for anything else;
 * it is not closed. A symlink's target is read through fd (O_PATH,
 * readlinkat with an empty path). */
int tar_tree_write(struct tar_writer *t, int fd, const struct stat *st, const char *name,
		   const struct tar_tree_options *opts, struct silo_err *err);

#endif
