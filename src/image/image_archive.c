/* The load dispatcher and the tar reading both loaders share (see
 * image_archive.h). */
#include "image/image_archive.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/archive_lib.h"
#include "image/docker_archive.h"
#include "image/images.h"
#include "image/manifest.h"
#include "image/oci_archive.h"
#include "image/reference.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define READ_BLOCK 65536
#define LINK_HOPS 16

int image_archive_open(int fd, const char *label, struct archive **out, struct silo_err *err)
{
	struct archive *a;

	if (archive_lib_load(err) < 0)
		return -1;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return silo_err_errno(err, "rewind %s", label);
	a = archive_read_new();
	if (!a)
		return silo_err_sys(err, ENOMEM, "read %s", label);
	/* In-process decompressors only: for some other filters libarchive
	 * would run an external program. */
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_xz(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_fd(a, fd, READ_BLOCK) != ARCHIVE_OK) {
		silo_err_set(err, EIO, "read the archive: %s", archive_error_string(a));
		archive_read_free(a);
		return -1;
	}
	*out = a;
	return 0;
}

int image_archive_clean_name(const char *raw, char *out, size_t size)
{
	const char *p = raw;
	size_t len = 0;

	if (size == 0)
		return -1;
	out[0] = '\0';
	while (*p) {
		const char *start;
		size_t n;

		while (*p == '/')
			p++;
		start = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - start);
		if (n == 0 || (n == 1 && start[0] == '.'))
			continue;
		if (n == 2 && start[0] == '.' && start[1] == '.') {
			if (len == 0)
				return -1;
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			out[len] = '\0';
			continue;
		}
		if (len + (len ? 1 : 0) + n + 1 > size)
			return -1;
		if (len)
			out[len++] = '/';
		memcpy(out + len, start, n);
		len += n;
		out[len] = '\0';
	}
	return len ? 0 : -1;
}

int image_archive_read_entry(struct archive *a, const char *name, size_t max, char **out,
			     size_t *len, struct silo_err *err)
{
	size_t cap = 4096, used = 0;
	_cleanup_free_ char *buf = malloc(cap);
	la_ssize_t n;

	if (!buf)
		return silo_err_sys(err, ENOMEM, "read %s", name);
	for (;;) {
		if (used + 1 >= cap) {
			char *more;

			if (cap > max)
				return silo_err_set(err, EFBIG, "%s is larger than %zu bytes", name, max);
			more = realloc(buf, cap * 2);
			if (!more)
				return silo_err_sys(err, ENOMEM, "read %s", name);
			buf = more;
			cap *= 2;
		}
		n = archive_read_data(a, buf + used, cap - used - 1);
		if (n < 0)
			return silo_err_set(err, EIO, "read %s: %s", name, archive_error_string(a));
		if (n == 0)
			break;
		used += (size_t)n;
	}
	if (used > max)
		return silo_err_set(err, EFBIG, "%s is larger than %zu bytes", name, max);
	buf[used] = '\0';
	*out = steal_pointer(&buf);
	*len = used;
	return 0;
}

/* A blob the store has already: its size and first bytes from there. */
static int describe_stored(const struct store *store, const char *digest, uint64_t *size,
			   unsigned char magic[8], struct silo_err *err)
{
	_cleanup_free_ char *path = store_blob_path(store, digest);
	_cleanup_close_ int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		return silo_err_errno(err, "open blob %s", digest);
	memset(magic, 0, 8);
	if (pread(fd, magic, 8, 0) < 0)
		return silo_err_errno(err, "read blob %s", digest);
	*size = (uint64_t)st.st_size;
	return 0;
}

