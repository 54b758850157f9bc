/* Unit tests for the file helpers, in a scratch directory under /tmp that
 * each test creates and removes. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/cleanup.h"
#include "util/fs.h"

#include "scratch.h"

struct scratch {
	char dir[SCRATCH_DIR_SIZE]; /* first: scratch_new makes it */
};

static int scratch_setup(void **state)
{
	*state = scratch_new(sizeof(struct scratch), "fs");
	return *state ? 0 : -1;
}

static int scratch_teardown(void **state)
{
	return scratch_free(*state);
}

static char *join(const struct scratch *s, const char *name)
{
	char *path;

	if (asprintf(&path, "%s/%s", s->dir, name) < 0)
		fail_msg("out of memory");
	return path;
}

static void write_plain(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_read_file(void **state)
{
	struct scratch *s = *state;
	_cleanup_free_ char *path = join(s, "f");
	_cleanup_free_ char *text = NULL;
	struct silo_err err = { 0 };
	size_t len = 0;

	write_plain(path, "hello\n");
	assert_int_equal(fs_read_file(path, 100, &text, &len, &err), 0);
	assert_int_equal(len, 6);
	assert_string_equal(text, "hello\n");
}

static void test_read_file_large_and_limited(void **state)
{
	struct scratch *s = *state;
	_cleanup_free_ char *path = join(s, "big");
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *content = malloc(20001);
	struct silo_err err = { 0 };
	size_t len = 0;

	assert_non_null(content);
	for (size_t i = 0; i < 20000; i++)
		content[i] = (char)('a' + i % 26);
	content[20000] = '\0';
	write_plain(path, content);
	/* spans several buffer growths */
	assert_int_equal(fs_read_file(path, 20000, &text, &len, &err), 0);
	assert_int_equal(len, 20000);
	assert_memory_equal(text, content, 20000);
	assert_int_equal(text[20000], '\0');
	free(text);
	text = NULL;
	assert_true(fs_read_file(path, 19999, &text, &len, &err) < 0);
	assert_int_equal(err.code, EFBIG);
	assert_null(text);
	assert_non_null(strstr(err.msg, "larger than 19999 bytes"));
}

static void test_read_missing_file(void **state)
{
	struct scratch *s = *state;
	_cleanup_free_ char *path = join(s, "missing");
	char *text = NULL;
	char want[256];
	struct silo_err err = { 0 };

	assert_int_equal(fs_read_file(path, 100, &text, NULL, &err), -ENOENT);
	snprintf(want, sizeof(want), "open \"%s\": No such file or directory", path);
	assert_string_equal(err.msg, want);
	assert_null(text);
}

static void test_read_file_at(void **state)
{
	struct scratch *s = *state;
	_cleanup_free_ char *path = join(s, "rel");
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int dirfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct silo_err err = { 0 };

	assert_true(dirfd >= 0);
	write_plain(path, "at");
	assert_int_equal(fs_read_file_at(dirfd, "rel", 10, &text, NULL, &err), 0);
	assert_string_equal(text, "at");
}

static void test_write_file_atomic(void **state)
{
	struct scratch *s = *state;
	_cleanup_free_ char *path = join(s, "atomic");
	_cleanup_free_ char *text = NULL;
	_cleanup_closedir_ DIR *dir = NULL;
	struct silo_err err = { 0 };
	struct dirent *entry;
	struct stat st;
	int entries = 0;

	assert_int_equal(fs_write_file_atomic(path, "first", 5, 0600, &err), 0);
	assert_int_equal(fs_write_file_atomic(path, "second", 6, 0600, &err), 0);
	assert_int_equal(fs_read_file(path, 100, &text, NULL, &err), 0);
	assert_string_equal(text, "second");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* no temporary file is left next to it */
	dir = opendir(s->dir);
	assert_non_null(dir);
	while ((entry = readdir(dir)))
		if (strcmp(entry->d_name, ".") && strcmp(entry->d_name, ".."))
			entries++;
	assert_int_equal(entries, 1);
}

static void test_write_file_atomic_fails_cleanly(void **state)
{
	struct scratch *s = *state;
	_cleanup_free_ char *path = join(s, "no-such-dir/file");
	struct silo_err err = { 0 };

	assert_int_equal(fs_write_file_atomic(path, "x", 1, 0644, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "no-such-dir/file.tmp-"));
}

static void test_write_string(void **state)
{
	struct scratch *s = *state;
	_cleanup_free_ char *path = join(s, "knob");
	_cleanup_free_ char *missing = join(s, "absent-knob");
	_cleanup_free_ char *text = NULL;
	struct silo_err err = { 0 };

	write_plain(path, "old value");
	assert_int_equal(fs_write_string(path, "new", &err), 0);
	assert_int_equal(fs_read_file(path, 100, &text, NULL, &err), 0);
	/* writes like a procfs knob: no truncation, no creation */
	assert_string_equal(text, "new value");
	assert_int_equal(fs_write_string(missing, "1", &err), -ENOENT);
}

static void test_mkdir_p(void **state)
{
	struct scratch *s = *state;
	_cleanup_free_ char *deep = join(s, "a/b/c/d");
	_cleanup_free_ char *trailing = join(s, "x/y/");
	_cleanup_free_ char *file = join(s, "plain");
	_cleanup_free_ char *under_file = join(s, "plain/sub");
	struct silo_err err = { 0 };
	struct stat st;

	assert_int_equal(fs_mkdir_p(deep, 0755, &err), 0);
	assert_int_equal(stat(deep, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	/* existing directories are fine */
	assert_int_equal(fs_mkdir_p(deep, 0755, &err), 0);
	assert_int_equal(fs_mkdir_p(trailing, 0755, &err), 0);
	assert_int_equal(stat(trailing, &st), 0);
	write_plain(file, "");
	assert_int_equal(fs_mkdir_p(under_file, 0755, &err), -ENOTDIR);
}

static void test_remove_tree(void **state)
{
	struct scratch *s = *state;
	_cleanup_free_ char *tree = join(s, "tree");
	_cleanup_free_ char *deep = join(s, "tree/a/b");
	_cleanup_free_ char *file = join(s, "tree/a/b/file");
	_cleanup_free_ char *outside = join(s, "outside");
	_cleanup_free_ char *outside_file = join(s, "outside/keep");
	_cleanup_free_ char *link = join(s, "tree/a/link");
	struct silo_err err = { 0 };
	struct stat st;

	assert_int_equal(fs_mkdir_p(deep, 0755, &err), 0);
	write_plain(file, "x");
	assert_int_equal(fs_mkdir_p(outside, 0755, &err), 0);
	write_plain(outside_file, "keep");
	/* a symlink to a directory outside must be removed, not followed */
	assert_int_equal(symlink(outside, link), 0);
	assert_int_equal(fs_remove_tree(tree, &err), 0);
	assert_int_equal(lstat(tree, &st), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(stat(outside_file, &st), 0);
	/* a missing tree is already removed */
	assert_int_equal(fs_remove_tree(tree, &err), 0);
	/* a plain file is removed too */
	assert_int_equal(fs_remove_tree(outside_file, &err), 0);
	assert_int_equal(lstat(outside_file, &st), -1);
}

static void check_clean(const char *in, const char *want)
{
	_cleanup_free_ char *got = fs_absolute_path(in);

	assert_non_null(got);
	if (strcmp(got, want))
		fail_msg("fs_absolute_path(\"%s\") = \"%s\", want \"%s\"", in, got, want);
}

static void test_absolute_path_cleaning(void **state)
{
	(void)state;
	check_clean("/", "/");
	check_clean("/x//y/./z", "/x/y/z");
	check_clean("/..", "/");
	check_clean("/../../a", "/a");
	check_clean("/a/b/../../..", "/");
	check_clean("/a/b/../c", "/a/c");
	check_clean("/a/", "/a");
	check_clean("//a//", "/a");
	check_clean("/a/./.", "/a");
	check_clean("/a/..b/.c", "/a/..b/.c");
	check_clean("/a/b/..", "/a");
}

static void test_absolute_path_relative(void **state)
{
	struct scratch *s = *state;
	char old[PATH_MAX], want[PATH_MAX + 16];
	char *real = realpath(s->dir, NULL);

	assert_non_null(real);
	assert_non_null(getcwd(old, sizeof(old)));
	assert_int_equal(chdir(real), 0);
	snprintf(want, sizeof(want), "%s/b", real);
	check_clean("a/../b", want);
	check_clean("./b/", want);
	check_clean(".", real);
	check_clean("", real);
	assert_int_equal(chdir(old), 0);
	free(real);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_file, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_read_file_large_and_limited, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_read_missing_file, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_read_file_at, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_write_file_atomic, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_write_file_atomic_fails_cleanly, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_write_string, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_mkdir_p, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_remove_tree, scratch_setup, scratch_teardown),
		cmocka_unit_test(test_absolute_path_cleaning),
		cmocka_unit_test_setup_teardown(test_absolute_path_relative, scratch_setup,
						scratch_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
