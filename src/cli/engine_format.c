/* --format templates and docker's tables (see engine_format.h). A template
 * is read once into a list of pieces: text, a field path, a method call
 * with its argument, or a json action; rendering walks the list. */
#include "cli/engine_format.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "util/cleanup.h"
#include "util/strv.h"

enum piece_kind { PIECE_TEXT, PIECE_FIELD, PIECE_METHOD };

struct piece {
	enum piece_kind kind;
	char *text;  /* PIECE_TEXT: the text; PIECE_METHOD: the argument */
	char **path; /* PIECE_FIELD: names (none: the item itself); PIECE_METHOD: the name */
	int json;    /* {{json ...}} */
};

struct format_template {
	struct piece *pieces;
	size_t n;
};

void format_template_free(struct format_template *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->pieces[i].text);
		strv_free(t->pieces[i].path);
	}
	free(t->pieces);
	free(t);
}

static struct piece *add_piece(struct format_template *t, enum piece_kind kind)
{
	struct piece *p = realloc(t->pieces, (t->n + 1) * sizeof(*p));

	if (!p)
		return NULL;
	t->pieces = p;
	p = &t->pieces[t->n++];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	return p;
}

/* Text with docker's two escapes, \t and \n, made real. */
static int add_text(struct format_template *t, const char *s, size_t len)
{
	struct piece *p;
	char *out;
	size_t o = 0;

	if (len == 0)
		return 0;
	out = malloc(len + 1);
	if (!out || !(p = add_piece(t, PIECE_TEXT))) {
		free(out);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len && (s[i + 1] == 't' || s[i + 1] == 'n')) {
			out[o++] = s[i + 1] == 't' ? '\t' : '\n';
			i++;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	p->text = out;
	return 0;
}

static int is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* ".A.B" into {"A", "B"}; "." into {}. Returns the length read, or -1. */
static ssize_t parse_path(const char *s, char ***out)
{
	size_t i = 0;

	*out = calloc(1, sizeof(char *));
	if (!*out)
		return -1;
	if (s[0] != '.')
		return -1;
	if (!is_name_char(s[1]))
		return 1;
	while (s[i] == '.' && is_name_char(s[i + 1])) {
		size_t start = ++i;
		_cleanup_free_ char *name = NULL;

		while (is_name_char(s[i]))
			i++;
		name = strndup(s + start, i - start);
		if (!name || strv_push(out, name) < 0)
			return -1;
	}
	return (ssize_t)i;
}

static int is_method(const char *const *methods, const char *name)
{
	for (; methods && *methods; methods++)
		if (!strcmp(*methods, name))
			return 1;
	return 0;
}

static int bad_action(struct silo_err *err, const char *action, size_t len, const char *why)
{
	return silo_err_set(err, EINVAL, "template: {{%.*s}}: %s", (int)len, action, why);
}

/* One {{...}}: the text between the braces. */
static int parse_action(struct format_template *t, const char *action, size_t len, json_t *fields,
			const char *const *methods, struct silo_err *err)
{
	_cleanup_free_ char *copy = strndup(action, len);
	char *s = copy, *end;
	struct piece *p;
	char **path = NULL;
	int json = 0;
	ssize_t n;

	if (!copy)
		return silo_err_sys(err, ENOMEM, "template");
	while (*s == ' ')
		s++;
	end = s + strlen(s);
	while (end > s && end[-1] == ' ')
		*--end = '\0';
	if (!strncmp(s, "json ", 5)) {
		json = 1;
		s += 5;
		while (*s == ' ')
			s++;
	}
	if (*s != '.') {
		size_t word = strcspn(s, " ");

		if (!*s)
			return bad_action(err, action, len, "missing value");
		silo_err_set(err, EINVAL, "template: {{%.*s}}: function \"%.*s\" not defined", (int)len, action,
			     (int)word, s);
		return -1;
	}
	n = parse_path(s, &path);
	if (n < 0) {
		strv_free(path);
		return silo_err_sys(err, ENOMEM, "template");
	}
	s += n;
	while (*s == ' ')
		s++;
	if (path[0] && !json_object_get(fields, path[0]) && !is_method(methods, path[0])) {
		silo_err_set(err, EINVAL, "template: {{%.*s}}: can't evaluate field %s", (int)len, action,
			     path[0]);
		strv_free(path);
		return -1;
	}
	if (*s == '"') {
		char *close = strchr(s + 1, '"');

		if (json || !path[0] || path[1] || !is_method(methods, path[0]) || !close || close[1]) {
			strv_free(path);
			return bad_action(err, action, len, "an argument is only taken by a method such as .Label \"key\"");
		}
		p = add_piece(t, PIECE_METHOD);
		if (!p || !(p->text = strndup(s + 1, (size_t)(close - s - 1)))) {
			strv_free(path);
			return silo_err_sys(err, ENOMEM, "template");
		}
		p->path = path;
		return 0;
	}
	if (*s) {
		strv_free(path);
		return bad_action(err, action, len, "unexpected text after the field");
	}
	if (path[0] && is_method(methods, path[0]) && !json_object_get(fields, path[0])) {
		strv_free(path);
		return bad_action(err, action, len, "wants an argument");
	}
	p = add_piece(t, PIECE_FIELD);
	if (!p) {
		strv_free(path);
		return silo_err_sys(err, ENOMEM, "template");
	}
	p->path = path;
	p->json = json;
	return 0;
}

int format_template_parse(const char *text, json_t *fields, const char *const *methods,
			  struct format_template **out, struct silo_err *err)
{
	struct format_template *t = calloc(1, sizeof(*t));
	const char *s = text;

	if (!t)
		return silo_err_sys(err, ENOMEM, "template");
	for (;;) {
		const char *open = strstr(s, "{{");
		const char *close;

		if (add_text(t, s, open ? (size_t)(open - s) : strlen(s)) < 0) {
			format_template_free(t);
			return silo_err_sys(err, ENOMEM, "template");
		}
		if (!open)
			break;
		close = strstr(open + 2, "}}");
		if (!close) {
			format_template_free(t);
			return silo_err_set(err, EINVAL, "template: unclosed action in \"%s\"", text);
		}
		if (parse_action(t, open + 2, (size_t)(close - open - 2), fields, methods, err) < 0) {
			format_template_free(t);
			return -1;
		}
		s = close + 2;
	}
	*out = t;
	return 0;
}

/* A value as Go's template prints it, near enough. */
static void append_value(FILE *f, json_t *v, int as_json)
{
	_cleanup_free_ char *dumped = NULL;

	if (!v) {
		fputs(as_json ? "null" : "<no value>", f);
		return;
	}
	if (json_is_string(v) && !as_json) {
		fwrite(json_string_value(v), 1, json_string_length(v), f);
		return;
	}
	dumped = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
	if (dumped)
		fputs(dumped, f);
}

/* The template written out: its text as it is, each action by
 * write_action (render: the item's values; header: the column names). */
static char *write_template(const struct format_template *t,
			    void (*write_action)(FILE *f, const struct piece *p, json_t *a, json_t *b), json_t *a,
			    json_t *b)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return NULL;
	for (size_t i = 0; i < t->n; i++) {
		const struct piece *p = &t->pieces[i];

		if (p->kind == PIECE_TEXT)
			fputs(p->text, f);
		else
			write_action(f, p, a, b);
	}
	fclose(f);
	return buf;
}

