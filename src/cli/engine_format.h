/* --format for the listing commands (ps, images, volume ls, network ls),
 * as docker reads it:
 *
 *   table              the command's own columns, with headers (the default)
 *   json               one JSON object a line, the item's docker field names
 *   table TEMPLATE     TEMPLATE a line, its cells aligned under headers
 *   TEMPLATE           TEMPLATE a line, as it is
 *
 * TEMPLATE is a small subset of Go's text/template: text, "\t" and "\n"
 * (written as two characters, as a shell passes them), and actions
 * {{.Field}}, {{.Field.Sub}}, {{.Method "arg"}} (a lookup in an object the
 * command provides, e.g. {{.Label "k"}}), {{json .}} and {{json .Field}}.
 * Field names are checked when the template is read: a template that
 * names a field the command does not have is an error before anything is
 * listed. An item is a JSON object; its values print as text (strings
 * bare, numbers and booleans in JSON, objects and arrays as compact JSON). */
#ifndef SILO_CLI_ENGINE_FORMAT_H
#define SILO_CLI_ENGINE_FORMAT_H

#include <jansson.h>

#include "util/err.h"

struct format_template;

/* Reads TEMPLATE (without "table "). fields maps each field name the
 * items have to its column header ({"ID": "CONTAINER ID", ...}); methods
 * lists the names that take an argument. */
int format_template_parse(const char *text, json_t *fields, const char *const *methods,
			  struct format_template **out, struct silo_err *err);
void format_template_free(struct format_template *t);

/* The template applied to item; methods is an object of objects, one per
 * method name ({"Label": {"k": "v"}}), or NULL. A new string. */
char *format_template_render(const struct format_template *t, json_t *item, json_t *methods);

/* The header line: every {{.Field}} replaced by its header. */
char *format_template_header(const struct format_template *t, json_t *fields);

/* A command's output for --format. */
struct format_output {
	int json;     /* one JSON object a line */
	int table;    /* aligned cells with a header line */
	struct format_template *template;
	json_t *fields;
	json_t *rows; /* table: arrays of cells, printed by format_output_finish */
};

/* format NULL: default_table (a "table ..." template of the command's
 * usual columns). Fails with a message naming the --format value. */
int format_output_open(struct format_output *o, const char *format, const char *default_table,
		       json_t *fields, const char *const *methods, struct silo_err *err);
/* Prints one item (or keeps it, for a table). */
void format_output_add(struct format_output *o, json_t *item, json_t *methods);
/* Prints a table's header and rows. */
void format_output_finish(struct format_output *o);
void format_output_close(struct format_output *o);
#define _cleanup_format_output_ __attribute__((cleanup(format_output_close)))

/* Rows (arrays of strings) as docker's tables: each column as wide as its
 * widest cell plus three spaces, at least ten; the last one unpadded. */
void format_print_table(json_t *rows);
/* The same with columns at least min_width wide. */
void format_print_columns(json_t *rows, size_t min_width);

#endif
