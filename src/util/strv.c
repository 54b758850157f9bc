/* String vectors and strict number parsing. */
#include "util/strv.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

size_t strv_length(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

void strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

int strv_push(char ***v, const char *s)
{
	size_t n = strv_length(*v);
	char **grown = realloc(*v, (n + 2) * sizeof(char *));
	char *copy;

	if (!grown)
		return -ENOMEM;
	*v = grown;
	copy = strdup(s);
	if (!copy) {
		grown[n] = NULL;
		return -ENOMEM;
	}
	grown[n] = copy;
	grown[n + 1] = NULL;
	return 0;
}

const char *strv_env_get(char *const *env, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; env && env[i]; i++)
		if (!strncmp(env[i], name, len) && env[i][len] == '=')
			return env[i] + len + 1;
	return NULL;
}

int str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int str_to_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int str_to_int(const char *s, int *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < INT_MIN || v > INT_MAX)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

int str_is_object_name(const char *s, size_t min_len, size_t max_len)
{
	size_t len = strlen(s);

	if (len < min_len || len > max_len || !isalnum((unsigned char)s[0]))
		return 0;
	for (const char *p = s + 1; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
			return 0;
	return 1;
}
