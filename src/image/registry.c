/* The distribution API client. Small requests (ping, manifests, configs)
 * run one at a time with curl_easy_perform; layer blobs run together on a
 * curl multi handle. Both go through the same setup, auth and retry rules. */
#include "image/registry.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "image/curl_lib.h"

#include "image/credentials.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "image/registry_config.h"
#include "util/cleanup.h"

/* CURLOPT_BUFFERSIZE for blobs: 512 KiB, the most curl before 7.88 accepts. */
#define BLOB_BUFFER_SIZE (512L * 1024)

#define MAX_ATTEMPTS 5
#define BACKOFF_FIRST_MS 200
#define BACKOFF_MAX_MS 5000

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static long backoff_ms(int attempt)
{
	long ms = BACKOFF_FIRST_MS << (attempt > 5 ? 5 : attempt);

	return ms > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : ms;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int curl_retriable(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

static int status_retriable(long status)
{
	return status == 429 || (status >= 500 && status <= 599);
}

static inline void cleanup_curlp(CURL **c)
{
	if (*c)
		curl_easy_cleanup(*c);
}
static inline void cleanup_slistp(struct curl_slist **l)
{
	curl_slist_free_all(*l);
}
#define _cleanup_curl_ __attribute__((cleanup(cleanup_curlp)))
#define _cleanup_slist_ __attribute__((cleanup(cleanup_slistp)))

/* What the header callback keeps of a response: only the last response of
 * a redirect chain counts. */
struct response_headers {
	char content_type[256];
	char *www_authenticate;
};

static size_t on_header(char *line, size_t size, size_t nmemb, void *opaque)
{
	struct response_headers *h = opaque;
	size_t n = size * nmemb;
	size_t len = n;

	while (len && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	if (len >= 5 && !strncmp(line, "HTTP/", 5)) {
		h->content_type[0] = '\0';
		free(h->www_authenticate);
		h->www_authenticate = NULL;
	} else if (len > 13 && !strncasecmp(line, "Content-Type:", 13)) {
		const char *v = line + 13;
		size_t vlen;

		while (*v == ' ')
			v++;
		vlen = len - (size_t)(v - line);
		/* Parameters (";charset=...") are not part of the type. */
		for (size_t i = 0; i < vlen; i++)
			if (v[i] == ';' || v[i] == ' ')
				vlen = i;
		snprintf(h->content_type, sizeof(h->content_type), "%.*s", (int)vlen, v);
	} else if (len > 17 && !strncasecmp(line, "WWW-Authenticate:", 17)) {
		const char *v = line + 17;

		while (*v == ' ')
			v++;
		free(h->www_authenticate);
		h->www_authenticate = strndup(v, len - (size_t)(v - line));
	}
	return n;
}

static void setup_easy(const struct registry_client *c, CURL *e, const char *url,
		       struct response_headers *h, char *errbuf)
{
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "silo");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
	/* Authorization is never replayed to another host on a redirect
	 * (libcurl's default; kept explicit). */
	curl_easy_setopt(e, CURLOPT_UNRESTRICTED_AUTH, 0L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 30L);
	/* A connection that moves nothing for a minute is dead. */
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "identity");
	if (!c->tls_verify) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
}

/* The registry said 401: learn what it wants and get it, once per
 * request. */
static int answer_challenge(struct registry_client *c, const char *header, struct silo_err *err)
{
	if (!header)
		return silo_err_set(err, EACCES, "%s: unauthorized, and the registry says not how to log in",
				    c->registry);
	if (auth_parse_challenge(&c->auth, header, err) < 0)
		return silo_err_prefix(err, "%s", c->registry);
	if (c->auth.scheme == AUTH_BASIC) {
		if (!c->auth.user)
			return silo_err_set(err, EACCES, "%s: authentication required (silo login %s)",
					    c->registry, c->registry);
		return 0;
	}
	if (auth_fetch_token(&c->auth, c->scope ? c->scope : "", err) < 0)
		return silo_err_prefix(err, "%s", c->registry);
	return 0;
}

struct memory_body {
	char *data;
	size_t len;
	size_t max;
	int too_big;
};

static size_t on_memory_body(char *ptr, size_t size, size_t nmemb, void *opaque)
{
	struct memory_body *b = opaque;
	size_t n = size * nmemb;
	char *grown;

	if (b->len + n > b->max) {
		b->too_big = 1;
		return 0;
	}
	grown = realloc(b->data, b->len + n + 1);
	if (!grown)
		return 0;
	memcpy(grown + b->len, ptr, n);
	grown[b->len + n] = '\0';
	b->data = grown;
	b->len += n;
	return n;
}

struct small_response {
	long status;
	char *body;
	size_t len;
	char content_type[256];
};

/* One GET with auth and retries; bodies above max fail. Returns 0 with the
 * final status (any), or negative when no answer came. */
static int request_small(struct registry_client *c, const char *url, const char *accept,
			 size_t max, int answer_401, struct small_response *out, struct silo_err *err)
{
	int auth_answered = 0;

	memset(out, 0, sizeof(*out));
	for (int attempt = 0;; attempt++) {
		_cleanup_curl_ CURL *e = curl_easy_init();
		_cleanup_slist_ struct curl_slist *headers = NULL;
		struct response_headers h = { 0 };
		struct memory_body body = { .max = max };
		char errbuf[CURL_ERROR_SIZE] = "";
		char accept_line[512];
		CURLcode rc;

		if (!e)
			return silo_err_sys(err, ENOMEM, "request %s", url);
		setup_easy(c, e, url, &h, errbuf);
		if (accept) {
			snprintf(accept_line, sizeof(accept_line), "Accept: %s", accept);
			headers = curl_slist_append(headers, accept_line);
		}
		headers = auth_append_header(&c->auth, headers);
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_memory_body);
		curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
		curl_easy_setopt(e, CURLOPT_TIMEOUT, 300L);
		rc = curl_easy_perform(e);
		if (body.too_big) {
			free(body.data);
			free(h.www_authenticate);
			return silo_err_set(err, EFBIG, "%s: response larger than %zu bytes", url, max);
		}
		if (rc != CURLE_OK) {
			free(body.data);
			free(h.www_authenticate);
			if (curl_retriable(rc) && attempt + 1 < MAX_ATTEMPTS) {
				sleep_ms(backoff_ms(attempt));
				continue;
			}
			return silo_err_set(err, EIO, "%s: %s", url, *errbuf ? errbuf : curl_easy_strerror(rc));
		}
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &out->status);
		if (out->status == 401 && answer_401 && !auth_answered) {
			int r = answer_challenge(c, h.www_authenticate, err);

			free(body.data);
			free(h.www_authenticate);
			if (r < 0)
				return -1;
			auth_answered = 1;
			attempt--;
			continue;
		}
		if (status_retriable(out->status) && attempt + 1 < MAX_ATTEMPTS) {
			free(body.data);
			free(h.www_authenticate);
			sleep_ms(backoff_ms(attempt));
			continue;
		}
		free(h.www_authenticate);
		out->body = body.data;
		out->len = body.len;
		memcpy(out->content_type, h.content_type, sizeof(out->content_type));
		return 0;
	}
}

