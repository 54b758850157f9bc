/* Unit tests for resolving -u/--user and the image's User through its
 * /etc/passwd and /etc/group (src/engine/user.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/user.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
			     "# a comment\n"
			     "web:x:33:33:web server:/var/www:/bin/false\n"
			     "broken line\n"
			     "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
static const char group[] = "root:x:0:\n"
			    "wheel:x:10:web,other\n"
			    "www:x:33:\n"
			    "docker:x:999:other,web\n"
			    "staff:x:50:\n";

static void resolve(const char *spec, struct engine_user *u)
{
	struct silo_err err = { 0 };

	if (engine_user_resolve(spec, passwd, group, u, &err) < 0)
		fail_msg("resolve \"%s\": %s", spec, err.msg);
}

static void test_empty_is_root_with_roots_home(void **state)
{
	struct engine_user u;

	(void)state;
	resolve("", &u);
	assert_int_equal(u.uid, 0);
	assert_int_equal(u.gid, 0);
	assert_string_equal(u.home, "/root");
	assert_int_equal(u.n_additional_gids, 0);
	engine_user_free(&u);
}

static void test_name_gets_uid_gid_home_and_groups(void **state)
{
	struct engine_user u;

	(void)state;
	resolve("web", &u);
	assert_int_equal(u.uid, 33);
	assert_int_equal(u.gid, 33);
	assert_string_equal(u.home, "/var/www");
	assert_int_equal(u.n_additional_gids, 2);
	assert_int_equal(u.additional_gids[0], 10);
	assert_int_equal(u.additional_gids[1], 999);
	engine_user_free(&u);
}

static void test_numbers_need_no_entry(void **state)
{
	struct engine_user u;

	(void)state;
	resolve("33", &u);
	assert_int_equal(u.uid, 33);
	assert_int_equal(u.gid, 33); /* from the passwd entry of uid 33 */
	engine_user_free(&u);
	resolve("4242", &u);
	assert_int_equal(u.uid, 4242);
	assert_int_equal(u.gid, 0);
	assert_string_equal(u.home, "/");
	engine_user_free(&u);
	resolve("4242:77", &u);
	assert_int_equal(u.gid, 77);
	engine_user_free(&u);
}

static void test_group_by_name_replaces_the_primary_group(void **state)
{
	struct engine_user u;

	(void)state;
	resolve("web:staff", &u);
	assert_int_equal(u.uid, 33);
	assert_int_equal(u.gid, 50);
	engine_user_free(&u);
	resolve("0:wheel", &u);
	assert_int_equal(u.gid, 10);
	engine_user_free(&u);
}

static void test_unknown_names_fail_with_docker_text(void **state)
{
	struct engine_user u;
	struct silo_err err = { 0 };

	(void)state;
	assert_true(engine_user_resolve("nosuch", passwd, group, &u, &err) < 0);
	assert_string_equal(err.msg, "unable to find user nosuch: no matching entries in passwd file");
	assert_true(engine_user_resolve("web:nogroup", passwd, group, &u, &err) < 0);
	assert_string_equal(err.msg, "unable to find group nogroup: no matching entries in group file");
	/* An image without the files knows no names, only numbers. */
	assert_true(engine_user_resolve("web", NULL, NULL, &u, &err) < 0);
	assert_int_equal(engine_user_resolve("5:6", NULL, NULL, &u, &err), 0);
	assert_int_equal(u.uid, 5);
	assert_int_equal(u.gid, 6);
	engine_user_free(&u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_is_root_with_roots_home),
		cmocka_unit_test(test_name_gets_uid_gid_home_and_groups),
		cmocka_unit_test(test_numbers_need_no_entry),
		cmocka_unit_test(test_group_by_name_replaces_the_primary_group),
		cmocka_unit_test(test_unknown_names_fail_with_docker_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
