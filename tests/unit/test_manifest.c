/* Unit tests for manifest, index and image config parsing, platform
 * selection and chain IDs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image/manifest.h"
#include "util/cleanup.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"

static const char docker_manifest[] =
	"{\"schemaVersion\":2,\"mediaType\":\"" MEDIA_DOCKER_MANIFEST "\","
	"\"config\":{\"mediaType\":\"" MEDIA_DOCKER_CONFIG "\",\"digest\":\"" D1 "\",\"size\":100},"
	"\"layers\":[{\"mediaType\":\"" MEDIA_DOCKER_LAYER "\",\"digest\":\"" D2 "\",\"size\":7},"
	"{\"mediaType\":\"" MEDIA_DOCKER_LAYER "\",\"digest\":\"" D3 "\",\"size\":8}]}";

static const char oci_index[] =
	"{\"schemaVersion\":2,\"manifests\":["
	"{\"mediaType\":\"" MEDIA_OCI_MANIFEST "\",\"digest\":\"" D1 "\",\"size\":1,"
	"\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
	"{\"mediaType\":\"" MEDIA_OCI_MANIFEST "\",\"digest\":\"" D2 "\",\"size\":2,"
	"\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}},"
	"{\"mediaType\":\"" MEDIA_OCI_MANIFEST "\",\"digest\":\"" D3 "\",\"size\":3,"
	"\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v7\"}}]}";

static void test_docker_schema2_manifest(void **state)
{
	_cleanup_manifest_ struct manifest m = { 0 };
	struct silo_err err = { 0 };

	(void)state;
	if (manifest_parse(docker_manifest, strlen(docker_manifest), MEDIA_DOCKER_MANIFEST, &m, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(m.kind, MANIFEST_IMAGE);
	assert_string_equal(m.config.digest, D1);
	assert_int_equal(m.config.size, 100);
	assert_int_equal(m.n_layers, 2);
	assert_string_equal(m.layers[1].digest, D3);
	assert_int_equal(m.layers[1].size, 8);
}

static void test_oci_manifest_without_media_type(void **state)
{
	static const char text[] =
		"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" MEDIA_OCI_CONFIG "\",\"digest\":\"" D1
		"\",\"size\":5},\"layers\":[{\"mediaType\":\"" MEDIA_OCI_LAYER_ZSTD "\",\"digest\":\"" D2
		"\",\"size\":9}]}";
	_cleanup_manifest_ struct manifest m = { 0 };
	struct silo_err err = { 0 };

	(void)state;
	if (manifest_parse(text, strlen(text), "application/json", &m, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(m.kind, MANIFEST_IMAGE);
	assert_string_equal(m.media_type, MEDIA_OCI_MANIFEST);
	assert_string_equal(m.layers[0].media_type, MEDIA_OCI_LAYER_ZSTD);
}

static void test_index_platform_selection(void **state)
{
	_cleanup_manifest_ struct manifest m = { 0 };
	struct silo_err err = { 0 };
	const struct descriptor *d = NULL;
	struct platform p;

	(void)state;
	if (manifest_parse(oci_index, strlen(oci_index), MEDIA_OCI_INDEX, &m, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(m.kind, MANIFEST_INDEX);
	assert_int_equal(m.n_manifests, 3);

	assert_int_equal(platform_parse("linux/amd64", &p, &err), 0);
	assert_int_equal(manifest_select_platform(&m, &p, &d, &err), 0);
	assert_string_equal(d->digest, D1);

	/* arm64 without a variant means v8. */
	assert_int_equal(platform_parse("linux/arm64", &p, &err), 0);
	assert_int_equal(manifest_select_platform(&m, &p, &d, &err), 0);
	assert_string_equal(d->digest, D2);

	assert_int_equal(platform_parse("linux/arm/v7", &p, &err), 0);
	assert_int_equal(manifest_select_platform(&m, &p, &d, &err), 0);
	assert_string_equal(d->digest, D3);

	assert_int_equal(platform_parse("linux/arm/v6", &p, &err), 0);
	assert_true(manifest_select_platform(&m, &p, &d, &err) < 0);
	assert_non_null(strstr(err.msg, "linux/amd64"));

	assert_int_equal(platform_parse("linux/s390x", &p, &err), 0);
	assert_true(manifest_select_platform(&m, &p, &d, &err) < 0);
	assert_non_null(strstr(err.msg, "no image for platform linux/s390x"));

	assert_true(platform_parse("a/b/c/d", &p, &err) < 0);
}