/* GET /v2/ on base: any HTTP answer means a registry is there. A 401
 * carries the challenge every later request will need. */
static int ping(struct registry_client *c, const char *base, struct silo_err *err)
{
	_cleanup_curl_ CURL *e = curl_easy_init();
	struct response_headers h = { 0 };
	char errbuf[CURL_ERROR_SIZE] = "";
	_cleanup_free_ char *url = NULL;
	struct memory_body body = { .max = 65536 };
	long status = 0;
	CURLcode rc = CURLE_OK;
	int r = 0;

	if (!e || asprintf(&url, "%s/v2/", base) < 0)
		return silo_err_sys(err, ENOMEM, "ping %s", base);
	for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
		setup_easy(c, e, url, &h, errbuf);
		curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_memory_body);
		curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
		curl_easy_setopt(e, CURLOPT_TIMEOUT, 60L);
		rc = curl_easy_perform(e);
		free(body.data);
		body.data = NULL;
		body.len = 0;
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
		if (rc == CURLE_OK && !status_retriable(status))
			break;
		/* A refused connection to https on a plain-HTTP registry is
		 * final for this scheme; the caller tries the next one. */
		if (rc != CURLE_OK && !curl_retriable(rc))
			break;
		if (rc == CURLE_COULDNT_CONNECT && !strncmp(base, "https:", 6))
			break;
		if (attempt + 1 < MAX_ATTEMPTS)
			sleep_ms(backoff_ms(attempt));
	}
	if (rc != CURLE_OK)
		r = silo_err_set(err, EIO, "ping %s: %s", base, *errbuf ? errbuf : curl_easy_strerror(rc));
	else if (status == 401)
		r = answer_challenge(c, h.www_authenticate, err);
	else if (status != 200)
		r = silo_err_set(err, EIO, "ping %s: HTTP %ld (is it a registry?)", base, status);
	free(h.www_authenticate);
	return r;
}

