/* Unit tests for mount_options_parse: flags set and cleared, propagation,
 * bind mounts, the recursive mount_setattr attributes, and filesystem data
 * passed through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mount.h>

#include <cmocka.h>

#include "runtime/mount_options.h"

static struct mount_options parse_ok(char *const *options)
{
	struct mount_options opts;
	struct silo_err err = { 0 };

	if (mount_options_parse(options, &opts, &err) < 0)
		fail_msg("parse failed: %s", err.msg);
	return opts;
}

static void test_empty_list(void **state)
{
	char *options[] = { NULL };
	struct mount_options opts = parse_ok(options);

	(void)state;
	assert_int_equal(opts.flags, 0);
	assert_int_equal(opts.clear_flags, 0);
	assert_int_equal(opts.propagation, 0);
	assert_int_equal(opts.bind, 0);
	assert_null(opts.data);
	assert_int_equal(mount_options_parse(NULL, &opts, NULL), 0);
	assert_null(opts.data);
}

static void test_flags_set_and_clear(void **state)
{
	char *options[] = { "nosuid", "nodev", "noexec", "ro", "sync", "dirsync", "mand",
			    "noatime", "nodiratime", "relatime", "strictatime", "nosymfollow",
			    "remount", "defaults", NULL };
	char *clearing[] = { "rw", "suid", "dev", "exec", "async", "nomand", "atime",
			     "diratime", "norelatime", "nostrictatime", "symfollow", NULL };
	struct mount_options opts = parse_ok(options);
	unsigned long all = MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY | MS_SYNCHRONOUS |
			    MS_DIRSYNC | MS_MANDLOCK | MS_NOATIME | MS_NODIRATIME | MS_RELATIME |
			    MS_STRICTATIME | MS_NOSYMFOLLOW | MS_REMOUNT;

	(void)state;
	assert_int_equal(opts.flags, all);
	assert_int_equal(opts.clear_flags, 0);
	assert_null(opts.data);

	opts = parse_ok(clearing);
	assert_int_equal(opts.flags, 0);
	assert_int_equal(opts.clear_flags, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC |
						   MS_SYNCHRONOUS | MS_MANDLOCK | MS_NOATIME |
						   MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME |
						   MS_NOSYMFOLLOW);
}

static void test_last_option_wins(void **state)
{
	char *ro_then_rw[] = { "ro", "rw", NULL };
	char *rw_then_ro[] = { "rw", "ro", NULL };
	struct mount_options opts;

	(void)state;
	opts = parse_ok(ro_then_rw);
	assert_int_equal(opts.flags & MS_RDONLY, 0);
	assert_int_equal(opts.clear_flags, MS_RDONLY);
	opts = parse_ok(rw_then_ro);
	assert_int_equal(opts.flags, MS_RDONLY);
	assert_int_equal(opts.clear_flags & MS_RDONLY, 0);
}

static void test_bind_and_rbind(void **state)
{
	char *bind[] = { "bind", "ro", NULL };
	char *rbind[] = { "rbind", NULL };
	struct mount_options opts;

	(void)state;
	opts = parse_ok(bind);
	assert_int_equal(opts.bind, 1);
	assert_int_equal(opts.recursive, 0);
	assert_int_equal(opts.flags, MS_BIND | MS_RDONLY);
	opts = parse_ok(rbind);
	assert_int_equal(opts.bind, 1);
	assert_int_equal(opts.recursive, 1);
	assert_int_equal(opts.flags, MS_BIND | MS_REC);
}

static void test_propagation(void **state)
{
	static const struct {
		const char *name;
		unsigned long want;
	} cases[] = {
		{ "shared", MS_SHARED },
		{ "rshared", MS_SHARED | MS_REC },
		{ "slave", MS_SLAVE },
		{ "rslave", MS_SLAVE | MS_REC },
		{ "private", MS_PRIVATE },
		{ "rprivate", MS_PRIVATE | MS_REC },
		{ "unbindable", MS_UNBINDABLE },
		{ "runbindable", MS_UNBINDABLE | MS_REC },
	};
	char *both[] = { "rshared", "private", NULL };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *options[] = { (char *)cases[i].name, NULL };
		struct mount_options opts = parse_ok(options);

		assert_int_equal(opts.propagation, cases[i].want);
		/* propagation is never mixed into the mount flags */
		assert_int_equal(opts.flags, 0);
	}
	assert_int_equal(parse_ok(both).propagation, MS_PRIVATE);
}

