/* Unit tests for the cache of compiled seccomp programs: what is stored
 * comes back, and nothing else does (another key's entry, a damaged or
 * truncated one, a directory or file others may write to). Each test works
 * in a scratch directory under /tmp. */
#include <fcntl.h>
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

#include "runtime/seccomp_cache.h"
#include "util/fs.h"

struct scratch {
	char dir[64];
	char cache[96];
	struct sock_filter code[3];
	struct sock_fprog program;
};

static int scratch_setup(void **state)
{
	struct scratch *s = calloc(1, sizeof(*s));

	if (!s)
		return -1;
	strcpy(s->dir, "/tmp/silo-test-seccomp-cache-XXXXXX");
	if (!mkdtemp(s->dir)) {
		free(s);
		return -1;
	}
	snprintf(s->cache, sizeof(s->cache), "%s/cache/seccomp", s->dir);
	s->code[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4);
	s->code[1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xc000003e, 1, 0);
	s->code[2] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0x00050001);
	s->program.len = 3;
	s->program.filter = s->code;
	*state = s;
	return 0;
}

static int scratch_teardown(void **state)
{
	struct scratch *s = *state;
	struct silo_err err = { 0 };
	int r = fs_remove_tree(s->dir, &err);

	free(s);
	return r;
}

/* The one entry in the cache directory. */
static char *only_entry(const struct scratch *s)
{
	char *path = NULL, cmd[256];
	FILE *p;
	char line[256];

	snprintf(cmd, sizeof(cmd), "ls -d %s/*.bpf", s->cache);
	p = popen(cmd, "r");
	assert_non_null(p);
	if (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = '\0';
		path = strdup(line);
	}
	assert_null(fgets(line, sizeof(line), p));
	pclose(p);
	assert_non_null(path);
	return path;
}

static void test_store_then_load(void **state)
{
	struct scratch *s = *state;
	struct sock_fprog got = { 0 };
	struct stat st;

	assert_int_equal(seccomp_cache_load(s->cache, "key one", &got), -1);
	assert_int_equal(seccomp_cache_store(s->cache, "key one", &s->program), 0);
	assert_int_equal(stat(s->cache, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(seccomp_cache_load(s->cache, "key one", &got), 0);
	assert_int_equal(got.len, 3);
	assert_memory_equal(got.filter, s->code, sizeof(s->code));
	free(got.filter);
}

/* Another key whose entry lies under this key's name (a hash collision,
 * or a file put there) is a miss. */
static void test_other_key_is_a_miss(void **state)
{
	struct scratch *s = *state;
	struct sock_fprog got = { 0 };
	char *entry, *mine, cmd[512];

	assert_int_equal(seccomp_cache_store(s->cache, "key one", &s->program), 0);
	mine = only_entry(s);
	assert_int_equal(seccomp_cache_load(s->cache, "key two", &got), -1);
	/* The entry of "key two" renamed to the name of "key one". */
	snprintf(cmd, sizeof(cmd), "rm -f %s", mine);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(seccomp_cache_store(s->cache, "key two", &s->program), 0);
	entry = only_entry(s);
	assert_int_equal(rename(entry, mine), 0);
	assert_int_equal(seccomp_cache_load(s->cache, "key one", &got), -1);
	free(entry);
	free(mine);
}

static void test_damaged_entry_is_a_miss(void **state)
{
	struct scratch *s = *state;
	struct sock_fprog got = { 0 };
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, 0x7fff0000);
	char *entry;
	struct stat st;
	int fd;

	assert_int_equal(seccomp_cache_store(s->cache, "key", &s->program), 0);
	entry = only_entry(s);
	assert_int_equal(stat(entry, &st), 0);
	/* The last instruction replaced, the size kept. */
	fd = open(entry, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, &allow, sizeof(allow), st.st_size - (off_t)sizeof(allow)),
			 (ssize_t)sizeof(allow));
	close(fd);
	assert_int_equal(seccomp_cache_load(s->cache, "key", &got), -1);
	/* Stored again, then cut short. */
	assert_int_equal(seccomp_cache_store(s->cache, "key", &s->program), 0);
	assert_int_equal(truncate(entry, st.st_size - 8), 0);
	assert_int_equal(seccomp_cache_load(s->cache, "key", &got), -1);
	assert_int_equal(truncate(entry, 0), 0);
	assert_int_equal(seccomp_cache_load(s->cache, "key", &got), -1);
	free(entry);
}

static void test_writable_by_others_is_not_used(void **state)
{
	struct scratch *s = *state;
	struct sock_fprog got = { 0 };
	char *entry;

	assert_int_equal(seccomp_cache_store(s->cache, "key", &s->program), 0);
	entry = only_entry(s);
	assert_int_equal(chmod(entry, 0666), 0);
	assert_int_equal(seccomp_cache_load(s->cache, "key", &got), -1);
	assert_int_equal(chmod(entry, 0600), 0);
	assert_int_equal(chmod(s->cache, 0777), 0);
	assert_int_equal(seccomp_cache_load(s->cache, "key", &got), -1);
	assert_int_equal(seccomp_cache_store(s->cache, "other", &s->program), -1);
	assert_int_equal(chmod(s->cache, 0700), 0);
	assert_int_equal(seccomp_cache_load(s->cache, "key", &got), 0);
	free(got.filter);
	free(entry);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_store_then_load, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_other_key_is_a_miss, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_damaged_entry_is_a_miss, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_writable_by_others_is_not_used, scratch_setup,
						scratch_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
