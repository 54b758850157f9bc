/* Parsing and normalising image references. The grammar is the one of the
 * distribution reference format:
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [ domain "/" ] component ( "/" component )*
 *   domain     := host [ ":" port ]      (only when it has '.' or ':' or is
 *                                         "localhost", or is a [v6] literal)
 *   component  := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 */
#include "image/reference.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

#define NAME_MAX_LENGTH 255

static int is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int is_hex_lower(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static int component_valid(const char *s, size_t len)
{
	size_t i = 0;

	if (len == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[len - 1]))
		return 0;
	while (i < len) {
		if (is_lower_alnum(s[i])) {
			i++;
			continue;
		}
		/* A separator: ".", "_", "__" or a run of "-", between two
		 * alphanumerics. */
		if (s[i] == '.' || s[i] == '_') {
			size_t run = 1;

			if (s[i] == '_' && i + 1 < len && s[i + 1] == '_')
				run = 2;
			i += run;
		} else if (s[i] == '-') {
			while (i < len && s[i] == '-')
				i++;
		} else {
			return 0;
		}
		if (i >= len || !is_lower_alnum(s[i]))
			return 0;
	}
	return 1;
}

static int domain_valid(const char *s, size_t len)
{
	size_t i = 0, host_end;

	if (len == 0)
		return 0;
	if (s[0] == '[') {
		const char *close = memchr(s, ']', len);

		if (!close || close == s + 1)
			return 0;
		for (const char *p = s + 1; p < close; p++)
			if (!is_hex_lower(*p) && !(*p >= 'A' && *p <= 'F') && *p != ':' && *p != '.')
				return 0;
		host_end = (size_t)(close - s) + 1;
	} else {
		for (i = 0; i < len && s[i] != ':'; i++) {
			char c = s[i];

			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			      c == '-' || c == '.'))
				return 0;
			if ((c == '-' || c == '.') && (i == 0 || s[i - 1] == '.' || s[i - 1] == '-'))
				return 0;
		}
		if (i == 0 || s[i - 1] == '.' || s[i - 1] == '-')
			return 0;
		host_end = i;
	}
	if (host_end == len)
		return 1;
	if (s[host_end] != ':' || host_end + 1 == len || len - host_end - 1 > 5)
		return 0;
	for (i = host_end + 1; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int tag_valid(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > 128)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		int word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			   c == '_';

		if (!word && (i == 0 || (c != '.' && c != '-')))
			return 0;
	}
	return 1;
}

int image_ref_digest_valid(const char *digest)
{
	if (strncmp(digest, "sha256:", 7) || strlen(digest) != 7 + 64)
		return 0;
	for (const char *p = digest + 7; *p; p++)
		if (!is_hex_lower(*p))
			return 0;
	return 1;
}

void image_ref_free(struct image_ref *ref)
{
	free(ref->registry);
	free(ref->repository);
	free(ref->tag);
	free(ref->digest);
	memset(ref, 0, sizeof(*ref));
}

/* The first component is a registry when it looks like a host: it has a
 * dot or a port, is "localhost", or is an IPv6 literal. Otherwise
 * "library/alpine" would be mistaken for a host named "library". */
static int looks_like_domain(const char *s, size_t len)
{
	return memchr(s, '.', len) || memchr(s, ':', len) || s[0] == '[' ||
	       (len == 9 && !memcmp(s, "localhost", 9));
}

static int parse_name(const char *text, const char *name, struct image_ref *out,
		      struct silo_err *err)
{
	const char *slash = strchr(name, '/');
	const char *path = name;
	_cleanup_free_ char *registry = NULL;
	_cleanup_free_ char *repository = NULL;

	if (slash && looks_like_domain(name, (size_t)(slash - name))) {
		if (!domain_valid(name, (size_t)(slash - name)))
			return silo_err_set(err, EINVAL, "invalid reference \"%s\": bad registry name \"%.*s\"",
					    text, (int)(slash - name), name);
		registry = strndup(name, (size_t)(slash - name));
		path = slash + 1;
	} else {
		registry = strdup(IMAGE_REF_DEFAULT_REGISTRY);
	}
	if (!registry)
		return silo_err_sys(err, ENOMEM, "parse reference");
	if (!strcmp(registry, "index.docker.io") || !strcmp(registry, "registry-1.docker.io")) {
		free(registry);
		registry = strdup(IMAGE_REF_DEFAULT_REGISTRY);
		if (!registry)
			return silo_err_sys(err, ENOMEM, "parse reference");
	}
	for (const char *p = path;;) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (!component_valid(p, len)) {
			for (size_t i = 0; i < len; i++)
				if (p[i] >= 'A' && p[i] <= 'Z')
					return silo_err_set(err, EINVAL,
							    "invalid reference \"%s\": repository name must be lowercase",
							    text);
			return silo_err_set(err, EINVAL,
					    "invalid reference \"%s\": bad repository name component \"%.*s\"",
					    text, (int)len, p);
		}
		if (!end)
			break;
		p = end + 1;
	}
	if (!strcmp(registry, IMAGE_REF_DEFAULT_REGISTRY) && !strchr(path, '/')) {
		if (asprintf(&repository, "library/%s", path) < 0)
			repository = NULL;
	} else {
		repository = strdup(path);
	}
	if (!repository)
		return silo_err_sys(err, ENOMEM, "parse reference");
	if (strlen(registry) + 1 + strlen(repository) > NAME_MAX_LENGTH)
		return silo_err_set(err, EINVAL, "invalid reference \"%s\": name longer than %d characters",
				    text, NAME_MAX_LENGTH);
	out->registry = steal_pointer(&registry);
	out->repository = steal_pointer(&repository);
	return 0;
}

