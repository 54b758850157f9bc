/* Unit tests for restart policies (src/engine/restart.c): parsing,
 * the monitor's decision after an exit, and the back-off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/restart.h"
#include "util/cleanup.h"

static json_t *record_with(const char *policy, int stopped_by_user)
{
	struct silo_err err = { 0 };
	json_t *p = NULL;

	if (restart_policy_parse(policy, &p, &err) < 0)
		fail_msg("%s: %s", policy, err.msg);
	return json_pack("{s:o, s:{s:b}}", "restartPolicy", p, "state", "stoppedByUser", stopped_by_user);
}

static void test_parse(void **state)
{
	struct silo_err err = { 0 };
	_cleanup_json_ json_t *p = NULL;
	json_t *bad = NULL;

	(void)state;
	assert_int_equal(restart_policy_parse("on-failure:5", &p, &err), 0);
	assert_string_equal(json_string_value(json_object_get(p, "Name")), "on-failure");
	assert_int_equal(json_integer_value(json_object_get(p, "MaximumRetryCount")), 5);
	assert_true(restart_policy_active(p));
	json_decref(p);
	p = NULL;
	assert_int_equal(restart_policy_parse("no", &p, &err), 0);
	assert_false(restart_policy_active(p));
	assert_true(restart_policy_parse("sometimes", &bad, &err) < 0);
	assert_non_null(strstr(err.msg, "want no, always, unless-stopped or on-failure"));
	assert_true(restart_policy_parse("always:3", &bad, &err) < 0);
	assert_non_null(strstr(err.msg, "only be used with on-failure"));
	assert_true(restart_policy_parse("on-failure:x", &bad, &err) < 0);
	assert_true(restart_policy_parse("on-failure:-1", &bad, &err) < 0);
	assert_true(restart_policy_parse("", &bad, &err) < 0);
	assert_null(bad);
}

static void test_wanted(void **state)
{
	_cleanup_json_ json_t *no = record_with("no", 0);
	_cleanup_json_ json_t *always = record_with("always", 0);
	_cleanup_json_ json_t *unless = record_with("unless-stopped", 0);
	_cleanup_json_ json_t *failure = record_with("on-failure", 0);
	_cleanup_json_ json_t *failure2 = record_with("on-failure:2", 0);
	_cleanup_json_ json_t *stopped = record_with("always", 1);

	(void)state;
	assert_false(restart_wanted(no, 1, 0));
	assert_true(restart_wanted(always, 0, 100));
	assert_true(restart_wanted(unless, 0, 0));
	assert_false(restart_wanted(failure, 0, 0));
	assert_true(restart_wanted(failure, 137, 50));
	assert_true(restart_wanted(failure2, 1, 1));
	assert_false(restart_wanted(failure2, 1, 2));
	/* What the user stopped stays stopped. */
	assert_false(restart_wanted(stopped, 1, 0));
	/* A removed record is never restarted. */
	assert_false(restart_wanted(NULL, 1, 0));
}

static void test_backoff(void **state)
{
	(void)state;
	assert_int_equal(restart_next_delay(0, 0), 100);
	assert_int_equal(restart_next_delay(100, 50), 200);
	assert_int_equal(restart_next_delay(200, 50), 400);
	assert_int_equal(restart_next_delay(51200, 50), 60000);
	assert_int_equal(restart_next_delay(60000, 50), 60000);
	/* A run of ten seconds starts the back-off over. */
	assert_int_equal(restart_next_delay(60000, 10000), 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_wanted),
		cmocka_unit_test(test_backoff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
