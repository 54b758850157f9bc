/* Unit tests for mount_resolve's walk by hand, the fallback for hosts where
 * openat2 fails with ENOSYS. A scratch tree holds a root full of symlinks
 * that try to leave it (absolute host paths, ../../.., chains, loops) next
 * to a host directory they aim at; each case is resolved by openat2 and by
 * the walk, which must agree exactly (the same file, or the same errno),
 * and never reach the host directory. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <seccomp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/mount.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/fs.h"

struct tree {
	char dir[64];
	char root[96];
	int rootfd;
	struct stat secret; /* the host file every escape aims at */
};

static void make_dir(const char *base, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", base, name);
	if (mkdir(path, 0755) < 0)
		fail_msg("mkdir %s: %s", path, strerror(errno));
}

static void make_file(const char *base, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", base, name);
	f = fopen(path, "w");
	if (!f)
		fail_msg("create %s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
}

static void make_link(const char *base, const char *name, const char *target)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", base, name);
	if (symlink(target, path) < 0)
		fail_msg("symlink %s: %s", path, strerror(errno));
}

static int tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));
	char path[512];

	if (!t)
		return -1;
	strcpy(t->dir, "/tmp/silo-test-resolve-XXXXXX");
	if (!mkdtemp(t->dir)) {
		free(t);
		return -1;
	}
	snprintf(t->root, sizeof(t->root), "%s/root", t->dir);
	make_dir(t->dir, "outside");
	make_file(t->dir, "outside/secret", "host\n");
	make_dir(t->dir, "root");
	make_dir(t->root, "a");
	make_dir(t->root, "a/b");
	make_file(t->root, "a/b/file", "in root\n");
	make_dir(t->root, "outside");
	make_file(t->root, "outside/secret", "in-root copy\n");
	make_link(t->root, "abs", "/a");
	snprintf(path, sizeof(path), "%s/outside", t->dir);
	make_link(t->root, "esc_abs", path);
	make_link(t->root, "esc_rel", "../../../../../../outside");
	make_link(t->root, "esc_dots", "a/../../../..");
	make_link(t->root, "a/b/up", "../../../../outside");
	make_link(t->root, "c1", "c2");
	make_link(t->root, "c2", "a/../c3");
	make_link(t->root, "c3", "/a/b");
	make_link(t->root, "loop1", "loop2");
	make_link(t->root, "loop2", "loop1");
	make_link(t->root, "dangling", "/nonexistent");
	make_link(t->root, "filelink", "a/b/file");
	make_link(t->root, "slashy", "//a///b//");
	/* n0 -> n1 -> ... -> n40 -> a: 41 links from n0, 40 from n1. */
	for (int i = 0; i <= 40; i++) {
		char name[16], target[16];

		snprintf(name, sizeof(name), "n%d", i);
		snprintf(target, sizeof(target), i == 40 ? "a" : "n%d", i + 1);
		make_link(t->root, name, target);
	}
	snprintf(path, sizeof(path), "%s/outside/secret", t->dir);
	if (stat(path, &t->secret) < 0)
		return -1;
	t->rootfd = open(t->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (t->rootfd < 0)
		return -1;
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;
	struct silo_err err = { 0 };
	int r;

	mount_resolve_force_fallback(0);
	close(t->rootfd);
	r = fs_remove_tree(t->dir, &err);
	free(t);
	return r;
}

/* What one resolution gave: the file (device, inode, type) or the errno. */
struct outcome {
	int error;
	dev_t dev;
	ino_t ino;
	mode_t type;
};

static struct outcome resolve(int rootfd, const char *path, int flags, unsigned long long extra,
			      int walk)
{
	struct outcome o = { 0 };
	struct stat st;
	int fd;

	mount_resolve_force_fallback(walk);
	fd = mount_resolve(rootfd, path, flags, extra);
	mount_resolve_force_fallback(0);
	if (fd < 0) {
		o.error = errno;
		return o;
	}
	if (fcntl(fd, F_GETFD) != FD_CLOEXEC)
		fail_msg("%s: descriptor is not close-on-exec", path);
	if (fstat(fd, &st) < 0)
		fail_msg("fstat %s: %s", path, strerror(errno));
	close(fd);
	o.dev = st.st_dev;
	o.ino = st.st_ino;
	o.type = st.st_mode & S_IFMT;
	return o;
}

struct resolve_case {
	const char *path;
	int flags;
	unsigned long long extra;
};

/* openat2 and the walk agree; returns what they gave. */
static struct outcome check_same(int rootfd, const struct resolve_case *c)
{
	struct outcome kernel = resolve(rootfd, c->path, c->flags, c->extra, 0);
	struct outcome walk = resolve(rootfd, c->path, c->flags, c->extra, 1);

