/* Locating a field path in JSON text. The scanner walks only along the path:
 * members and elements that are not on it are skipped by matching brackets
 * and strings, never decoded, so this stays cheap on large documents. It
 * trusts that jansson already accepted the text and checks structure only
 * as far as it needs to keep its place. */
#include "util/json_locate.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

struct scanner {
	const char *text;
	size_t len;
	size_t pos;
};

static int at(const struct scanner *sc)
{
	return sc->pos < sc->len ? (unsigned char)sc->text[sc->pos] : -1;
}

static void skip_space(struct scanner *sc)
{
	while (sc->pos < sc->len && strchr(" \t\r\n", sc->text[sc->pos]) && sc->text[sc->pos])
		sc->pos++;
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int read_hex4(struct scanner *sc, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++) {
		int h = hex_value(at(sc));

		if (h < 0)
			return -1;
		v = v << 4 | (uint32_t)h;
		sc->pos++;
	}
	*out = v;
	return 0;
}

static size_t utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Reads the string at the cursor and compares its decoded bytes with key,
 * so that "a\u002eb" matches the key "a.b". Returns 1 on a match, 0 when
 * different, -1 when the text is not a string. */
static int match_string(struct scanner *sc, const char *key, size_t key_len)
{
	size_t matched = 0;
	int same = 1;

	if (at(sc) != '"')
		return -1;
	sc->pos++;
	for (;;) {
		char bytes[4];
		size_t n = 1;
		int c = at(sc);

		if (c < 0)
			return -1;
		sc->pos++;
		if (c == '"')
			break;
		bytes[0] = (char)c;
		if (c == '\\') {
			int e = at(sc);
			uint32_t cp;

			if (e < 0)
				return -1;
			sc->pos++;
			switch (e) {
			case 'b': bytes[0] = '\b'; break;
			case 'f': bytes[0] = '\f'; break;
			case 'n': bytes[0] = '\n'; break;
			case 'r': bytes[0] = '\r'; break;
			case 't': bytes[0] = '\t'; break;
			case 'u':
				if (read_hex4(sc, &cp) < 0)
					return -1;
				if (cp >= 0xd800 && cp < 0xdc00) {
					uint32_t low;

					if (at(sc) != '\\')
						return -1;
					sc->pos++;
					if (at(sc) != 'u')
						return -1;
					sc->pos++;
					if (read_hex4(sc, &low) < 0 || low < 0xdc00 || low > 0xdfff)
						return -1;
					cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
				}
				n = utf8_encode(cp, bytes);
				break;
			default: bytes[0] = (char)e; break;
			}
		}
		if (same && matched + n <= key_len && !memcmp(key + matched, bytes, n))
			matched += n;
		else
			same = 0;
	}
	return same && matched == key_len;
}

static int skip_string(struct scanner *sc)
{
	if (at(sc) != '"')
		return -1;
	for (sc->pos++; sc->pos < sc->len; sc->pos++) {
		if (sc->text[sc->pos] == '\\')
			sc->pos++;
		else if (sc->text[sc->pos] == '"') {
			sc->pos++;
			return 0;
		}
	}
	return -1;
}

/* Skips one value of any kind. Containers are skipped by depth, so nesting
 * costs no stack. */
static int skip_value(struct scanner *sc)
{
	size_t depth = 0;
	int c = at(sc);

	if (c == '"')
		return skip_string(sc);
	if (c != '{' && c != '[') {
		size_t start = sc->pos;

		while (sc->pos < sc->len && !strchr(",:}] \t\r\n", sc->text[sc->pos]) &&
		       sc->text[sc->pos])
			sc->pos++;
		return sc->pos > start ? 0 : -1;
	}
	do {
		c = at(sc);
		if (c < 0)
			return -1;
		if (c == '"') {
			if (skip_string(sc) < 0)
				return -1;
			continue;
		}
		if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
			depth--;
		sc->pos++;
	} while (depth > 0);
	return 0;
}

/* Moves the cursor onto the value of member key of the object at the cursor.
 * Returns 1 when found, 0 when the object has no such member or the value
 * is not an object, -1 on malformed text. enter_element is the same for
 * arrays. */
static int enter_member(struct scanner *sc, const char *key, size_t key_len)
{
	if (at(sc) < 0)
		return -1;
	if (at(sc) != '{')
		return 0;
	sc->pos++;
	skip_space(sc);
	if (at(sc) == '}')
		return 0;
	for (;;) {
		int match = match_string(sc, key, key_len);

		if (match < 0)
			return -1;
		skip_space(sc);
		if (at(sc) != ':')
			return -1;
		sc->pos++;
		skip_space(sc);
		if (match)
			return 1;
		if (skip_value(sc) < 0)
			return -1;
		skip_space(sc);
		if (at(sc) == '}')
			return 0;
		if (at(sc) != ',')
			return -1;
		sc->pos++;
		skip_space(sc);
	}
}