int image_archive_store_entry(const struct store *store, struct archive *a, const char *name,
			      const char *expected, char digest[DIGEST_STRING_LENGTH + 1],
			      uint64_t *size, unsigned char magic[8], struct silo_err *err)
{
	struct store_blob_writer w;
	char buf[READ_BLOCK];
	size_t have_magic = 0;
	la_ssize_t n;
	int r;

	if (expected && store_blob_exists(store, expected)) {
		snprintf(digest, DIGEST_STRING_LENGTH + 1, "%s", expected);
		return describe_stored(store, expected, size, magic, err);
	}
	r = expected ? store_blob_begin(store, expected, -1, 0, &w, err) :
		       store_blob_begin_unnamed(store, &w, err);
	if (r < 0)
		return -1;
	memset(magic, 0, 8);
	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
		for (; have_magic < 8 && have_magic < (size_t)n; have_magic++)
			magic[have_magic] = (unsigned char)buf[have_magic];
		if (store_blob_write(&w, buf, (size_t)n, err) < 0) {
			store_blob_abort(&w, 0);
			return -1;
		}
	}
	if (n < 0) {
		store_blob_abort(&w, 0);
		return silo_err_set(err, EIO, "read %s from the archive: %s", name, archive_error_string(a));
	}
	*size = w.written;
	if (store_blob_commit(&w, err) < 0)
		return silo_err_prefix(err, "%s", name);
	snprintf(digest, DIGEST_STRING_LENGTH + 1, "%s", w.expected);
	return 0;
}

/* Adds the records, all complete, and says what was loaded. */
int image_archive_record_all(const struct store *store, json_t *records, image_archive_report_fn report,
		      void *opaque, struct silo_err *err)
{
	size_t i;
	json_t *rec;

	json_array_foreach(records, i, rec) {
		const char *name = json_string_value(json_array_get(json_object_get(rec, "names"), 0));
		char line[512];

		if (images_add(store, rec, err) < 0)
			return -1;
		if (name) {
			_cleanup_free_ char *familiar = image_ref_familiar(name);

			snprintf(line, sizeof(line), "Loaded image: %s", familiar ? familiar : name);
		} else {
			snprintf(line, sizeof(line), "Loaded image ID: %s",
				 json_string_value(json_object_get(rec, "id")));
		}
		if (report)
			report(opaque, line);
	}
	return 0;
}

/* ------------------------------------------------------------- the scan -- */

static void scan_free(struct image_archive_scan *scan)
{
	free(scan->docker_manifest);
	free(scan->repositories);
	json_decref(scan->links);
	memset(scan, 0, sizeof(*scan));
}

/* A symlink's target as a path from the archive's root. */
static int link_target(const char *name, const char *target, char *out, size_t size)
{
	char joined[PATH_MAX];
	const char *slash = strrchr(name, '/');

	if (target[0] == '/' || !slash)
		snprintf(joined, sizeof(joined), "%s", target);
	else
		snprintf(joined, sizeof(joined), "%.*s/%s", (int)(slash - name), name, target);
	return image_archive_clean_name(joined, out, size);
}

/* The small files that tell what the archive is, and its links. */
static int scan_archive(int fd, const char *label, struct image_archive_scan *scan,
			struct silo_err *err)
{
	struct archive *a = NULL;
	struct archive_entry *entry;
	int r;