int image_ref_parse(const char *text, struct image_ref *out, struct silo_err *err)
{
	_cleanup_free_ char *copy = strdup(text);
	struct image_ref ref = { 0 };
	char *at, *colon, *last_slash;

	if (!copy)
		return silo_err_sys(err, ENOMEM, "parse reference");
	if (!*text)
		return silo_err_set(err, EINVAL, "invalid reference: empty name");
	at = strchr(copy, '@');
	if (at) {
		*at = '\0';
		if (!image_ref_digest_valid(at + 1))
			return silo_err_set(err, EINVAL,
					    "invalid reference \"%s\": bad digest \"%s\" (want sha256:<64 hex digits>)",
					    text, at + 1);
		ref.digest = strdup(at + 1);
		if (!ref.digest)
			return silo_err_sys(err, ENOMEM, "parse reference");
	}
	/* A colon after the last slash starts the tag; one before it is a
	 * registry's port. */
	last_slash = strrchr(copy, '/');
	colon = strrchr(last_slash ? last_slash : copy, ':');
	if (colon) {
		*colon = '\0';
		if (!tag_valid(colon + 1)) {
			image_ref_free(&ref);
			return silo_err_set(err, EINVAL, "invalid reference \"%s\": bad tag \"%s\"", text,
					    colon + 1);
		}
		ref.tag = strdup(colon + 1);
		if (!ref.tag) {
			image_ref_free(&ref);
			return silo_err_sys(err, ENOMEM, "parse reference");
		}
	}
	if (!*copy || parse_name(text, copy, &ref, err) < 0) {
		image_ref_free(&ref);
		if (!*copy)
			return silo_err_set(err, EINVAL, "invalid reference \"%s\": empty name", text);
		return -1;
	}
	if (!ref.tag && !ref.digest) {
		ref.tag = strdup(IMAGE_REF_DEFAULT_TAG);
		if (!ref.tag) {
			image_ref_free(&ref);
			return silo_err_sys(err, ENOMEM, "parse reference");
		}
	}
	*out = ref;
	return 0;
}

char *image_ref_name(const struct image_ref *ref)
{
	char *s;

	if (asprintf(&s, "%s/%s", ref->registry, ref->repository) < 0)
		return NULL;
	return s;
}

char *image_ref_string(const struct image_ref *ref)
{
	char *s;
	int r;

	if (ref->tag)
		r = asprintf(&s, "%s/%s:%s", ref->registry, ref->repository, ref->tag);
	else
		r = asprintf(&s, "%s/%s@%s", ref->registry, ref->repository, ref->digest);
	return r < 0 ? NULL : s;
}

char *image_ref_familiar(const char *canonical)
{
	static const char hub[] = IMAGE_REF_DEFAULT_REGISTRY "/";
	const char *s = canonical;

	if (!strncmp(s, hub, sizeof(hub) - 1)) {
		s += sizeof(hub) - 1;
		if (!strncmp(s, "library/", 8) && !strchr(s + 8, '/'))
			s += 8;
	}
	return strdup(s);
}

const char *image_ref_api_host(const char *registry)
{
	if (!strcmp(registry, IMAGE_REF_DEFAULT_REGISTRY))
		return "registry-1.docker.io";
	return registry;
}

int image_ref_registry_is_loopback(const char *registry)
{
	size_t host_len;

	if (registry[0] == '[') {
		const char *close = strchr(registry, ']');

		return close && (size_t)(close - registry) == 4 && !strncmp(registry, "[::1]", 5);
	}
	host_len = strcspn(registry, ":");
	if (host_len == 9 && !strncmp(registry, "localhost", 9))
		return 1;
	if (!strncmp(registry, "127.", 4)) {
		/* 127.0.0.0/8: four numeric parts. */
		int dots = 0;

		for (size_t i = 0; i < host_len; i++) {
			if (registry[i] == '.')
				dots++;
			else if (registry[i] < '0' || registry[i] > '9')
				return 0;
		}
		return dots == 3;
	}
	return 0;
}
