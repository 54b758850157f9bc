/* Unit tests for the container's mounts (src/engine/mounts.c): -v,
 * --mount and --tmpfs parsing, the image's Volumes, duplicate destinations,
 * the config.json entries and inspect's Mounts; and config.c putting the
 * user's mounts over the defaults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/config.h"
#include "engine/mounts.h"
#include "util/cleanup.h"

static json_t *parse_ok(int (*parse)(const char *, json_t **, struct silo_err *), const char *spec)
{
	struct silo_err err = { 0 };
	json_t *out = NULL;

	if (parse(spec, &out, &err) < 0)
		fail_msg("%s: %s", spec, err.msg);
	return out;
}

static void parse_fails(int (*parse)(const char *, json_t **, struct silo_err *), const char *spec,
			const char *want)
{
	struct silo_err err = { 0 };
	json_t *out = NULL;

	if (parse(spec, &out, &err) == 0)
		fail_msg("%s: parsed", spec);
	if (!strstr(err.msg, want))
		fail_msg("%s: \"%s\" lacks \"%s\"", spec, err.msg, want);
	assert_null(out);
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void test_volume_flag_forms(void **state)
{
	_cleanup_json_ json_t *bind = parse_ok(mounts_parse_volume_flag, "/host//dir/:/data/:ro");
	_cleanup_json_ json_t *named = parse_ok(mounts_parse_volume_flag, "cache:/var/cache");
	_cleanup_json_ json_t *anon = parse_ok(mounts_parse_volume_flag, "/scratch");
	_cleanup_json_ json_t *nocopy = parse_ok(mounts_parse_volume_flag, "v1:/x:nocopy,rw");
	_cleanup_json_ json_t *prop = parse_ok(mounts_parse_volume_flag, "/h:/x:rshared,z");

	(void)state;
	assert_string_equal(str(bind, "type"), "bind");
	assert_string_equal(str(bind, "source"), "/host/dir");
	assert_string_equal(str(bind, "destination"), "/data");
	assert_true(json_is_false(json_object_get(bind, "rw")));
	assert_string_equal(str(bind, "mode"), "ro");
	assert_string_equal(str(bind, "propagation"), "rprivate");
	assert_true(json_is_true(json_object_get(bind, "createSource")));

	assert_string_equal(str(named, "type"), "volume");
	assert_string_equal(str(named, "source"), "cache");
	assert_true(json_is_true(json_object_get(named, "rw")));
	assert_true(json_is_true(json_object_get(named, "copy")));
	assert_null(json_object_get(named, "anonymous"));

	assert_string_equal(str(anon, "type"), "volume");
	assert_string_equal(str(anon, "source"), "");
	assert_string_equal(str(anon, "destination"), "/scratch");
	assert_true(json_is_true(json_object_get(anon, "anonymous")));

	assert_true(json_is_false(json_object_get(nocopy, "copy")));
	assert_string_equal(str(prop, "propagation"), "rshared");
}

static void test_volume_flag_errors(void **state)
{
	(void)state;
	parse_fails(mounts_parse_volume_flag, "foo/bar:/x", "invalid characters for a local volume name");
	parse_fails(mounts_parse_volume_flag, "./rel:/x", "invalid characters");
	parse_fails(mounts_parse_volume_flag, "a:/x", "invalid characters"); /* names are 2+ characters */
	parse_fails(mounts_parse_volume_flag, "data:rel", "the container path \"rel\" must be absolute");
	parse_fails(mounts_parse_volume_flag, "rel", "must be absolute");
	parse_fails(mounts_parse_volume_flag, "/h:/", "can't be \"/\"");
	parse_fails(mounts_parse_volume_flag, "/x:ro", "want SOURCE:DESTINATION");
	parse_fails(mounts_parse_volume_flag, ":/x", "want SOURCE:DESTINATION");
	parse_fails(mounts_parse_volume_flag, "a1:/x:ro:rw", "want SOURCE:DESTINATION");
	parse_fails(mounts_parse_volume_flag, "v1:/x:bogus", "invalid mode \"bogus\"");
	parse_fails(mounts_parse_volume_flag, "v1:/x:ro,rw", "given twice");
	parse_fails(mounts_parse_volume_flag, "/h:/x:nocopy", "invalid mode \"nocopy\"");
	parse_fails(mounts_parse_volume_flag, "v1:/x:rshared", "invalid mode \"rshared\"");
}

