/* Unit tests for the way lsm.c reaches the LSM attribute files: through a
 * private procfs instance, by TID, with no symlink followed on the way and
 * the result checked to be procfs (CVE-2025-52881). A path through
 * "thread-self" can never be opened that way (it is a symlink), so an
 * apparmorProfile or selinuxLabel could never be applied. The attribute
 * files exist without any LSM enabled (writes then fail with EINVAL), which
 * is what lets these tests run on hosts with no LSM. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/lsm.h"
#include "runtime/mount.h"
#include "util/cleanup.h"
#include "util/err.h"

static int lsm_enabled(void)
{
	return access("/sys/fs/selinux/enforce", F_OK) == 0 ||
	       access("/sys/module/apparmor/parameters/enabled", F_OK) == 0;
}

/* The procfs lsm.c makes for itself; the test is skipped where this
 * process may not make one (not root). */
static int private_procfs(void)
{
	struct silo_err err = { 0 };
	int fd = mount_new_fs("proc", "proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, &err);

	if (fd < 0)
		skip();
	return fd;
}

static void assert_opens_on_procfs(int procfd, const char *attr, int flags)
{
	_cleanup_close_ int fd = lsm_open_attr(procfd, attr, flags);
	struct statfs fs;

	if (fd < 0)
		fail_msg("open attr/%s: %s", attr, strerror(errno));
	assert_int_equal(fstatfs(fd, &fs), 0);
	assert_true(fs.f_type == PROC_SUPER_MAGIC);
}

static void test_attr_opens_by_tid(void **state)
{
	_cleanup_close_ int procfd = private_procfs();

	(void)state;
	assert_opens_on_procfs(procfd, "current", O_RDONLY);
	assert_opens_on_procfs(procfd, "exec", O_WRONLY);
	/* The hand walk (no openat2) refuses symlinks just the same. */
	mount_resolve_force_fallback(1);
	assert_opens_on_procfs(procfd, "current", O_RDONLY);
	assert_opens_on_procfs(procfd, "exec", O_WRONLY);
	mount_resolve_force_fallback(0);
}

/* The path the old code used: the symlink is refused, as it must be. */
static void test_thread_self_is_refused(void **state)
{
	_cleanup_close_ int procfd = private_procfs();
	_cleanup_close_ int fd = -1;

	(void)state;
	fd = mount_resolve(procfd, "thread-self/attr/current", O_RDONLY, RESOLVE_NO_SYMLINKS);
	assert_int_equal(fd, -1);
	assert_int_equal(errno, ELOOP);
}

static void *open_in_thread(void *procfd)
{
	int fd = lsm_open_attr(*(int *)procfd, "current", O_RDONLY);

	if (fd < 0)
		return (void *)(intptr_t)errno;
	close(fd);
	return NULL;
}

/* A thread other than the leader (its TID is not the PID) finds its own
 * attribute files too. */
static void test_attr_opens_in_other_thread(void **state)
{
	_cleanup_close_ int procfd = private_procfs();
	pthread_t thread;
	void *result;

	(void)state;
	assert_int_equal(pthread_create(&thread, NULL, open_in_thread, &procfd), 0);
	assert_int_equal(pthread_join(thread, &result), 0);
	assert_int_equal((int)(intptr_t)result, 0);
}

/* With no LSM, applying a label reaches the write, which the kernel
 * refuses: the failure is about the label, not about opening the file. */
static void test_apply_reaches_the_write(void **state)
{
	struct spec_process proc = { .selinux_label = "system_u:system_r:container_t:s0" };
	struct silo_err err = { 0 };
	_cleanup_close_ int procfd = private_procfs();

	(void)state;
	if (lsm_enabled())
		skip();
	assert_true(lsm_apply_exec(&proc, &err) < 0);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "process.selinuxLabel: set"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attr_opens_by_tid),
		cmocka_unit_test(test_thread_self_is_refused),
		cmocka_unit_test(test_attr_opens_in_other_thread),
		cmocka_unit_test(test_apply_reaches_the_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