static void write_value(FILE *f, const struct piece *p, json_t *item, json_t *methods)
{
	json_t *v = item;

	if (p->kind == PIECE_METHOD) {
		v = json_object_get(json_object_get(methods, p->path[0]), p->text);
		fputs(json_string_value(v) ?: "", f);
		return;
	}
	for (char **name = p->path; *name && v; name++)
		v = json_object_get(v, *name);
	append_value(f, v, p->json);
}

char *format_template_render(const struct format_template *t, json_t *item, json_t *methods)
{
	return write_template(t, write_value, item, methods);
}

static void write_header(FILE *f, const struct piece *p, json_t *fields, json_t *unused)
{
	const char *header;

	(void)unused;
	if (!p->path[0])
		return;
	header = json_string_value(json_object_get(fields, p->path[0]));
	if (header) {
		fputs(header, f);
		return;
	}
	for (const char *c = p->path[0]; *c; c++)
		fputc(toupper((unsigned char)*c), f);
}

char *format_template_header(const struct format_template *t, json_t *fields)
{
	return write_template(t, write_header, fields, NULL);
}

static json_t *split_cells(const char *line)
{
	json_t *cells = json_array();

	for (const char *s = line;;) {
		size_t n = strcspn(s, "\t");

		json_array_append_new(cells, json_stringn(s, n));
		if (!s[n])
			break;
		s += n + 1;
	}
	return cells;
}

