/* Unit tests for layer extraction. Each hostile layer is built here with
 * libarchive's writer, extracted into scratch/layer, and the test checks
 * that scratch/outside (a sentinel directory next to the layer) is exactly
 * as it was: one file "victim" holding "original". Tests of attacks are
 * named after the attack. They all run twice: with openat2, and with the
 * walk by hand that replaces it where the kernel answers ENOSYS
 * (util/resolve.c); a last test has a seccomp filter answer ENOSYS. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <seccomp.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "image/digest.h"
#include "image/unpack.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/resolve.h"

enum compression { PLAIN, GZIP, ZSTD };

struct scratch {
	char dir[64];
	char layer[96];
	char outside[96];
	char tarball[96];
	struct archive *w;
	char *plain; /* the uncompressed tar, to check the DiffID */
	size_t plain_len;
};

static int scratch_setup(void **state)
{
	struct scratch *s = calloc(1, sizeof(*s));
	char victim[128];
	int fd;

	strcpy(s->dir, "/tmp/silo-test-unpack-XXXXXX");
	if (!mkdtemp(s->dir))
		return -1;
	snprintf(s->layer, sizeof(s->layer), "%s/layer", s->dir);
	snprintf(s->outside, sizeof(s->outside), "%s/outside", s->dir);
	snprintf(s->tarball, sizeof(s->tarball), "%s/layer.tar", s->dir);
	snprintf(victim, sizeof(victim), "%s/victim", s->outside);
	if (mkdir(s->layer, 0755) < 0 || mkdir(s->outside, 0755) < 0)
		return -1;
	fd = open(victim, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0 || write(fd, "original", 8) != 8)
		return -1;
	close(fd);
	*state = s;
	return 0;
}

static int scratch_teardown(void **state)
{
	struct scratch *s = *state;
	struct silo_err err = { 0 };
	int r = fs_remove_tree(s->dir, &err);

	free(s->plain);
	free(s);
	return r;
}

/* ------------------------------------------------------------ building -- */

static void tar_begin(struct scratch *s, enum compression c)
{
	s->w = archive_write_new();
	archive_write_set_format_pax_restricted(s->w);
	if (c == GZIP)
		archive_write_add_filter_gzip(s->w);
	else if (c == ZSTD)
		archive_write_add_filter_zstd(s->w);
	if (archive_write_open_filename(s->w, s->tarball) != ARCHIVE_OK)
		fail_msg("open tarball: %s", archive_error_string(s->w));
}

static struct archive_entry *entry_new(const char *name, mode_t type, mode_t perm)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, perm);
	archive_entry_set_mtime(e, 1000000000, 0);
	return e;
}

static void entry_write(struct scratch *s, struct archive_entry *e, const char *data)
{
	if (data)
		archive_entry_set_size(e, (la_int64_t)strlen(data));
	if (archive_write_header(s->w, e) != ARCHIVE_OK)
		fail_msg("write header: %s", archive_error_string(s->w));
	if (data && archive_write_data(s->w, data, strlen(data)) < 0)
		fail_msg("write data: %s", archive_error_string(s->w));
	archive_entry_free(e);
}

static void add_file(struct scratch *s, const char *name, const char *data)
{
	entry_write(s, entry_new(name, AE_IFREG, 0644), data);
}

static void add_dir(struct scratch *s, const char *name)
{
	entry_write(s, entry_new(name, AE_IFDIR, 0755), NULL);
}

static void add_symlink(struct scratch *s, const char *name, const char *target)
{
	struct archive_entry *e = entry_new(name, AE_IFLNK, 0777);

	archive_entry_set_symlink(e, target);
	entry_write(s, e, NULL);
}

static void add_hardlink(struct scratch *s, const char *name, const char *target)
{
	struct archive_entry *e = entry_new(name, AE_IFREG, 0644);

	archive_entry_set_hardlink(e, target);
	archive_entry_set_size(e, 0);
	entry_write(s, e, NULL);
}

