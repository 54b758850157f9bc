/* Unit tests for linux.seccomp: each kind of malformed profile gives one
 * exact message naming the field, profiles with what libseccomp or this
 * kernel do not know (syscall names, rules that repeat the default) still
 * compile, a compiled filter does what it says once installed (in a child
 * process), and the features object lists what silo recognizes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/seccomp.h"
#include "runtime/spec.h"

/* A config whose linux.seccomp is the given JSON. */
static struct spec *parse_with(const char *seccomp)
{
	char text[8192];
	struct spec *spec = NULL;
	struct silo_err err = { 0 };

	snprintf(text, sizeof(text),
		 "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"/r\"}, \"linux\": {\"seccomp\": %s}}",
		 seccomp);
	if (spec_parse(text, strlen(text), "config.json", "/bundle", &spec, &err) < 0)
		fail_msg("spec_parse failed: %s", err.msg);
	return spec;
}

static void expect_error(const char *seccomp, const char *want)
{
	struct spec *spec = parse_with(seccomp);
	struct seccomp_filter *filter = NULL;
	struct silo_err err = { 0 };
	int r = seccomp_prepare(spec, &filter, &err);

	spec_free(spec);
	if (r >= 0) {
		seccomp_filter_free(filter);
		fail_msg("compiled, but wanted the error: %s", want);
	}
	assert_null(filter);
	if (strcmp(err.msg, want))
		fail_msg("wrong message\n got: %s\nwant: %s", err.msg, want);
}

static struct seccomp_filter *compile_ok(struct spec *spec)
{
	struct seccomp_filter *filter = NULL;
	struct silo_err err = { 0 };

	if (seccomp_prepare(spec, &filter, &err) < 0)
		fail_msg("seccomp_prepare failed: %s", err.msg);
	assert_non_null(filter);
	return filter;
}

static void test_no_profile(void **state)
{
	const char *text = "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"/r\"}}";
	struct spec *spec = NULL;
	struct seccomp_filter *filter = (struct seccomp_filter *)&filter;
	struct silo_err err = { 0 };

	(void)state;
	assert_int_equal(spec_parse(text, strlen(text), "config.json", "/b", &spec, &err), 0);
	assert_int_equal(seccomp_prepare(spec, &filter, &err), 0);
	assert_null(filter);
	/* Nothing to load is not an error. */
	assert_int_equal(seccomp_install(NULL, "id", 1, &err), 0);
	spec_free(spec);
}

static void test_type_errors(void **state)
{
	(void)state;
	expect_error("[]", "config.json: linux.seccomp: expected an object, got an array");
	expect_error("{\"defaultAction\": 1}",
		     "config.json: linux.seccomp.defaultAction: expected a string, got an integer");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": -1}",
		     "config.json: linux.seccomp.defaultErrnoRet: expected an integer from 0 to 65535, got -1");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 65536}",
		     "config.json: linux.seccomp.defaultErrnoRet: expected an integer from 0 to 65535, got 65536");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": {}}",
		     "config.json: linux.seccomp.syscalls: expected an array, got an object");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [1]}",
		     "config.json: linux.seccomp.syscalls[0]: expected an object, got an integer");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"action\": \"SCMP_ACT_ERRNO\"}]}",
		     "config.json: linux.seccomp.syscalls[0].names: missing, expected an array");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\", 2], \"action\": \"SCMP_ACT_ERRNO\"}]}",
		     "config.json: linux.seccomp.syscalls[0].names[1]: expected a string, got an integer");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"]}]}",
		     "config.json: linux.seccomp.syscalls[0].action: missing, expected a string");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": {}}]}",
		     "config.json: linux.seccomp.syscalls[0].args: expected an array, got an object");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		     "config.json: linux.seccomp.syscalls[0].args[0].value: missing, expected an unsigned integer");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": -3, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		     "config.json: linux.seccomp.syscalls[0].args[0].value: expected an integer from 0 to 18446744073709551615, got -3");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": 1}]}]}",
		     "config.json: linux.seccomp.syscalls[0].args[0].op: missing, expected a string");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": \"SECCOMP_FILTER_FLAG_LOG\"}",
		     "config.json: linux.seccomp.flags: expected an array, got a string");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [7]}",
		     "config.json: linux.seccomp.architectures[0]: expected a string, got an integer");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": 3}",
		     "config.json: linux.seccomp.listenerPath: expected a string, got an integer");
}

