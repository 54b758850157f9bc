/* Unit tests for struct silo_err: messages, the errno behind them, and
 * context added in front by callers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/err.h"

static void test_set_without_cause(void **state)
{
	struct silo_err err = { 0 };

	(void)state;
	assert_int_equal(silo_err_set(&err, 0, "container \"%s\" does not exist", "web"), -1);
	assert_string_equal(err.msg, "container \"web\" does not exist");
	assert_int_equal(err.code, 0);
}

static void test_set_keeps_code_but_not_its_text(void **state)
{
	struct silo_err err = { 0 };

	(void)state;
	/* the message says it all; the code is for callers that branch on it */
	assert_int_equal(silo_err_set(&err, ENOENT, "container \"%s\" does not exist", "web"),
			 -ENOENT);
	assert_string_equal(err.msg, "container \"web\" does not exist");
	assert_int_equal(err.code, ENOENT);
}

static void test_sys_appends_the_cause(void **state)
{
	struct silo_err err = { 0 };

	(void)state;
	assert_int_equal(silo_err_sys(&err, EACCES, "mount \"%s\"", "/proc"), -EACCES);
	assert_string_equal(err.msg, "mount \"/proc\": Permission denied");
	assert_int_equal(err.code, EACCES);
	/* no cause, nothing appended */
	assert_int_equal(silo_err_sys(&err, 0, "mount \"%s\"", "/sys"), -1);
	assert_string_equal(err.msg, "mount \"/sys\"");
}

static void test_errno_macro(void **state)
{
	struct silo_err err = { 0 };

	(void)state;
	errno = ENOENT;
	assert_int_equal(silo_err_errno(&err, "open \"%s\"", "config.json"), -ENOENT);
	assert_string_equal(err.msg, "open \"config.json\": No such file or directory");
	assert_int_equal(err.code, ENOENT);
}

static void test_prefix_keeps_message_and_code(void **state)
{
	struct silo_err err = { 0 };

	(void)state;
	silo_err_sys(&err, EPERM, "write \"%s\"", "memory.max");
	assert_int_equal(silo_err_prefix(&err, "container \"%s\"", "web"), -EPERM);
	assert_string_equal(err.msg, "container \"web\": write \"memory.max\": Operation not permitted");
	assert_int_equal(err.code, EPERM);

	silo_err_set(&err, 0, "bad");
	assert_int_equal(silo_err_prefix(&err, "a"), -1);
	assert_int_equal(silo_err_prefix(&err, "b"), -1);
	assert_string_equal(err.msg, "b: a: bad");
}

static void test_null_err_still_returns_the_code(void **state)
{
	(void)state;
	assert_int_equal(silo_err_set(NULL, EINVAL, "x"), -EINVAL);
	assert_int_equal(silo_err_sys(NULL, EIO, "x"), -EIO);
	assert_int_equal(silo_err_set(NULL, 0, "x"), -1);
	assert_int_equal(silo_err_prefix(NULL, "x"), -1);
	silo_err_clear(NULL);
}

static void test_clear(void **state)
{
	struct silo_err err = { 0 };

	(void)state;
	silo_err_sys(&err, EIO, "read");
	silo_err_clear(&err);
	assert_int_equal(err.code, 0);
	assert_string_equal(err.msg, "");
}

static void test_long_messages_are_cut_not_overrun(void **state)
{
	struct silo_err err;
	char long_text[3 * SILO_ERR_MAX];

	(void)state;
	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	memset(&err, 0, sizeof(err));
	silo_err_sys(&err, EIO, "%s", long_text);
	assert_int_equal(strlen(err.msg), SILO_ERR_MAX - 1);
	assert_int_equal(err.code, EIO);
	silo_err_prefix(&err, "%s", long_text);
	assert_int_equal(strlen(err.msg), SILO_ERR_MAX - 1);
	assert_int_equal(err.code, EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_without_cause),
		cmocka_unit_test(test_set_keeps_code_but_not_its_text),
		cmocka_unit_test(test_sys_appends_the_cause),
		cmocka_unit_test(test_errno_macro),
		cmocka_unit_test(test_prefix_keeps_message_and_code),
		cmocka_unit_test(test_null_err_still_returns_the_code),
		cmocka_unit_test(test_clear),
		cmocka_unit_test(test_long_messages_are_cut_not_overrun),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
