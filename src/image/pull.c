/* The pull pipeline. The main thread drives the downloads (curl multi);
 * its write callback feeds each layer's bytes to the blob writer (hash,
 * size, tmp file) and, through a socketpair, to that layer's extractor
 * thread. The socketpair gives back-pressure and, with MSG_NOSIGNAL, no
 * SIGPIPE when an extractor gives up early. A layer becomes visible only
 * when the blob's digest and size matched, the extraction succeeded and
 * the DiffID matched the config. */
#include "image/pull.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "image/images.h"
#include "image/layers.h"
#include "image/registry.h"
#include "image/unpack.h"
#include "util/cleanup.h"

#define DEFAULT_PARALLEL 3
#define PIPE_BUFFER (1024 * 1024)
/* curl hands a body over in 16 KiB pieces: they are gathered into batches
 * this big before they go to the blob file and the extractor, one write
 * and one send a batch instead of one each a piece. */
#define FEED_BATCH (256 * 1024)

struct layer_job {
	const struct store *store;
	const struct pull_options *opts;
	const struct descriptor *desc;
	const char *diff_id;
	const char *chain_id;
	int lock_fd;
	int needed;
	struct store_blob_writer writer;
	int writer_open;
	int content_refused; /* the bytes were wrong, not the connection */
	struct layer_build build;
	int feed_fd;    /* our end of the socketpair */
	int extract_fd; /* the extractor's end */
	pthread_t thread;
	int thread_started;
	struct unpack_result unpacked;
	int unpack_rc;
	struct silo_err unpack_err;
	double last_progress;
	char *batch; /* received, not yet written and fed: batch_len bytes */
	size_t batch_len;
	int batch_failed; /* the last batch, written when the transfer ended */
	struct silo_err batch_err;
};