static int try_endpoint(struct registry_client *c, const char *host,
			const struct registry_config *conf, int loopback, struct silo_err *err)
{
	const char *schemes[2];
	int n = 0;

	if (conf->plain_http) {
		schemes[n++] = "http";
	} else {
		schemes[n++] = "https";
		/* docker lets loopback and insecure registries fall back to
		 * plain HTTP. */
		if (loopback || conf->insecure)
			schemes[n++] = "http";
	}
	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *base = NULL;

		if (asprintf(&base, "%s://%s", schemes[i], host) < 0)
			return silo_err_sys(err, ENOMEM, "connect %s", host);
		if (ping(c, base, err) == 0) {
			free(c->base);
			c->base = steal_pointer(&base);
			return 0;
		}
		/* A registry that answered (401 refused, say) has spoken:
		 * only a connection-level failure moves on. */
		if (err->code != EIO)
			return -1;
	}
	return -1;
}


int registry_client_open(struct registry_client *c, const char *registry, const char *repository,
			 const struct registry_open_options *opts, struct silo_err *err)
{
	struct registry_config conf;
	int loopback = image_ref_registry_is_loopback(registry);
	int r;

	memset(c, 0, sizeof(*c));
	/* Only the commands that reach a registry load libcurl. It happens
	 * here, in the thread that opens the client, before a pull starts the
	 * threads that extract layers (curl_global_init is not thread-safe). */
	if (curl_lib_load(err) < 0)
		return silo_err_prefix(err, "registry %s", registry);
	if (registry_config_lookup(registry, &conf, err) < 0)
		return -1;
	c->registry = strdup(registry);
	c->repository = repository ? strdup(repository) : NULL;
	if (!c->registry || (repository && !c->repository) ||
	    (repository && asprintf(&c->scope, "repository:%s:pull", repository) < 0)) {
		registry_config_free(&conf);
		return silo_err_sys(err, ENOMEM, "connect %s", registry);
	}
	c->tls_verify = opts->tls_verify >= 0 ? opts->tls_verify : !conf.insecure;
	c->auth.tls_verify = c->tls_verify;
	if (opts->user) {
		c->auth.user = strdup(opts->user);
		c->auth.password = strdup(opts->password ? opts->password : "");
	} else if (credentials_lookup(registry, &c->auth.user, &c->auth.password, err) < 0) {
		registry_config_free(&conf);
		return -1;
	}
	r = -1;
	for (char **m = conf.mirrors; m && *m && r < 0; m++) {
		struct registry_config mirror_conf;
		struct silo_err ignored = { 0 };

		if (registry_config_lookup(*m, &mirror_conf, &ignored) == 0) {
			r = try_endpoint(c, *m, &mirror_conf, image_ref_registry_is_loopback(*m), &ignored);
			registry_config_free(&mirror_conf);
		}
		if (r < 0)
			auth_forget_challenge(&c->auth);
	}
	if (r < 0)
		r = try_endpoint(c, image_ref_api_host(registry), &conf, loopback, err);
	registry_config_free(&conf);
	if (r < 0) {
		registry_client_close(c);
		return -1;
	}
	return 0;
}

void registry_client_close(struct registry_client *c)
{
	free(c->registry);
	free(c->repository);
	free(c->base);
	free(c->scope);
	auth_state_free(&c->auth);
	memset(c, 0, sizeof(*c));
}

