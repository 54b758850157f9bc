/* Unit tests for the --format templates and tables (src/cli/engine_format.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "cli/engine_format.h"

static const char *const methods[] = { "Label", NULL };

static json_t *fields(void)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "ID", "CONTAINER ID", "Names", "NAMES", "State", "STATE",
			 "Labels", "LABELS");
}

static char *render(const char *text, json_t *item, json_t *m)
{
	json_t *f = fields();
	struct format_template *t = NULL;
	struct silo_err err = { 0 };
	char *out;

	assert_int_equal(format_template_parse(text, f, methods, &t, &err), 0);
	out = format_template_render(t, item, m);
	format_template_free(t);
	json_decref(f);
	return out;
}

static void test_fields_methods_and_escapes(void **state)
{
	json_t *item = json_pack("{s:s, s:s, s:{s:s}}", "ID", "abc", "Names", "web", "State", "x", "y");
	json_t *m = json_pack("{s:{s:s}}", "Label", "tier", "front");
	char *out;

	(void)state;
	out = render("{{.ID}}\\t{{ .Names }}:{{.Label \"tier\"}}{{.Label \"none\"}}\\n", item, m);
	assert_string_equal(out, "abc\tweb:front\n");
	free(out);
	out = render("{{.State.x}} {{json .Names}} {{json .State}}", item, m);
	assert_string_equal(out, "y \"web\" {\"x\":\"y\"}");
	free(out);
	out = render("{{json .}}", item, m);
	assert_string_equal(out, "{\"ID\":\"abc\",\"Names\":\"web\",\"State\":{\"x\":\"y\"}}");
	free(out);
	json_decref(item);
	json_decref(m);
}

static void test_bad_templates(void **state)
{
	static const char *const bad[] = {
		"{{.Nope}}", "{{upper .Names}}", "{{.Names", "{{}}", "{{.Label}}", "{{.Names \"x\"}}",
		"{{.Names extra}}", "{{json .Label \"x\"}}",
	};
	json_t *f = fields();

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct format_template *t = NULL;
		struct silo_err err = { 0 };

		assert_true(format_template_parse(bad[i], f, methods, &t, &err) < 0);
		assert_non_null(strstr(err.msg, "template"));
	}
	json_decref(f);
}

static void test_headers(void **state)
{
	json_t *f = fields();
	struct format_template *t = NULL;
	struct silo_err err = { 0 };
	char *out;

	(void)state;
	assert_int_equal(format_template_parse("{{.ID}}\\t{{.Label \"k\"}}\\t{{.Names}}", f, methods, &t, &err), 0);
	out = format_template_header(t, f);
	assert_string_equal(out, "CONTAINER ID\tLABEL\tNAMES");
	free(out);
	format_template_free(t);
	json_decref(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_methods_and_escapes),
		cmocka_unit_test(test_bad_templates),
		cmocka_unit_test(test_headers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