static void tar_end(struct scratch *s)
{
	archive_write_close(s->w);
	archive_write_free(s->w);
	s->w = NULL;
}

/* ----------------------------------------------------------- extracting -- */

static int extract(struct scratch *s, struct unpack_result *res, struct silo_err *err)
{
	_cleanup_close_ int fd = open(s->tarball, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		fail_msg("open tarball");
	return unpack_layer_fd(fd, s->layer, res, err);
}

static void extract_ok(struct scratch *s)
{
	struct unpack_result res;
	struct silo_err err = { 0 };

	if (extract(s, &res, &err) < 0)
		fail_msg("unpack: %s", err.msg);
}

static void extract_refused(struct scratch *s, const char *why)
{
	struct unpack_result res;
	struct silo_err err = { 0 };

	if (extract(s, &res, &err) == 0)
		fail_msg("a hostile layer was extracted");
	if (why && !strstr(err.msg, why))
		fail_msg("error \"%s\" does not say \"%s\"", err.msg, why);
}

/* For layers that may fail or succeed (a write through a symlink that
 * dangles inside the layer fails, as with any tar): either way nothing
 * outside may change. */
static void extract_either(struct scratch *s)
{
	struct unpack_result res;
	struct silo_err err = { 0 };

	extract(s, &res, &err);
}

static char *read_in(const char *dir, const char *name)
{
	char path[512];
	char *data = NULL;
	struct silo_err err = { 0 };

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (fs_read_file(path, 4096, &data, NULL, &err) < 0)
		return NULL;
	return data;
}

/* The sentinel directory holds exactly "victim" with its first content. */
static void assert_outside_untouched(struct scratch *s)
{
	_cleanup_closedir_ DIR *d = opendir(s->outside);
	_cleanup_free_ char *victim = read_in(s->outside, "victim");
	struct dirent *e;
	struct stat st;
	char path[256];
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	assert_int_equal(n, 1);
	assert_non_null(victim);
	assert_string_equal(victim, "original");
	snprintf(path, sizeof(path), "%s/victim", s->outside);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_nlink, 1);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* Nothing was created next to the layer and the sentinel either. */
	d = (closedir(d), opendir(s->dir));
	n = 0;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	assert_int_equal(n, 3); /* layer, outside, layer.tar */
}

/* ------------------------------------------------------------ function -- */

static void check_plain_layer(struct scratch *s, enum compression c)
{
	struct unpack_result res;
	struct silo_err err = { 0 };
	_cleanup_free_ char *hello = NULL;
	_cleanup_free_ char *plain = NULL;
	char want[DIGEST_STRING_LENGTH + 1];
	char plain_path[128];
	struct stat st;
	char link[64] = "";
	size_t len;

	tar_begin(s, c);
	add_dir(s, "./");
	add_dir(s, "etc/");
	add_file(s, "etc/hello", "hello world\n");
	add_symlink(s, "etc/link", "hello");
	add_hardlink(s, "etc/hard", "etc/hello");
	add_file(s, "bin/implicit-parent", "x");
	entry_write(s, entry_new("dev-null", AE_IFCHR, 0666), NULL);
	tar_end(s);
	if (extract(s, &res, &err) < 0)
		fail_msg("unpack: %s", err.msg);

	hello = read_in(s->layer, "etc/hello");
	assert_non_null(hello);
	assert_string_equal(hello, "hello world\n");
	snprintf(plain_path, sizeof(plain_path), "%s/etc/link", s->layer);
	assert_int_equal(readlink(plain_path, link, sizeof(link) - 1), 5);
	snprintf(plain_path, sizeof(plain_path), "%s/etc/hard", s->layer);
	assert_int_equal(stat(plain_path, &st), 0);
	assert_int_equal(st.st_nlink, 2);
	snprintf(plain_path, sizeof(plain_path), "%s/etc", s->layer);
	assert_int_equal(stat(plain_path, &st), 0);
	assert_int_equal(st.st_mtime, 1000000000);
	assert_int_equal(st.st_mode & 07777, 0755);

	/* The DiffID is the sha256 of the uncompressed tar. */
	if (c == PLAIN) {
		assert_int_equal(fs_read_file(s->tarball, 1 << 20, &plain, &len, &err), 0);
		assert_int_equal(digest_buffer(plain, len, want, &err), 0);
		assert_string_equal(res.diff_id, want);
		assert_int_equal(res.tar_size, len);
	}
	assert_int_equal(res.content_size, strlen("hello world\n") + 1);
}