static void test_mount_flag(void **state)
{
	_cleanup_json_ json_t *bind =
		parse_ok(mounts_parse_mount_flag, "type=bind,source=/h,target=/b,readonly,bind-propagation=rslave");
	_cleanup_json_ json_t *vol = parse_ok(mounts_parse_mount_flag, "src=named,dst=/v,volume-nocopy");
	_cleanup_json_ json_t *anon = parse_ok(mounts_parse_mount_flag, "type=volume,destination=/a,ro=false");
	_cleanup_json_ json_t *tmp =
		parse_ok(mounts_parse_mount_flag, "type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1770");
	_cleanup_free_ char *tmp_options = NULL;

	(void)state;
	assert_string_equal(str(bind, "type"), "bind");
	assert_string_equal(str(bind, "propagation"), "rslave");
	assert_true(json_is_false(json_object_get(bind, "rw")));
	assert_null(json_object_get(bind, "createSource"));
	/* The default type is volume, as docker's. */
	assert_string_equal(str(vol, "type"), "volume");
	assert_true(json_is_false(json_object_get(vol, "copy")));
	assert_true(json_is_true(json_object_get(anon, "anonymous")));
	assert_true(json_is_true(json_object_get(anon, "rw")));
	tmp_options = json_dumps(json_object_get(tmp, "options"), JSON_COMPACT);
	assert_string_equal(tmp_options, "[\"size=67108864\",\"mode=1770\"]");

	parse_fails(mounts_parse_mount_flag, "type=bind,target=/b", "needs a source");
	parse_fails(mounts_parse_mount_flag, "type=bind,source=rel,target=/b", "must be an absolute path");
	parse_fails(mounts_parse_mount_flag, "type=volume,src=v1", "the container path is missing");
	parse_fails(mounts_parse_mount_flag, "type=volume,src=v1,dst=/x,foo=1", "unexpected key 'foo'");
	parse_fails(mounts_parse_mount_flag, "type=nfs,dst=/x", "unsupported type \"nfs\"");
	parse_fails(mounts_parse_mount_flag, "type=bind,src=/h,dst=/x,tmpfs-size=1m", "cannot mix 'tmpfs-*'");
	parse_fails(mounts_parse_mount_flag, "type=tmpfs,dst=/x,tmpfs-size=lots", "invalid tmpfs-size");
	parse_fails(mounts_parse_mount_flag, "type=tmpfs,dst=/x,tmpfs-mode=999", "invalid tmpfs-mode");
	parse_fails(mounts_parse_mount_flag, "type=tmpfs,src=x,dst=/x", "takes no source");
	parse_fails(mounts_parse_mount_flag, "type=volume,dst=/x,readonly=maybe", "invalid value for readonly");
	parse_fails(mounts_parse_mount_flag, "dst=/x,dst=/y", "given twice");
}

static void test_tmpfs_flag(void **state)
{
	_cleanup_json_ json_t *t = parse_ok(mounts_parse_tmpfs_flag, "/run:rw,size=64m,exec,mode=1777");
	_cleanup_json_ json_t *plain = parse_ok(mounts_parse_tmpfs_flag, "/tmp");
	_cleanup_json_ json_t *ro = parse_ok(mounts_parse_tmpfs_flag, "/ro:ro");
	_cleanup_free_ char *opts = json_dumps(json_object_get(t, "options"), JSON_COMPACT);

	(void)state;
	assert_string_equal(str(t, "type"), "tmpfs");
	assert_string_equal(opts, "[\"rw\",\"size=64m\",\"exec\",\"mode=1777\"]");
	assert_int_equal(json_array_size(json_object_get(plain, "options")), 0);
	assert_true(json_is_false(json_object_get(ro, "rw")));
	parse_fails(mounts_parse_tmpfs_flag, "/x:bogus", "unknown option \"bogus\"");
	parse_fails(mounts_parse_tmpfs_flag, "/x:size=", "unknown option \"size=\"");
	parse_fails(mounts_parse_tmpfs_flag, "rel", "must be absolute");
}

static void test_image_volumes_and_duplicates(void **state)
{
	_cleanup_json_ json_t *image =
		json_loads("{\"config\":{\"Volumes\":{\"/data\":{},\"/logs/\":{},\"rel\":{}}}}", 0, NULL);
	_cleanup_json_ json_t *mounts = json_array();
	_cleanup_json_ json_t *dups = json_array();
	struct silo_err err = { 0 };

	(void)state;
	/* The user's mount on /data replaces the image's anonymous one. */
	json_array_append_new(mounts, parse_ok(mounts_parse_volume_flag, "mine:/data"));
	assert_int_equal(mounts_finish(mounts, image, &err), 0);
	assert_int_equal(json_array_size(mounts), 2);
	assert_string_equal(str(json_array_get(mounts, 0), "source"), "mine");
	assert_string_equal(str(json_array_get(mounts, 1), "destination"), "/logs");
	assert_true(json_is_true(json_object_get(json_array_get(mounts, 1), "anonymous")));

	json_array_append_new(dups, parse_ok(mounts_parse_volume_flag, "a1:/x"));
	json_array_append_new(dups, parse_ok(mounts_parse_tmpfs_flag, "/x/"));
	assert_true(mounts_finish(dups, NULL, &err) < 0);
	assert_string_equal(err.msg, "Duplicate mount point: /x");
}

