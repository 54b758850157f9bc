/* libarchive, opened when first needed (util/dlib.h) rather than linked:
 * with what it pulls in (libxml2, ICU...) it would cost every engine
 * command milliseconds at its start, though most never read an archive.
 *
 * A file that reads archives includes this header: <archive.h> and
 * <archive_entry.h> still give the types and constants, and each function
 * silo uses is renamed below to its pointer in archive_lib, so that calls
 * read as libarchive's own. The pointers are NULL until archive_lib_load
 * succeeds: every public function that can reach libarchive calls it
 * first. */
#ifndef SILO_IMAGE_ARCHIVE_LIB_H
#define SILO_IMAGE_ARCHIVE_LIB_H

#include <archive.h>
#include <archive_entry.h>

#include "util/err.h"

/* The ABI of libarchive 3, whose headers silo is built with. */
#define ARCHIVE_LIB_SONAME "libarchive.so.13"

/* Each pointer has the type of libarchive's own declaration. */
struct archive_lib {
	void *handle;
	__typeof__(&archive_read_new) read_new;
	__typeof__(&archive_read_free) read_free;
	__typeof__(&archive_read_support_filter_gzip) read_support_filter_gzip;
	__typeof__(&archive_read_support_filter_xz) read_support_filter_xz;
	__typeof__(&archive_read_support_filter_zstd) read_support_filter_zstd;
	__typeof__(&archive_read_support_format_raw) read_support_format_raw;
	__typeof__(&archive_read_support_format_tar) read_support_format_tar;
	__typeof__(&archive_read_open) read_open;
	__typeof__(&archive_read_open_fd) read_open_fd;
	__typeof__(&archive_read_next_header) read_next_header;
	__typeof__(&archive_read_data) read_data;
	__typeof__(&archive_read_data_block) read_data_block;
	__typeof__(&archive_error_string) error_string;
	__typeof__(&archive_set_error) set_error;
	__typeof__(&archive_entry_pathname) entry_pathname;
	__typeof__(&archive_entry_hardlink) entry_hardlink;
	__typeof__(&archive_entry_symlink) entry_symlink;
	__typeof__(&archive_entry_filetype) entry_filetype;
	__typeof__(&archive_entry_perm) entry_perm;
	__typeof__(&archive_entry_uid) entry_uid;
	__typeof__(&archive_entry_gid) entry_gid;
	__typeof__(&archive_entry_size) entry_size;
	__typeof__(&archive_entry_rdev) entry_rdev;
	__typeof__(&archive_entry_atime) entry_atime;
	__typeof__(&archive_entry_atime_is_set) entry_atime_is_set;
	__typeof__(&archive_entry_atime_nsec) entry_atime_nsec;
	__typeof__(&archive_entry_mtime) entry_mtime;
	__typeof__(&archive_entry_mtime_nsec) entry_mtime_nsec;
	__typeof__(&archive_entry_xattr_reset) entry_xattr_reset;
	__typeof__(&archive_entry_xattr_next) entry_xattr_next;
};

extern struct archive_lib archive_lib;

/* Opens libarchive, once per process; fails as "load libarchive.so.13:
 * why", every pointer left NULL. */
int archive_lib_load(struct silo_err *err);

#define archive_read_new archive_lib.read_new
#define archive_read_free archive_lib.read_free
#define archive_read_support_filter_gzip archive_lib.read_support_filter_gzip
#define archive_read_support_filter_xz archive_lib.read_support_filter_xz
#define archive_read_support_filter_zstd archive_lib.read_support_filter_zstd
#define archive_read_support_format_raw archive_lib.read_support_format_raw
#define archive_read_support_format_tar archive_lib.read_support_format_tar
#define archive_read_open archive_lib.read_open
#define archive_read_open_fd archive_lib.read_open_fd
#define archive_read_next_header archive_lib.read_next_header
#define archive_read_data archive_lib.read_data
#define archive_read_data_block archive_lib.read_data_block
#define archive_error_string archive_lib.error_string
#define archive_set_error archive_lib.set_error
#define archive_entry_pathname archive_lib.entry_pathname
#define archive_entry_hardlink archive_lib.entry_hardlink
#define archive_entry_symlink archive_lib.entry_symlink
#define archive_entry_filetype archive_lib.entry_filetype
#define archive_entry_perm archive_lib.entry_perm
#define archive_entry_uid archive_lib.entry_uid
#define archive_entry_gid archive_lib.entry_gid
#define archive_entry_size archive_lib.entry_size
#define archive_entry_rdev archive_lib.entry_rdev
#define archive_entry_atime archive_lib.entry_atime
#define archive_entry_atime_is_set archive_lib.entry_atime_is_set
#define archive_entry_atime_nsec archive_lib.entry_atime_nsec
#define archive_entry_mtime archive_lib.entry_mtime
#define archive_entry_mtime_nsec archive_lib.entry_mtime_nsec
#define archive_entry_xattr_reset archive_lib.entry_xattr_reset
#define archive_entry_xattr_next archive_lib.entry_xattr_next

/* A reader is freed when it goes out of scope; NULL (never made, or the
 * library not loaded) is left alone. */
static inline void cleanup_archivep(struct archive **a)
{
	if (*a)
		archive_read_free(*a);
}
#define _cleanup_archive_ __attribute__((cleanup(cleanup_archivep)))

#endif
