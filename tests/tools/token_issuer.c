/* token_issuer: a small bearer token service for the registry tests.
 *
 *   token_issuer --key KEY.pem --cert CERT.pem --issuer NAME --service NAME
 *                --users FILE [--public REPO]... [--bad-tokens N]
 *                [--log FILE] [--port N] [--port-file FILE]
 *
 * Listens on 127.0.0.1 (port N, or a free one; written to --port-file:
 * start it again with --port to keep the realm) and answers
 * GET /token?service=S&scope=repository:NAME:ACTIONS... the way the
 * distribution spec's token server does:
 *
 * - Basic credentials, when sent, must match a "user:password" line of
 *   --users, else 401; without credentials the client is anonymous;
 * - a known user is granted every action asked for; an anonymous client
 *   only pull on the --public repositories, and nothing elsewhere (the
 *   registry then refuses the request, as Docker Hub does for a private
 *   repository);
 * - the answer is {"token": JWT, "access_token": JWT, "expires_in": 300,
 *   "issued_at": ...}. The JWT is signed with KEY (ES256 for a P-256 key,
 *   RS256 for RSA) and carries CERT in its x5c header, which the registry
 *   checks against its rootcertbundle; its claims are iss, sub, aud, exp,
 *   nbf, iat, jti and access[].
 *
 * --bad-tokens N makes the first N tokens name another audience, so the
 * registry refuses them: for testing that a client asks again. Every token
 * request is logged to --log as "USER SCOPE..." ("-" for anonymous). One
 * connection at a time: the tests need no more. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#define MAX_SCOPES 8
#define REQUEST_MAX 16384

struct issuer {
	EVP_PKEY *key;
	int is_ec;
	char *x5c; /* base64 DER of the certificate */
	const char *name;
	const char *service;
	const char *users;
	const char *public_repos[16];
	int n_public;
	int bad_tokens;
	FILE *log;
};

static void die(const char *what)
{
	fprintf(stderr, "token_issuer: %s\n", what);
	exit(1);
}

static char *base64(const unsigned char *data, size_t len, int url)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);
	int n;

	if (!out)
		die("out of memory");
	n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	if (url) {
		/* base64url without padding (RFC 7515, section 2). */
		while (n > 0 && out[n - 1] == '=')
			out[--n] = '\0';
		for (int i = 0; i < n; i++)
			out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	}
	return out;
}

static void load_key_and_cert(struct issuer *is, const char *key_path, const char *cert_path)
{
	FILE *f = fopen(key_path, "r");
	X509 *cert;
	unsigned char *der = NULL;
	int len;

	if (!f || !(is->key = PEM_read_PrivateKey(f, NULL, NULL, NULL)))
		die("cannot read the key");
	fclose(f);
	is->is_ec = EVP_PKEY_base_id(is->key) == EVP_PKEY_EC;
	f = fopen(cert_path, "r");
	if (!f || !(cert = PEM_read_X509(f, NULL, NULL, NULL)))
		die("cannot read the certificate");
	fclose(f);
	len = i2d_X509(cert, &der);
	if (len <= 0)
		die("cannot encode the certificate");
	is->x5c = base64(der, (size_t)len, 0);
	OPENSSL_free(der);
	X509_free(cert);
}

/* JWS signatures for ECDSA are r and s as two fixed-size big-endian
 * numbers (RFC 7518, section 3.4), not the DER OpenSSL makes. */
static char *sign(struct issuer *is, const char *input)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char sig[1024], raw[64];
	size_t sig_len = sizeof(sig);
	char *out;

	if (!md || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, is->key) != 1 ||
	    EVP_DigestSign(md, sig, &sig_len, (const unsigned char *)input, strlen(input)) != 1)
		die("cannot sign");
	EVP_MD_CTX_free(md);
	if (!is->is_ec)
		return base64(sig, sig_len, 1);
	{
		const unsigned char *p = sig;
		ECDSA_SIG *ec = d2i_ECDSA_SIG(NULL, &p, (long)sig_len);
		const BIGNUM *r, *s;

		if (!ec)
			die("cannot decode the ECDSA signature");
		ECDSA_SIG_get0(ec, &r, &s);
		BN_bn2binpad(r, raw, 32);
		BN_bn2binpad(s, raw + 32, 32);
		ECDSA_SIG_free(ec);
	}
	out = base64(raw, sizeof(raw), 1);
	return out;
}

static int url_decode(const char *in, size_t len, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = in[i];

		if (c == '%' && i + 2 < len) {
			char hex[3] = { in[i + 1], in[i + 2], 0 };

			c = (char)strtol(hex, NULL, 16);
			i += 2;
		} else if (c == '+') {
			c = ' ';
		}
		if (o + 1 >= size)
			return -1;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

/* Only what a repository scope can hold goes into the JSON unescaped. */
static int plain(const char *s)
{
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/,-") == strlen(s);
}

static int user_ok(const struct issuer *is, const char *user_pass)
{
	FILE *f = fopen(is->users, "r");
	char line[512];
	int ok = 0;

	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!strcmp(line, user_pass))
			ok = 1;
	}
	if (f)
		fclose(f);
	return ok;
}