int registry_check_login(struct registry_client *c, struct silo_err *err)
{
	_cleanup_free_ char *url = NULL;
	struct small_response resp;

	if (!c->auth.user)
		return silo_err_set(err, EINVAL, "login %s: no credentials", c->registry);
	/* A bearer registry already checked them when it issued the token. */
	if (c->auth.scheme == AUTH_BEARER)
		return 0;
	if (asprintf(&url, "%s/v2/", c->base) < 0)
		return silo_err_sys(err, ENOMEM, "login");
	if (c->auth.scheme == AUTH_NONE)
		c->auth.scheme = AUTH_BASIC;
	if (request_small(c, url, NULL, 65536, 0, &resp, err) < 0)
		return silo_err_prefix(err, "login %s", c->registry);
	free(resp.body);
	if (resp.status == 401 || resp.status == 403)
		return silo_err_set(err, EACCES, "login %s: unauthorized: incorrect username or password",
				    c->registry);
	if (resp.status != 200)
		return silo_err_set(err, EIO, "login %s: HTTP %ld", c->registry, resp.status);
	return 0;
}

static const char *status_text(long status)
{
	switch (status) {
	case 401:
		return "unauthorized";
	case 403:
		return "denied";
	case 404:
		return "not found";
	default:
		return "unexpected answer";
	}
}

/* A refusal after the auth dance: say who was refused and what to do. */
static int access_denied(const struct registry_client *c, const char *what, long status,
			 struct silo_err *err)
{
	if (!c->auth.user)
		return silo_err_set(err, EACCES,
				    "%s: pull access denied for %s/%s (HTTP %ld): authentication required "
				    "(silo login %s)",
				    what, c->registry, c->repository, status, c->registry);
	return silo_err_set(err, EACCES,
			    "%s: pull access denied for %s/%s (HTTP %ld): the registry does not let "
			    "user \"%s\" pull it",
			    what, c->registry, c->repository, status, c->auth.user);
}

int registry_get_manifest(struct registry_client *c, const char *reference, char **data,
			  size_t *len, char **content_type, struct silo_err *err)
{
	_cleanup_free_ char *url = NULL;
	struct small_response resp;

	if (asprintf(&url, "%s/v2/%s/manifests/%s", c->base, c->repository, reference) < 0)
		return silo_err_sys(err, ENOMEM, "get manifest");
	if (request_small(c, url, MANIFEST_ACCEPT, 4 * 1024 * 1024, 1, &resp, err) < 0)
		return silo_err_prefix(err, "get manifest %s/%s:%s", c->registry, c->repository, reference);
	if (resp.status != 200) {
		char what[512];

		free(resp.body);
		snprintf(what, sizeof(what), "get manifest %s/%s:%s", c->registry, c->repository, reference);
		if (resp.status == 401 || resp.status == 403)
			return access_denied(c, what, resp.status, err);
		return silo_err_set(err, resp.status == 404 ? ENOENT : EIO, "%s: %s (HTTP %ld)", what,
				    status_text(resp.status), resp.status);
	}
	*data = resp.body ? resp.body : strdup("");
	*len = resp.len;
	*content_type = strdup(resp.content_type);
	return 0;
}

int registry_get_blob(struct registry_client *c, const char *digest, size_t max, char **data,
		      size_t *len, struct silo_err *err)
{
	_cleanup_free_ char *url = NULL;
	struct small_response resp;

	if (asprintf(&url, "%s/v2/%s/blobs/%s", c->base, c->repository, digest) < 0)
		return silo_err_sys(err, ENOMEM, "get blob");
	if (request_small(c, url, NULL, max, 1, &resp, err) < 0)
		return silo_err_prefix(err, "get blob %s", digest);
	if (resp.status != 200) {
		char what[128];

		free(resp.body);
		snprintf(what, sizeof(what), "get blob %s", digest);
		if (resp.status == 401 || resp.status == 403)
			return access_denied(c, what, resp.status, err);
		return silo_err_set(err, resp.status == 404 ? ENOENT : EIO, "%s: %s (HTTP %ld)", what,
				    status_text(resp.status), resp.status);
	}
	*data = resp.body ? resp.body : strdup("");
	*len = resp.len;
	return 0;
}

/* ------------------------------------------------------ parallel blobs -- */

