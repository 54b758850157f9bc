/* Unit tests for building an engine container's config.json from an image
 * config and the run flags (src/engine/config.c), and for the overlay's
 * mount options (src/engine/snapshot.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "engine/config.h"
#include "engine/snapshot.h"
#include "util/cleanup.h"

static json_t *image_config(const char *config_object)
{
	char text[4096];
	json_error_t jerr;
	json_t *v;

	snprintf(text, sizeof(text), "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":%s}",
		 config_object);
	v = json_loads(text, 0, &jerr);
	if (!v)
		fail_msg("bad test JSON: %s", jerr.text);
	return v;
}

static json_t *build(json_t *image, struct engine_run_flags *flags, const struct engine_user *user)
{
	struct silo_err err = { 0 };
	json_t *config = NULL;

	if (!flags->dir)
		flags->dir = "/store/containers/abc";
	if (!flags->hostname)
		flags->hostname = "abc123def456";
	if (engine_config_build(image, flags, user, &config, &err) < 0)
		fail_msg("build: %s", err.msg);
	return config;
}

static char *args_of(json_t *config)
{
	return json_dumps(json_object_get(json_object_get(config, "process"), "args"), JSON_COMPACT);
}

static void test_entrypoint_and_cmd_combine_as_docker_does(void **state)
{
	_cleanup_json_ json_t *image =
		image_config("{\"Entrypoint\":[\"/bin/sh\",\"-c\"],\"Cmd\":[\"echo hi\"]}");
	char *cmd[] = { "date", NULL }, *empty[] = { NULL };
	struct engine_run_flags flags = { .cmd = empty };
	_cleanup_json_ json_t *c1 = NULL, *c2 = NULL, *c3 = NULL, *c4 = NULL;
	_cleanup_free_ char *a1 = NULL, *a2 = NULL, *a3 = NULL, *a4 = NULL;

	(void)state;
	c1 = build(image, &flags, NULL);
	a1 = args_of(c1);
	assert_string_equal(a1, "[\"/bin/sh\",\"-c\",\"echo hi\"]");
	flags.cmd = cmd;
	c2 = build(image, &flags, NULL);
	a2 = args_of(c2);
	assert_string_equal(a2, "[\"/bin/sh\",\"-c\",\"date\"]");
	/* --entrypoint drops the image's Cmd; arguments still follow it. */
	flags.entrypoint = "/bin/echo";
	c3 = build(image, &flags, NULL);
	a3 = args_of(c3);
	assert_string_equal(a3, "[\"/bin/echo\",\"date\"]");
	flags.cmd = empty;
	c4 = build(image, &flags, NULL);
	a4 = args_of(c4);
	assert_string_equal(a4, "[\"/bin/echo\"]");
}

static void test_no_command_at_all_fails(void **state)
{
	_cleanup_json_ json_t *image = image_config("{}");
	struct engine_run_flags flags = { .dir = "/d", .hostname = "h" };
	struct silo_err err = { 0 };
	json_t *config = NULL;

	(void)state;
	assert_true(engine_config_build(image, &flags, NULL, &config, &err) < 0);
	assert_non_null(strstr(err.msg, "no command specified"));
	/* --entrypoint "" clears the image's entrypoint. */
	json_decref(image);
	image = image_config("{\"Entrypoint\":[\"/x\"]}");
	flags.entrypoint = "";
	assert_true(engine_config_build(image, &flags, NULL, &config, &err) < 0);
}

static const char *env_value(json_t *config, const char *name)
{
	json_t *env = json_object_get(json_object_get(config, "process"), "env");
	size_t i, len = strlen(name);
	json_t *v;

	json_array_foreach(env, i, v) {
		const char *s = json_string_value(v);

		if (!strncmp(s, name, len) && s[len] == '=')
			return s + len + 1;
	}
	return NULL;
}