static void test_uncompressed_layer(void **state)
{
	check_plain_layer(*state, PLAIN);
}

static void test_gzip_layer(void **state)
{
	check_plain_layer(*state, GZIP);
}

static void test_zstd_layer(void **state)
{
	check_plain_layer(*state, ZSTD);
}

static void test_diff_id_is_the_same_for_every_compression(void **state)
{
	struct scratch *s = *state;
	char ids[3][DIGEST_STRING_LENGTH + 1];

	for (int c = PLAIN; c <= ZSTD; c++) {
		struct unpack_result res;
		struct silo_err err = { 0 };

		fs_remove_tree(s->layer, &err);
		mkdir(s->layer, 0755);
		tar_begin(s, (enum compression)c);
		add_file(s, "a", "same content");
		tar_end(s);
		assert_int_equal(extract(s, &res, &err), 0);
		strcpy(ids[c], res.diff_id);
	}
	assert_string_equal(ids[0], ids[1]);
	assert_string_equal(ids[0], ids[2]);
}

static void test_whiteouts_become_overlay_whiteouts(void **state)
{
	struct scratch *s = *state;
	char path[256];
	char value[8] = "";
	struct stat st;

	tar_begin(s, GZIP);
	add_dir(s, "etc/");
	add_file(s, "etc/.wh.passwd", "");
	add_dir(s, "opaque/");
	add_file(s, "opaque/.wh..wh..opq", "");
	add_file(s, "opaque/kept", "k");
	add_file(s, ".wh..wh.plnk", "");
	tar_end(s);
	extract_ok(s);

	snprintf(path, sizeof(path), "%s/etc/passwd", s->layer);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(0, 0));
	snprintf(path, sizeof(path), "%s/etc/.wh.passwd", s->layer);
	assert_int_equal(lstat(path, &st), -1);
	snprintf(path, sizeof(path), "%s/opaque", s->layer);
	assert_int_equal(getxattr(path, "trusted.overlay.opaque", value, sizeof(value)), 1);
	assert_int_equal(value[0], 'y');
	snprintf(path, sizeof(path), "%s/opaque/kept", s->layer);
	assert_int_equal(lstat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/.wh..wh.plnk", s->layer);
	assert_int_equal(lstat(path, &st), -1);
}

static void test_later_entry_replaces_earlier(void **state)
{
	struct scratch *s = *state;
	_cleanup_free_ char *data = NULL;

	tar_begin(s, PLAIN);
	add_dir(s, "d/");
	add_file(s, "d/x", "1");
	add_file(s, "d", "now a file");
	add_file(s, "f", "old");
	add_file(s, "f", "new");
	tar_end(s);
	extract_ok(s);
	data = read_in(s->layer, "d");
	assert_string_equal(data, "now a file");
	free(data);
	data = read_in(s->layer, "f");
	assert_string_equal(data, "new");
}

static void test_truncated_layer_fails(void **state)
{
	struct scratch *s = *state;
	char big[20000];

	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	tar_begin(s, GZIP);
	add_file(s, "big", big);
	tar_end(s);
	assert_int_equal(truncate(s->tarball, 100), 0);
	extract_refused(s, NULL);
}

/* ------------------------------------------------------------- attacks -- */

