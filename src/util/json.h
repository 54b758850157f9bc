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

/* "an object", "an array", "a string" ...: for messages saying what a field
 * was instead of what was expected. */
const char *json_type_name(json_type type);
const char *json_kind_name(const json_t *value);

#endif
