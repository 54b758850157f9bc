/* Unit tests for the content store: digest checks while a blob streams,
 * nothing kept of a bad blob, resume of a partial download. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "image/digest.h"
#include "image/store.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* printf hello | sha256sum */
#define HELLO "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"

struct scratch {
	char dir[64];
	struct store store;
};

static int scratch_setup(void **state)
{
	struct scratch *s = calloc(1, sizeof(*s));
	struct silo_err err = { 0 };

	strcpy(s->dir, "/tmp/silo-test-store-XXXXXX");
	if (!mkdtemp(s->dir) || store_open(s->dir, &s->store, &err) < 0)
		return -1;
	*state = s;
	return 0;
}

static int scratch_teardown(void **state)
{
	struct scratch *s = *state;
	struct silo_err err = { 0 };
	int r;

	store_close(&s->store);
	r = fs_remove_tree(s->dir, &err);
	free(s);
	return r;
}

static int count_entries(const char *dir)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	return n;
}

static void test_digest_of_hello(void **state)
{
	char out[DIGEST_STRING_LENGTH + 1];
	struct silo_err err = { 0 };

	(void)state;
	assert_int_equal(digest_buffer("hello", 5, out, &err), 0);
	assert_string_equal(out, HELLO);
}

static void test_blob_is_visible_only_after_its_digest_matched(void **state)
{
	struct scratch *s = *state;
	struct store_blob_writer w;
	struct silo_err err = { 0 };
	_cleanup_free_ char *data = NULL;

	assert_int_equal(store_blob_begin(&s->store, HELLO, 5, 0, &w, &err), 0);
	assert_int_equal(store_blob_write(&w, "hel", 3, &err), 0);
	assert_false(store_blob_exists(&s->store, HELLO));
	assert_int_equal(store_blob_write(&w, "lo", 2, &err), 0);
	assert_int_equal(store_blob_commit(&w, &err), 0);
	assert_true(store_blob_exists(&s->store, HELLO));
	assert_int_equal(store_blob_read(&s->store, HELLO, 100, &data, NULL, &err), 0);
	assert_string_equal(data, "hello");
}

static void test_blob_with_wrong_digest_keeps_nothing(void **state)
{
	struct scratch *s = *state;
	struct store_blob_writer w;
	struct silo_err err = { 0 };
	char tmp[128];

	assert_int_equal(store_blob_begin(&s->store, HELLO, 5, 0, &w, &err), 0);
	assert_int_equal(store_blob_write(&w, "HELLO", 5, &err), 0);
	assert_true(store_blob_commit(&w, &err) < 0);
	assert_non_null(strstr(err.msg, "digest mismatch"));
	assert_false(store_blob_exists(&s->store, HELLO));
	snprintf(tmp, sizeof(tmp), "%s/tmp", s->dir);
	assert_int_equal(count_entries(tmp), 0);
}

static void test_blob_longer_than_announced_is_refused(void **state)
{
	struct scratch *s = *state;
	struct store_blob_writer w;
	struct silo_err err = { 0 };

	assert_int_equal(store_blob_begin(&s->store, HELLO, 5, 0, &w, &err), 0);
	assert_true(store_blob_write(&w, "hello!", 6, &err) < 0);
	store_blob_abort(&w, 0);
	assert_true(store_blob_put(&s->store, HELLO, "hell", 4, &err) < 0);
	assert_false(store_blob_exists(&s->store, HELLO));
}

static void test_partial_blob_resumes(void **state)
{
	struct scratch *s = *state;
	struct store_blob_writer w;
	struct silo_err err = { 0 };

	assert_int_equal(store_blob_begin(&s->store, HELLO, 5, 1, &w, &err), 0);
	assert_int_equal(store_blob_write(&w, "hel", 3, &err), 0);
	store_blob_abort(&w, 1);
	assert_int_equal(store_blob_begin(&s->store, HELLO, 5, 1, &w, &err), 0);
	assert_int_equal(w.written, 3);
	assert_int_equal(store_blob_write(&w, "lo", 2, &err), 0);
	assert_int_equal(store_blob_commit(&w, &err), 0);
	assert_true(store_blob_exists(&s->store, HELLO));
}

static void test_unnamed_blob_is_named_by_its_content(void **state)
{
	struct scratch *s = *state;
	struct store_blob_writer w;
	struct silo_err err = { 0 };
	char tmp[128];

	assert_int_equal(store_blob_begin_unnamed(&s->store, &w, &err), 0);
	assert_int_equal(store_blob_write(&w, "hel", 3, &err), 0);
	assert_int_equal(store_blob_write(&w, "lo", 2, &err), 0);
	assert_int_equal(store_blob_commit(&w, &err), 0);
	assert_string_equal(w.expected, HELLO);
	assert_true(store_blob_exists(&s->store, HELLO));
	snprintf(tmp, sizeof(tmp), "%s/tmp", s->dir);
	assert_int_equal(count_entries(tmp), 0);
	/* Aborted: nothing left in tmp/. */
	assert_int_equal(store_blob_begin_unnamed(&s->store, &w, &err), 0);
	assert_int_equal(store_blob_write(&w, "x", 1, &err), 0);
	store_blob_abort(&w, 0);
	assert_int_equal(count_entries(tmp), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digest_of_hello),
		cmocka_unit_test_setup_teardown(test_blob_is_visible_only_after_its_digest_matched,
						scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_blob_with_wrong_digest_keeps_nothing, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_blob_longer_than_announced_is_refused, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_partial_blob_resumes, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_unnamed_blob_is_named_by_its_content, scratch_setup,
						scratch_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