static void test_dotdot_entry_name_is_refused(void **state)
{
	struct scratch *s = *state;

	tar_begin(s, PLAIN);
	add_file(s, "../outside/victim", "pwned");
	tar_end(s);
	extract_refused(s, "\"..\"");
	assert_outside_untouched(s);
}

static void test_dotdot_in_the_middle_of_a_name_is_refused(void **state)
{
	struct scratch *s = *state;

	tar_begin(s, PLAIN);
	add_dir(s, "a/");
	add_file(s, "a/../../outside/new", "pwned");
	tar_end(s);
	extract_refused(s, "\"..\"");
	assert_outside_untouched(s);
}

static void test_absolute_entry_name_stays_inside(void **state)
{
	struct scratch *s = *state;
	char name[160];
	char inside[256];
	struct stat st;

	snprintf(name, sizeof(name), "%s/victim", s->outside);
	tar_begin(s, PLAIN);
	add_file(s, name, "pwned");
	tar_end(s);
	extract_ok(s);
	assert_outside_untouched(s);
	snprintf(inside, sizeof(inside), "%s%s", s->layer, name);
	assert_int_equal(stat(inside, &st), 0);
}

static void test_absolute_symlink_then_write_through_it(void **state)
{
	struct scratch *s = *state;

	tar_begin(s, PLAIN);
	add_symlink(s, "evil", s->outside);
	add_file(s, "evil/victim", "pwned");
	add_file(s, "evil/new", "pwned");
	tar_end(s);
	extract_either(s);
	assert_outside_untouched(s);
}

static void test_absolute_symlink_resolves_inside_the_layer(void **state)
{
	struct scratch *s = *state;
	_cleanup_free_ char *data = NULL;

	tar_begin(s, PLAIN);
	add_dir(s, "inner/");
	add_symlink(s, "abs", "/inner");
	add_symlink(s, "up", "../../../inner");
	add_file(s, "abs/through-abs", "a");
	add_file(s, "up/through-up", "b");
	tar_end(s);
	extract_ok(s);
	data = read_in(s->layer, "inner/through-abs");
	assert_non_null(data);
	free(data);
	data = read_in(s->layer, "inner/through-up");
	assert_non_null(data);
	assert_outside_untouched(s);
}

static void test_relative_symlink_escape_then_write_through_it(void **state)
{
	struct scratch *s = *state;

	tar_begin(s, PLAIN);
	add_symlink(s, "evil", "../../../../../../outside");
	add_file(s, "evil/victim", "pwned");
	add_dir(s, "sub/");
	add_symlink(s, "sub/up", "../../outside");
	add_file(s, "sub/up/new", "pwned");
	tar_end(s);
	extract_either(s);
	assert_outside_untouched(s);
}

static void test_symlink_to_dotdot_chain_then_write_through_it(void **state)
{
	struct scratch *s = *state;

	tar_begin(s, PLAIN);
	add_symlink(s, "a", "..");
	add_symlink(s, "b", "a/..");
	add_file(s, "b/outside/victim", "pwned");
	tar_end(s);
	extract_ok(s);
	assert_outside_untouched(s);
}

static void test_directory_replaced_by_symlink_then_write_through_it(void **state)
{
	struct scratch *s = *state;

	tar_begin(s, PLAIN);
	add_dir(s, "etc/");
	add_file(s, "etc/ok", "fine");
	add_symlink(s, "etc", s->outside);
	add_file(s, "etc/victim", "pwned");
	tar_end(s);
	extract_either(s);
	assert_outside_untouched(s);
}

static void test_symlink_at_final_name_then_file_is_replaced_not_followed(void **state)
{
	struct scratch *s = *state;
	char target[160];
	_cleanup_free_ char *data = NULL;

	snprintf(target, sizeof(target), "%s/victim", s->outside);
	tar_begin(s, PLAIN);
	add_symlink(s, "victim", target);
	add_file(s, "victim", "pwned");
	tar_end(s);
	extract_ok(s);
	assert_outside_untouched(s);
	data = read_in(s->layer, "victim");
	assert_string_equal(data, "pwned");
}