struct transfer {
	struct registry_client *client;
	struct registry_blob_job *job;
	CURL *easy;
	struct curl_slist *headers;
	struct response_headers h;
	char errbuf[CURL_ERROR_SIZE];
	char *url;
	int attempt;
	int auth_answered;
	int sink_failed;
	int status_checked;
	long status;
	uint64_t pos; /* offset in the blob of the next byte that arrives */
	double start_at;
	enum { TRANSFER_WAITING, TRANSFER_RUNNING, TRANSFER_DONE } state;
};

static size_t on_blob_body(char *ptr, size_t size, size_t nmemb, void *opaque)
{
	struct transfer *t = opaque;
	size_t n = size * nmemb;
	size_t skip = 0;

	if (!t->status_checked) {
		curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->status);
		t->status_checked = 1;
		/* 206 continues where the Range asked; a registry that
		 * ignores Range sends it all again from byte 0. */
		t->pos = t->status == 206 ? t->job->received : 0;
	}
	if (t->status != 200 && t->status != 206)
		return n; /* an error page: read and drop */
	if (t->pos < t->job->received) {
		uint64_t behind = t->job->received - t->pos;

		skip = behind < n ? (size_t)behind : n;
		t->pos += skip;
	}
	if (skip < n) {
		if (t->job->write(t->job->opaque, ptr + skip, n - skip, &t->job->err) < 0) {
			t->sink_failed = 1;
			return 0;
		}
		t->job->received += n - skip;
		t->pos += n - skip;
	}
	return n;
}

static int transfer_start(CURLM *multi, struct transfer *t, struct silo_err *err)
{
	char range[64];

	if (t->easy) {
		curl_multi_remove_handle(multi, t->easy);
		curl_easy_cleanup(t->easy);
	}
	curl_slist_free_all(t->headers);
	t->headers = NULL;
	free(t->h.www_authenticate);
	memset(&t->h, 0, sizeof(t->h));
	t->status_checked = 0;
	t->status = 0;
	t->errbuf[0] = '\0';
	t->easy = curl_easy_init();
	if (!t->easy)
		return silo_err_sys(err, ENOMEM, "get blob %s", t->job->digest);
	setup_easy(t->client, t->easy, t->url, &t->h, t->errbuf);
	t->headers = auth_append_header(&t->client->auth, NULL);
	if (t->job->received > 0) {
		snprintf(range, sizeof(range), "Range: bytes=%llu-", (unsigned long long)t->job->received);
		t->headers = curl_slist_append(t->headers, range);
	}
	curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, on_blob_body);
	curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
	/* A layer arrives in curl's default 16 KiB pieces otherwise: each
	 * piece costs a recv, a write to the blob, a send to the extractor
	 * and a poll. The largest buffer curl takes everywhere cuts that by
	 * 32. */
	curl_easy_setopt(t->easy, CURLOPT_BUFFERSIZE, BLOB_BUFFER_SIZE);
	if (curl_multi_add_handle(multi, t->easy) != CURLM_OK)
		return silo_err_set(err, EIO, "get blob %s: cannot start the transfer", t->job->digest);
	t->state = TRANSFER_RUNNING;
	return 0;
}

static void transfer_finish(struct transfer *t, int ok)
{
	t->state = TRANSFER_DONE;
	t->job->ok = ok;
	if (t->job->finished)
		t->job->finished(t->job->opaque, ok);
}

static void transfer_retry_later(struct transfer *t)
{
	t->start_at = now_ms() + (double)backoff_ms(t->attempt);
	t->attempt++;
	t->state = TRANSFER_WAITING;
}

