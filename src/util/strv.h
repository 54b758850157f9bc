/* NULL-terminated string vectors and small string helpers. */
#ifndef SILO_UTIL_STRV_H
#define SILO_UTIL_STRV_H

#include <stddef.h>
#include <stdint.h>

/* The number of elements of an array (not of a pointer to one). */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

size_t strv_length(char *const *v);
void strv_free(char **v);
/* Appends a copy of s; returns 0 or -ENOMEM. */
int strv_push(char ***v, const char *s);
/* Finds "NAME=" in an environment vector; returns the value or NULL. */
const char *strv_env_get(char *const *env, const char *name);

int str_has_prefix(const char *s, const char *prefix);
/* Docker's rule for container, volume and network names:
 * [a-zA-Z0-9][a-zA-Z0-9_.-]*, between min_len and max_len characters. */
int str_is_object_name(const char *s, size_t min_len, size_t max_len);
/* Strict decimal parse: the whole string, no sign unless allowed. */
int str_to_u64(const char *s, uint64_t *out);
int str_to_int(const char *s, int *out);

#endif