static void test_symlink_at_final_name_then_directory_is_replaced(void **state)
{
	struct scratch *s = *state;

	tar_begin(s, PLAIN);
	add_symlink(s, "d", s->outside);
	add_dir(s, "d/");
	add_file(s, "d/new", "x");
	tar_end(s);
	extract_ok(s);
	assert_outside_untouched(s);
}

static void test_hardlink_to_outside_by_dotdot_is_refused(void **state)
{
	struct scratch *s = *state;

	tar_begin(s, PLAIN);
	add_hardlink(s, "link", "../outside/victim");
	tar_end(s);
	extract_refused(s, "hard link");
	assert_outside_untouched(s);
}

static void test_hardlink_to_outside_by_absolute_path_is_not_created(void **state)
{
	struct scratch *s = *state;
	char target[160];

	snprintf(target, sizeof(target), "%s/victim", s->outside);
	tar_begin(s, PLAIN);
	add_hardlink(s, "link", target);
	add_file(s, "link", "pwned");
	tar_end(s);
	extract_refused(s, "hard link");
	assert_outside_untouched(s);
}

static void test_hardlink_through_symlinked_parent_stays_inside(void **state)
{
	struct scratch *s = *state;

	tar_begin(s, PLAIN);
	add_symlink(s, "evil", s->outside);
	add_hardlink(s, "link", "evil/victim");
	tar_end(s);
	extract_refused(s, "hard link");
	assert_outside_untouched(s);
}

static void test_hardlink_to_symlink_to_outside_then_write(void **state)
{
	struct scratch *s = *state;
	char target[160];

	snprintf(target, sizeof(target), "%s/victim", s->outside);
	tar_begin(s, PLAIN);
	add_symlink(s, "s", target);
	add_hardlink(s, "h", "s");
	add_file(s, "h", "pwned");
	tar_end(s);
	extract_ok(s);
	assert_outside_untouched(s);
}

static void test_hardlink_to_directory_is_refused(void **state)
{
	struct scratch *s = *state;

	tar_begin(s, PLAIN);
	add_dir(s, "d/");
	add_hardlink(s, "h", "d");
	tar_end(s);
	extract_refused(s, "directory");
}

static void test_whiteout_outside_by_dotdot_is_refused(void **state)
{
	struct scratch *s = *state;

	tar_begin(s, PLAIN);
	add_file(s, "../outside/.wh.victim", "");
	tar_end(s);
	extract_refused(s, "\"..\"");
	assert_outside_untouched(s);
}

static void test_whiteout_through_symlinked_parent_stays_inside(void **state)
{
	struct scratch *s = *state;

	tar_begin(s, PLAIN);
	add_symlink(s, "evil", s->outside);
	add_file(s, "evil/.wh.victim", "");
	add_file(s, "evil/.wh..wh..opq", "");
	tar_end(s);
	extract_either(s);
	assert_outside_untouched(s);
}

static void test_whiteout_of_dotdot_is_refused(void **state)
{
	struct scratch *s = *state;

	tar_begin(s, PLAIN);
	add_dir(s, "a/");
	add_file(s, "a/.wh..", "");
	tar_end(s);
	extract_refused(s, "whiteout");
	assert_outside_untouched(s);
}

static void test_layer_replacing_root_with_a_file_is_refused(void **state)
{
	struct scratch *s = *state;

	tar_begin(s, PLAIN);
	add_file(s, ".", "not a directory");
	tar_end(s);
	extract_refused(s, "replace /");
}

