/* Unit tests for image reference parsing and normalisation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image/reference.h"
#include "util/cleanup.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void expect_ref(const char *text, const char *registry, const char *repository,
		       const char *tag, const char *digest)
{
	struct image_ref ref = { 0 };
	struct silo_err err = { 0 };

	if (image_ref_parse(text, &ref, &err) < 0)
		fail_msg("parse \"%s\": %s", text, err.msg);
	assert_string_equal(ref.registry, registry);
	assert_string_equal(ref.repository, repository);
	if (tag)
		assert_string_equal(ref.tag, tag);
	else
		assert_null(ref.tag);
	if (digest)
		assert_string_equal(ref.digest, digest);
	else
		assert_null(ref.digest);
	image_ref_free(&ref);
}

static void expect_invalid(const char *text, const char *message_part)
{
	struct image_ref ref = { 0 };
	struct silo_err err = { 0 };

	if (image_ref_parse(text, &ref, &err) == 0)
		fail_msg("\"%s\" parsed, but it is not a valid reference", text);
	if (!strstr(err.msg, message_part))
		fail_msg("error for \"%s\" is \"%s\", want it to mention \"%s\"", text, err.msg,
			 message_part);
}

static void test_short_names_go_to_docker_hub_library(void **state)
{
	(void)state;
	expect_ref("alpine", "docker.io", "library/alpine", "latest", NULL);
	expect_ref("alpine:3.20", "docker.io", "library/alpine", "3.20", NULL);
	expect_ref("library/alpine", "docker.io", "library/alpine", "latest", NULL);
	expect_ref("docker.io/library/alpine", "docker.io", "library/alpine", "latest", NULL);
	expect_ref("docker.io/alpine", "docker.io", "library/alpine", "latest", NULL);
	expect_ref("index.docker.io/library/alpine:edge", "docker.io", "library/alpine", "edge", NULL);
	expect_ref("bitnami/redis", "docker.io", "bitnami/redis", "latest", NULL);
}

static void test_registries_with_ports_and_digests(void **state)
{
	(void)state;
	expect_ref("ghcr.io/org/app@sha256:" HEX64, "ghcr.io", "org/app", NULL, "sha256:" HEX64);
	expect_ref("localhost:5000/x:tag", "localhost:5000", "x", "tag", NULL);
	expect_ref("localhost/x", "localhost", "x", "latest", NULL);
	expect_ref("registry:443/a/b/c:t", "registry:443", "a/b/c", "t", NULL);
	expect_ref("127.0.0.1:5000/repo", "127.0.0.1:5000", "repo", "latest", NULL);
	expect_ref("[::1]:5000/repo:v1", "[::1]:5000", "repo", "v1", NULL);
	expect_ref("quay.io/a/b:1.0@sha256:" HEX64, "quay.io", "a/b", "1.0", "sha256:" HEX64);
	expect_ref("my-registry.example.com/a__b/c-d/e.f:Tag_1.x-y", "my-registry.example.com",
		   "a__b/c-d/e.f", "Tag_1.x-y", NULL);
}

static void test_invalid_references_say_why(void **state)
{
	(void)state;
	expect_invalid("", "empty");
	expect_invalid("Alpine", "lowercase");
	expect_invalid("alpine:", "bad tag");
	expect_invalid("alpine:-x", "bad tag");
	expect_invalid("alpine@sha256:abc", "bad digest");
	expect_invalid("alpine@md5:" HEX64, "bad digest");
	expect_invalid("a//b", "component");
	expect_invalid("a/-b", "component");
	expect_invalid("a/b_", "component");
	expect_invalid("a/b___c", "component");
	expect_invalid("bad_host.io:99x/a", "registry");
	expect_invalid("host.io:123456/a", "registry");
	expect_invalid(":tag", "empty");
	expect_invalid("a b", "component");
}

static void test_canonical_and_familiar_strings(void **state)
{
	struct image_ref ref = { 0 };
	struct silo_err err = { 0 };
	_cleanup_free_ char *canonical = NULL;
	_cleanup_free_ char *familiar = NULL;
	_cleanup_free_ char *other = NULL;

	(void)state;
	assert_int_equal(image_ref_parse("alpine", &ref, &err), 0);
	canonical = image_ref_string(&ref);
	assert_string_equal(canonical, "docker.io/library/alpine:latest");
	familiar = image_ref_familiar(canonical);
	assert_string_equal(familiar, "alpine:latest");
	other = image_ref_familiar("localhost:5000/library/x:1");
	assert_string_equal(other, "localhost:5000/library/x:1");
	assert_string_equal(image_ref_api_host(ref.registry), "registry-1.docker.io");
	image_ref_free(&ref);
}

static void test_loopback_registries(void **state)
{
	(void)state;
	assert_true(image_ref_registry_is_loopback("localhost:5000"));
	assert_true(image_ref_registry_is_loopback("localhost"));
	assert_true(image_ref_registry_is_loopback("127.0.0.1:5000"));
	assert_true(image_ref_registry_is_loopback("127.1.2.3"));
	assert_true(image_ref_registry_is_loopback("[::1]:5000"));
	assert_false(image_ref_registry_is_loopback("127.example.com"));
	assert_false(image_ref_registry_is_loopback("localhost.evil.com"));
	assert_false(image_ref_registry_is_loopback("docker.io"));
	assert_false(image_ref_registry_is_loopback("[::2]:5000"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_names_go_to_docker_hub_library),
		cmocka_unit_test(test_registries_with_ports_and_digests),
		cmocka_unit_test(test_invalid_references_say_why),
		cmocka_unit_test(test_canonical_and_familiar_strings),
		cmocka_unit_test(test_loopback_registries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
