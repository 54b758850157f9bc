/* Unit tests for the snapshot modes and the copy snapshot, in a scratch
 * directory under /tmp that each test creates and removes. Whiteouts and
 * opaque directories need CAP_MKNOD and CAP_SYS_ADMIN (trusted.*
 * attributes); without them those parts are skipped. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/snapshot.h"
#include "engine/snapshot_copy.h"
#include "util/cleanup.h"
#include "util/fs.h"

#include "scratch.h"

struct scratch {
	char dir[SCRATCH_DIR_SIZE]; /* first: scratch_new makes it */
};

static int scratch_setup(void **state)
{
	*state = scratch_new(sizeof(struct scratch), "snapshot");
	return *state ? 0 : -1;
}

static int scratch_teardown(void **state)
{
	scratch_free(*state);
	return 0;
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[1024];
	struct silo_err err = { 0 };

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(fs_write_file_atomic(path, text, strlen(text), 0644, &err), 0);
}

static char *read_text(const char *dir, const char *name)
{
	char path[1024];
	struct silo_err err = { 0 };
	char *text = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (fs_read_file(path, 4096, &text, &len, &err) < 0)
		return NULL;
	return text;
}

static void make_dir(const char *dir, const char *name)
{
	char path[1024];
	struct silo_err err = { 0 };

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(fs_mkdir_p(path, 0755, &err), 0);
}

static int exists(const char *dir, const char *name)
{
	char path[1024];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0;
}

static int copy_into(const char *root, json_t *layers)
{
	_cleanup_close_ int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct silo_err err = { 0 };
	int r;

	assert_true(fd >= 0);
	r = snapshot_copy_layers(fd, layers, &err);
	if (r < 0)
		print_message("copy: %s\n", err.msg);
	return r;
}

static void test_copy_merges_layers(void **state)
{
	struct scratch *s = *state;
	char base[256], top[256], root[256], path[512], other[512];
	_cleanup_json_ json_t *layers = NULL;
	_cleanup_close_ int base_fd = -1;
	_cleanup_free_ char *a = NULL;
	_cleanup_free_ char *a_link = NULL;
	_cleanup_free_ char *b = NULL;
	_cleanup_free_ char *c = NULL;
	struct stat st1, st2;

	snprintf(base, sizeof(base), "%s/base", s->dir);
	snprintf(top, sizeof(top), "%s/top", s->dir);
	snprintf(root, sizeof(root), "%s/root", s->dir);
	make_dir(base, "etc");
	make_dir(base, "keep/sub");
	make_dir(base, "becomes-file");
	put(base, "etc/a", "base-a");
	put(base, "etc/b", "base-b");
	put(base, "etc/f", "f");
	put(base, "keep/sub/x", "x");
	snprintf(path, sizeof(path), "%s/etc/a", base);
	snprintf(other, sizeof(other), "%s/etc/a-link", base);
	assert_int_equal(link(path, other), 0);
	snprintf(path, sizeof(path), "%s/etc/f", base);
	snprintf(other, sizeof(other), "%s/etc/f-link", base);
	assert_int_equal(link(path, other), 0);
	snprintf(path, sizeof(path), "%s/etc/b", base);
	assert_int_equal(chmod(path, 0600), 0);
	base_fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_int_equal(symlinkat("/etc/passwd", base_fd, "abs-link"), 0);

	make_dir(top, "etc");
	make_dir(top, "keep");
	put(top, "etc/a", "top-a");
	put(top, "becomes-file", "now a file");
	put(top, "keep/new", "new");
	layers = json_pack("[s,s]", base, top);
	make_dir(s->dir, "root");

	assert_int_equal(copy_into(root, layers), 0);
	a = read_text(root, "etc/a");
	a_link = read_text(root, "etc/a-link");
	b = read_text(root, "etc/b");
	c = read_text(root, "becomes-file");
	assert_string_equal(a, "top-a");
	/* The top layer replaced one name of the base's link, not the other. */
	assert_string_equal(a_link, "base-a");
	assert_string_equal(b, "base-b");
	assert_string_equal(c, "now a file");
	assert_true(exists(root, "keep/sub/x"));
	assert_true(exists(root, "keep/new"));
	snprintf(path, sizeof(path), "%s/etc/b", root);
	assert_int_equal(stat(path, &st1), 0);
	assert_int_equal(st1.st_mode & 07777, 0600);
	/* A hard link of a layer stays one: both names, one inode. */
	snprintf(path, sizeof(path), "%s/etc/f", root);
	snprintf(other, sizeof(other), "%s/etc/f-link", root);
	assert_int_equal(stat(path, &st1), 0);
	assert_int_equal(stat(other, &st2), 0);
	assert_true(st1.st_ino == st2.st_ino);
	assert_int_equal(st1.st_nlink, 2);
	/* The symlink is a link, copied as written. */
	snprintf(path, sizeof(path), "%s/abs-link", root);
	assert_int_equal(lstat(path, &st1), 0);
	assert_true(S_ISLNK(st1.st_mode));
	/* The layers themselves are untouched. */
	free(a);
	a = read_text(base, "etc/a");
	assert_string_equal(a, "base-a");
}