static void test_layer_replacing_root_with_a_symlink_is_refused(void **state)
{
	struct scratch *s = *state;

	tar_begin(s, PLAIN);
	add_symlink(s, ".", s->outside);
	add_file(s, "victim", "pwned");
	tar_end(s);
	extract_refused(s, "replace /");
	assert_outside_untouched(s);
}

static void test_layer_replacing_root_with_a_hardlink_is_refused(void **state)
{
	struct scratch *s = *state;

	tar_begin(s, PLAIN);
	add_file(s, "f", "x");
	add_hardlink(s, "/", "f");
	tar_end(s);
	extract_refused(s, "replace /");
}

static void test_overlay_xattrs_from_the_layer_are_dropped(void **state)
{
	struct scratch *s = *state;
	struct archive_entry *e = entry_new("d", AE_IFDIR, 0755);
	char path[256];
	char value[64];

	archive_entry_xattr_add_entry(e, "trusted.overlay.redirect", "/etc", 4);
	tar_begin(s, PLAIN);
	entry_write(s, e, NULL);
	tar_end(s);
	extract_ok(s);
	snprintf(path, sizeof(path), "%s/d", s->layer);
	assert_int_equal(getxattr(path, "trusted.overlay.redirect", value, sizeof(value)), -1);
}

static void test_setuid_bit_survives_chown(void **state)
{
	struct scratch *s = *state;
	struct archive_entry *e = entry_new("su", AE_IFREG, 04755);
	char path[256];
	struct stat st;

	archive_entry_set_uid(e, 1000);
	archive_entry_set_gid(e, 1000);
	tar_begin(s, PLAIN);
	entry_write(s, e, "#!/bin/sh\n");
	tar_end(s);
	extract_ok(s);
	snprintf(path, sizeof(path), "%s/su", s->layer);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 04755);
	assert_int_equal(st.st_uid, 1000);
}

/* ENOSYS from openat2 (an old kernel, a seccomp profile around silo that
 * does not know it): unpack walks instead, with the same result, and after
 * that first answer never calls openat2 again (a second filter kills the
 * process on openat2). In a child, since filters cannot be removed; it
 * answers with an exit code, checked by the parent with the layer. */
static int child_unpack_without_openat2(struct scratch *s, const char *second)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	struct unpack_result res;
	struct silo_err err = { 0 };
	char layer2[128];
	int fd;

	if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2), 0) < 0 ||
	    seccomp_load(ctx) < 0)
		return 10;
	seccomp_release(ctx);
	if (extract(s, &res, &err) < 0) {
		fprintf(stderr, "unpack: %s\n", err.msg);
		return 11;
	}
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS(openat2), 0) < 0 ||
	    seccomp_load(ctx) < 0)
		return 12;
	seccomp_release(ctx);
	/* The hostile layer may fail (its write through the escaping link
	 * does), but must not reach outside, nor call openat2. */
	snprintf(layer2, sizeof(layer2), "%s/layer2", s->dir);
	fd = open(second, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || mkdir(layer2, 0755) < 0)
		return 13;
	unpack_layer_fd(fd, layer2, &res, &err);
	close(fd);
	return 0;
}

