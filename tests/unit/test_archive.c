/* Unit tests for image archives: the tar writer `save` uses, read back by
 * libarchive, and the name cleaning both loaders rely on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "image/image_archive.h"
#include "image/tar_writer.h"

static void test_tar_writer_output_reads_back(void **state)
{
	char long_name[200];
	struct tar_writer t;
	struct silo_err err = { 0 };
	struct archive *a;
	struct archive_entry *e;
	char data[16];
	FILE *f = tmpfile();
	int fd;

	(void)state;
	assert_non_null(f);
	fd = fileno(f);
	/* 150 characters with slashes: only fits as prefix + name. */
	snprintf(long_name, sizeof(long_name), "%0100d/%049d", 0, 0);
	tar_writer_init(&t, fd);
	assert_int_equal(tar_write_dir(&t, "blobs", &err), 0);
	assert_int_equal(tar_write_file(&t, "manifest.json", "[]", 2, &err), 0);
	assert_int_equal(tar_write_file(&t, long_name, "0123456789", 10, &err), 0);
	assert_int_equal(tar_finish(&t, &err), 0);
	assert_int_equal(lseek(fd, 0, SEEK_END) % 512, 0);
	lseek(fd, 0, SEEK_SET);

	a = archive_read_new();
	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_fd(a, fd, 10240), ARCHIVE_OK);
	assert_int_equal(archive_read_next_header(a, &e), ARCHIVE_OK);
	assert_string_equal(archive_entry_pathname(e), "blobs/");
	assert_int_equal(archive_entry_filetype(e), AE_IFDIR);
	assert_int_equal(archive_read_next_header(a, &e), ARCHIVE_OK);
	assert_string_equal(archive_entry_pathname(e), "manifest.json");
	assert_int_equal(archive_read_data(a, data, sizeof(data)), 2);
	assert_int_equal(archive_read_next_header(a, &e), ARCHIVE_OK);
	assert_string_equal(archive_entry_pathname(e), long_name);
	assert_int_equal(archive_entry_size(e), 10);
	assert_int_equal(archive_read_data(a, data, sizeof(data)), 10);
	assert_memory_equal(data, "0123456789", 10);
	assert_int_equal(archive_read_next_header(a, &e), ARCHIVE_EOF);
	archive_read_free(a);
	fclose(f);
}

static void test_tar_writer_refuses_wrong_sizes_and_long_names(void **state)
{
	char name[300];
	struct tar_writer t;
	struct silo_err err = { 0 };
	FILE *f = tmpfile();

	(void)state;
	tar_writer_init(&t, fileno(f));
	assert_int_equal(tar_begin_file(&t, "a", 3, &err), 0);
	assert_true(tar_write_data(&t, "abcd", 4, &err) < 0);
	assert_int_equal(tar_write_data(&t, "ab", 2, &err), 0);
	assert_true(tar_end_file(&t, &err) < 0);
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_true(tar_write_file(&t, name, "", 0, &err) < 0);
	fclose(f);
}

static void test_archive_names_are_cleaned_and_kept_inside(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(image_archive_clean_name("./manifest.json", out, sizeof(out)), 0);
	assert_string_equal(out, "manifest.json");
	assert_int_equal(image_archive_clean_name("/blobs//sha256/./x", out, sizeof(out)), 0);
	assert_string_equal(out, "blobs/sha256/x");
	assert_int_equal(image_archive_clean_name("abc/../def.tar", out, sizeof(out)), 0);
	assert_string_equal(out, "def.tar");
	assert_int_equal(image_archive_clean_name("a/b/../../c", out, sizeof(out)), 0);
	assert_string_equal(out, "c");
	assert_true(image_archive_clean_name("../etc/passwd", out, sizeof(out)) < 0);
	assert_true(image_archive_clean_name("a/../../b", out, sizeof(out)) < 0);
	assert_true(image_archive_clean_name("./", out, sizeof(out)) < 0);
	assert_true(image_archive_clean_name("", out, sizeof(out)) < 0);
	assert_true(image_archive_clean_name("a-name-that-does-not-fit-in-the-buffer-at-all-no-way-really",
					     out, 16) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tar_writer_output_reads_back),
		cmocka_unit_test(test_tar_writer_refuses_wrong_sizes_and_long_names),
		cmocka_unit_test(test_archive_names_are_cleaned_and_kept_inside),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