	scan->links = json_object();
	if (!scan->links)
		return silo_err_sys(err, ENOMEM, "read %s", label);
	if (image_archive_open(fd, label, &a, err) < 0)
		return -1;
	while ((r = archive_read_next_header(a, &entry)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		char name[PATH_MAX], target[PATH_MAX];
		const char *raw = archive_entry_pathname(entry);
		const char *hardlink = archive_entry_hardlink(entry);

		if (!raw || image_archive_clean_name(raw, name, sizeof(name)) < 0)
			continue;
		if (hardlink) {
			if (image_archive_clean_name(hardlink, target, sizeof(target)) == 0)
				json_object_set_new(scan->links, name, json_string(target));
			continue;
		}
		if (archive_entry_filetype(entry) == AE_IFLNK) {
			const char *to = archive_entry_symlink(entry);

			if (to && link_target(name, to, target, sizeof(target)) == 0)
				json_object_set_new(scan->links, name, json_string(target));
			continue;
		}
		if (archive_entry_filetype(entry) != AE_IFREG)
			continue;
		if (!strcmp(name, "manifest.json")) {
			free(scan->docker_manifest);
			scan->docker_manifest = NULL;
			r = image_archive_read_entry(a, "manifest.json", MANIFEST_MAX_SIZE,
						     &scan->docker_manifest, &scan->docker_manifest_len, err);
		} else if (!strcmp(name, "repositories")) {
			free(scan->repositories);
			scan->repositories = NULL;
			r = image_archive_read_entry(a, "repositories", MANIFEST_MAX_SIZE,
						     &scan->repositories, &scan->repositories_len, err);
		} else if (!strcmp(name, "index.json")) {
			scan->has_oci_index = 1;
		}
		if (r < 0) {
			archive_read_free(a);
			return -1;
		}
	}
	if (r != ARCHIVE_EOF) {
		silo_err_set(err, EIO, "read the archive: %s", archive_error_string(a));
		archive_read_free(a);
		return -1;
	}
	archive_read_free(a);
	return 0;
}

/* A pipe cannot be read twice: its bytes go to an anonymous file in the
 * store's tmp/ (on the store's disk, gone when closed). */
static int spool(const struct store *store, int in, const char *label, struct silo_err *err)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_close_ int fd = -1;
	char buf[READ_BLOCK];
	ssize_t n;

	if (asprintf(&dir, "%s/tmp", store->root) < 0)
		return silo_err_sys(err, ENOMEM, "read %s", label);
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return silo_err_errno(err, "create a temporary file in \"%s\"", dir);
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		int r;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return silo_err_errno(err, "read %s", label);
		}
		r = fs_write_all(fd, buf, (size_t)n);
		if (r < 0)
			return silo_err_sys(err, -r, "copy %s to \"%s\"", label, dir);
	}
	return steal_fd(&fd);
}

static int open_input(const struct store *store, const char *path, const char *label,
		      struct silo_err *err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (!path || !strcmp(path, "-"))
		return spool(store, STDIN_FILENO, label, err);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return silo_err_errno(err, "open \"%s\"", path);
	if (S_ISDIR(st.st_mode))
		return silo_err_set(err, EISDIR, "\"%s\" is a directory, not an archive", path);
	if (!S_ISREG(st.st_mode))
		return spool(store, fd, label, err);
	return steal_fd(&fd);
}

static int is_empty(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && st.st_size == 0;
}

int image_archive_load(const struct store *store, const char *path,
		       image_archive_report_fn report, void *opaque, struct silo_err *err)
{
	struct image_archive_scan scan = { 0 };
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *label = NULL;
	int gc, r;

	if (archive_lib_load(err) < 0)
		return -1;
	if (!path || !strcmp(path, "-"))
		label = strdup("standard input");
	else if (asprintf(&label, "\"%s\"", path) < 0)
		label = NULL;
	if (!label)
		return silo_err_sys(err, ENOMEM, "load");
	/* As a pull: stored blobs are safe from a concurrent rmi's garbage
	 * collection until the image records refer to them. */
	gc = store_lock_shared(store, "gc", err);
	if (gc < 0)
		return -1;
	fd = open_input(store, path, label, err);
	if (fd < 0) {
		close(gc);
		return -1;
	}
	if (is_empty(fd)) {
		close(gc);
		return silo_err_set(err, EINVAL, "%s is empty", label);
	}
	r = scan_archive(fd, label, &scan, err);
	if (r == 0 && scan.docker_manifest)
		r = docker_archive_load(store, fd, label, &scan, report, opaque, err);
	else if (r == 0 && scan.has_oci_index)
		r = oci_archive_load(store, fd, label, report, opaque, err);
	else if (r == 0)
		r = silo_err_set(err, EINVAL,
				 "not an image archive: it has no manifest.json (docker-archive) and no "
				 "index.json (OCI layout)");
	scan_free(&scan);
	close(gc);
	if (r < 0) {
		struct silo_err ignored = { 0 };

		/* Whatever the broken archive stored goes again: no image
		 * refers to it. */
		images_collect_garbage(store, &ignored);
		return silo_err_prefix(err, "%s", label);
	}
	return 0;
}