static void test_env_image_then_flags_then_defaults(void **state)
{
	_cleanup_json_ json_t *image =
		image_config("{\"Cmd\":[\"sh\"],\"Env\":[\"PATH=/opt/bin\",\"A=image\",\"B=image\"]}");
	char *env[] = { "B=flag", "C=new", "FROM_OUR_ENV", "NOT_SET_ANYWHERE", NULL };
	struct engine_run_flags flags = { .env = env, .tty = 1 };
	struct engine_user user = { .uid = 1000, .gid = 1000, .home = "/home/u" };
	_cleanup_json_ json_t *config = NULL;

	(void)state;
	setenv("FROM_OUR_ENV", "ours", 1);
	unsetenv("NOT_SET_ANYWHERE");
	config = build(image, &flags, &user);
	assert_string_equal(env_value(config, "PATH"), "/opt/bin");
	assert_string_equal(env_value(config, "A"), "image");
	assert_string_equal(env_value(config, "B"), "flag");
	assert_string_equal(env_value(config, "C"), "new");
	assert_string_equal(env_value(config, "FROM_OUR_ENV"), "ours");
	assert_null(env_value(config, "NOT_SET_ANYWHERE"));
	assert_string_equal(env_value(config, "HOSTNAME"), "abc123def456");
	assert_string_equal(env_value(config, "TERM"), "xterm");
	assert_string_equal(env_value(config, "HOME"), "/home/u");
}

static void test_workdir_user_terminal_hostname_root(void **state)
{
	_cleanup_json_ json_t *image = image_config("{\"Cmd\":[\"sh\"],\"WorkingDir\":\"/srv\"}");
	gid_t gids[] = { 10, 20 };
	struct engine_user user = { .uid = 7, .gid = 8, .additional_gids = gids, .n_additional_gids = 2 };
	struct engine_run_flags flags = { 0 };
	_cleanup_json_ json_t *config = NULL, *config2 = NULL;
	_cleanup_free_ char *user_json = NULL;
	json_t *process;
	struct silo_err err = { 0 };
	json_t *bad = NULL;

	(void)state;
	config = build(image, &flags, &user);
	process = json_object_get(config, "process");
	assert_string_equal(json_string_value(json_object_get(process, "cwd")), "/srv");
	assert_false(json_is_true(json_object_get(process, "terminal")));
	user_json = json_dumps(json_object_get(process, "user"), JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(user_json, "{\"additionalGids\":[10,20],\"gid\":8,\"uid\":7}");
	assert_string_equal(json_string_value(json_object_get(config, "hostname")), "abc123def456");
	assert_string_equal(json_string_value(json_object_get(json_object_get(config, "root"), "path")), "rootfs");
	assert_true(json_is_false(json_object_get(json_object_get(config, "root"), "readonly")));
	flags.workdir = "/tmp";
	flags.tty = 1;
	flags.read_only = 1;
	config2 = build(image, &flags, NULL);
	assert_true(json_is_true(json_object_get(json_object_get(config2, "root"), "readonly")));
	process = json_object_get(config2, "process");
	assert_string_equal(json_string_value(json_object_get(process, "cwd")), "/tmp");
	assert_true(json_is_true(json_object_get(process, "terminal")));
	flags.workdir = "relative";
	assert_true(engine_config_build(image, &flags, NULL, &bad, &err) < 0);
	assert_non_null(strstr(err.msg, "absolute"));
}

static int has_string(json_t *array, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(array, i, v)
		if (!strcmp(json_string_value(v), s))
			return 1;
	return 0;
}

static void test_docker_default_capabilities(void **state)
{
	_cleanup_json_ json_t *image = image_config("{\"Cmd\":[\"sh\"]}");
	struct engine_run_flags flags = { 0 };
	_cleanup_json_ json_t *config = build(image, &flags, NULL);
	json_t *caps = json_object_get(json_object_get(config, "process"), "capabilities");
	static const char *const sets[] = { "bounding", "effective", "permitted" };

	(void)state;
	for (size_t s = 0; s < 3; s++) {
		json_t *set = json_object_get(caps, sets[s]);

		assert_int_equal(json_array_size(set), 14);
		assert_true(has_string(set, "CAP_NET_BIND_SERVICE"));
		assert_true(has_string(set, "CAP_CHOWN"));
		assert_false(has_string(set, "CAP_SYS_ADMIN"));
	}
	/* Inheritable and ambient stay empty. */
	assert_null(json_object_get(caps, "inheritable"));
	assert_null(json_object_get(caps, "ambient"));
}

static void test_rlimits_never_above_the_hosts(void **state)
{
	_cleanup_json_ json_t *image = image_config("{\"Cmd\":[\"sh\"]}");
	struct engine_run_flags flags = { 0 };
	_cleanup_json_ json_t *config = build(image, &flags, NULL);
	json_t *rlimits = json_object_get(json_object_get(config, "process"), "rlimits");
	struct rlimit host;
	size_t i;
	json_t *r;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &host), 0);
	assert_true(json_array_size(rlimits) > 0);
	json_array_foreach(rlimits, i, r) {
		if (strcmp(json_string_value(json_object_get(r, "type")), "RLIMIT_NOFILE"))
			continue;
		assert_true((rlim_t)json_integer_value(json_object_get(r, "hard")) <= host.rlim_max);
		assert_true((rlim_t)json_integer_value(json_object_get(r, "soft")) <= host.rlim_max);
	}
}

