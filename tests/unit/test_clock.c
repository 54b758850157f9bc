/* Unit tests for the timestamp helpers: RFC 3339 and the points in time
 * docker's filters take. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "util/clock.h"

static void test_rfc3339(void **state)
{
	double t;

	(void)state;
	assert_int_equal(clock_parse_rfc3339("2026-12-01T09:30:00Z", &t), 0);
	assert_true(t == 1796117400.0);
	assert_int_equal(clock_parse_rfc3339("2026-12-01T09:30:00.5Z", &t), 0);
	assert_true(t == 1796117400.5);
	assert_int_equal(clock_parse_rfc3339("2026-12-01T11:30:00+02:00", &t), 0);
	assert_true(t == 1796117400.0);
	assert_int_equal(clock_parse_rfc3339("2026-12-01T08:30:00-01:00", &t), 0);
	assert_true(t == 1796117400.0);
	assert_int_equal(clock_parse_rfc3339("2026-12-01T09:30", &t), 0);
	assert_true(t == 1796117400.0);
	assert_int_equal(clock_parse_rfc3339("2026-12-01", &t), 0);
	assert_true(t == 1796083200.0);
	assert_int_equal(clock_parse_rfc3339("2026-12-01T09:30:00Zjunk", &t), -1);
	assert_int_equal(clock_parse_rfc3339("2026-12-01T09:30:00+2", &t), -1);
	assert_int_equal(clock_parse_rfc3339("yesterday", &t), -1);
	assert_int_equal(clock_parse_rfc3339("", &t), -1);
}

static void test_point(void **state)
{
	const time_t now = 1796117400;
	double t;

	(void)state;
	assert_int_equal(clock_parse_point("10m", now, &t), 0);
	assert_true(t == now - 600.0);
	assert_int_equal(clock_parse_point("1h30m", now, &t), 0);
	assert_true(t == now - 5400.0);
	assert_int_equal(clock_parse_point("1.5h", now, &t), 0);
	assert_true(t == now - 5400.0);
	assert_int_equal(clock_parse_point("500ms", now, &t), 0);
	assert_true(t == now - 0.5);
	assert_int_equal(clock_parse_point("1700000000", now, &t), 0);
	assert_true(t == 1700000000.0);
	assert_int_equal(clock_parse_point("1700000000.25", now, &t), 0);
	assert_true(t == 1700000000.25);
	assert_int_equal(clock_parse_point("2026-12-01T09:30:00Z", now, &t), 0);
	assert_true(t == 1796117400.0);
	assert_int_equal(clock_parse_point("10x", now, &t), -1);
	assert_int_equal(clock_parse_point("h", now, &t), -1);
	assert_int_equal(clock_parse_point("1.2.3", now, &t), -1);
	assert_int_equal(clock_parse_point("", now, &t), -1);
	assert_int_equal(clock_parse_point("soon", now, &t), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_point),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
