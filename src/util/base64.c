/* Base64 encoding and decoding (see base64.h). */
#include "util/base64.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *base64_encode(const void *data, size_t len)
{
	const unsigned char *in = data;
	char *out = malloc(4 * ((len + 2) / 3) + 1), *w = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)in[i] << 16;

		if (i + 1 < len)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		*w++ = alphabet[v >> 18 & 63];
		*w++ = alphabet[v >> 12 & 63];
		*w++ = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
		*w++ = i + 2 < len ? alphabet[v & 63] : '=';
	}
	*w = '\0';
	return out;
}

int base64_decode(const char *text, unsigned char **out, size_t *len)
{
	size_t n = strlen(text), bits = 0;
	unsigned char *buf;
	unsigned acc = 0;

	for (int pad = 0; pad < 2 && n > 0 && text[n - 1] == '='; pad++)
		n--;
	if (n % 4 == 1)
		return -EINVAL;
	buf = malloc(n * 3 / 4 + 1);
	if (!buf)
		return -ENOMEM;
	*len = 0;
	for (size_t i = 0; i < n; i++) {
		const char *c = text[i] ? strchr(alphabet, text[i]) : NULL;

		if (!c) {
			free(buf);
			return -EINVAL;
		}
		acc = acc << 6 | (unsigned)(c - alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[(*len)++] = (unsigned char)(acc >> bits);
		}
	}
	buf[*len] = '\0';
	*out = buf;
	return 0;
}