/* A layer plants a symlink to a host directory at a name where the next
 * layer has a directory with a file: the copy must replace the link with a
 * directory, never write the file through it to the host. */
static void test_copy_symlink_then_write_through(void **state)
{
	struct scratch *s = *state;
	char base[256], top[256], root[256], outside[256];
	_cleanup_json_ json_t *layers = NULL;
	_cleanup_close_ int base_fd = -1;
	struct stat st;
	char path[1024];

	snprintf(base, sizeof(base), "%s/base", s->dir);
	snprintf(top, sizeof(top), "%s/top", s->dir);
	snprintf(root, sizeof(root), "%s/root", s->dir);
	snprintf(outside, sizeof(outside), "%s/outside", s->dir);
	make_dir(s->dir, "base");
	make_dir(s->dir, "outside");
	make_dir(s->dir, "root");
	base_fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_int_equal(symlinkat(outside, base_fd, "escape"), 0);
	assert_int_equal(symlinkat("../../outside", base_fd, "escape-rel"), 0);
	make_dir(top, "escape");
	make_dir(top, "escape-rel");
	put(top, "escape/planted", "x");
	put(top, "escape-rel/planted", "x");
	layers = json_pack("[s,s]", base, top);

	assert_int_equal(copy_into(root, layers), 0);
	assert_false(exists(outside, "planted"));
	snprintf(path, sizeof(path), "%s/escape", root);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_true(exists(root, "escape/planted"));
	assert_true(exists(root, "escape-rel/planted"));
}

static void test_copy_whiteouts_and_opaque(void **state)
{
	struct scratch *s = *state;
	char base[256], top[256], root[256], path[512];
	_cleanup_json_ json_t *layers = NULL;

	snprintf(base, sizeof(base), "%s/base", s->dir);
	snprintf(top, sizeof(top), "%s/top", s->dir);
	snprintf(root, sizeof(root), "%s/root", s->dir);
	make_dir(base, "dir/deep");
	make_dir(base, "opaque/old");
	put(base, "gone", "g");
	put(base, "dir/deep/f", "f");
	put(base, "opaque/hidden", "h");
	make_dir(top, "opaque");
	make_dir(s->dir, "root");
	snprintf(path, sizeof(path), "%s/gone", top);
	if (mknod(path, S_IFCHR | 0000, makedev(0, 0)) < 0) {
		assert_int_equal(errno, EPERM);
		skip();
	}
	snprintf(path, sizeof(path), "%s/dir", top);
	assert_int_equal(mknod(path, S_IFCHR | 0000, makedev(0, 0)), 0);
	snprintf(path, sizeof(path), "%s/opaque", top);
	if (setxattr(path, "trusted.overlay.opaque", "y", 1, 0) < 0) {
		assert_int_equal(errno, EPERM);
		skip();
	}
	put(top, "opaque/shown", "s");
	layers = json_pack("[s,s]", base, top);

	assert_int_equal(copy_into(root, layers), 0);
	assert_false(exists(root, "gone"));
	assert_false(exists(root, "dir"));
	assert_false(exists(root, "opaque/hidden"));
	assert_false(exists(root, "opaque/old"));
	assert_true(exists(root, "opaque/shown"));
	/* overlayfs' marker stays in the layer, not in the copy. */
	snprintf(path, sizeof(path), "%s/opaque", root);
	assert_true(getxattr(path, "trusted.overlay.opaque", NULL, 0) < 0);
}