int format_output_open(struct format_output *o, const char *format, const char *default_table,
		       json_t *fields, const char *const *methods, struct silo_err *err)
{
	const char *text = format && *format ? format : default_table;

	memset(o, 0, sizeof(*o));
	o->fields = json_incref(fields);
	if (!strcmp(text, "json")) {
		o->json = 1;
		return 0;
	}
	if (!strcmp(text, "table")) {
		text = default_table;
		if (!strcmp(text, "json")) {
			o->json = 1;
			return 0;
		}
	}
	if (!strncmp(text, "table ", 6)) {
		o->table = 1;
		text += 6;
		o->rows = json_array();
	}
	if (format_template_parse(text, fields, methods, &o->template, err) < 0)
		return silo_err_prefix(err, "invalid --format \"%s\"", format ? format : default_table);
	if (o->table) {
		char *header = format_template_header(o->template, fields);

		if (header)
			json_array_append_new(o->rows, split_cells(header));
		free(header);
	}
	return 0;
}

void format_output_add(struct format_output *o, json_t *item, json_t *methods)
{
	_cleanup_free_ char *line = NULL;

	if (o->json) {
		line = json_dumps(item, JSON_COMPACT | JSON_SORT_KEYS);
		if (line)
			printf("%s\n", line);
		return;
	}
	line = format_template_render(o->template, item, methods);
	if (!line)
		return;
	if (o->table)
		json_array_append_new(o->rows, split_cells(line));
	else
		printf("%s\n", line);
}

void format_output_finish(struct format_output *o)
{
	if (o->table)
		format_print_table(o->rows);
	fflush(stdout);
}

void format_output_close(struct format_output *o)
{
	format_template_free(o->template);
	json_decref(o->rows);
	json_decref(o->fields);
	memset(o, 0, sizeof(*o));
}

/* Columns on a terminal: UTF-8 continuation bytes take none. */
static size_t text_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

void format_print_table(json_t *rows)
{
	format_print_columns(rows, 10);
}

void format_print_columns(json_t *rows, size_t min_width)
{
	_cleanup_free_ size_t *widths = NULL;
	size_t columns = 0, i, j;
	json_t *row, *cell;

	json_array_foreach(rows, i, row)
		if (json_array_size(row) > columns)
			columns = json_array_size(row);
	widths = calloc(columns + 1, sizeof(size_t));
	if (!widths)
		return;
	json_array_foreach(rows, i, row)
		json_array_foreach(row, j, cell)
			if (j + 1 < json_array_size(row) && text_width(json_string_value(cell)) + 3 > widths[j])
				widths[j] = text_width(json_string_value(cell)) + 3;
	for (j = 0; j < columns; j++)
		if (widths[j] < min_width)
			widths[j] = min_width;
	json_array_foreach(rows, i, row) {
		size_t n = json_array_size(row);

		json_array_foreach(row, j, cell) {
			if (j + 1 == n)
				printf("%s\n", json_string_value(cell));
			else
				printf("%s%*s", json_string_value(cell),
				       (int)(widths[j] - text_width(json_string_value(cell))), "");
		}
	}
}
