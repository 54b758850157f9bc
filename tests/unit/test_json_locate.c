/* Unit tests for json_locate: positions of values by field path, the parent
 * when a field is missing, and the quoting of keys in paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/json_locate.h"

static const char document[] =
	"{\n"                                        /* 1 */
	"\t\"ociVersion\": \"1.2.0\",\n"             /* 2 */
	"\t\"process\": {\n"                         /* 3 */
	"\t\t\"args\": [ \"sh\", 7, [1, {\"x\": 2}], \"last\" ],\n" /* 4 */
	"\t\t\"cwd\": \"/\"\n"                       /* 5 */
	"\t},\n"                                     /* 6 */
	"\t\"annotations\": {\"org.example.a\": \"x\", \"q\\\"k\": 1, \"\": 2},\n" /* 7 */
	"\t\"esc\\u0061ped\": true,\n"               /* 8 */
	"\t\"s\": \"a,}]\\\"{[\", \"after\": null\n" /* 9 */
	"}\n";

static void locate(const char *path, int want_result, int want_line, int want_column)
{
	int line = -1, column = -1;
	int r = json_locate(document, strlen(document), path, &line, &column);

	if (r != want_result || line != want_line || column != want_column)
		print_error("path %s: got %d at %d:%d\n", path, r, line, column);
	assert_int_equal(r, want_result);
	assert_int_equal(line, want_line);
	assert_int_equal(column, want_column);
}

static void test_top_level_and_members(void **state)
{
	(void)state;
	locate("", 1, 1, 1);
	locate("ociVersion", 1, 2, 16);
	locate("process", 1, 3, 13);
	locate("process.cwd", 1, 5, 10);
}

static void test_array_elements(void **state)
{
	(void)state;
	locate("process.args", 1, 4, 11);
	locate("process.args[0]", 1, 4, 13);
	locate("process.args[1]", 1, 4, 19);
	locate("process.args[2]", 1, 4, 22);
	locate("process.args[2][1].x", 1, 4, 32);
	locate("process.args[3]", 1, 4, 37);
}

static void test_missing_points_at_parent(void **state)
{
	(void)state;
	/* the object the key belongs in */
	locate("process.user", 0, 3, 13);
	locate("process.user.uid", 0, 3, 13);
	/* an index past the end points at the array */
	locate("process.args[4]", 0, 4, 11);
	/* a path through a value that is not a container stops there */
	locate("ociVersion.major", 0, 2, 16);
	locate("process.cwd[0]", 0, 5, 10);
	locate("nothing", 0, 1, 1);
}

static void test_quoted_and_escaped_keys(void **state)
{
	(void)state;
	locate("annotations[\"org.example.a\"]", 1, 7, 35);
	locate("annotations[\"q\\\"k\"]", 1, 7, 48);
	locate("annotations[\"\"]", 1, 7, 55);
	/* the key in the text is escaped, the path holds it decoded */
	locate("escaped", 1, 8, 18);
	/* brackets and quotes inside a skipped string do not confuse it */
	locate("after", 1, 9, 28);
}

static void test_malformed_path(void **state)
{
	int line, column;

	(void)state;
	assert_int_equal(json_locate(document, strlen(document), "process..args", &line, &column), -1);
	assert_int_equal(json_locate(document, strlen(document), "process.args[x]", &line, &column),
			 -1);
	assert_int_equal(json_locate(document, strlen(document), "process.args[1", &line, &column), -1);
	assert_int_equal(json_locate(document, strlen(document), "[\"open", &line, &column), -1);
	assert_int_equal(json_locate("", 0, "a", &line, &column), -1);
}

static void test_columns_count_characters(void **state)
{
	/* "é" is two bytes but one column, as jansson counts them. */
	static const char text[] = "{\"\xc3\xa9\": 1, \"b\": 2}";
	int line, column;

	(void)state;
	assert_int_equal(json_locate(text, strlen(text), "b", &line, &column), 1);
	assert_int_equal(line, 1);
	assert_int_equal(column, 15);
	assert_int_equal(json_locate(text, strlen(text), "\xc3\xa9", &line, &column), 1);
	assert_int_equal(column, 7);
}

static void test_text_not_terminated_at_len(void **state)
{
	/* Only len bytes count: the scanner must not run past them. */
	static const char text[] = "{\"a\": [1, 2]}{\"b\": 1}";
	int line, column;

	(void)state;
	assert_int_equal(json_locate(text, 13, "b", &line, &column), 0);
	assert_int_equal(json_locate(text, 5, "a[1]", &line, &column), -1);
}

static void test_path_builders(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(json_path_key(buf, sizeof(buf), "", "process"), "process");
	assert_string_equal(json_path_key(buf, sizeof(buf), "process", "args"), "process.args");
	assert_string_equal(json_path_index(buf, sizeof(buf), "process.args", 3), "process.args[3]");
	assert_string_equal(json_path_key(buf, sizeof(buf), "annotations", "a.b"),
			    "annotations[\"a.b\"]");
	assert_string_equal(json_path_key(buf, sizeof(buf), "x", "q\"\\"), "x[\"q\\\"\\\\\"]");
	assert_string_equal(json_path_key(buf, sizeof(buf), "x", ""), "x[\"\"]");
	/* building on the buffer itself appends */
	json_path_key(buf, sizeof(buf), "", "linux");
	json_path_key(buf, sizeof(buf), buf, "namespaces");
	assert_string_equal(json_path_index(buf, sizeof(buf), buf, 0), "linux.namespaces[0]");
	/* too long is cut, never overrun */
	{
		char small[8];

		json_path_key(small, sizeof(small), "process", "args");
		assert_int_equal(strlen(small), 7);
	}
}

static void test_builders_round_trip_through_locate(void **state)
{
	char path[64];
	int line, column;

	(void)state;
	json_path_key(path, sizeof(path), "annotations", "q\"k");
	assert_int_equal(json_locate(document, strlen(document), path, &line, &column), 1);
	assert_int_equal(line, 7);
	assert_int_equal(column, 48);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_top_level_and_members),
		cmocka_unit_test(test_array_elements),
		cmocka_unit_test(test_missing_points_at_parent),
		cmocka_unit_test(test_quoted_and_escaped_keys),
		cmocka_unit_test(test_malformed_path),
		cmocka_unit_test(test_columns_count_characters),
		cmocka_unit_test(test_text_not_terminated_at_len),
		cmocka_unit_test(test_path_builders),
		cmocka_unit_test(test_builders_round_trip_through_locate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