static void notify(const struct pull_options *opts, enum pull_event_kind kind, const char *digest,
		   uint64_t have, int64_t total)
{
	struct pull_event ev = { kind, digest, have, total };

	if (opts->progress)
		opts->progress(opts->opaque, &ev);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *extract_thread(void *opaque)
{
	struct layer_job *j = opaque;

	j->unpack_rc = unpack_layer_fd(j->extract_fd, j->build.diff, &j->unpacked, &j->unpack_err);
	close(j->extract_fd);
	j->extract_fd = -1;
	return NULL;
}

static int feed(struct layer_job *j, const void *data, size_t len, struct silo_err *err)
{
	const char *p = data;

	while (len) {
		ssize_t n = send(j->feed_fd, p, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* The extractor stopped; its error says why. */
			return silo_err_set(err, EIO, "layer %s: extraction stopped", j->desc->digest);
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_and_feed(struct layer_job *j, const void *data, size_t len, struct silo_err *err)
{
	if (store_blob_write(&j->writer, data, len, err) < 0 || feed(j, data, len, err) < 0) {
		j->content_refused = 1;
		return -1;
	}
	return 0;
}

static int flush_batch(struct layer_job *j, struct silo_err *err)
{
	size_t len = j->batch_len;

	j->batch_len = 0;
	return len ? write_and_feed(j, j->batch, len, err) : 0;
}

static int job_write(void *opaque, const void *data, size_t len, struct silo_err *err)
{
	struct layer_job *j = opaque;
	double now;

	if (!j->batch)
		j->batch = malloc(FEED_BATCH);
	if (j->batch_len + len > FEED_BATCH && flush_batch(j, err) < 0)
		return -1;
	if (!j->batch || len >= FEED_BATCH) {
		if (write_and_feed(j, data, len, err) < 0)
			return -1;
	} else {
		memcpy(j->batch + j->batch_len, data, len);
		j->batch_len += len;
	}
	now = now_s();
	if (now - j->last_progress >= 0.2) {
		j->last_progress = now;
		notify(j->opts, PULL_EVENT_LAYER_BYTES, j->desc->digest, j->writer.written + j->batch_len,
		       j->desc->size);
	}
	return 0;
}

static void job_finished(void *opaque, int ok)
{
	struct layer_job *j = opaque;

	/* Also after a failure: the bytes that came are kept for a resume. */
	if (flush_batch(j, &j->batch_err) < 0) {
		j->batch_failed = 1;
		ok = 0;
	}
	if (ok)
		notify(j->opts, PULL_EVENT_LAYER_DOWNLOADED, j->desc->digest, j->writer.written, j->desc->size);
	if (j->feed_fd >= 0)
		close(j->feed_fd);
	j->feed_fd = -1;
}

/* Bytes a killed pull left in tmp/ go to the extractor before the
 * download resumes after them. */
static int feed_partial(struct layer_job *j, struct silo_err *err)
{
	char buf[65536];
	off_t off = 0;

	while ((uint64_t)off < j->writer.written) {
		ssize_t n = pread(j->writer.fd, buf, sizeof(buf), off);

		if (n <= 0)
			return silo_err_errno(err, "read partial blob %s", j->desc->digest);
		if (feed(j, buf, (size_t)n, err) < 0)
			return -1;
		off += n;
	}
	return 0;
}

static int job_start(struct layer_job *j, int from_store, struct silo_err *err)
{
	int sv[2];
	int size = PIPE_BUFFER;

	/* Before the extractor thread starts: a library that cannot be
	 * opened is then the pull's own one-line error, not a stopped
	 * extraction. */
	if (unpack_load_library(err) < 0)
		return -1;
	if (layer_build_begin(j->store, j->chain_id, &j->build, err) < 0)
		return -1;
	if (from_store) {
		_cleanup_free_ char *path = store_blob_path(j->store, j->desc->digest);

		j->extract_fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
		if (j->extract_fd < 0)
			return silo_err_errno(err, "open blob %s", j->desc->digest);
	} else {
		if (store_blob_begin(j->store, j->desc->digest, j->desc->size, 1, &j->writer, err) < 0)
			return -1;
		j->writer_open = 1;
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
			return silo_err_errno(err, "socketpair");
		setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
		setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
		j->feed_fd = sv[0];
		j->extract_fd = sv[1];
	}
	if (pthread_create(&j->thread, NULL, extract_thread, j) != 0)
		return silo_err_set(err, EAGAIN, "start extracting layer %s", j->desc->digest);
	j->thread_started = 1;
	if (!from_store && j->writer.written > 0 && feed_partial(j, err) < 0)
		return -1;
	return 0;
}

/* Waits for the extractor and decides: publish, or drop everything. A
 * network failure keeps the partial blob for the next pull to resume; bytes
 * that were refused (more than the blob's size, a layer that does not
 * extract) are not worth resuming and go. */
static int job_finish(struct layer_job *j, int downloaded_ok, const struct silo_err *download_err,
		      struct silo_err *err)
{
	int keep_partial;
	struct layer_info info;

	if (j->batch_failed) {
		downloaded_ok = 0;
		download_err = &j->batch_err;
	}
	keep_partial = !j->content_refused;

	if (j->feed_fd >= 0) {
		close(j->feed_fd);
		j->feed_fd = -1;
	}
	if (j->thread_started) {
		pthread_join(j->thread, NULL);
		j->thread_started = 0;
	}
	if (j->writer_open) {
		j->writer_open = 0;
		if (!downloaded_ok) {
			*err = *download_err;
			store_blob_abort(&j->writer, keep_partial);
			layer_build_abort(&j->build);
			return -1;
		}
		/* Digest and size, before anything extracted is kept. */
		if (store_blob_commit(&j->writer, err) < 0) {
			layer_build_abort(&j->build);
			return -1;
		}
	}
	if (j->unpack_rc < 0) {
		*err = j->unpack_err;
		layer_build_abort(&j->build);
		return silo_err_prefix(err, "layer %s", j->desc->digest);
	}
	if (strcmp(j->unpacked.diff_id, j->diff_id)) {
		struct silo_err ignored = { 0 };

		layer_build_abort(&j->build);
		store_blob_remove(j->store, j->desc->digest, &ignored);
		return silo_err_set(err, EIO, "layer %s: uncompressed content is %s, but the image config says %s",
				    j->desc->digest, j->unpacked.diff_id, j->diff_id);
	}
	info = (struct layer_info){ j->chain_id, j->diff_id, j->desc->digest, j->unpacked.content_size,
				    j->unpacked.tar_size };
	if (layer_build_publish(j->store, &j->build, &info, err) < 0) {
		layer_build_abort(&j->build);
		return -1;
	}
	notify(j->opts, PULL_EVENT_LAYER_DONE, j->desc->digest, (uint64_t)j->desc->size, j->desc->size);
	return 0;
}

static void job_cleanup(struct layer_job *j)
{
	free(j->batch);
	j->batch = NULL;
	if (j->feed_fd >= 0)
		close(j->feed_fd);
	j->feed_fd = -1;
	if (j->thread_started)
		pthread_join(j->thread, NULL);
	j->thread_started = 0;
	if (j->extract_fd >= 0)
		close(j->extract_fd);
	j->extract_fd = -1;
	if (j->writer_open)
		store_blob_abort(&j->writer, 1);
	j->writer_open = 0;
	layer_build_abort(&j->build);
	if (j->lock_fd >= 0)
		close(j->lock_fd);
	j->lock_fd = -1;
}

static int compare_jobs(const void *a, const void *b)
{
	const struct layer_job *const *x = a, *const *y = b;

	return strcmp((*x)->desc->digest, (*y)->desc->digest);
}

/* Locks the blob of every missing layer, in digest order so that two pulls
 * never wait on each other in a circle, then checks again: another silo may
 * have built the layer while we waited. */
static int lock_layers(struct layer_job *jobs, size_t n, struct silo_err *err)
{
	_cleanup_free_ struct layer_job **order = calloc(n ? n : 1, sizeof(*order));

	if (!order)
		return silo_err_sys(err, ENOMEM, "pull");
	for (size_t i = 0; i < n; i++)
		order[i] = &jobs[i];
	qsort(order, n, sizeof(*order), compare_jobs);
	for (size_t i = 0; i < n; i++) {
		char name[96];

		if (!order[i]->needed)
			continue;
		if (i > 0 && !strcmp(order[i - 1]->desc->digest, order[i]->desc->digest) &&
		    order[i - 1]->lock_fd >= 0) {
			order[i]->lock_fd = dup(order[i - 1]->lock_fd);
		} else {
			snprintf(name, sizeof(name), "blob-%s", digest_hex(order[i]->desc->digest));
			order[i]->lock_fd = store_lock(order[i]->store, name, err);
			if (order[i]->lock_fd < 0)
				return -1;
		}
		if (store_layer_exists(order[i]->store, order[i]->chain_id))
			order[i]->needed = 0;
	}
	return 0;
}

static int fetch_verified(struct registry_client *c, const char *digest, size_t max, char **data,
			  size_t *len, struct silo_err *err)
{
	char actual[DIGEST_STRING_LENGTH + 1];

	if (registry_get_blob(c, digest, max, data, len, err) < 0)
		return -1;
	if (digest_buffer(*data, *len, actual, err) < 0)
		return -1;
	if (strcmp(actual, digest)) {
		free(*data);
		*data = NULL;
		return silo_err_set(err, EIO, "blob %s: digest mismatch (the content hashes to %s)", digest,
				    actual);
	}
	return 0;
}

struct resolved {
	char *manifest_data;
	size_t manifest_len;
	char manifest_digest[DIGEST_STRING_LENGTH + 1];
	char index_digest[DIGEST_STRING_LENGTH + 1]; /* "" without an index */
	char *index_data;
	size_t index_len;
	struct manifest manifest;
};

static int fetch_manifest(struct registry_client *c, const char *reference, const char *want_digest,
			  char **data, size_t *len, char digest[DIGEST_STRING_LENGTH + 1],
			  struct manifest *m, struct silo_err *err)
{
	_cleanup_free_ char *content_type = NULL;

	if (registry_get_manifest(c, reference, data, len, &content_type, err) < 0)
		return -1;
	if (digest_buffer(*data, *len, digest, err) < 0)
		return -1;
	if (want_digest && strcmp(digest, want_digest))
		return silo_err_set(err, EIO, "manifest %s: the registry sent content that hashes to %s",
				    want_digest, digest);
	return manifest_parse(*data, *len, content_type, m, err);
}

static int resolve(struct registry_client *c, const struct image_ref *ref,
		   const struct pull_options *opts, struct resolved *r, struct silo_err *err)
{
	const char *reference = ref->digest ? ref->digest : ref->tag;
	const struct descriptor *chosen;
	struct manifest index = { 0 };
	char *data = NULL;
	size_t len = 0;
	char digest[DIGEST_STRING_LENGTH + 1];

	if (fetch_manifest(c, reference, ref->digest, &data, &len, digest, &index, err) < 0) {
		free(data);
		return -1;
	}
	if (index.kind == MANIFEST_IMAGE) {
		r->manifest = index;
		r->manifest_data = data;
		r->manifest_len = len;
		memcpy(r->manifest_digest, digest, sizeof(digest));
		return 0;
	}
	r->index_data = data;
	r->index_len = len;
	memcpy(r->index_digest, digest, sizeof(digest));
	if (manifest_select_platform(&index, &opts->platform, &chosen, err) < 0) {
		manifest_free(&index);
		return -1;
	}
	if (fetch_manifest(c, chosen->digest, chosen->digest, &r->manifest_data, &r->manifest_len,
			   r->manifest_digest, &r->manifest, err) < 0) {
		manifest_free(&index);
		return -1;
	}
	manifest_free(&index);
	if (r->manifest.kind != MANIFEST_IMAGE)
		return silo_err_set(err, EINVAL, "manifest list entry %s is itself a list", r->manifest_digest);
	return 0;
}

static void resolved_free(struct resolved *r)
{
	free(r->manifest_data);
	free(r->index_data);
	manifest_free(&r->manifest);
}

static int record_image(const struct store *store, const struct image_ref *ref,
			const struct resolved *r, const struct image_config *config, char **chain_ids,
			struct silo_err *err)
{
	_cleanup_free_ char *name = image_ref_name(ref);
	_cleanup_free_ char *tagged = NULL;
	_cleanup_free_ char *digested = NULL;
	_cleanup_json_ json_t *rec = NULL;

	if (!name)
		return silo_err_sys(err, ENOMEM, "record image");
	if (ref->tag && asprintf(&tagged, "%s:%s", name, ref->tag) < 0)
		return silo_err_sys(err, ENOMEM, "record image");
	if (asprintf(&digested, "%s@%s", name, *r->index_digest ? r->index_digest : r->manifest_digest) < 0)
		return silo_err_sys(err, ENOMEM, "record image");
	rec = image_record_new(store, &r->manifest, r->manifest_digest,
			       *r->index_digest ? r->index_digest : NULL, config, chain_ids);
	if (!rec)
		return silo_err_sys(err, ENOMEM, "record image");
	json_array_append_new(json_object_get(rec, "digests"), json_string(digested));
	if (tagged)
		json_array_append_new(json_object_get(rec, "names"), json_string(tagged));
	return images_add(store, rec, err);
}

static int pull_layers(const struct store *store, struct registry_client *c,
		       const struct pull_options *opts, struct layer_job *jobs, size_t n,
		       struct silo_err *err)
{
	_cleanup_free_ struct registry_blob_job *blob_jobs = calloc(n ? n : 1, sizeof(*blob_jobs));
	_cleanup_free_ size_t *which = calloc(n ? n : 1, sizeof(*which));
	size_t downloads = 0;
	int r = 0;

	if (!blob_jobs || !which)
		return silo_err_sys(err, ENOMEM, "pull");
	for (size_t i = 0; i < n; i++) {
		struct layer_job *j = &jobs[i];

		if (!j->needed)
			continue;
		/* The same blob twice in one image: the first one builds. */
		for (size_t k = 0; k < i; k++)
			if (jobs[k].needed && !strcmp(jobs[k].chain_id, j->chain_id))
				j->needed = 0;
		if (!j->needed)
			continue;
		if (store_blob_exists(store, j->desc->digest)) {
			if (job_start(j, 1, err) < 0 || job_finish(j, 1, NULL, err) < 0)
				return -1;
			continue;
		}
		if (job_start(j, 0, err) < 0)
			return -1;
		notify(opts, PULL_EVENT_LAYER_WAITING, j->desc->digest, j->writer.written, j->desc->size);
		/* A killed pull may have left every byte: nothing to ask the
		 * registry for (a Range past the end would be refused). */
		if (j->desc->size >= 0 && j->writer.written == (uint64_t)j->desc->size) {
			if (job_finish(j, 1, NULL, err) < 0)
				return -1;
			continue;
		}
		blob_jobs[downloads] = (struct registry_blob_job){
			.digest = j->desc->digest,
			.size = j->desc->size,
			.received = j->writer.written,
			.write = job_write,
			.finished = job_finished,
			.opaque = j,
		};
		which[downloads++] = i;
	}
	if (downloads == 0)
		return 0;
	registry_fetch_blobs(c, blob_jobs, downloads, opts->parallel > 0 ? opts->parallel : DEFAULT_PARALLEL,
			     err);
	/* Every layer is finished (or dropped), even after a failure, so no
	 * extractor thread or temporary layer outlives the pull. */
	for (size_t d = 0; d < downloads; d++) {
		struct silo_err job_err = { 0 };

		if (job_finish(&jobs[which[d]], blob_jobs[d].ok, &blob_jobs[d].err, &job_err) < 0 && r == 0) {
			*err = job_err;
			r = -1;
		}
	}
	return r;
}

int pull_image(const struct store *store, const struct image_ref *ref,
	       const struct pull_options *opts, char image_id[DIGEST_STRING_LENGTH + 1],
	       struct silo_err *err)
{
	struct registry_client client;
	struct registry_open_options open_opts = { .tls_verify = opts->tls_verify };
	struct resolved r = { 0 };
	_cleanup_image_config_ struct image_config config = { 0 };
	_cleanup_free_ char *config_data = NULL;
	_cleanup_free_ struct layer_job *jobs = NULL;
	_cleanup_free_ char **chain_ids = NULL;
	_cleanup_close_ int gc = -1;
	size_t config_len = 0, n;
	int rc = -1;

	if (registry_client_open(&client, ref->registry, ref->repository, &open_opts, err) < 0)
		return -1;
	if (resolve(&client, ref, opts, &r, err) < 0)
		goto out;
	notify(opts, PULL_EVENT_RESOLVED, *r.index_digest ? r.index_digest : r.manifest_digest, 0, 0);
	if (fetch_verified(&client, r.manifest.config.digest, MANIFEST_MAX_SIZE, &config_data, &config_len,
			   err) < 0 ||
	    image_config_parse(config_data, config_len, &config, err) < 0)
		goto out;
	n = r.manifest.n_layers;
	if (config.n_diff_ids != n) {
		silo_err_set(err, EINVAL, "image has %zu layers but its config lists %zu diff_ids", n,
			     config.n_diff_ids);
		goto out;
	}
	/* Held shared until the record is written: rmi's garbage collection
	 * must not take the blobs of a pull under way. */
	gc = store_lock_shared(store, "gc", err);
	if (gc < 0)
		goto out;
	if (store_blob_put(store, r.manifest.config.digest, config_data, config_len, err) < 0 ||
	    store_blob_put(store, r.manifest_digest, r.manifest_data, r.manifest_len, err) < 0 ||
	    (*r.index_digest && store_blob_put(store, r.index_digest, r.index_data, r.index_len, err) < 0))
		goto out;
	chain_ids = calloc(n + 1, sizeof(char *));
	jobs = calloc(n ? n : 1, sizeof(*jobs));
	if (!chain_ids || !jobs) {
		silo_err_sys(err, ENOMEM, "pull");
		goto out;
	}
	if (image_chain_ids(config.diff_ids, n, chain_ids, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		jobs[i] = (struct layer_job){
			.store = store, .opts = opts, .desc = &r.manifest.layers[i],
			.diff_id = config.diff_ids[i], .chain_id = chain_ids[i], .lock_fd = -1,
			.feed_fd = -1, .extract_fd = -1,
		};
		jobs[i].needed = !store_layer_exists(store, chain_ids[i]);
		if (!jobs[i].needed)
			notify(opts, PULL_EVENT_LAYER_EXISTS, jobs[i].desc->digest, 0, jobs[i].desc->size);
	}
	if (lock_layers(jobs, n, err) < 0 || pull_layers(store, &client, opts, jobs, n, err) < 0)
		goto out;
	if (record_image(store, ref, &r, &config, chain_ids, err) < 0)
		goto out;
	snprintf(image_id, DIGEST_STRING_LENGTH + 1, "%s", r.manifest.config.digest);
	rc = 0;
out:
	for (size_t i = 0; jobs && i < r.manifest.n_layers; i++)
		job_cleanup(&jobs[i]);
	for (size_t i = 0; chain_ids && chain_ids[i]; i++)
		free(chain_ids[i]);
	resolved_free(&r);
	registry_client_close(&client);
	return rc;
}
