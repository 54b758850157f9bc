/* A client of the registry HTTP API (distribution spec v2) on libcurl:
 * ping, manifests, small blobs, and layer blobs streamed in parallel on one
 * curl multi handle. Every request carries the auth the registry asked
 * for (auth.c); redirects are followed (blobs are often served by another
 * host, which never sees the Authorization header); 429, 5xx and dropped
 * connections are retried with backoff, and a blob that broke off resumes
 * with a Range request where it stopped. */
#ifndef SILO_IMAGE_REGISTRY_H
#define SILO_IMAGE_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "image/auth.h"
#include "util/err.h"

struct registry_client {
	char *registry;   /* as in the reference: "docker.io", "127.0.0.1:5000" */
	char *repository; /* NULL for login */
	char *base;       /* "https://registry-1.docker.io", chosen by the ping */
	char *scope;      /* "repository:NAME:pull" */
	int tls_verify;
	struct auth_state auth;
};

struct registry_open_options {
	int tls_verify;      /* 1, 0 (--tls-verify=false), -1: by config */
	const char *user;    /* explicit credentials (login); NULL: stored ones */
	const char *password;
};

/* Picks the endpoint (mirrors first, https or http as configured) and
 * authenticates for pulling repository. */
int registry_client_open(struct registry_client *c, const char *registry, const char *repository,
			 const struct registry_open_options *opts, struct silo_err *err);
void registry_client_close(struct registry_client *c);

/* For login: checks that the registry accepts the client's credentials. */
int registry_check_login(struct registry_client *c, struct silo_err *err);

/* GETs a manifest by tag or digest. Fills data (NUL-terminated) and the
 * Content-Type. */
int registry_get_manifest(struct registry_client *c, const char *reference, char **data,
			  size_t *len, char **content_type, struct silo_err *err);

/* GETs a blob of at most max bytes into memory. */
int registry_get_blob(struct registry_client *c, const char *digest, size_t max, char **data,
		      size_t *len, struct silo_err *err);

/* A blob streamed to a sink. received counts the bytes the sink already
 * has (from an earlier run or attempt): the download resumes after them. */
struct registry_blob_job {
	const char *digest;
	int64_t size;
	uint64_t received;
	int (*write)(void *opaque, const void *data, size_t len, struct silo_err *err);
	/* Called once when the transfer ends, ok or not. */
	void (*finished)(void *opaque, int ok);
	void *opaque;
	int ok;
	struct silo_err err;
};

/* Runs every job, at most parallel at a time. Returns 0 when all succeeded;
 * otherwise the first failure's message. */
int registry_fetch_blobs(struct registry_client *c, struct registry_blob_job *jobs, size_t n,
			 int parallel, struct silo_err *err);

#endif
