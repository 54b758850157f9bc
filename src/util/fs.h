/* File helpers: crash-safe writes, whole-file reads, directory trees. */
#ifndef SILO_UTIL_FS_H
#define SILO_UTIL_FS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/err.h"

/* Reads a whole file (at most max bytes) into a NUL-terminated buffer. */
int fs_read_file(const char *path, size_t max, char **out, size_t *len, struct silo_err *err);

/* Reads a whole file relative to dirfd. */
int fs_read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len,
		    struct silo_err *err);

/* Writes data to path by write-temp, fsync, rename, so a reader sees the old
 * content or the new, never a torn file. */
int fs_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
			 struct silo_err *err);

/* The same without the fsync: a reader, and a silo killed half-way, still
 * see the old content or the new, never a torn file, but a machine crash
 * may leave it empty. Only for files about what a reboot ends anyway (the
 * runtime's state of its containers, a PID file): after a crash they
 * describe nothing that still exists, and the runtime takes an unreadable
 * state for a container that is gone. On a disk the fsync is most of the
 * cost of such a write (1-3 ms on the development VM). */
int fs_write_file_replace(const char *path, const void *data, size_t len, mode_t mode,
			  struct silo_err *err);

/* Big writes that a later fsync or syncfs must make durable: once a file
 * has FS_WRITEBACK_CHUNK bytes not yet handed to the disk, the caller asks
 * for their writeback without waiting for it (sync_file_range
 * SYNC_FILE_RANGE_WRITE), so the disk works while the data is still
 * arriving, and the final sync finds little left to do. */
#define FS_WRITEBACK_CHUNK (8 * 1024 * 1024)
void fs_start_writeback(int fd, off_t offset, off_t len);

/* write(2) until all of data is out, through EINTR and short writes.
 * Returns 0 or -errno. */
int fs_write_all(int fd, const void *data, size_t len);

/* Writes a short string to an existing file (procfs, cgroupfs knobs). */
int fs_write_string(const char *path, const char *value, struct silo_err *err);
int fs_write_string_at(int dirfd, const char *path, const char *value, struct silo_err *err);

/* Opens (creating it) and takes an exclusive flock on a lock file; the
 * descriptor holds the lock until it is closed. */
int fs_lock_file(const char *path, struct silo_err *err);

/* mkdir -p; existing directories are fine. */
int fs_mkdir_p(const char *path, mode_t mode, struct silo_err *err);

/* rm -rf of a directory tree that silo owns; never crosses mount points. */
int fs_remove_tree(const char *path, struct silo_err *err);

/* The bytes of the regular files under path (their sizes, as docker
 * counts them), not crossing mount points; 0 for a missing path. */
uint64_t fs_disk_usage(const char *path);
/* The same for the entry name (one component) of the directory parent_fd:
 * nothing is followed, a missing entry is fine. */
int fs_remove_tree_at(int parent_fd, const char *name, struct silo_err *err);

/* Returns a freshly allocated absolute, lexically cleaned path. */
char *fs_absolute_path(const char *path);

#endif