static int is_public(const struct issuer *is, const char *repo)
{
	for (int i = 0; i < is->n_public; i++)
		if (!strcmp(is->public_repos[i], repo))
			return 1;
	return 0;
}

/* access[] for "repository:NAME:a,b": every action for a user, pull on a
 * public repository for anyone, nothing otherwise. */
static void append_access(const struct issuer *is, const char *user, const char *scope, char *out,
			  size_t size)
{
	char type[64], name[256], actions[128], granted[160] = "";
	const char *c1 = strchr(scope, ':'), *c2 = strrchr(scope, ':');
	size_t used = strlen(out);

	if (!c1 || c1 == c2 || (size_t)(c1 - scope) >= sizeof(type) || (size_t)(c2 - c1 - 1) >= sizeof(name))
		return;
	snprintf(type, sizeof(type), "%.*s", (int)(c1 - scope), scope);
	snprintf(name, sizeof(name), "%.*s", (int)(c2 - c1 - 1), c1 + 1);
	snprintf(actions, sizeof(actions), "%s", c2 + 1);
	for (char *save = NULL, *a = strtok_r(actions, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
		if (!user && !(is_public(is, name) && !strcmp(a, "pull")))
			continue;
		snprintf(granted + strlen(granted), sizeof(granted) - strlen(granted), "%s\"%s\"",
			 *granted ? "," : "", a);
	}
	if (!*granted)
		return;
	snprintf(out + used, size - used, "%s{\"type\":\"%s\",\"name\":\"%s\",\"actions\":[%s]}",
		 out[1] ? "," : "", type, name, granted);
}

static void respond(int fd, int status, const char *reason, const char *body)
{
	char head[256];

	snprintf(head, sizeof(head),
		 "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
		 "Connection: close\r\n\r\n",
		 status, reason, strlen(body));
	if (write(fd, head, strlen(head)) < 0 || write(fd, body, strlen(body)) < 0)
		return;
}

static char *make_token(struct issuer *is, const char *user, char scopes[][512], int n_scopes)
{
	static int issued;
	char header[4096], claims[8192], access[4096] = "[", jti[33], *input, *token;
	unsigned char rnd[16];
	char *h64, *c64, *s64;
	time_t now = time(NULL);

	for (int i = 0; i < n_scopes; i++)
		append_access(is, user, scopes[i], access, sizeof(access));
	strncat(access, "]", sizeof(access) - strlen(access) - 1);
	RAND_bytes(rnd, sizeof(rnd));
	for (int i = 0; i < 16; i++)
		snprintf(jti + 2 * i, 3, "%02x", rnd[i]);
	snprintf(header, sizeof(header), "{\"typ\":\"JWT\",\"alg\":\"%s\",\"x5c\":[\"%s\"]}",
		 is->is_ec ? "ES256" : "RS256", is->x5c);
	snprintf(claims, sizeof(claims),
		 "{\"iss\":\"%s\",\"sub\":\"%s\",\"aud\":\"%s\",\"exp\":%lld,\"nbf\":%lld,\"iat\":%lld,"
		 "\"jti\":\"%s\",\"access\":%s}",
		 is->name, user ? user : "", issued++ < is->bad_tokens ? "someone-else" : is->service,
		 (long long)now + 300, (long long)now - 10, (long long)now, jti, access);
	h64 = base64((unsigned char *)header, strlen(header), 1);
	c64 = base64((unsigned char *)claims, strlen(claims), 1);
	if (asprintf(&input, "%s.%s", h64, c64) < 0)
		die("out of memory");
	s64 = sign(is, input);
	if (asprintf(&token, "%s.%s", input, s64) < 0)
		die("out of memory");
	free(h64);
	free(c64);
	free(s64);
	free(input);
	return token;
}

static void serve(struct issuer *is, int fd)
{
	char req[REQUEST_MAX + 1], scopes[MAX_SCOPES][512], user_pass[512] = "", user[256] = "";
	char *line_end, *query, *auth, body[16384];
	size_t used = 0;
	int n_scopes = 0;

	while (used < REQUEST_MAX && !strstr(req, "\r\n\r\n")) {
		ssize_t n = read(fd, req + used, REQUEST_MAX - used);

		if (n <= 0)
			return;
		used += (size_t)n;
		req[used] = '\0';
	}
	line_end = strstr(req, "\r\n");
	if (strncmp(req, "GET /token", 10) || !line_end) {
		respond(fd, 404, "Not Found", "{\"errors\":[{\"code\":\"NOT_FOUND\"}]}");
		return;
	}
	*line_end = '\0';
	query = strchr(req, '?');
	if (query) {
		char *end = strchr(query, ' ');

		if (end)
			*end = '\0';
		for (char *save = NULL, *kv = strtok_r(query + 1, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
			if (!strncmp(kv, "scope=", 6) && n_scopes < MAX_SCOPES &&
			    url_decode(kv + 6, strlen(kv + 6), scopes[n_scopes], sizeof(scopes[0])) == 0) {
				/* A scope parameter may hold several, space-separated. */
				for (char *save2 = NULL, *s = strtok_r(scopes[n_scopes], " ", &save2); s;
				     s = strtok_r(NULL, " ", &save2)) {
					if (n_scopes < MAX_SCOPES && plain(s))
						memmove(scopes[n_scopes++], s, strlen(s) + 1);
				}
			}
		}
	}
	auth = NULL;
	for (char *h = line_end + 2; *h && strncmp(h, "\r\n", 2); h = strstr(h, "\r\n") + 2) {
		if (!strncasecmp(h, "Authorization: Basic ", 21))
			auth = h;
		if (!strstr(h, "\r\n"))
			break;
	}
	if (auth) {
		char *b64 = strstr(auth, "Basic ") + 6;
		size_t len = strcspn(b64, "\r\n");
		unsigned char decoded[512];
		int n = EVP_DecodeBlock(decoded, (unsigned char *)b64, (int)(len < 600 ? len : 600));
		char *colon;

		if (n < 0 || n >= (int)sizeof(user_pass)) {
			respond(fd, 400, "Bad Request", "{}");
			return;
		}
		/* EVP_DecodeBlock counts the padding as bytes. */
		while (len > 0 && b64[len - 1] == '=' && n > 0) {
			n--;
			len--;
		}
		memcpy(user_pass, decoded, (size_t)n);
		user_pass[n] = '\0';
		colon = strchr(user_pass, ':');
		if (!colon || !user_ok(is, user_pass) || !plain(user_pass)) {
			if (is->log) {
				fprintf(is->log, "refused %.*s\n", colon ? (int)(colon - user_pass) : 0, user_pass);
				fflush(is->log);
			}
			respond(fd, 401, "Unauthorized", "{\"details\":\"incorrect username or password\"}");
			return;
		}
		snprintf(user, sizeof(user), "%.*s", (int)(colon - user_pass), user_pass);
	}
	if (is->log) {
		fprintf(is->log, "%s", *user ? user : "-");
		for (int i = 0; i < n_scopes; i++)
			fprintf(is->log, " %s", scopes[i]);
		fprintf(is->log, "\n");
		fflush(is->log);
	}
	{
		char *token = make_token(is, *user ? user : NULL, scopes, n_scopes);
		char issued[64];
		time_t now = time(NULL);
		struct tm tm;

		gmtime_r(&now, &tm);
		strftime(issued, sizeof(issued), "%Y-%m-%dT%H:%M:%SZ", &tm);
		snprintf(body, sizeof(body),
			 "{\"token\":\"%s\",\"access_token\":\"%s\",\"expires_in\":300,\"issued_at\":\"%s\"}",
			 token, token, issued);
		free(token);
	}
	respond(fd, 200, "OK", body);
}

int main(int argc, char **argv)
{
	struct issuer is = { 0 };
	const char *key = NULL, *cert = NULL, *port_file = NULL;
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t addr_len = sizeof(addr);
	int one = 1, lfd;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--key"))
			key = argv[i + 1];
		else if (!strcmp(argv[i], "--cert"))
			cert = argv[i + 1];
		else if (!strcmp(argv[i], "--issuer"))
			is.name = argv[i + 1];
		else if (!strcmp(argv[i], "--service"))
			is.service = argv[i + 1];
		else if (!strcmp(argv[i], "--users"))
			is.users = argv[i + 1];
		else if (!strcmp(argv[i], "--public") && is.n_public < 16)
			is.public_repos[is.n_public++] = argv[i + 1];
		else if (!strcmp(argv[i], "--bad-tokens"))
			is.bad_tokens = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--log"))
			is.log = fopen(argv[i + 1], "a");
		else if (!strcmp(argv[i], "--port"))
			addr.sin_port = htons((unsigned short)atoi(argv[i + 1]));
		else if (!strcmp(argv[i], "--port-file"))
			port_file = argv[i + 1];
		else
			die("unknown option (see the comment at the top of token_issuer.c)");
	}
	if (!key || !cert || !is.name || !is.service || !is.users)
		die("wants --key, --cert, --issuer, --service and --users");
	if (!plain(is.name) || !plain(is.service))
		die("--issuer and --service must be plain names");
	load_key_and_cert(&is, key, cert);
	signal(SIGPIPE, SIG_IGN);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(lfd, 16) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&addr, &addr_len) < 0)
		die(strerror(errno));
	if (port_file) {
		char tmp[4096];
		FILE *f;

		/* Written whole, then renamed: a reader never sees half. */
		snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
		f = fopen(tmp, "w");
		if (!f || fprintf(f, "%d\n", ntohs(addr.sin_port)) < 0 || fclose(f) != 0 || rename(tmp, port_file) < 0)
			die("cannot write the port file");
	}
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			die(strerror(errno));
		}
		serve(&is, fd);
		close(fd);
	}
}
