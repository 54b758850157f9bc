/* Unit tests for the time parsing of src/util/clock.c: RFC 3339, Go
 * durations and docker's --since/--until points. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "util/clock.h"

static void test_rfc3339(void **state)
{
	struct timespec ts;

	(void)state;
	assert_int_equal(clock_parse_rfc3339("2026-12-01T09:30:00.123456789Z", &ts), 0);
	assert_int_equal(ts.tv_sec, 1796117400);
	assert_int_equal(ts.tv_nsec, 123456789);
	assert_int_equal(clock_parse_rfc3339("2026-12-01T11:30:00.5+02:00", &ts), 0);
	assert_int_equal(ts.tv_sec, 1796117400);
	assert_int_equal(ts.tv_nsec, 500000000);
	assert_int_equal(clock_parse_rfc3339("2026-12-01T09:30:00Z", &ts), 0);
	assert_int_equal(ts.tv_nsec, 0);
	assert_int_equal(clock_parse_rfc3339("2026-12-01T09:30:00", &ts), -1);
	assert_int_equal(clock_parse_rfc3339("2026-12-01T09:30:00.Z", &ts), -1);
	assert_int_equal(clock_parse_rfc3339("2026-12-01T09:30:00Zjunk", &ts), -1);
	assert_int_equal(clock_parse_rfc3339("yesterday", &ts), -1);
}

static void test_durations(void **state)
{
	int64_t ns;

	(void)state;
	assert_int_equal(clock_parse_duration("10m", &ns), 0);
	assert_true(ns == 600000000000LL);
	assert_int_equal(clock_parse_duration("1h30m", &ns), 0);
	assert_true(ns == 5400000000000LL);
	assert_int_equal(clock_parse_duration("1.5s", &ns), 0);
	assert_true(ns == 1500000000LL);
	assert_int_equal(clock_parse_duration("300ms", &ns), 0);
	assert_true(ns == 300000000LL);
	assert_int_equal(clock_parse_duration("-2h", &ns), 0);
	assert_true(ns == -7200000000000LL);
	assert_int_equal(clock_parse_duration("0", &ns), 0);
	assert_true(ns == 0);
	assert_int_equal(clock_parse_duration("10", &ns), -1);
	assert_int_equal(clock_parse_duration("10x", &ns), -1);
	assert_int_equal(clock_parse_duration("1h-", &ns), -1);
	assert_int_equal(clock_parse_duration("", &ns), -1);
	assert_int_equal(clock_parse_duration("h", &ns), -1);
}

static void test_points(void **state)
{
	struct timespec now = { 1796117400, 0 }, ts;

	(void)state;
	assert_int_equal(clock_parse_point("10m", &now, &ts), 0);
	assert_int_equal(ts.tv_sec, 1796117400 - 600);
	assert_int_equal(clock_parse_point("1.5s", &now, &ts), 0);
	assert_int_equal(ts.tv_sec, 1796117398);
	assert_int_equal(ts.tv_nsec, 500000000);
	assert_int_equal(clock_parse_point("1733045400", &now, &ts), 0);
	assert_int_equal(ts.tv_sec, 1733045400);
	assert_int_equal(clock_parse_point("1733045400.25", &now, &ts), 0);
	assert_int_equal(ts.tv_nsec, 250000000);
	assert_int_equal(clock_parse_point("2026-12-01T09:30:00Z", &now, &ts), 0);
	assert_int_equal(ts.tv_sec, 1796117400);
	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(clock_parse_point("2026-12-01", &now, &ts), 0);
	assert_int_equal(ts.tv_sec, 1796083200);
	assert_int_equal(clock_parse_point("2026-12-01T09:30", &now, &ts), 0);
	assert_int_equal(ts.tv_sec, 1796117400);
	assert_int_equal(clock_parse_point("2026-13-01", &now, &ts), -1);
	assert_int_equal(clock_parse_point("1733045400.", &now, &ts), -1);
	assert_int_equal(clock_parse_point("", &now, &ts), -1);
	assert_int_equal(clock_parse_point("soon", &now, &ts), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_points),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