	if (kernel.error != walk.error)
		fail_msg("\"%s\" (flags %#o, resolve %#llx): openat2 gave \"%s\", the walk \"%s\"",
			 c->path, c->flags, c->extra, strerror(kernel.error), strerror(walk.error));
	if (kernel.dev != walk.dev || kernel.ino != walk.ino || kernel.type != walk.type)
		fail_msg("\"%s\" (flags %#o, resolve %#llx): openat2 and the walk opened different files",
			 c->path, c->flags, c->extra);
	return walk;
}

static const struct resolve_case tree_cases[] = {
	{ "a/b/file", O_RDONLY, 0 },
	{ "/a/b/file", O_PATH, 0 },
	{ "a/./b/../b//file", O_RDONLY, 0 },
	{ "/", O_PATH | O_DIRECTORY, 0 },
	{ "", O_PATH, 0 },
	{ "..", O_PATH, 0 },
	{ "a/b/../../../..", O_PATH | O_DIRECTORY, 0 },
	{ "abs/b/file", O_RDONLY, 0 },
	{ "abs", O_PATH, 0 },
	{ "abs", O_PATH | O_NOFOLLOW, 0 },
	{ "abs", O_PATH | O_NOFOLLOW | O_DIRECTORY, 0 },
	{ "abs", O_RDONLY | O_NOFOLLOW, 0 },
	{ "abs", O_RDONLY | O_DIRECTORY, 0 },
	{ "abs/", O_PATH | O_NOFOLLOW, 0 },
	{ "abs/b", O_PATH, RESOLVE_NO_SYMLINKS },
	{ "abs", O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS },
	{ "a/b/file", O_PATH, RESOLVE_NO_SYMLINKS },
	{ "esc_abs", O_PATH, 0 },
	{ "esc_abs/secret", O_RDONLY, 0 },
	{ "esc_rel/secret", O_RDONLY, 0 },
	{ "esc_dots/outside/secret", O_RDONLY, 0 },
	{ "a/b/up/secret", O_RDONLY, 0 },
	{ "a/b/../../../../../outside/secret", O_RDONLY, 0 },
	{ "c1/file", O_RDONLY, 0 },
	{ "c1", O_PATH | O_DIRECTORY, 0 },
	{ "slashy/file", O_RDONLY, 0 },
	{ "loop1", O_PATH, 0 },
	{ "loop1/x", O_PATH, 0 },
	{ "dangling", O_PATH, 0 },
	{ "dangling", O_PATH | O_NOFOLLOW, 0 },
	{ "filelink", O_WRONLY, 0 },
	{ "filelink/", O_PATH, 0 },
	{ "a/b/file/", O_PATH, 0 },
	{ "a/b/file/.", O_PATH, 0 },
	{ "a/b/file", O_PATH | O_DIRECTORY, 0 },
	{ "a/b", O_WRONLY, 0 },
	{ "a/missing/file", O_PATH, 0 },
	{ "n0", O_PATH, 0 },
	{ "n1/b/file", O_RDONLY, 0 },
};

static void test_walk_matches_openat2(void **state)
{
	struct tree *t = *state;

	for (size_t i = 0; i < sizeof(tree_cases) / sizeof(tree_cases[0]); i++)
		check_same(t->rootfd, &tree_cases[i]);
}

/* The file in the root the path must reach, by its host path. */
static void assert_reaches(const struct tree *t, const char *path, const char *in_root)
{
	struct outcome o;
	struct stat want;
	char host[512];

	snprintf(host, sizeof(host), "%s/%s", t->root, in_root);
	if (stat(host, &want) < 0)
		fail_msg("stat %s: %s", host, strerror(errno));
	o = resolve(t->rootfd, path, O_RDONLY, 0, 1);
	if (o.error)
		fail_msg("\"%s\": %s", path, strerror(o.error));
	assert_true(o.dev == want.st_dev && o.ino == want.st_ino);
	assert_false(o.dev == t->secret.st_dev && o.ino == t->secret.st_ino);
}

static void test_walk_escapes_stay_inside(void **state)
{
	struct tree *t = *state;
	struct outcome o;

	assert_reaches(t, "esc_rel/secret", "outside/secret");
	assert_reaches(t, "esc_dots/outside/secret", "outside/secret");
	assert_reaches(t, "a/b/up/secret", "outside/secret");
	assert_reaches(t, "../../outside/secret", "outside/secret");
	assert_reaches(t, "c1/file", "a/b/file");
	/* The host path, taken inside the root, does not exist there. */
	o = resolve(t->rootfd, "esc_abs/secret", O_RDONLY, 0, 1);
	assert_int_equal(o.error, ENOENT);
}