static void test_default_mode(void **state)
{
	enum snapshot_mode mode;
	struct silo_err err = { 0 };

	(void)state;
	unsetenv("SILO_SNAPSHOTTER");
	assert_int_equal(snapshot_default_mode(&mode, &err), 0);
	assert_int_equal(mode, SNAPSHOT_OVERLAY);
	setenv("SILO_SNAPSHOTTER", "copy", 1);
	assert_int_equal(snapshot_default_mode(&mode, &err), 0);
	assert_int_equal(mode, SNAPSHOT_COPY);
	setenv("SILO_SNAPSHOTTER", "overlay", 1);
	assert_int_equal(snapshot_default_mode(&mode, &err), 0);
	assert_int_equal(mode, SNAPSHOT_OVERLAY);
	setenv("SILO_SNAPSHOTTER", "vfs", 1);
	assert_true(snapshot_default_mode(&mode, &err) < 0);
	assert_string_equal(err.msg, "SILO_SNAPSHOTTER=\"vfs\": want overlay or copy");
	unsetenv("SILO_SNAPSHOTTER");
}

/* More layers than a page of overlay options can name: the container
 * becomes a copy one, with every layer's file, and keeps that mode. */
static void test_many_layers_become_a_copy(void **state)
{
	struct scratch *s = *state;
	_cleanup_json_ json_t *layers = json_array();
	struct silo_err err = { 0 };
	char container[256], rootfs[300], layer[300], name[32];

	unsetenv("SILO_SNAPSHOTTER");
	for (int i = 0; i < 60; i++) {
		snprintf(layer, sizeof(layer),
			 "%s/layers/%02d23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/diff",
			 s->dir, i);
		make_dir(layer, ".");
		snprintf(name, sizeof(name), "file-%02d", i);
		put(layer, name, name);
		json_array_append_new(layers, json_string(layer));
	}
	snprintf(container, sizeof(container), "%s/container", s->dir);
	assert_int_equal(snapshot_prepare(container, &err), 0);
	assert_int_equal(snapshot_mode_of(container), SNAPSHOT_OVERLAY);
	assert_int_equal(snapshot_mount(container, layers, &err), 0);
	assert_int_equal(snapshot_mode_of(container), SNAPSHOT_COPY);
	assert_false(exists(container, "upper"));
	assert_false(exists(container, "work"));
	snprintf(rootfs, sizeof(rootfs), "%s/bundle/rootfs", container);
	assert_true(exists(rootfs, "file-00"));
	assert_true(exists(rootfs, "file-59"));
	/* Mounting again keeps the copy and its changes. */
	put(rootfs, "change", "mine");
	assert_int_equal(snapshot_mount(container, layers, &err), 0);
	assert_int_equal(snapshot_prepare(container, &err), 0);
	assert_int_equal(snapshot_mode_of(container), SNAPSHOT_COPY);
	assert_true(exists(rootfs, "change"));
	assert_int_equal(snapshot_unmount(container, &err), 0);
	assert_true(exists(rootfs, "change"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_copy_merges_layers, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_copy_symlink_then_write_through, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_copy_whiteouts_and_opaque, scratch_setup,
						scratch_teardown),
		cmocka_unit_test(test_default_mode),
		cmocka_unit_test_setup_teardown(test_many_layers_become_a_copy, scratch_setup,
						scratch_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
