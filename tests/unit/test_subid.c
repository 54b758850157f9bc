/* Unit tests for the subordinate ID ranges of /etc/subuid-style files,
 * written to a scratch file under /tmp that each test removes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/subid.h"

static char *write_scratch(const char *text)
{
	static char path[64];
	int fd;

	strcpy(path, "/tmp/silo-test-subid-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_ranges_by_name_and_id_in_file_order(void **state)
{
	struct subid_range r[4];
	struct silo_err err = { 0 };
	char *path = write_scratch("# comment\n"
				   "bob:100000:65536\n"
				   "alice:200000:65536\n"
				   "1001:300000:1000\n"
				   "alice:400000:10\n");

	(void)state;
	assert_int_equal(subid_ranges(path, "alice", 1001, r, 4, &err), 3);
	assert_int_equal(r[0].start, 200000);
	assert_int_equal(r[0].count, 65536);
	assert_int_equal(r[1].start, 300000);
	assert_int_equal(r[1].count, 1000);
	assert_int_equal(r[2].start, 400000);
	assert_int_equal(r[2].count, 10);
	/* At most max of them. */
	assert_int_equal(subid_ranges(path, "alice", 1001, r, 1, &err), 1);
	assert_int_equal(r[0].start, 200000);
	/* No name: the numeric ID alone. */
	assert_int_equal(subid_ranges(path, NULL, 1001, r, 4, &err), 1);
	assert_int_equal(r[0].start, 300000);
	assert_int_equal(subid_ranges(path, "carol", 1002, r, 4, &err), 0);
	unlink(path);
}

static void test_malformed_lines_are_skipped(void **state)
{
	struct subid_range r[4];
	struct silo_err err = { 0 };
	char *path = write_scratch("alice\n"
				   "alice:100000\n"
				   "alice:x:65536\n"
				   "alice:100000:0\n"
				   "alice:100000:12y\n"
				   "alicex:1:2\n"
				   "alice:500000:7");

	(void)state;
	assert_int_equal(subid_ranges(path, "alice", 1001, r, 4, &err), 1);
	assert_int_equal(r[0].start, 500000);
	assert_int_equal(r[0].count, 7);
	unlink(path);
}

static void test_missing_file_is_no_ranges(void **state)
{
	struct subid_range r[1];
	struct silo_err err = { 0 };

	(void)state;
	assert_int_equal(subid_ranges("/nonexistent/subuid", "alice", 1001, r, 1, &err), 0);
}

static void test_mapped_ids_need_no_explanation(void **state)
{
	char why[256] = "";

	(void)state;
	/* Whatever namespace the tests run in, its own IDs are mapped. */
	assert_int_equal(subid_explain_unmapped(0, 0, why, sizeof(why)), 0);
	assert_string_equal(why, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ranges_by_name_and_id_in_file_order),
		cmocka_unit_test(test_malformed_lines_are_skipped),
		cmocka_unit_test(test_missing_file_is_no_ranges),
		cmocka_unit_test(test_mapped_ids_need_no_explanation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