static void test_notify_checks(void **state)
{
	(void)state;
	expect_error("{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}",
		     "config.json: linux.seccomp: SCMP_ACT_NOTIFY needs a listenerPath to send the notifications to");
	/* A default of NOTIFY reaches sendmsg unless a rule spares it. */
	expect_error("{\"defaultAction\": \"SCMP_ACT_NOTIFY\", \"listenerPath\": \"/nonexistent/s\"}",
		     "config.json: linux.seccomp: SCMP_ACT_NOTIFY must not apply to sendmsg, which silo needs to hand the listener its descriptor");
	expect_error("{\"defaultAction\": \"SCMP_ACT_NOTIFY\", \"listenerPath\": \"/nonexistent/s\", \"syscalls\": [{\"names\": [\"sendmsg\"], \"action\": \"SCMP_ACT_ALLOW\"}]}",
		     "config.json: linux.seccomp.listenerPath: connect to \"/nonexistent/s\": No such file or directory");
	/* Without NOTIFY, listenerPath is not used at all. */
	{
		struct spec *spec = parse_with("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/nonexistent/s\"}");

		seccomp_filter_free(compile_ok(spec));
		spec_free(spec);
	}
}

static void test_lenient_profiles_compile(void **state)
{
	struct spec *spec = parse_with(
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
		" \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\", \"SCMP_ARCH_AARCH64\"],"
		" \"flags\": [\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"],"
		" \"syscalls\": ["
		"  {\"names\": [\"silo_no_such_syscall\", \"read\", \"socketcall\"], \"action\": \"SCMP_ACT_ALLOW\"},"
		"  {\"names\": [\"write\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38},"
		"  {\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
		"    {\"index\": 1, \"value\": 9, \"op\": \"SCMP_CMP_EQ\"},"
		"    {\"index\": 1, \"value\": 15, \"op\": \"SCMP_CMP_EQ\"}]},"
		"  {\"names\": [\"openat\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
		"    {\"index\": 2, \"value\": 64, \"valueTwo\": 0, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}"
		" ]}");

	(void)state;
	/* Unknown names are skipped, a rule repeating the default is dropped,
	 * several conditions on one argument become several rules, and
	 * WAIT_KILLABLE_RECV without a listener is left out. */
	seccomp_filter_free(compile_ok(spec));
	spec_free(spec);
}

/* Installs the filter in a child with no_new_privs and reports what mkdir
 * and getpid did there, as the child's exit status. */
static int run_filtered_child(struct spec *spec)
{
	struct seccomp_filter *filter = compile_ok(spec);
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct silo_err err = { 0 };
		char dir[] = "/tmp/silo-test-seccomp.XXXXXX";
		char path[64];

		if (!mkdtemp(dir))
			_exit(100);
		snprintf(path, sizeof(path), "%s/d", dir);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    seccomp_install(filter, "unit", getpid(), &err) < 0)
			_exit(101);
		if (getpid() <= 0)
			_exit(102);
		if (mkdir(path, 0700) == 0) {
			rmdir(path);
			rmdir(dir);
			_exit(0);
		}
		rmdir(dir);
		_exit(errno);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	seccomp_filter_free(filter);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_installed_filter_acts(void **state)
{
	struct spec *spec;

	(void)state;
	spec = parse_with("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
			  "{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 28}]}");
	assert_int_equal(run_filtered_child(spec), ENOSPC);
	spec_free(spec);

	spec = parse_with("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
			  "{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
	assert_int_equal(run_filtered_child(spec), EPERM);
	spec_free(spec);

	/* A condition that does not hold lets the call through. */
	spec = parse_with("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
			  "{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 1, \"value\": 511, \"op\": \"SCMP_CMP_EQ\"}]},"
			  "{\"names\": [\"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 2, \"value\": 511, \"op\": \"SCMP_CMP_EQ\"}]}]}");
	assert_int_equal(run_filtered_child(spec), 0);
	spec_free(spec);
}

static int has_string(const json_t *array, const char *want)
{
	size_t i;
	json_t *v;

	json_array_foreach (array, i, v)
		if (!strcmp(json_string_value(v), want))
			return 1;
	return 0;
}

static void test_features(void **state)
{
	json_t *features = seccomp_features();
	json_t *known, *supported, *v;
	size_t i;

	(void)state;
	assert_non_null(features);
	assert_true(json_is_true(json_object_get(features, "enabled")));
	assert_int_equal(json_array_size(json_object_get(features, "actions")), 9);
	assert_int_equal(json_array_size(json_object_get(features, "operators")), 7);
	assert_true(has_string(json_object_get(features, "archs"), "SCMP_ARCH_X86_64"));
	known = json_object_get(features, "knownFlags");
	supported = json_object_get(features, "supportedFlags");
	assert_true(has_string(known, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"));
	json_array_foreach (supported, i, v)
		assert_true(has_string(known, json_string_value(v)));
	json_decref(features);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_profile),
		cmocka_unit_test(test_type_errors),
		cmocka_unit_test(test_notify_checks),
		cmocka_unit_test(test_lenient_profiles_compile),
		cmocka_unit_test(test_installed_filter_acts),
		cmocka_unit_test(test_features),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