/* Decides what a finished attempt means: done, retry, or failure. */
static void transfer_done(struct transfer *t, CURLcode rc)
{
	struct registry_blob_job *job = t->job;
	long status = 0;

	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
	if (t->sink_failed) {
		transfer_finish(t, 0);
		return;
	}
	if (rc != CURLE_OK) {
		if (curl_retriable(rc) && t->attempt + 1 < MAX_ATTEMPTS) {
			transfer_retry_later(t);
			return;
		}
		silo_err_set(&job->err, EIO, "get blob %s: %s", job->digest,
			     *t->errbuf ? t->errbuf : curl_easy_strerror(rc));
		transfer_finish(t, 0);
		return;
	}
	if (status == 401 && !t->auth_answered) {
		t->auth_answered = 1;
		if (answer_challenge(t->client, t->h.www_authenticate, &job->err) < 0) {
			transfer_finish(t, 0);
			return;
		}
		t->start_at = now_ms();
		t->state = TRANSFER_WAITING;
		return;
	}
	if (status_retriable(status) && t->attempt + 1 < MAX_ATTEMPTS) {
		transfer_retry_later(t);
		return;
	}
	if (status == 401 || status == 403) {
		char what[128];

		snprintf(what, sizeof(what), "get blob %s", job->digest);
		access_denied(t->client, what, status, &job->err);
		transfer_finish(t, 0);
		return;
	}
	if (status != 200 && status != 206) {
		silo_err_set(&job->err, status == 404 ? ENOENT : EIO, "get blob %s: %s (HTTP %ld)",
			     job->digest, status_text(status), status);
		transfer_finish(t, 0);
		return;
	}
	/* The connection ended early without curl noticing (no length
	 * announced): resume. */
	if (job->size >= 0 && job->received < (uint64_t)job->size) {
		if (t->attempt + 1 < MAX_ATTEMPTS) {
			transfer_retry_later(t);
			return;
		}
		silo_err_set(&job->err, EIO, "get blob %s: ended after %llu of %lld bytes", job->digest,
			     (unsigned long long)job->received, (long long)job->size);
		transfer_finish(t, 0);
		return;
	}
	transfer_finish(t, 1);
}

static void transfers_free(CURLM *multi, struct transfer *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i].easy) {
			curl_multi_remove_handle(multi, t[i].easy);
			curl_easy_cleanup(t[i].easy);
		}
		curl_slist_free_all(t[i].headers);
		free(t[i].h.www_authenticate);
		free(t[i].url);
	}
	free(t);
}

int registry_fetch_blobs(struct registry_client *c, struct registry_blob_job *jobs, size_t n,
			 int parallel, struct silo_err *err)
{
	CURLM *multi = curl_multi_init();
	struct transfer *t = calloc(n ? n : 1, sizeof(*t));
	size_t left = n;
	int r = 0;

	if (!multi || !t) {
		free(t);
		if (multi)
			curl_multi_cleanup(multi);
		return silo_err_sys(err, ENOMEM, "download blobs");
	}
	for (size_t i = 0; i < n; i++) {
		t[i].client = c;
		t[i].job = &jobs[i];
		t[i].state = TRANSFER_WAITING;
		if (asprintf(&t[i].url, "%s/v2/%s/blobs/%s", c->base, c->repository, jobs[i].digest) < 0) {
			transfers_free(multi, t, i);
			curl_multi_cleanup(multi);
			return silo_err_sys(err, ENOMEM, "download blobs");
		}
	}
	while (left > 0) {
		int running = 0, active = 0, queued;
		double now = now_ms();
		CURLMsg *msg;

		for (size_t i = 0; i < n; i++)
			active += t[i].state == TRANSFER_RUNNING;
		for (size_t i = 0; i < n && active < parallel; i++) {
			if (t[i].state != TRANSFER_WAITING || t[i].start_at > now)
				continue;
			if (transfer_start(multi, &t[i], &jobs[i].err) < 0) {
				transfer_finish(&t[i], 0);
				left--;
				continue;
			}
			active++;
		}
		curl_multi_perform(multi, &running);
		while ((msg = curl_multi_info_read(multi, &queued))) {
			struct transfer *done = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&done);
			transfer_done(done, msg->data.result);
			curl_multi_remove_handle(multi, done->easy);
			curl_easy_cleanup(done->easy);
			done->easy = NULL;
			if (done->state == TRANSFER_DONE)
				left--;
		}
		if (left > 0)
			curl_multi_poll(multi, NULL, 0, 100, NULL);
	}
	for (size_t i = 0; i < n; i++) {
		if (!jobs[i].ok && r == 0) {
			*err = jobs[i].err;
			r = -1;
		}
	}
	transfers_free(multi, t, n);
	curl_multi_cleanup(multi);
	return r;
}