static void test_docker_manifest_list(void **state)
{
	static const char text[] =
		"{\"schemaVersion\":2,\"mediaType\":\"" MEDIA_DOCKER_LIST "\",\"manifests\":["
		"{\"mediaType\":\"" MEDIA_DOCKER_MANIFEST "\",\"digest\":\"" D1 "\",\"size\":1,"
		"\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"}},"
		"{\"mediaType\":\"" MEDIA_DOCKER_MANIFEST "\",\"digest\":\"" D2 "\",\"size\":1,"
		"\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";
	_cleanup_manifest_ struct manifest m = { 0 };
	struct silo_err err = { 0 };
	const struct descriptor *d = NULL;
	struct platform p;

	(void)state;
	if (manifest_parse(text, strlen(text), NULL, &m, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(m.kind, MANIFEST_INDEX);
	assert_int_equal(platform_parse("amd64", &p, &err), 0);
	assert_int_equal(manifest_select_platform(&m, &p, &d, &err), 0);
	assert_string_equal(d->digest, D2);
}

static void test_schema1_is_refused_with_a_clear_message(void **state)
{
	static const char text[] = "{\"schemaVersion\":1,\"name\":\"x\",\"tag\":\"y\",\"fsLayers\":[]}";
	struct manifest m = { 0 };
	struct silo_err err = { 0 };

	(void)state;
	assert_true(manifest_parse(text, strlen(text), MEDIA_DOCKER_SCHEMA1_SIGNED, &m, &err) < 0);
	assert_non_null(strstr(err.msg, "schema 1"));
	assert_true(manifest_parse(text, strlen(text), NULL, &m, &err) < 0);
	assert_non_null(strstr(err.msg, "schema 1"));
}

static void test_bad_manifests(void **state)
{
	static const char *const bad[] = {
		"not json",
		"[]",
		"{\"schemaVersion\":2,\"mediaType\":\"" MEDIA_DOCKER_MANIFEST "\"}",
		"{\"schemaVersion\":2,\"mediaType\":\"" MEDIA_DOCKER_MANIFEST
		"\",\"config\":{\"digest\":\"sha256:xyz\",\"size\":1},\"layers\":[]}",
		"{\"schemaVersion\":2,\"mediaType\":\"" MEDIA_DOCKER_MANIFEST "\",\"config\":{\"digest\":\"" D1
		"\",\"size\":-1},\"layers\":[]}",
		"{\"schemaVersion\":2,\"mediaType\":\"" MEDIA_DOCKER_MANIFEST "\",\"config\":{\"digest\":\"" D1
		"\",\"size\":99999999},\"layers\":[]}",
		"{\"schemaVersion\":2,\"mediaType\":\"application/x-unknown\"}",
		"{\"schemaVersion\":3}",
	};
	struct silo_err err = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct manifest m = { 0 };

		if (manifest_parse(bad[i], strlen(bad[i]), NULL, &m, &err) == 0)
			fail_msg("parsed a bad manifest: %s", bad[i]);
	}
}

static void test_manifest_larger_than_4_mib_is_refused(void **state)
{
	size_t len = MANIFEST_MAX_SIZE + 1;
	_cleanup_free_ char *big = malloc(len);
	struct manifest m = { 0 };
	struct image_config c = { 0 };
	struct silo_err err = { 0 };

	(void)state;
	memset(big, ' ', len);
	assert_true(manifest_parse(big, len, NULL, &m, &err) < 0);
	assert_non_null(strstr(err.msg, "larger than"));
	assert_true(image_config_parse(big, len, &c, &err) < 0);
}

static void test_image_config_and_chain_ids(void **state)
{
	static const char text[] = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":"
				   "\"2024-01-02T03:04:05Z\",\"rootfs\":{\"type\":\"layers\","
				   "\"diff_ids\":[\"" D1 "\",\"" D2 "\"]}}";
	_cleanup_image_config_ struct image_config c = { 0 };
	struct silo_err err = { 0 };
	char *chain[2] = { 0 };

	(void)state;
	if (image_config_parse(text, strlen(text), &c, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(c.n_diff_ids, 2);
	assert_string_equal(c.platform.architecture, "amd64");
	assert_string_equal(c.created, "2024-01-02T03:04:05Z");
	assert_int_equal(image_chain_ids(c.diff_ids, 2, chain, &err), 0);
	assert_string_equal(chain[0], D1);
	/* printf 'sha256:1..1 sha256:2..2' | sha256sum */
	assert_string_equal(chain[1],
			    "sha256:9932074217c35353d2e03a3f5a86549f7c67bfeb0ba53e23d69f4d4c8f7958f5");
	free(chain[0]);
	free(chain[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_schema2_manifest),
		cmocka_unit_test(test_oci_manifest_without_media_type),
		cmocka_unit_test(test_index_platform_selection),
		cmocka_unit_test(test_docker_manifest_list),
		cmocka_unit_test(test_schema1_is_refused_with_a_clear_message),
		cmocka_unit_test(test_bad_manifests),
		cmocka_unit_test(test_manifest_larger_than_4_mib_is_refused),
		cmocka_unit_test(test_image_config_and_chain_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
