/* Finding where a value sits in JSON text. jansson reports line and column
 * only for syntax errors; a value of the wrong type in a well-formed file
 * needs its position too, so a user can go straight to it. This scans the
 * raw text along a field path ("process.args[1]") without building values. */
#ifndef SILO_UTIL_JSON_LOCATE_H
#define SILO_UTIL_JSON_LOCATE_H

#include <stddef.h>

/* Field paths: object keys joined by '.', array indexes as "[N]". A key that
 * holds '.', '[', ']', '"' or '\' or is empty is written ["key"], with '"'
 * and '\' escaped by a backslash: annotations["org.example.key"]. */

/* Finds the value at path in text (path "" is the whole document). Sets
 * line and column (1-based; a column counts characters, as jansson does) of
 * its first character. Returns 1 when the whole path was found, 0 when only
 * a prefix was, in which case the position is that of the deepest value
 * found (the object a missing key belongs in), and -1 when the text is not
 * JSON or the path is malformed. */
int json_locate(const char *text, size_t len, const char *path, int *line, int *column);

/* Appends a key or an index to a field path in buf (of size size), quoting
 * the key when it needs it. Returns buf; a path too long is cut short. */
char *json_path_key(char *buf, size_t size, const char *parent, const char *key);
char *json_path_index(char *buf, size_t size, const char *parent, size_t index);

#endif
