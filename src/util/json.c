/* JSON files: read with error positions, written atomically. */
#include "util/json.h"

#include <errno.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/fs.h"

int json_load_path(const char *path, size_t max, json_t **out, struct silo_err *err)
{
	_cleanup_free_ char *text = NULL;
	json_error_t jerr;
	size_t len;
	json_t *value;

	if (fs_read_file(path, max, &text, &len, err) < 0)
		return -1;
	value = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!value)
		return silo_err_set(err, EINVAL, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
	*out = value;
	return 0;
}

int json_write_path_atomic(const char *path, const json_t *value, mode_t mode, struct silo_err *err)
{
	_cleanup_free_ char *text = json_dumps(value, JSON_COMPACT);

	if (!text)
		return silo_err_sys(err, ENOMEM, "encode \"%s\"", path);
	return fs_write_file_atomic(path, text, strlen(text), mode, err);
}

const char *json_type_name(json_type type)
{
	switch (type) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a real number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "an unknown value";
}

const char *json_kind_name(const json_t *value)
{
	return json_type_name(json_typeof(value));
}

int json_array_has_string(const json_t *array, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(array, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return 1;
	return 0;
}

json_t *json_object_child(json_t *parent, const char *key)
{
	json_t *child = json_object_get(parent, key);

	if (!json_is_object(child)) {
		child = json_object();
		json_object_set_new(parent, key, child);
	}
	return child;
}

json_t *json_object_child_array(json_t *parent, const char *key)
{
	json_t *child = json_object_get(parent, key);

	if (!json_is_array(child)) {
		child = json_array();
		json_object_set_new(parent, key, child);
	}
	return child;
}
