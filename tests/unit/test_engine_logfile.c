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
#include "util/strv.h"

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
	logfile_feed(&(struct logfile){ .fd = p[1] }, &s, "one\ntw", 6);
	logfile_feed(&(struct logfile){ .fd = p[1] }, &s, "o\nthree", 7);
	logfile_flush(&(struct logfile){ .fd = p[1] }, &s);
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
	logfile_feed(&(struct logfile){ .fd = p[1] }, &s, big, sizeof(big));
	logfile_flush(&(struct logfile){ .fd = p[1] }, &s);
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
	logfile_feed(&(struct logfile){ .fd = p[1] }, &s, "a\xff\xc3\xa9\xed\xa0\x80z\n", 9);
	close(p[1]);
	out = drain(p[0]);
	close(p[0]);
	/* \xff and the surrogate's three bytes each become U+FFFD; é stays. */
	assert_non_null(strstr(out, "\"log\":\"a\\uFFFD\\u00E9\\uFFFD\\uFFFD\\uFFFDz\\n\""));
}

static void test_log_options(void **state)
{
	char *good[] = { "max-size=10m", "max-file=3", NULL };
	char *kb[] = { "max-size=512kb", NULL };
	char *mib[] = { "max-size=1.5MiB", NULL };
	char *bare_unit[] = { "max-size=m", NULL };
	char *unknown[] = { "max-sise=1m", NULL };
	char *bad_size[] = { "max-size=ten", NULL };
	char *zero_files[] = { "max-size=1m", "max-file=0", NULL };
	char *files_alone[] = { "max-file=2", NULL };
	struct silo_err err = { 0 };
	json_t *config = NULL;

	(void)state;
	assert_int_equal(logfile_config_parse(NULL, good, &config, &err), 0);
	assert_string_equal(json_string_value(json_object_get(config, "Type")), "json-file");
	assert_string_equal(json_string_value(json_object_get(json_object_get(config, "Config"), "max-file")), "3");
	assert_true(logfile_config_readable(config));
	json_decref(config);
	assert_int_equal(logfile_config_parse("json-file", kb, &config, &err), 0);
	json_decref(config);
	assert_int_equal(logfile_config_parse("json-file", mib, &config, &err), 0);
	json_decref(config);
	assert_true(logfile_config_parse(NULL, bare_unit, &config, &err) < 0);
	assert_int_equal(logfile_config_parse("none", NULL, &config, &err), 0);
	assert_false(logfile_config_readable(config));
	json_decref(config);
	assert_true(logfile_config_parse("syslog", NULL, &config, &err) < 0);
	assert_non_null(strstr(err.msg, "\"syslog\""));
	assert_true(logfile_config_parse(NULL, unknown, &config, &err) < 0);
	assert_non_null(strstr(err.msg, "unknown option \"max-sise\""));
	assert_true(logfile_config_parse(NULL, bad_size, &config, &err) < 0);
	assert_non_null(strstr(err.msg, "max-size=\"ten\""));
	assert_true(logfile_config_parse(NULL, zero_files, &config, &err) < 0);
	assert_non_null(strstr(err.msg, "max-file=\"0\""));
	assert_true(logfile_config_parse(NULL, files_alone, &config, &err) < 0);
	assert_non_null(strstr(err.msg, "needs max-size"));
	assert_true(logfile_config_parse("none", good, &config, &err) < 0);
}

/* Lines in the files logfile_files lists, oldest first. */
static int count_lines(char **files, char *first, size_t size)
{
	int n = 0;

	first[0] = '\0';
	for (char **f = files; *f; f++) {
		FILE *in = fopen(*f, "r");
		char line[256];

		assert_non_null(in);
		while (fgets(line, sizeof(line), in)) {
			if (n++ == 0)
				snprintf(first, size, "%s", line);
		}
		fclose(in);
	}
	return n;
}

static void test_rotation_keeps_max_file_files(void **state)
{
	char dir[] = "/tmp/silo-logfile-test.XXXXXX";
	char *opts[] = { "max-size=1k", "max-file=3", NULL };
	struct logfile_stream s = { .name = "stdout" };
	struct silo_err err = { 0 };
	struct logfile log;
	json_t *config = NULL;
	char **files, first[256], cmd[128];

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(logfile_config_parse(NULL, opts, &config, &err), 0);
	assert_int_equal(logfile_open(&log, dir, config, &err), 0);
	/* About 90 bytes an entry: 400 lines are far more than 3 KiB. */
	for (int i = 0; i < 400; i++) {
		char line[32];
		int n = snprintf(line, sizeof(line), "line %d\n", i);

		logfile_feed(&log, &s, line, (size_t)n);
	}
	logfile_close(&log);
	files = logfile_files(dir);
	assert_int_equal(strv_length(files), 3);
	assert_non_null(strstr(files[0], "container.log.2"));
	assert_non_null(strstr(files[2], "container.log"));
	/* The last lines are all there, in order; the oldest ones went. */
	int kept = count_lines(files, first, sizeof(first));
	assert_true(kept > 20 && kept < 400);
	char want[64];
	snprintf(want, sizeof(want), "\"line %d\\n\"", 400 - kept);
	assert_non_null(strstr(first, want));
	strv_free(files);
	json_decref(config);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_entry_per_line_and_the_rest_at_flush),
		cmocka_unit_test(test_long_lines_are_split),
		cmocka_unit_test(test_binary_output_and_bad_lines),
		cmocka_unit_test(test_invalid_utf8_is_replaced_not_dropped),
		cmocka_unit_test(test_log_options),
		cmocka_unit_test(test_rotation_keeps_max_file_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
