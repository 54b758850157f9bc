/* The content store: crash-safe blob writes, locks, paths. */
#include "image/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/reference.h"
#include "util/cleanup.h"
#include "util/fs.h"

static const char *const store_dirs[] = { "blobs", "blobs/sha256", "layers", "tmp", "locks", NULL };

int store_open(const char *root, struct store *out, struct silo_err *err)
{
	_cleanup_free_ char *abs = NULL;
	_cleanup_close_ int fd = -1;

	if (!root)
		root = getenv("SILO_ROOT");
	if (!root || !*root)
		root = STORE_DEFAULT_ROOT;
	abs = fs_absolute_path(root);
	if (!abs)
		return silo_err_sys(err, ENOMEM, "open store \"%s\"", root);
	if (fs_mkdir_p(abs, 0700, err) < 0)
		return silo_err_prefix(err, "open store");
	fd = open(abs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return silo_err_errno(err, "open store \"%s\"", abs);
	for (const char *const *d = store_dirs; *d; d++)
		if (mkdirat(fd, *d, 0700) < 0 && errno != EEXIST)
			return silo_err_errno(err, "create \"%s/%s\"", abs, *d);
	out->root = steal_pointer(&abs);
	out->root_fd = steal_fd(&fd);
	return 0;
}

void store_close(struct store *store)
{
	free(store->root);
	store->root = NULL;
	if (store->root_fd >= 0)
		close(store->root_fd);
	store->root_fd = -1;
}

char *store_blob_path(const struct store *store, const char *digest)
{
	char *path;

	if (asprintf(&path, "%s/blobs/sha256/%s", store->root, digest_hex(digest)) < 0)
		return NULL;
	return path;
}

int store_blob_exists(const struct store *store, const char *digest)
{
	char rel[128];

	if (!image_ref_digest_valid(digest))
		return 0;
	snprintf(rel, sizeof(rel), "blobs/sha256/%s", digest_hex(digest));
	return faccessat(store->root_fd, rel, F_OK, 0) == 0;
}

int store_blob_read(const struct store *store, const char *digest, size_t max, char **out,
		    size_t *len, struct silo_err *err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *data = NULL;
	char actual[DIGEST_STRING_LENGTH + 1];
	size_t n;

	if (!image_ref_digest_valid(digest))
		return silo_err_set(err, EINVAL, "bad digest \"%s\"", digest);
	path = store_blob_path(store, digest);
	if (!path)
		return silo_err_sys(err, ENOMEM, "read blob");
	if (fs_read_file(path, max, &data, &n, err) < 0)
		return -1;
	if (digest_buffer(data, n, actual, err) < 0)
		return -1;
	if (strcmp(actual, digest))
		return silo_err_set(err, EIO, "blob %s in the store is corrupt (its content hashes to %s)",
				    digest, actual);
	*out = steal_pointer(&data);
	if (len)
		*len = n;
	return 0;
}

int store_blob_put(const struct store *store, const char *digest, const void *data, size_t len,
		   struct silo_err *err)
{
	struct store_blob_writer w;

	if (store_blob_exists(store, digest))
		return 0;
	if (!image_ref_digest_valid(digest))
		return silo_err_set(err, EINVAL, "bad digest \"%s\"", digest);
	/* A file of its own in tmp/, not <hex>.partial: pulls of one image at
	 * once put the same manifest and config, and with one shared name a
	 * pull would rename away, or truncate, the file another is about to
	 * rename. Whichever rename comes last replaces the same bytes. */
	if (store_blob_begin_unnamed(store, &w, err) < 0)
		return -1;
	snprintf(w.expected, sizeof(w.expected), "%s", digest);
	w.expected_size = (int64_t)len;
	if (store_blob_write(&w, data, len, err) < 0) {
		store_blob_abort(&w, 0);
		return -1;
	}
	return store_blob_commit(&w, err);
}

int store_blob_remove(const struct store *store, const char *digest, struct silo_err *err)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "blobs/sha256/%s", digest_hex(digest));
	if (unlinkat(store->root_fd, rel, 0) < 0 && errno != ENOENT)
		return silo_err_errno(err, "remove blob %s", digest);
	return 0;
}

/* Feeds what a previous attempt wrote back through the hash, so the final
 * digest covers the whole blob. */
static int rehash_partial(struct store_blob_writer *w, struct silo_err *err)
{
	char buf[65536];
	ssize_t n;

	if (lseek(w->fd, 0, SEEK_SET) < 0)
		return silo_err_errno(err, "seek \"%s\"", w->partial_path);
	while ((n = read(w->fd, buf, sizeof(buf))) > 0) {
		digest_update(&w->digest, buf, (size_t)n);
		w->written += (uint64_t)n;
	}
	if (n < 0)
		return silo_err_errno(err, "read \"%s\"", w->partial_path);
	return 0;
}

int store_blob_begin(const struct store *store, const char *digest, int64_t size, int resume,
		     struct store_blob_writer *w, struct silo_err *err)
{
	memset(w, 0, sizeof(*w));
	w->fd = -1;
	w->store = store;
	w->expected_size = size;
	if (!image_ref_digest_valid(digest))
		return silo_err_set(err, EINVAL, "bad digest \"%s\"", digest);
	snprintf(w->expected, sizeof(w->expected), "%s", digest);
	if (asprintf(&w->partial_path, "%s/tmp/%s.partial", store->root, digest_hex(digest)) < 0) {
		w->partial_path = NULL;
		return silo_err_sys(err, ENOMEM, "write blob %s", digest);
	}
	if (digest_init(&w->digest, err) < 0) {
		store_blob_abort(w, 1);
		return -1;
	}
	w->fd = open(w->partial_path, O_RDWR | O_CREAT | O_CLOEXEC | (resume ? 0 : O_TRUNC), 0600);
	if (w->fd < 0) {
		silo_err_errno(err, "create \"%s\"", w->partial_path);
		store_blob_abort(w, 1);
		return -1;
	}
	if (resume && rehash_partial(w, err) < 0) {
		store_blob_abort(w, 0);
		return -1;
	}
	if (size >= 0 && w->written > (uint64_t)size) {
		/* Longer than the blob can be: start again. */
		if (ftruncate(w->fd, 0) < 0 || lseek(w->fd, 0, SEEK_SET) < 0) {
			silo_err_errno(err, "truncate \"%s\"", w->partial_path);
			store_blob_abort(w, 0);
			return -1;
		}
		digest_free(&w->digest);
		w->written = 0;
		w->writeback_from = 0;
		if (digest_init(&w->digest, err) < 0) {
			store_blob_abort(w, 0);
			return -1;
		}
	}
	return 0;
}