static int has_namespace(json_t *config, const char *type)
{
	json_t *namespaces = json_object_get(json_object_get(config, "linux"), "namespaces");
	size_t i;
	json_t *ns;

	json_array_foreach(namespaces, i, ns)
		if (!strcmp(json_string_value(json_object_get(ns, "type")), type))
			return 1;
	return 0;
}

static void test_network_namespace_only_dropped_for_host(void **state)
{
	_cleanup_json_ json_t *image = image_config("{\"Cmd\":[\"sh\"]}");
	struct engine_run_flags flags = { 0 };
	_cleanup_json_ json_t *none = build(image, &flags, NULL);
	_cleanup_json_ json_t *host = NULL;

	(void)state;
	assert_true(has_namespace(none, "network"));
	flags.network_host = 1;
	host = build(image, &flags, NULL);
	assert_false(has_namespace(host, "network"));
	assert_true(has_namespace(host, "pid"));
	assert_true(has_namespace(host, "mount"));
}

static void test_etc_files_are_bound_from_the_container_dir(void **state)
{
	_cleanup_json_ json_t *image = image_config("{\"Cmd\":[\"sh\"]}");
	struct engine_run_flags flags = { .dir = "/store/containers/abc" };
	_cleanup_json_ json_t *config = build(image, &flags, NULL);
	static const char *const files[][2] = {
		{ "/etc/hostname", "/store/containers/abc/hostname" },
		{ "/etc/hosts", "/store/containers/abc/hosts" },
		{ "/etc/resolv.conf", "/store/containers/abc/resolv.conf" },
	};
	json_t *mounts = json_object_get(config, "mounts");

	(void)state;
	for (size_t f = 0; f < 3; f++) {
		int found = 0;
		size_t i;
		json_t *m;

		json_array_foreach(mounts, i, m) {
			if (strcmp(json_string_value(json_object_get(m, "destination")), files[f][0]))
				continue;
			assert_string_equal(json_string_value(json_object_get(m, "source")), files[f][1]);
			assert_string_equal(json_string_value(json_object_get(m, "type")), "bind");
			found = 1;
		}
		assert_true(found);
	}
}

static void test_stop_signal_and_user_defaults(void **state)
{
	_cleanup_json_ json_t *plain = image_config("{\"Cmd\":[\"sh\"]}");
	_cleanup_json_ json_t *custom =
		image_config("{\"Cmd\":[\"sh\"],\"StopSignal\":\"SIGQUIT\",\"User\":\"web\"}");
	struct engine_run_flags flags = { 0 };

	(void)state;
	assert_string_equal(engine_config_stop_signal(plain), "SIGTERM");
	assert_string_equal(engine_config_stop_signal(custom), "SIGQUIT");
	assert_string_equal(engine_config_user(plain, &flags), "");
	assert_string_equal(engine_config_user(custom, &flags), "web");
	flags.user = "root";
	assert_string_equal(engine_config_user(custom, &flags), "root");
}

