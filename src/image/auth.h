/* Registry authentication: the challenge a registry sends in
 * WWW-Authenticate (Basic, or Bearer with realm, service and scope), the
 * token request to the realm (anonymous or with credentials), and the
 * header every later request carries. A token is kept for the whole
 * pull and fetched again only when the registry refuses it. */
#ifndef SILO_IMAGE_AUTH_H
#define SILO_IMAGE_AUTH_H

#include "image/curl_lib.h"

#include "util/err.h"

#define AUTH_TOKEN_MAX_SIZE (4 * 1024 * 1024)

enum auth_scheme { AUTH_NONE, AUTH_BASIC, AUTH_BEARER };

struct auth_state {
	enum auth_scheme scheme;
	char *realm;
	char *service;
	char *scope; /* from the challenge, or the one asked for */
	char *token;
	char *user;     /* NULL: anonymous */
	char *password;
	int tls_verify;
};

/* Reads a WWW-Authenticate header into st (scheme, realm, service, scope). */
int auth_parse_challenge(struct auth_state *st, const char *header, struct silo_err *err);

/* Gets a bearer token for scope ("repository:NAME:pull") from the realm. */
int auth_fetch_token(struct auth_state *st, const char *scope, struct silo_err *err);

/* Appends the Authorization header st calls for (none, Basic or Bearer). */
struct curl_slist *auth_append_header(const struct auth_state *st, struct curl_slist *headers);

/* Drops what a registry's challenge taught (scheme, realm, token), keeping
 * the credentials: for moving on to another endpoint. */
void auth_forget_challenge(struct auth_state *st);
void auth_state_free(struct auth_state *st);

#endif