int store_blob_begin_unnamed(const struct store *store, struct store_blob_writer *w,
			     struct silo_err *err)
{
	memset(w, 0, sizeof(*w));
	w->fd = -1;
	w->store = store;
	w->expected_size = -1;
	if (asprintf(&w->partial_path, "%s/tmp/unnamed-XXXXXX", store->root) < 0) {
		w->partial_path = NULL;
		return silo_err_sys(err, ENOMEM, "write blob");
	}
	if (digest_init(&w->digest, err) < 0) {
		store_blob_abort(w, 1);
		return -1;
	}
	w->fd = mkostemp(w->partial_path, O_CLOEXEC);
	if (w->fd < 0) {
		silo_err_errno(err, "create \"%s\"", w->partial_path);
		store_blob_abort(w, 1);
		return -1;
	}
	return 0;
}

int store_blob_write(struct store_blob_writer *w, const void *data, size_t len,
		     struct silo_err *err)
{
	const char *p = data;

	if (w->expected_size >= 0 && w->written + len > (uint64_t)w->expected_size)
		return silo_err_set(err, EIO, "blob %s: the registry sent more than the %lld bytes announced",
				    w->expected, (long long)w->expected_size);
	digest_update(&w->digest, data, len);
	w->written += len;
	while (len) {
		ssize_t n = write(w->fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return silo_err_errno(err, "write \"%s\"", w->partial_path);
		}
		p += n;
		len -= (size_t)n;
	}
	if (w->written - w->writeback_from >= FS_WRITEBACK_CHUNK) {
		fs_start_writeback(w->fd, (off_t)w->writeback_from, (off_t)(w->written - w->writeback_from));
		w->writeback_from = w->written;
	}
	return 0;
}

int store_blob_commit(struct store_blob_writer *w, struct silo_err *err)
{
	char actual[DIGEST_STRING_LENGTH + 1];
	_cleanup_free_ char *final = NULL;
	_cleanup_close_ int dirfd = -1;

	digest_final(&w->digest, actual);
	if (!w->expected[0])
		memcpy(w->expected, actual, sizeof(actual));
	if (w->expected_size >= 0 && w->written != (uint64_t)w->expected_size) {
		silo_err_set(err, EIO, "blob %s: got %llu bytes, want %lld", w->expected,
			     (unsigned long long)w->written, (long long)w->expected_size);
		store_blob_abort(w, 0);
		return -1;
	}
	if (strcmp(actual, w->expected)) {
		silo_err_set(err, EIO, "blob %s: digest mismatch (the content hashes to %s)", w->expected,
			     actual);
		store_blob_abort(w, 0);
		return -1;
	}
	final = store_blob_path(w->store, w->expected);
	if (!final) {
		store_blob_abort(w, 0);
		return silo_err_sys(err, ENOMEM, "store blob %s", w->expected);
	}
	if (fsync(w->fd) < 0 || rename(w->partial_path, final) < 0) {
		silo_err_errno(err, "store blob %s", w->expected);
		store_blob_abort(w, 0);
		return -1;
	}
	dirfd = openat(w->store->root_fd, "blobs/sha256", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd >= 0)
		fsync(dirfd);
	/* The partial file is the blob now: nothing left to remove. */
	free(w->partial_path);
	w->partial_path = NULL;
	store_blob_abort(w, 1);
	return 0;
}

void store_blob_abort(struct store_blob_writer *w, int keep_partial)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	if (w->partial_path && !keep_partial)
		unlink(w->partial_path);
	free(w->partial_path);
	w->partial_path = NULL;
	digest_free(&w->digest);
}

static int lock_mode(const struct store *store, const char *name, int op, struct silo_err *err)
{
	char rel[256];
	int fd;

	snprintf(rel, sizeof(rel), "locks/%s", name);
	fd = openat(store->root_fd, rel, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return silo_err_errno(err, "open lock \"%s/%s\"", store->root, rel);
	while (flock(fd, op) < 0) {
		if (errno == EINTR)
			continue;
		silo_err_errno(err, "lock \"%s/%s\"", store->root, rel);
		close(fd);
		return -1;
	}
	return fd;
}

int store_lock(const struct store *store, const char *name, struct silo_err *err)
{
	return lock_mode(store, name, LOCK_EX, err);
}

int store_lock_shared(const struct store *store, const char *name, struct silo_err *err)
{
	return lock_mode(store, name, LOCK_SH, err);
}

char *store_layer_path(const struct store *store, const char *chain_id)
{
	char *path;

	if (asprintf(&path, "%s/layers/%s", store->root, digest_hex(chain_id)) < 0)
		return NULL;
	return path;
}

int store_layer_exists(const struct store *store, const char *chain_id)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "layers/%s/layer.json", digest_hex(chain_id));
	return faccessat(store->root_fd, rel, F_OK, 0) == 0;
}
