/* Unit tests for the tree walker (tar_tree.c) and the entries it writes
 * (tar_write_entry, pax headers), read back with libarchive, and for the
 * extraction rules `cp` gives the safe writer (unpack_tar_fd_at): the
 * renamed top, the owner, types that may not replace each other. A scratch
 * tree is built under /tmp for each test. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "image/tar_tree.h"
#include "image/tar_writer.h"
#include "image/unpack.h"

#include "scratch.h"

struct scratch {
	char dir[SCRATCH_DIR_SIZE]; /* first: scratch_new makes it */
	char tree[96];
	char out[96];
	char tar[96];
};

static int scratch_setup(void **state)
{
	struct scratch *s = scratch_new(sizeof(*s), "tree");

	if (!s)
		return -1;
	snprintf(s->tree, sizeof(s->tree), "%s/tree", s->dir);
	snprintf(s->out, sizeof(s->out), "%s/out", s->dir);
	snprintf(s->tar, sizeof(s->tar), "%s/t.tar", s->dir);
	if (mkdir(s->tree, 0755) < 0 || mkdir(s->out, 0755) < 0) {
		scratch_free(s);
		return -1;
	}
	*state = s;
	return 0;
}

static int scratch_teardown(void **state)
{
	return scratch_free(*state);
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void sub(char *buf, size_t size, const char *dir, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

/* Writes the tree (or the object at name under it) to s->tar. */
static int write_tree(struct scratch *s, const char *name, const char *top,
		      const struct tar_tree_options *opts, struct silo_err *err)
{
	char path[512];
	struct tar_writer t;
	struct stat st;
	int fd, out, r;

	sub(path, sizeof(path), s->tree, name);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	out = open(s->tar, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(out >= 0);
	tar_writer_init(&t, out);
	r = tar_tree_write(&t, fd, &st, top, opts, err);
	if (r == 0)
		r = tar_finish(&t, err);
	close(fd);
	close(out);
	return r;
}

/* "name type [target]" of every entry, one a line (type: the file type
 * bits >> 12, or "hardlink"). */
static char *list_tar(const char *path)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_filename(a, path, 10240), ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *link = archive_entry_symlink(e);

		if (archive_entry_hardlink(e))
			fprintf(f, "%s hardlink %s\n", archive_entry_pathname(e), archive_entry_hardlink(e));
		else
			fprintf(f, "%s %o%s%s\n", archive_entry_pathname(e), archive_entry_filetype(e) >> 12,
				link ? " " : "", link ? link : "");
	}
	archive_read_free(a);
	fclose(f);
	return out;
}

static void test_tree_has_every_kind_of_entry_sorted_with_links(void **state)
{
	struct scratch *s = *state;
	struct silo_err err = { 0 };
	char path[512], other[512];
	char *listing;

	sub(path, sizeof(path), s->tree, "d");
	assert_int_equal(mkdir(path, 0750), 0);
	put(s->tree, "d/b", "bee");
	put(s->tree, "d/a", "ay");
	sub(path, sizeof(path), s->tree, "d/a");
	sub(other, sizeof(other), s->tree, "d/hard");
	assert_int_equal(link(path, other), 0);
	sub(path, sizeof(path), s->tree, "d/sym");
	assert_int_equal(symlink("../../../etc/passwd", path), 0);
	sub(path, sizeof(path), s->tree, "d/fifo");
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(write_tree(s, "d", "d", NULL, &err), 0);
	listing = list_tar(s->tar);
	assert_string_equal(listing, "d/ 4\nd/a 10\nd/b 10\nd/fifo 1\nd/hard hardlink d/a\nd/sym 12 ../../../etc/passwd\n");
	free(listing);
}

static void test_long_names_and_link_targets_go_in_pax_headers(void **state)
{
	struct scratch *s = *state;
	struct silo_err err = { 0 };
	char name[256], target[300], path[600], expected[1200];
	char *listing;

	/* 200 characters without a slash: no ustar split can hold it. */
	memset(name, 'n', 200);
	name[200] = '\0';
	memset(target, 't', 250);
	target[250] = '\0';
	put(s->tree, name, "x");
	sub(path, sizeof(path), s->tree, "l");
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(write_tree(s, "", "", NULL, &err), 0);
	listing = list_tar(s->tar);
	snprintf(expected, sizeof(expected), "l 12 %s\n%s 10\n", target, name);
	assert_string_equal(listing, expected);
	free(listing);
}

static void test_overlay_whiteouts_and_opaque_directories_become_wh_entries(void **state)
{
	struct scratch *s = *state;
	struct tar_tree_options opts = { .overlay_whiteouts = 1 };
	struct silo_err err = { 0 };
	char path[512];
	char *listing;

	sub(path, sizeof(path), s->tree, "gone");
	if (mknod(path, S_IFCHR | 0, makedev(0, 0)) < 0)
		skip(); /* not root */
	sub(path, sizeof(path), s->tree, "opaque");
	assert_int_equal(mkdir(path, 0755), 0);
	if (setxattr(path, "trusted.overlay.opaque", "y", 1, 0) < 0)
		skip();
	put(s->tree, "opaque/kept", "k");
	assert_int_equal(write_tree(s, "", "", &opts, &err), 0);
	listing = list_tar(s->tar);
	assert_string_equal(listing, ".wh.gone 10\nopaque/ 4\nopaque/.wh..wh..opq 10\nopaque/kept 10\n");
	free(listing);
	/* Without the option, the device is a device and no marker appears. */
	assert_int_equal(write_tree(s, "", "", NULL, &err), 0);
	listing = list_tar(s->tar);
	assert_string_equal(listing, "gone 2\nopaque/ 4\nopaque/kept 10\n");
	free(listing);
}

static void test_skip_empty_leaves_out_only_empty_files(void **state)
{
	struct scratch *s = *state;
	static const char *const skip_list[] = { "etc/hosts", "etc/hostname", NULL };
	struct tar_tree_options opts = { .skip_empty = skip_list };
	struct silo_err err = { 0 };
	char path[512];
	char *listing;

	sub(path, sizeof(path), s->tree, "etc");
	assert_int_equal(mkdir(path, 0755), 0);
	put(s->tree, "etc/hosts", "");
	put(s->tree, "etc/hostname", "written");
	assert_int_equal(write_tree(s, "", "", &opts, &err), 0);
	listing = list_tar(s->tar);
	assert_string_equal(listing, "etc/ 4\netc/hostname 10\n");
	free(listing);
}

/* Extracts s->tar into s->out/dest_sub with opts. */
static int extract(struct scratch *s, const struct unpack_options *opts, struct silo_err *err)
{
	struct unpack_result result;
	int fd = open(s->tar, O_RDONLY | O_CLOEXEC), dir = open(s->out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	assert_true(fd >= 0 && dir >= 0);
	r = unpack_tar_fd_at(fd, dir, opts, &result, err);
	close(fd);
	close(dir);
	return r;
}

static void test_cp_rename_top_and_owner(void **state)
{
	struct scratch *s = *state;
	struct unpack_options opts = { .keep_types = 1, .set_owner = 1, .uid = 123, .gid = 456,
				       .rename_top = "renamed" };
	struct silo_err err = { 0 };
	char path[512];
	struct stat st;

	if (geteuid() != 0)
		skip();
	sub(path, sizeof(path), s->tree, "src");
	assert_int_equal(mkdir(path, 0755), 0);
	put(s->tree, "src/f", "data");
	assert_int_equal(write_tree(s, "src", "src", NULL, &err), 0);
	assert_int_equal(extract(s, &opts, &err), 0);
	sub(path, sizeof(path), s->out, "renamed/f");
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_uid, 123);
	assert_int_equal(st.st_gid, 456);
	/* "" puts the top's contents in the directory itself. */
	opts.rename_top = "";
	assert_int_equal(extract(s, &opts, &err), 0);
	sub(path, sizeof(path), s->out, "f");
	assert_int_equal(lstat(path, &st), 0);
	sub(path, sizeof(path), s->out, "src");
	assert_int_equal(lstat(path, &st), -1);
}

static void test_cp_a_directory_never_replaces_a_file(void **state)
{
	struct scratch *s = *state;
	struct unpack_options opts = { .keep_types = 1, .rename_top = "target" };
	struct silo_err err = { 0 };
	char path[512];
	struct stat st;

	sub(path, sizeof(path), s->tree, "src");
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(write_tree(s, "src", "src", NULL, &err), 0);
	put(s->out, "target", "a file");
	assert_int_equal(extract(s, &opts, &err), -1);
	assert_non_null(strstr(err.msg, "cannot overwrite non-directory"));
	sub(path, sizeof(path), s->out, "target");
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
}

/* An archive entry outside the top it started with: a hostile stream
 * that tries to drop files next to the destination. */
static void test_cp_entry_outside_the_top_is_refused(void **state)
{
	struct scratch *s = *state;
	struct unpack_options opts = { .rename_top = "target" };
	struct silo_err err = { 0 };
	char path[512];
	struct stat st;
	struct tar_writer t;
	struct tar_entry dir = { .name = "top", .type = TAR_TYPE_DIR, .mode = 0755 };
	struct tar_entry file = { .name = "elsewhere", .type = TAR_TYPE_FILE, .mode = 0644, .size = 1 };
	int out = open(s->tar, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	tar_writer_init(&t, out);
	assert_int_equal(tar_write_entry(&t, &dir, &err), 0);
	assert_int_equal(tar_write_entry(&t, &file, &err), 0);
	assert_int_equal(tar_write_data(&t, "x", 1, &err), 0);
	assert_int_equal(tar_end_file(&t, &err), 0);
	assert_int_equal(tar_finish(&t, &err), 0);
	close(out);
	assert_int_equal(extract(s, &opts, &err), -1);
	assert_non_null(strstr(err.msg, "outside the archive's top"));
	sub(path, sizeof(path), s->out, "elsewhere");
	assert_int_equal(lstat(path, &st), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, scratch_setup, scratch_teardown)
		T(test_tree_has_every_kind_of_entry_sorted_with_links),
		T(test_long_names_and_link_targets_go_in_pax_headers),
		T(test_overlay_whiteouts_and_opaque_directories_become_wh_entries),
		T(test_skip_empty_leaves_out_only_empty_files),
		T(test_cp_rename_top_and_owner),
		T(test_cp_a_directory_never_replaces_a_file),
		T(test_cp_entry_outside_the_top_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
