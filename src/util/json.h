/* JSON helpers on top of jansson: loading with positions a user can find,
 * and crash-safe writing. */
#ifndef SILO_UTIL_JSON_H
#define SILO_UTIL_JSON_H

#include <jansson.h>
#include <sys/types.h>

#include "util/err.h"

/* Loads a JSON file of at most max bytes. A syntax error names the file,
 * line and column. */
int json_load_path(const char *path, size_t max, json_t **out, struct silo_err *err);

/* Writes a JSON value with write-temp, fsync, rename. */
int json_write_path_atomic(const char *path, const json_t *value, mode_t mode, struct silo_err *err);

/* parent[key] when it is an object (or array), else a new empty one put
 * there: for filling in nested config sections. Borrowed reference. */
json_t *json_object_child(json_t *parent, const char *key);
json_t *json_object_child_array(json_t *parent, const char *key);

/* Whether the array holds the string s (other members never match). */
int json_array_has_string(const json_t *array, const char *s);

/* "an object", "an array", "a string" ...: for messages saying what a field
 * was instead of what was expected. */
const char *json_type_name(json_type type);
const char *json_kind_name(const json_t *value);

#endif
