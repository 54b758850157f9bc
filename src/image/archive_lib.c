/* Opening libarchive when first needed (see archive_lib.h). */
#include "image/archive_lib.h"

#include "util/dlib.h"
#include "util/strv.h"

struct archive_lib archive_lib;

int archive_lib_load(struct silo_err *err)
{
	const struct dlib_symbol symbols[] = {
		{ "archive_read_new", (void **)&archive_lib.read_new, 0 },
		{ "archive_read_free", (void **)&archive_lib.read_free, 0 },
		{ "archive_read_support_filter_gzip", (void **)&archive_lib.read_support_filter_gzip, 0 },
		{ "archive_read_support_filter_xz", (void **)&archive_lib.read_support_filter_xz, 0 },
		{ "archive_read_support_filter_zstd", (void **)&archive_lib.read_support_filter_zstd, 0 },
		{ "archive_read_support_format_raw", (void **)&archive_lib.read_support_format_raw, 0 },
		{ "archive_read_support_format_tar", (void **)&archive_lib.read_support_format_tar, 0 },
		{ "archive_read_open", (void **)&archive_lib.read_open, 0 },
		{ "archive_read_open_fd", (void **)&archive_lib.read_open_fd, 0 },
		{ "archive_read_next_header", (void **)&archive_lib.read_next_header, 0 },
		{ "archive_read_data", (void **)&archive_lib.read_data, 0 },
		{ "archive_read_data_block", (void **)&archive_lib.read_data_block, 0 },
		{ "archive_error_string", (void **)&archive_lib.error_string, 0 },
		{ "archive_set_error", (void **)&archive_lib.set_error, 0 },
		{ "archive_entry_pathname", (void **)&archive_lib.entry_pathname, 0 },
		{ "archive_entry_hardlink", (void **)&archive_lib.entry_hardlink, 0 },
		{ "archive_entry_symlink", (void **)&archive_lib.entry_symlink, 0 },
		{ "archive_entry_filetype", (void **)&archive_lib.entry_filetype, 0 },
		{ "archive_entry_perm", (void **)&archive_lib.entry_perm, 0 },
		{ "archive_entry_uid", (void **)&archive_lib.entry_uid, 0 },
		{ "archive_entry_gid", (void **)&archive_lib.entry_gid, 0 },
		{ "archive_entry_size", (void **)&archive_lib.entry_size, 0 },
		{ "archive_entry_rdev", (void **)&archive_lib.entry_rdev, 0 },
		{ "archive_entry_atime", (void **)&archive_lib.entry_atime, 0 },
		{ "archive_entry_atime_is_set", (void **)&archive_lib.entry_atime_is_set, 0 },
		{ "archive_entry_atime_nsec", (void **)&archive_lib.entry_atime_nsec, 0 },
		{ "archive_entry_mtime", (void **)&archive_lib.entry_mtime, 0 },
		{ "archive_entry_mtime_nsec", (void **)&archive_lib.entry_mtime_nsec, 0 },
		{ "archive_entry_xattr_reset", (void **)&archive_lib.entry_xattr_reset, 0 },
		{ "archive_entry_xattr_next", (void **)&archive_lib.entry_xattr_next, 0 },
	};

	return dlib_open(&archive_lib.handle, ARCHIVE_LIB_SONAME, symbols, ARRAY_SIZE(symbols), err);
}