static void test_recursive_attributes(void **state)
{
	char *set[] = { "rro", "rnosuid", "rnodev", "rnoexec", "rnodiratime", "rnosymfollow", NULL };
	char *clear[] = { "rrw", "rsuid", "rdev", "rexec", "rdiratime", "rsymfollow", NULL };
	char *undo[] = { "rro", "rrw", NULL };
	uint64_t bits = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW;
	struct mount_options opts;

	(void)state;
	opts = parse_ok(set);
	assert_int_equal(opts.attr_set, bits);
	assert_int_equal(opts.attr_clr, 0);
	/* recursive options never turn into plain mount(2) flags */
	assert_int_equal(opts.flags, 0);
	opts = parse_ok(clear);
	assert_int_equal(opts.attr_set, 0);
	assert_int_equal(opts.attr_clr, bits);
	opts = parse_ok(undo);
	assert_int_equal(opts.attr_set, 0);
	assert_int_equal(opts.attr_clr, MOUNT_ATTR_RDONLY);
}

static void test_recursive_atime_is_one_mode(void **state)
{
	/* mount_setattr wants the whole atime field cleared and one mode set */
	static const struct {
		const char *name;
		uint64_t mode;
	} cases[] = {
		{ "rnoatime", MOUNT_ATTR_NOATIME },
		{ "rstrictatime", MOUNT_ATTR_STRICTATIME },
		{ "rrelatime", MOUNT_ATTR_RELATIME },
		{ "ratime", MOUNT_ATTR_RELATIME },
		{ "rnostrictatime", MOUNT_ATTR_RELATIME },
		{ "rnorelatime", MOUNT_ATTR_STRICTATIME },
	};
	char *switched[] = { "rnoatime", "rstrictatime", NULL };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *options[] = { (char *)cases[i].name, NULL };
		struct mount_options opts = parse_ok(options);

		assert_int_equal(opts.attr_clr, MOUNT_ATTR__ATIME);
		assert_int_equal(opts.attr_set, cases[i].mode);
	}
	assert_int_equal(parse_ok(switched).attr_set, MOUNT_ATTR_STRICTATIME);
}

static void test_data_is_joined(void **state)
{
	char *options[] = { "nosuid", "mode=755", "newinstance", "ro", "size=65536k", "gid=5",
			    "recovery", NULL };
	struct mount_options opts = parse_ok(options);

	(void)state;
	assert_int_equal(opts.flags, MS_NOSUID | MS_RDONLY);
	assert_string_equal(opts.data, "mode=755,newinstance,size=65536k,gid=5,recovery");
	mount_options_free(&opts);
	assert_null(opts.data);
}

static void test_idmap_and_tmpcopyup(void **state)
{
	char *idmap[] = { "idmap", NULL };
	char *ridmap[] = { "ridmap", NULL };
	char *tmpcopyup[] = { "tmpcopyup", NULL };
	struct mount_options opts;

	(void)state;
	assert_int_equal(parse_ok(idmap).idmap, 1);
	assert_int_equal(parse_ok(ridmap).idmap, 1);
	opts = parse_ok(tmpcopyup);
	assert_int_equal(opts.idmap, 0);
	assert_int_equal(opts.flags, 0);
	assert_null(opts.data);
}

static void test_bad_recursive_options(void **state)
{
	static const char *const bad[] = { "rsync", "rremount", "rmand", "rrbind", "rrro",
					   "rtmpcopyup" };
	struct silo_err err = { 0 };
	struct mount_options opts;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *options[] = { "mode=755", (char *)bad[i], NULL };

		assert_true(mount_options_parse(options, &opts, &err) < 0);
	}
	{
		char *options[] = { "rsync", NULL };

		assert_true(mount_options_parse(options, &opts, &err) < 0);
		assert_string_equal(err.msg, "mount option \"rsync\": \"sync\" has no recursive form");
	}
	{
		char *options[] = { "", NULL };

		assert_true(mount_options_parse(options, &opts, &err) < 0);
		assert_string_equal(err.msg, "empty mount option");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_list),
		cmocka_unit_test(test_flags_set_and_clear),
		cmocka_unit_test(test_last_option_wins),
		cmocka_unit_test(test_bind_and_rbind),
		cmocka_unit_test(test_propagation),
		cmocka_unit_test(test_recursive_attributes),
		cmocka_unit_test(test_recursive_atime_is_one_mode),
		cmocka_unit_test(test_data_is_joined),
		cmocka_unit_test(test_idmap_and_tmpcopyup),
		cmocka_unit_test(test_bad_recursive_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
