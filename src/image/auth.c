/* The bearer token flow of the distribution spec and basic auth. */
#include "image/auth.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/base64.h"
#include "util/cleanup.h"

void auth_state_free(struct auth_state *st)
{
	free(st->realm);
	free(st->service);
	free(st->scope);
	free(st->token);
	free(st->user);
	free(st->password);
	st->realm = st->service = st->scope = st->token = st->user = st->password = NULL;
	st->scheme = AUTH_NONE;
}

void auth_forget_challenge(struct auth_state *st)
{
	free(st->realm);
	free(st->service);
	free(st->scope);
	free(st->token);
	st->realm = st->service = st->scope = st->token = NULL;
	st->scheme = AUTH_NONE;
}

static void set_string(char **dst, const char *start, size_t len)
{
	free(*dst);
	*dst = strndup(start, len);
}

/* Parameters are key="value" (or key=token) separated by commas. */
int auth_parse_challenge(struct auth_state *st, const char *header, struct silo_err *err)
{
	const char *p = header;

	while (*p == ' ')
		p++;
	if (!strncasecmp(p, "Bearer", 6) && (p[6] == ' ' || p[6] == '\0')) {
		st->scheme = AUTH_BEARER;
		p += 6;
	} else if (!strncasecmp(p, "Basic", 5) && (p[5] == ' ' || p[5] == '\0')) {
		st->scheme = AUTH_BASIC;
		return 0;
	} else {
		return silo_err_set(err, ENOTSUP, "registry asks for unsupported authentication \"%.40s\"", p);
	}
	while (*p) {
		const char *key, *value;
		size_t key_len, value_len;

		while (*p == ' ' || *p == ',')
			p++;
		key = p;
		while (*p && *p != '=' && *p != ' ')
			p++;
		key_len = (size_t)(p - key);
		if (*p != '=')
			break;
		p++;
		if (*p == '"') {
			value = ++p;
			while (*p && *p != '"')
				p++;
			value_len = (size_t)(p - value);
			if (*p)
				p++;
		} else {
			value = p;
			while (*p && *p != ',')
				p++;
			value_len = (size_t)(p - value);
		}
		if (key_len == 5 && !strncasecmp(key, "realm", 5))
			set_string(&st->realm, value, value_len);
		else if (key_len == 7 && !strncasecmp(key, "service", 7))
			set_string(&st->service, value, value_len);
		else if (key_len == 5 && !strncasecmp(key, "scope", 5))
			set_string(&st->scope, value, value_len);
	}
	if (!st->realm || strncmp(st->realm, "http", 4))
		return silo_err_set(err, EINVAL, "registry's bearer challenge has no usable realm");
	return 0;
}

struct token_body {
	char *data;
	size_t len;
	int too_big;
};

static size_t token_write(char *ptr, size_t size, size_t nmemb, void *opaque)
{
	struct token_body *b = opaque;
	size_t n = size * nmemb;
	char *grown;

	if (b->len + n > AUTH_TOKEN_MAX_SIZE) {
		b->too_big = 1;
		return 0;
	}
	grown = realloc(b->data, b->len + n + 1);
	if (!grown)
		return 0;
	memcpy(grown + b->len, ptr, n);
	b->data = grown;
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

static inline void cleanup_curlp(CURL **c)
{
	if (*c)
		curl_easy_cleanup(*c);
}

static inline void cleanup_curl_freep(char **s)
{
	curl_free(*s);
}

int auth_fetch_token(struct auth_state *st, const char *scope, struct silo_err *err)
{
	__attribute__((cleanup(cleanup_curlp))) CURL *c = curl_easy_init();
	__attribute__((cleanup(cleanup_curl_freep))) char *service = NULL;
	__attribute__((cleanup(cleanup_curl_freep))) char *escaped_scope = NULL;
	_cleanup_free_ char *url = NULL;
	_cleanup_free_ char *userpwd = NULL;
	_cleanup_json_ json_t *root = NULL;
	struct token_body body = { 0 };
	_cleanup_free_ char *body_data = NULL;
	const char *token;
	long status = 0;
	CURLcode rc;

	if (!c)
		return silo_err_sys(err, ENOMEM, "token request");
	if (st->service)
		service = curl_easy_escape(c, st->service, 0);
	escaped_scope = curl_easy_escape(c, scope, 0);
	if (asprintf(&url, "%s%s%s%s&scope=%s", st->realm, strchr(st->realm, '?') ? "&" : "?",
		     service ? "service=" : "", service ? service : "", escaped_scope) < 0)
		return silo_err_sys(err, ENOMEM, "token request");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, token_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "silo");
	if (!st->tls_verify) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (st->user) {
		if (asprintf(&userpwd, "%s:%s", st->user, st->password) < 0)
			return silo_err_sys(err, ENOMEM, "token request");
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERPWD, userpwd);
	}
	rc = curl_easy_perform(c);
	body_data = body.data;
	if (body.too_big)
		return silo_err_set(err, EFBIG, "token from %s is larger than %d bytes", st->realm,
				    AUTH_TOKEN_MAX_SIZE);
	if (rc != CURLE_OK)
		return silo_err_set(err, EIO, "token request to %s: %s", st->realm, curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status == 401 || status == 403)
		return silo_err_set(err, EACCES, "token request to %s: %s", st->realm,
				    st->user ? "unauthorized: incorrect username or password" :
					       "the registry wants credentials (silo login)");
	if (status != 200)
		return silo_err_set(err, EIO, "token request to %s: HTTP %ld", st->realm, status);
	root = json_loadb(body.data ? body.data : "", body.len, 0, NULL);
	token = json_string_value(json_object_get(root, "token"));
	if (!token)
		token = json_string_value(json_object_get(root, "access_token"));
	if (!token || !*token)
		return silo_err_set(err, EINVAL, "token response from %s has no token", st->realm);
	free(st->token);
	st->token = strdup(token);
	if (!st->token)
		return silo_err_sys(err, ENOMEM, "token request");
	free(st->scope);
	st->scope = strdup(scope);
	return 0;
}

struct curl_slist *auth_append_header(const struct auth_state *st, struct curl_slist *headers)
{
	_cleanup_free_ char *line = NULL;
	_cleanup_free_ char *plain = NULL;
	_cleanup_free_ char *b64 = NULL;
	struct curl_slist *grown;

	if (st->scheme == AUTH_BEARER && st->token) {
		if (asprintf(&line, "Authorization: Bearer %s", st->token) < 0)
			return headers;
	} else if (st->scheme == AUTH_BASIC && st->user) {
		if (asprintf(&plain, "%s:%s", st->user, st->password) < 0 ||
		    !(b64 = base64_encode(plain, strlen(plain))))
			return headers;
		if (asprintf(&line, "Authorization: Basic %s", b64) < 0)
			return headers;
	} else {
		return headers;
	}
	grown = curl_slist_append(headers, line);
	return grown ? grown : headers;
}
