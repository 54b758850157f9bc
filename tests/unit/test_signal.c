/* Unit tests for signal_parse and signal_name: the forms `kill` accepts and
 * the ones it must refuse. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "runtime/signal.h"

static void test_names_with_and_without_prefix(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("KILL"), SIGKILL);
	assert_int_equal(signal_parse("SIGKILL"), SIGKILL);
	assert_int_equal(signal_parse("TERM"), SIGTERM);
	assert_int_equal(signal_parse("SIGTERM"), SIGTERM);
	assert_int_equal(signal_parse("HUP"), SIGHUP);
	assert_int_equal(signal_parse("WINCH"), SIGWINCH);
	assert_int_equal(signal_parse("SIGUSR1"), SIGUSR1);
	assert_int_equal(signal_parse("STKFLT"), SIGSTKFLT);
	assert_int_equal(signal_parse("SYS"), SIGSYS);
}

static void test_names_ignore_case(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("kill"), SIGKILL);
	assert_int_equal(signal_parse("sigkill"), SIGKILL);
	assert_int_equal(signal_parse("SigTerm"), SIGTERM);
	assert_int_equal(signal_parse("rtmin+1"), SIGRTMIN + 1);
}

static void test_aliases(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("IOT"), SIGABRT);
	assert_int_equal(signal_parse("CLD"), SIGCHLD);
	assert_int_equal(signal_parse("SIGPOLL"), SIGIO);
}

static void test_numbers(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("9"), 9);
	assert_int_equal(signal_parse("1"), 1);
	assert_int_equal(signal_parse("15"), 15);
	assert_int_equal(signal_parse("64"), 64);
	assert_int_equal(signal_parse("0"), -1);
	assert_int_equal(signal_parse("65"), -1);
	assert_int_equal(signal_parse("-9"), -1);
	assert_int_equal(signal_parse("+9"), -1);
	assert_int_equal(signal_parse("9x"), -1);
	assert_int_equal(signal_parse("99999999999999999999"), -1);
}

static void test_realtime(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("RTMIN"), SIGRTMIN);
	assert_int_equal(signal_parse("SIGRTMIN"), SIGRTMIN);
	assert_int_equal(signal_parse("RTMIN+3"), SIGRTMIN + 3);
	assert_int_equal(signal_parse("SIGRTMIN+3"), SIGRTMIN + 3);
	assert_int_equal(signal_parse("RTMIN+0"), SIGRTMIN);
	assert_int_equal(signal_parse("RTMAX"), SIGRTMAX);
	assert_int_equal(signal_parse("RTMAX-2"), SIGRTMAX - 2);
	assert_int_equal(signal_parse("SIGRTMAX-2"), SIGRTMAX - 2);
	/* glibc's real-time range is 34..64 */
	assert_int_equal(signal_parse("RTMIN+30"), SIGRTMAX);
	assert_int_equal(signal_parse("RTMAX-30"), SIGRTMIN);
}

static void test_realtime_out_of_range(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("RTMIN+31"), -1);
	assert_int_equal(signal_parse("RTMAX-31"), -1);
	assert_int_equal(signal_parse("RTMIN-1"), -1);
	assert_int_equal(signal_parse("RTMAX+1"), -1);
	assert_int_equal(signal_parse("RTMIN+"), -1);
	assert_int_equal(signal_parse("RTMIN+-1"), -1);
	assert_int_equal(signal_parse("RTMIN+1x"), -1);
	assert_int_equal(signal_parse("RTMINX"), -1);
}

static void test_unknown(void **state)
{
	(void)state;
	assert_int_equal(signal_parse(""), -1);
	assert_int_equal(signal_parse(NULL), -1);
	assert_int_equal(signal_parse("SIG"), -1);
	assert_int_equal(signal_parse("FOO"), -1);
	assert_int_equal(signal_parse("SIGSIGKILL"), -1);
	assert_int_equal(signal_parse("KILL "), -1);
	assert_int_equal(signal_parse(" KILL"), -1);
}

static void test_names_of_numbers(void **state)
{
	(void)state;
	assert_string_equal(signal_name(SIGKILL), "SIGKILL");
	assert_string_equal(signal_name(SIGTERM), "SIGTERM");
	/* the canonical name, not an alias */
	assert_string_equal(signal_name(SIGABRT), "SIGABRT");
	assert_string_equal(signal_name(SIGCHLD), "SIGCHLD");
	assert_string_equal(signal_name(SIGIO), "SIGIO");
	assert_null(signal_name(0));
	assert_null(signal_name(-1));
	assert_null(signal_name(SIGRTMIN + 1));
	assert_null(signal_name(200));
}

static void test_every_name_round_trips(void **state)
{
	(void)state;
	for (int sig = 1; sig < 32; sig++) {
		const char *name = signal_name(sig);

		if (!name)
			fail_msg("signal %d has no name", sig);
		assert_int_equal(signal_parse(name), sig);
		assert_int_equal(signal_parse(name + 3), sig);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_with_and_without_prefix),
		cmocka_unit_test(test_names_ignore_case),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_realtime),
		cmocka_unit_test(test_realtime_out_of_range),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_names_of_numbers),
		cmocka_unit_test(test_every_name_round_trips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