static void test_overlay_options_put_the_top_layer_first(void **state)
{
	_cleanup_json_ json_t *lowers = json_pack("[s, s]", "/s/layers/base/diff", "/s/layers/top/diff");
	_cleanup_json_ json_t *bad = json_pack("[s]", "/s/layers/a,b/diff");
	_cleanup_json_ json_t *none = json_array();
	_cleanup_json_ json_t *many = json_array();
	struct silo_err err = { 0 };
	_cleanup_free_ char *opts = snapshot_overlay_options("/s/containers/c", lowers, &err);

	(void)state;
	assert_non_null(opts);
	assert_string_equal(opts, "lowerdir=/s/layers/top/diff:/s/layers/base/diff,"
				  "upperdir=/s/containers/c/upper,workdir=/s/containers/c/work");
	/* A ',' or ':' would split the options somewhere else. */
	assert_null(snapshot_overlay_options("/s/containers/c", bad, &err));
	assert_null(snapshot_overlay_options("/s/containers/c", none, &err));
	for (int i = 0; i < 100; i++)
		json_array_append_new(many, json_string("/var/lib/silo/layers/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/diff"));
	assert_null(snapshot_overlay_options("/s/containers/c", many, &err));
	assert_int_equal(err.code, E2BIG);
}

static void test_resource_flags_reach_linux_resources(void **state)
{
	_cleanup_json_ json_t *image = image_config("{\"Cmd\":[\"sh\"]}");
	struct engine_resources r = { 0 };
	struct engine_run_flags flags = { .resources = &r };
	struct silo_err err = { 0 };
	_cleanup_json_ json_t *config = NULL;
	json_t *res, *m;
	size_t i;
	int shm_seen = 0;

	(void)state;
	assert_int_equal(engine_resources_set(&r, "memory", "64m", &err), 0);
	assert_int_equal(engine_resources_set(&r, "cpus", "1", &err), 0);
	assert_int_equal(engine_resources_set(&r, "pids-limit", "0", &err), 0);
	assert_int_equal(engine_resources_set(&r, "shm-size", "1g", &err), 0);
	assert_int_equal(engine_resources_set(&r, "ulimit", "nofile=100:200", &err), 0);
	assert_true(engine_resources_set(&r, "memory", "10x", &err) < 0);
	assert_string_equal(err.msg, "invalid --memory \"10x\": want bytes, with a k, m or g suffix");
	assert_true(engine_resources_set(&r, "ulimit", "nofile=9:8", &err) < 0);
	config = build(image, &flags, NULL);
	res = json_object_get(json_object_get(config, "linux"), "resources");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(res, "memory"), "limit")), 64 << 20);
	/* docker's default swap: as much again. */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(res, "memory"), "swap")), 128 << 20);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(res, "cpu"), "quota")), 100000);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(res, "pids"), "limit")), -1);
	/* The default devices rule stays. */
	assert_non_null(json_object_get(res, "devices"));
	json_array_foreach(json_object_get(config, "mounts"), i, m) {
		_cleanup_free_ char *text = json_dumps(m, JSON_COMPACT);

		if (strstr(text, "\"/dev/shm\"")) {
			assert_non_null(strstr(text, "size=1073741824"));
			shm_seen = 1;
		}
	}
	assert_true(shm_seen);
	m = json_array_get(json_object_get(json_object_get(config, "process"), "rlimits"), 0);
	assert_int_equal(json_array_size(json_object_get(json_object_get(config, "process"), "rlimits")), 1);
	assert_int_equal(json_integer_value(json_object_get(m, "soft")), 100);
	assert_int_equal(json_integer_value(json_object_get(m, "hard")), 200);
	r.memory_swap = 32 << 20;
	assert_true(engine_resources_check(&r, &err) < 0);
	engine_resources_free(&r);
}