static void test_walk_loops_and_limits(void **state)
{
	struct tree *t = *state;

	assert_int_equal(resolve(t->rootfd, "loop1", O_PATH, 0, 1).error, ELOOP);
	assert_int_equal(resolve(t->rootfd, "n0", O_PATH, 0, 1).error, ELOOP);
	assert_int_equal(resolve(t->rootfd, "n1", O_PATH, 0, 1).error, 0);
	assert_int_equal(resolve(t->rootfd, "abs/b", O_PATH, RESOLVE_NO_SYMLINKS, 1).error, ELOOP);
	assert_int_equal(resolve(t->rootfd, "a", O_PATH, RESOLVE_BENEATH, 1).error, EINVAL);
}

/* Writing through the walk lands on the file inside the root. */
static void test_walk_opens_with_callers_flags(void **state)
{
	struct tree *t = *state;
	_cleanup_close_ int fd = -1;
	char text[64] = "";
	ssize_t n;

	mount_resolve_force_fallback(1);
	fd = mount_resolve(t->rootfd, "c1/../b/file", O_RDWR, 0);
	mount_resolve_force_fallback(0);
	assert_true(fd >= 0);
	n = pread(fd, text, sizeof(text) - 1, 0);
	assert_true(n > 0);
	assert_string_equal(text, "in root\n");
}

/* Magic links are found in procfs: the walk refuses to follow them, as
 * RESOLVE_NO_MAGICLINKS does, and follows procfs's plain links (self,
 * thread-self). RESOLVE_NO_XDEV stops at a mount point. */
static const struct resolve_case proc_cases[] = {
	{ "self/status", O_RDONLY, 0 },
	{ "thread-self/status", O_RDONLY, 0 },
	{ "mounts", O_RDONLY, 0 },
	{ "self/status", O_RDONLY, RESOLVE_NO_SYMLINKS },
	{ "self/fd/0", O_PATH, 0 },
	{ "self/exe", O_PATH, 0 },
	{ "self/exe", O_PATH | O_NOFOLLOW, 0 },
	{ "self/cwd/.", O_PATH, 0 },
	{ "self/root/etc", O_PATH, 0 },
	{ "self/ns/mnt", O_RDONLY, 0 },
	{ "sys/kernel/ostype", O_RDONLY, RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV },
};

static void test_walk_magic_links_refused(void **state)
{
	_cleanup_close_ int procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int slash = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	const struct resolve_case xdev = { "proc/version", O_RDONLY, RESOLVE_NO_XDEV };

	(void)state;
	assert_true(procfd >= 0 && slash >= 0);
	for (size_t i = 0; i < sizeof(proc_cases) / sizeof(proc_cases[0]); i++)
		check_same(procfd, &proc_cases[i]);
	assert_int_equal(resolve(procfd, "self/exe", O_PATH, 0, 1).error, ELOOP);
	assert_int_equal(resolve(procfd, "self/fd/0", O_PATH, 0, 1).error, ELOOP);
	assert_int_equal(resolve(procfd, "self/status", O_RDONLY, 0, 1).error, 0);
	assert_int_equal(check_same(slash, &xdev).error, EXDEV);
}

/* A seccomp filter makes openat2 fail with ENOSYS: mount_resolve walks
 * instead, and from then on never calls openat2 again (proved by a second
 * filter that kills the process on openat2). In a child, since filters
 * cannot be removed. */
static int child_resolve_without_openat2(const struct tree *t)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	char text[64] = "";
	int fd;

	if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2), 0) < 0 ||
	    seccomp_load(ctx) < 0)
		return 10;
	seccomp_release(ctx);
	fd = mount_resolve(t->rootfd, "esc_rel/secret", O_RDONLY, 0);
	if (fd < 0 || pread(fd, text, sizeof(text) - 1, 0) <= 0 || strcmp(text, "in-root copy\n"))
		return 11;
	close(fd);
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS(openat2), 0) < 0 ||
	    seccomp_load(ctx) < 0)
		return 12;
	seccomp_release(ctx);
	fd = mount_resolve(t->rootfd, "c1/file", O_RDONLY, 0);
	if (fd < 0)
		return 13;
	close(fd);
	if (mount_resolve(t->rootfd, "loop1", O_PATH, 0) >= 0 || errno != ELOOP)
		return 14;
	return 0;
}

static void test_enosys_switches_to_the_walk(void **state)
{
	struct tree *t = *state;
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_resolve_without_openat2(t));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("the child was killed by signal %d: openat2 was called again",
			 WTERMSIG(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_walk_matches_openat2, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_walk_escapes_stay_inside, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(test_walk_loops_and_limits, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_walk_opens_with_callers_flags, tree_setup,
						tree_teardown),
		cmocka_unit_test(test_walk_magic_links_refused),
		cmocka_unit_test_setup_teardown(test_enosys_switches_to_the_walk, tree_setup,
						tree_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
