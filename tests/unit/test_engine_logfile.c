/* Unit tests for the container log's JSON lines (src/engine/logfile.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/logfile.h"
#include "util/cleanup.h"

/* Everything written to a pipe so far, as one string. */
static char *drain(int fd)
{
	static char buf[1 << 17];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void test_one_entry_per_line_and_the_rest_at_flush(void **state)
{
	struct logfile_stream s = { .name = "stdout" };
	int p[2];
	char *out, *line2;
	_cleanup_free_ char *text = NULL;
	size_t len;
	int is_stderr;

	(void)state;
	assert_int_equal(pipe(p), 0);
	logfile_feed(p[1], &s, "one\ntw", 6);
	logfile_feed(p[1], &s, "o\nthree", 7);
	logfile_flush(p[1], &s);
	close(p[1]);
	out = drain(p[0]);
	close(p[0]);
	/* Three entries: "one\n", "two\n", then "three" at the flush. */
	line2 = strchr(out, '\n');
	assert_non_null(line2);
	*line2 = '\0';
	assert_int_equal(logfile_parse_line(out, &text, &len, &is_stderr, NULL), 0);
	assert_int_equal(len, 4);
	assert_memory_equal(text, "one\n", 4);
	assert_false(is_stderr);
	assert_non_null(strstr(line2 + 1, "\"log\":\"two\\n\""));
	assert_non_null(strstr(line2 + 1, "\"log\":\"three\""));
	assert_non_null(strstr(line2 + 1, "\"stream\":\"stdout\""));
}

static void test_long_lines_are_split(void **state)
{
	struct logfile_stream s = { .name = "stderr" };
	static char big[LOGFILE_CHUNK * 2 + 10];
	int p[2], entries = 0;
	char *out;

	(void)state;
	memset(big, 'x', sizeof(big));
	assert_int_equal(pipe(p), 0);
	logfile_feed(p[1], &s, big, sizeof(big));
	logfile_flush(p[1], &s);
	close(p[1]);
	out = drain(p[0]);
	close(p[0]);
	for (char *c = out; *c; c++)
		entries += *c == '\n';
	assert_int_equal(entries, 3);
	assert_non_null(strstr(out, "\"stream\":\"stderr\""));
}

static void test_binary_output_and_bad_lines(void **state)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *when = NULL;
	size_t len;
	int is_stderr;

	(void)state;
	assert_int_equal(logfile_parse_line("{\"log\":\"a\\u0000b\",\"stream\":\"stderr\",\"time\":\"T\"}",
					    &text, &len, &is_stderr, &when),
			 0);
	assert_int_equal(len, 3);
	assert_memory_equal(text, "a\0b", 3);
	assert_true(is_stderr);
	assert_string_equal(when, "T");
	assert_int_equal(logfile_parse_line("not json", &text, &len, &is_stderr, NULL), -1);
}

static void test_invalid_utf8_is_replaced_not_dropped(void **state)
{
	struct logfile_stream s = { .name = "stdout" };
	int p[2];
	char *out;

	(void)state;
	assert_int_equal(pipe(p), 0);
	logfile_feed(p[1], &s, "a\xff\xc3\xa9\xed\xa0\x80z\n", 9);
	close(p[1]);
	out = drain(p[0]);
	close(p[0]);
	/* \xff and the surrogate's three bytes each become U+FFFD; é stays. */
	assert_non_null(strstr(out, "\"log\":\"a\\uFFFD\\u00E9\\uFFFD\\uFFFD\\uFFFDz\\n\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_entry_per_line_and_the_rest_at_flush),
		cmocka_unit_test(test_long_lines_are_split),
		cmocka_unit_test(test_binary_output_and_bad_lines),
		cmocka_unit_test(test_invalid_utf8_is_replaced_not_dropped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
