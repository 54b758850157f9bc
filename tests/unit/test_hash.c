/* Unit tests for util/sha256.c and util/base64.c, and for image/digest.c,
 * whose streams (OpenSSL) and buffers (util/sha256) must agree. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image/digest.h"
#include "util/base64.h"
#include "util/sha256.h"

static void hex_of(const char *text, size_t len, char out[65])
{
	uint8_t raw[SHA256_LENGTH];

	sha256(text, len, raw);
	for (int i = 0; i < SHA256_LENGTH; i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

/* The examples of FIPS 180-4's test vectors. */
static void test_sha256_vectors(void **state)
{
	char hex[65];
	char *million = malloc(1000000);

	(void)state;
	hex_of("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	hex_of("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	assert_non_null(million);
	memset(million, 'a', 1000000);
	hex_of(million, 1000000, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

/* Every length around the block and padding edges: a buffer's digest and
 * the same bytes streamed in uneven pieces through OpenSSL agree. */
static void test_digest_buffer_matches_stream(void **state)
{
	unsigned char data[300];
	char one[DIGEST_STRING_LENGTH + 1], streamed[DIGEST_STRING_LENGTH + 1];
	struct silo_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 131 + 7);
	for (size_t len = 0; len <= sizeof(data); len++) {
		struct digest_ctx ctx;

		assert_int_equal(digest_buffer(data, len, one, &err), 0);
		assert_int_equal(digest_init(&ctx, &err), 0);
		for (size_t at = 0; at < len; at += 7)
			digest_update(&ctx, data + at, len - at < 7 ? len - at : 7);
		assert_int_equal(ctx.bytes, len);
		digest_final(&ctx, streamed);
		digest_free(&ctx);
		assert_string_equal(one, streamed);
	}
}

/* RFC 4648's examples, both ways. */
static void test_base64(void **state)
{
	static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const coded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };

	(void)state;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		char *text = base64_encode(plain[i], strlen(plain[i]));
		unsigned char *back = NULL;
		size_t len = 99;

		assert_string_equal(text, coded[i]);
		assert_int_equal(base64_decode(coded[i], &back, &len), 0);
		assert_int_equal(len, strlen(plain[i]));
		assert_string_equal((char *)back, plain[i]);
		free(text);
		free(back);
	}
}

static void test_base64_decode_refuses(void **state)
{
	unsigned char *out = NULL;
	size_t len;

	(void)state;
	/* Padding may be left out. */
	assert_int_equal(base64_decode("Zm9vYg", &out, &len), 0);
	assert_string_equal((char *)out, "foob");
	free(out);
	assert_int_equal(base64_decode("Zm9v!A==", &out, &len), -EINVAL);
	assert_int_equal(base64_decode("Z", &out, &len), -EINVAL);
	assert_int_equal(base64_decode("Zm9v\nYg==", &out, &len), -EINVAL);
	assert_int_equal(base64_decode("Zg===", &out, &len), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_digest_buffer_matches_stream),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_base64_decode_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