static void test_oci_entries_parents_first(void **state)
{
	_cleanup_json_ json_t *mounts = json_array();
	_cleanup_json_ json_t *oci = NULL;
	_cleanup_json_ json_t *view = NULL;
	_cleanup_free_ char *child = NULL, *parent = NULL, *tmp = NULL;

	(void)state;
	json_array_append_new(mounts, parse_ok(mounts_parse_volume_flag, "/h:/a/b:ro"));
	json_array_append_new(mounts, parse_ok(mounts_parse_volume_flag, "vol1:/a"));
	json_array_append_new(mounts, parse_ok(mounts_parse_tmpfs_flag, "/t:exec"));
	oci = mounts_oci("/store", mounts);
	assert_non_null(oci);
	parent = json_dumps(json_array_get(oci, 0), JSON_COMPACT | JSON_SORT_KEYS);
	tmp = json_dumps(json_array_get(oci, 1), JSON_COMPACT | JSON_SORT_KEYS);
	child = json_dumps(json_array_get(oci, 2), JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(parent, "{\"destination\":\"/a\",\"options\":[\"rbind\",\"rw\",\"rprivate\"],"
				    "\"source\":\"/store/volumes/vol1/_data\",\"type\":\"bind\"}");
	assert_string_equal(tmp, "{\"destination\":\"/t\",\"options\":[\"nosuid\",\"nodev\",\"noexec\",\"exec\"],"
				 "\"source\":\"tmpfs\",\"type\":\"tmpfs\"}");
	assert_string_equal(child, "{\"destination\":\"/a/b\",\"options\":[\"rbind\",\"ro\",\"rprivate\"],"
				   "\"source\":\"/h\",\"type\":\"bind\"}");
	view = mounts_inspect("/store", mounts);
	assert_string_equal(str(json_array_get(view, 0), "Type"), "bind");
	assert_string_equal(str(json_array_get(view, 0), "Mode"), "ro");
	assert_true(json_is_false(json_object_get(json_array_get(view, 0), "RW")));
	assert_string_equal(str(json_array_get(view, 1), "Name"), "vol1");
	assert_string_equal(str(json_array_get(view, 1), "Source"), "/store/volumes/vol1/_data");
}

static void test_user_mounts_replace_defaults(void **state)
{
	_cleanup_json_ json_t *image = json_loads("{\"config\":{\"Cmd\":[\"sh\"]}}", 0, NULL);
	_cleanup_json_ json_t *mounts = json_array();
	_cleanup_json_ json_t *config = NULL;
	struct engine_run_flags flags = { .dir = "/c", .hostname = "h" };
	struct silo_err err = { 0 };
	size_t i, shm = 0, hosts = 0;
	json_t *m;

	(void)state;
	json_array_append_new(mounts, parse_ok(mounts_parse_tmpfs_flag, "/dev/shm:size=1m"));
	json_array_append_new(mounts, parse_ok(mounts_parse_volume_flag, "/h/hosts:/etc/hosts"));
	flags.mounts = mounts_oci("/store", mounts);
	assert_int_equal(engine_config_build(image, &flags, NULL, &config, &err), 0);
	json_array_foreach(json_object_get(config, "mounts"), i, m) {
		const char *d = str(m, "destination");

		if (!strcmp(d, "/dev/shm")) {
			shm++;
			assert_string_equal(json_string_value(json_array_get(json_object_get(m, "options"), 3)),
					    "size=1m");
		}
		if (!strcmp(d, "/etc/hosts")) {
			hosts++;
			assert_string_equal(str(m, "source"), "/h/hosts");
		}
	}
	assert_int_equal(shm, 1);
	assert_int_equal(hosts, 1);
	json_decref(flags.mounts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_volume_flag_forms),
		cmocka_unit_test(test_volume_flag_errors),
		cmocka_unit_test(test_mount_flag),
		cmocka_unit_test(test_tmpfs_flag),
		cmocka_unit_test(test_image_volumes_and_duplicates),
		cmocka_unit_test(test_oci_entries_parents_first),
		cmocka_unit_test(test_user_mounts_replace_defaults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