static int enter_element(struct scanner *sc, size_t index)
{
	if (at(sc) < 0)
		return -1;
	if (at(sc) != '[')
		return 0;
	sc->pos++;
	skip_space(sc);
	if (at(sc) == ']')
		return 0;
	for (size_t i = 0;; i++) {
		if (i == index)
			return 1;
		if (skip_value(sc) < 0)
			return -1;
		skip_space(sc);
		if (at(sc) == ']')
			return 0;
		if (at(sc) != ',')
			return -1;
		sc->pos++;
		skip_space(sc);
	}
}

enum segment_kind { SEGMENT_END, SEGMENT_KEY, SEGMENT_INDEX, SEGMENT_BAD };

/* Reads the next segment of a field path at *p into key (which has room for
 * the whole path) or index. */
static enum segment_kind next_segment(const char **p, int first, char *key, size_t *key_len,
				      size_t *index)
{
	const char *s = *p;

	if (!*s)
		return SEGMENT_END;
	if (*s == '[' && s[1] == '"') {
		size_t n = 0;

		for (s += 2; *s && *s != '"'; s++) {
			if (*s == '\\' && s[1])
				s++;
			key[n++] = *s;
		}
		if (s[0] != '"' || s[1] != ']')
			return SEGMENT_BAD;
		*key_len = n;
		*p = s + 2;
		return SEGMENT_KEY;
	}
	if (*s == '[') {
		char *end;

		if (s[1] < '0' || s[1] > '9')
			return SEGMENT_BAD;
		*index = strtoull(s + 1, &end, 10);
		if (*end != ']')
			return SEGMENT_BAD;
		*p = end + 1;
		return SEGMENT_INDEX;
	}
	if (!first) {
		if (*s != '.')
			return SEGMENT_BAD;
		s++;
		if (*s == '[' && s[1] == '"') {
			*p = s;
			return next_segment(p, 1, key, key_len, index);
		}
	}
	*key_len = strcspn(s, ".[");
	if (*key_len == 0)
		return SEGMENT_BAD;
	memcpy(key, s, *key_len);
	*p = s + *key_len;
	return SEGMENT_KEY;
}

static void position_of(const char *text, size_t pos, int *line, int *column)
{
	int l = 1, c = 1;

	for (size_t i = 0; i < pos; i++) {
		unsigned char ch = (unsigned char)text[i];

		if (ch == '\n') {
			l++;
			c = 1;
		} else if ((ch & 0xc0) != 0x80) {
			/* UTF-8 continuation bytes belong to the character before. */
			c++;
		}
	}
	*line = l;
	*column = c;
}

int json_locate(const char *text, size_t len, const char *path, int *line, int *column)
{
	struct scanner sc = { .text = text, .len = len, .pos = 0 };
	_cleanup_free_ char *key = malloc(strlen(path) + 1);
	size_t found, key_len = 0, index = 0;
	int first = 1, result = 1;

	if (!key)
		return -1;
	skip_space(&sc);
	if (sc.pos >= len)
		return -1;
	found = sc.pos;
	for (;;) {
		enum segment_kind kind = next_segment(&path, first, key, &key_len, &index);
		int r;

		first = 0;
		if (kind == SEGMENT_END)
			break;
		if (kind == SEGMENT_BAD)
			return -1;
		if (kind == SEGMENT_KEY)
			r = enter_member(&sc, key, key_len);
		else
			r = enter_element(&sc, index);
		if (r < 0)
			return -1;
		if (r == 0) {
			result = 0;
			break;
		}
		found = sc.pos;
	}
	position_of(text, found, line, column);
	return result;
}

static int key_needs_quotes(const char *key)
{
	return !*key || strpbrk(key, ".[]\"\\") != NULL;
}

/* Copies parent into buf unless it is buf already, and returns its length. */
static size_t path_start(char *buf, size_t size, const char *parent)
{
	size_t n;

	if (!size)
		return 0;
	if (parent != buf)
		snprintf(buf, size, "%s", parent ? parent : "");
	n = strlen(buf);
	return n;
}

static void path_append(char *buf, size_t size, size_t *n, char c)
{
	if (*n + 1 < size) {
		buf[(*n)++] = c;
		buf[*n] = '\0';
	}
}

char *json_path_key(char *buf, size_t size, const char *parent, const char *key)
{
	size_t n = path_start(buf, size, parent);

	if (!size)
		return buf;
	if (!key_needs_quotes(key)) {
		if (n > 0)
			path_append(buf, size, &n, '.');
		for (const char *k = key; *k; k++)
			path_append(buf, size, &n, *k);
		return buf;
	}
	path_append(buf, size, &n, '[');
	path_append(buf, size, &n, '"');
	for (const char *k = key; *k; k++) {
		if (*k == '"' || *k == '\\')
			path_append(buf, size, &n, '\\');
		path_append(buf, size, &n, *k);
	}
	path_append(buf, size, &n, '"');
	path_append(buf, size, &n, ']');
	return buf;
}

char *json_path_index(char *buf, size_t size, const char *parent, size_t index)
{
	size_t n = path_start(buf, size, parent);

	if (n < size)
		snprintf(buf + n, size - n, "[%zu]", index);
	return buf;
}