static void test_enosys_from_openat2_switches_to_the_walk(void **state)
{
	struct scratch *s = *state;
	_cleanup_free_ char *data = NULL;
	char second[128], path[160];
	struct stat st;
	int status;
	pid_t pid;

	/* The hostile layer: escapes by absolute and relative links. */
	tar_begin(s, PLAIN);
	add_symlink(s, "evil", s->outside);
	add_symlink(s, "up", "../../../../../outside");
	add_file(s, "evil/victim", "pwned");
	add_file(s, "up/new", "pwned");
	add_hardlink(s, "link", "evil/victim");
	tar_end(s);
	snprintf(second, sizeof(second), "%s/second.tar", s->dir);
	assert_int_equal(rename(s->tarball, second), 0);
	/* The good one: nested parents missing from the tar, links that
	 * resolve inside the layer, a hard link through a linked parent. */
	tar_begin(s, GZIP);
	add_dir(s, "inner/");
	add_symlink(s, "abs", "/inner");
	add_symlink(s, "up", "../../../inner");
	add_file(s, "abs/through-abs", "a");
	add_file(s, "up/through-up", "b");
	add_file(s, "deep/a/b/c/file", "c");
	add_hardlink(s, "inner/hard", "abs/through-abs");
	tar_end(s);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_unpack_without_openat2(s, second));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("the child was killed by signal %d: openat2 was called again",
			 WTERMSIG(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	data = read_in(s->layer, "inner/through-abs");
	assert_non_null(data);
	assert_string_equal(data, "a");
	free(data);
	data = read_in(s->layer, "inner/through-up");
	assert_non_null(data);
	assert_string_equal(data, "b");
	free(data);
	data = read_in(s->layer, "deep/a/b/c/file");
	assert_non_null(data);
	assert_string_equal(data, "c");
	snprintf(path, sizeof(path), "%s/inner/hard", s->layer);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_nlink, 2);
	/* What the hostile layer did stayed in its own directory. */
	assert_int_equal(unlink(second), 0);
	snprintf(path, sizeof(path), "%s/layer2", s->dir);
	{
		struct silo_err err = { 0 };

		assert_int_equal(fs_remove_tree(path, &err), 0);
	}
	assert_outside_untouched(s);
}

/* The same attacks, with the walk in place of openat2. */
static int group_force_walk(void **state)
{
	(void)state;
	resolve_force_walk(1);
	return 0;
}

static int group_stop_walk(void **state)
{
	(void)state;
	resolve_force_walk(0);
	return 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, scratch_setup, scratch_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_uncompressed_layer),
		T(test_gzip_layer),
		T(test_zstd_layer),
		T(test_diff_id_is_the_same_for_every_compression),
		T(test_whiteouts_become_overlay_whiteouts),
		T(test_later_entry_replaces_earlier),
		T(test_truncated_layer_fails),
		T(test_dotdot_entry_name_is_refused),
		T(test_dotdot_in_the_middle_of_a_name_is_refused),
		T(test_absolute_entry_name_stays_inside),
		T(test_absolute_symlink_then_write_through_it),
		T(test_absolute_symlink_resolves_inside_the_layer),
		T(test_relative_symlink_escape_then_write_through_it),
		T(test_symlink_to_dotdot_chain_then_write_through_it),
		T(test_directory_replaced_by_symlink_then_write_through_it),
		T(test_symlink_at_final_name_then_file_is_replaced_not_followed),
		T(test_symlink_at_final_name_then_directory_is_replaced),
		T(test_hardlink_to_outside_by_dotdot_is_refused),
		T(test_hardlink_to_outside_by_absolute_path_is_not_created),
		T(test_hardlink_through_symlinked_parent_stays_inside),
		T(test_hardlink_to_symlink_to_outside_then_write),
		T(test_hardlink_to_directory_is_refused),
		T(test_whiteout_outside_by_dotdot_is_refused),
		T(test_whiteout_through_symlinked_parent_stays_inside),
		T(test_whiteout_of_dotdot_is_refused),
		T(test_layer_replacing_root_with_a_file_is_refused),
		T(test_layer_replacing_root_with_a_symlink_is_refused),
		T(test_layer_replacing_root_with_a_hardlink_is_refused),
		T(test_overlay_xattrs_from_the_layer_are_dropped),
		T(test_setuid_bit_survives_chown),
	};
	const struct CMUnitTest enosys[] = {
		T(test_enosys_from_openat2_switches_to_the_walk),
	};
	int failed = cmocka_run_group_tests_name("openat2", tests, NULL, NULL);

	failed += cmocka_run_group_tests_name("walk", tests, group_force_walk, group_stop_walk);
	failed += cmocka_run_group_tests_name("enosys", enosys, NULL, NULL);
	return failed;
}