static void test_reservation_and_mems_reach_linux_resources_and_inspect(void **state)
{
	_cleanup_json_ json_t *image = image_config("{\"Cmd\":[\"sh\"]}");
	_cleanup_json_ json_t *host_config = json_object();
	struct engine_resources r = { 0 };
	struct engine_run_flags flags = { .resources = &r };
	struct silo_err err = { 0 };
	_cleanup_json_ json_t *config = NULL;
	json_t *res;

	(void)state;
	assert_int_equal(engine_resources_set(&r, "memory", "64m", &err), 0);
	assert_int_equal(engine_resources_set(&r, "memory-reservation", "32m", &err), 0);
	assert_int_equal(engine_resources_set(&r, "cpus", "1.5", &err), 0);
	assert_int_equal(engine_resources_set(&r, "cpuset-mems", "0", &err), 0);
	assert_true(engine_resources_set(&r, "cpuset-mems", "4096", &err) < 0);
	assert_non_null(strstr(err.msg, "invalid --cpuset-mems \"4096\""));
	assert_true(engine_resources_set(&r, "memory-reservation", "0", &err) < 0);
	assert_non_null(strstr(err.msg, "invalid --memory-reservation \"0\""));
	config = build(image, &flags, NULL);
	res = json_object_get(json_object_get(config, "linux"), "resources");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(res, "memory"), "reservation")), 32 << 20);
	assert_string_equal(json_string_value(json_object_get(json_object_get(res, "cpu"), "mems")), "0");
	engine_resources_inspect(config, host_config);
	assert_int_equal(json_integer_value(json_object_get(host_config, "Memory")), 64 << 20);
	assert_int_equal(json_integer_value(json_object_get(host_config, "MemoryReservation")), 32 << 20);
	assert_int_equal(json_integer_value(json_object_get(host_config, "NanoCpus")), 1500000000);
	assert_string_equal(json_string_value(json_object_get(host_config, "CpusetMems")), "0");
	assert_true(json_is_null(json_object_get(host_config, "PidsLimit")));
	/* A soft limit above the hard one means nothing. */
	r.memory_reservation = 128 << 20;
	assert_true(engine_resources_check(&r, &err) < 0);
	assert_non_null(strstr(err.msg, "--memory-reservation"));
	engine_resources_free(&r);
}

static void test_init_runs_first_from_a_read_only_bind(void **state)
{
	_cleanup_json_ json_t *image = image_config("{\"Cmd\":[\"sh\", \"-c\", \"true\"]}");
	struct engine_run_flags flags = { .init_path = "/usr/lib/silo/silo-init" };
	_cleanup_json_ json_t *config = build(image, &flags, NULL);
	json_t *args = json_object_get(json_object_get(config, "process"), "args");
	json_t *m, *found = NULL;
	size_t i;

	(void)state;
	assert_int_equal(json_array_size(args), 5);
	assert_string_equal(json_string_value(json_array_get(args, 0)), ENGINE_INIT_PATH);
	assert_string_equal(json_string_value(json_array_get(args, 1)), "--");
	assert_string_equal(json_string_value(json_array_get(args, 2)), "sh");
	json_array_foreach(json_object_get(config, "mounts"), i, m)
		if (!strcmp(json_string_value(json_object_get(m, "destination")) ?: "", ENGINE_INIT_PATH))
			found = m;
	assert_non_null(found);
	assert_string_equal(json_string_value(json_object_get(found, "source")), "/usr/lib/silo/silo-init");
	{
		_cleanup_free_ char *text = json_dumps(json_object_get(found, "options"), JSON_COMPACT);

		assert_non_null(strstr(text, "\"ro\""));
		assert_non_null(strstr(text, "\"nosuid\""));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entrypoint_and_cmd_combine_as_docker_does),
		cmocka_unit_test(test_no_command_at_all_fails),
		cmocka_unit_test(test_env_image_then_flags_then_defaults),
		cmocka_unit_test(test_workdir_user_terminal_hostname_root),
		cmocka_unit_test(test_docker_default_capabilities),
		cmocka_unit_test(test_rlimits_never_above_the_hosts),
		cmocka_unit_test(test_network_namespace_only_dropped_for_host),
		cmocka_unit_test(test_etc_files_are_bound_from_the_container_dir),
		cmocka_unit_test(test_stop_signal_and_user_defaults),
		cmocka_unit_test(test_overlay_options_put_the_top_layer_first),
		cmocka_unit_test(test_resource_flags_reach_linux_resources),
		cmocka_unit_test(test_reservation_and_mems_reach_linux_resources_and_inspect),
		cmocka_unit_test(test_init_runs_first_from_a_read_only_bind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
