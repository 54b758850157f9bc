/* json-file log lines (see logfile.h). */
#include "engine/logfile.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/cleanup.h"
#include "util/fs.h"


/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
	size_t need;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4;
	else
		return 0;
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong forms, surrogates and code points past U+10FFFF. */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return need;
}

/* JSON strings are UTF-8: a byte that is not part of a valid sequence
 * becomes U+FFFD, so binary output is logged rather than dropped. */
static char *valid_utf8(const char *data, size_t len, size_t *out_len)
{
	char *out = malloc(len * 3 + 1);
	size_t o = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_sequence((const unsigned char *)data + i, len - i);

		if (n == 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(out + o, data + i, n);
		o += n;
		i += n;
	}
	*out_len = o;
	return out;
}

static void write_entry(int fd, const char *stream, const char *data, size_t len)
{
	_cleanup_free_ char *now = clock_now_text();
	size_t text_len = 0;
	_cleanup_free_ char *utf8 = valid_utf8(data, len, &text_len);
	_cleanup_json_ json_t *entry = utf8 ? json_pack("{s:s%, s:s, s:s}", "log", utf8, text_len,
							 "stream", stream, "time", now ? now : "")
					    : NULL;
	_cleanup_free_ char *text = entry ? json_dumps(entry, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;

	if (!text)
		return;
	/* One write per entry: a reader never sees half a line unless the
	 * disk is full. */
	size_t n = strlen(text);
	text[n] = '\n';
	fs_write_all(fd, text, n + 1);
}

void logfile_feed(int fd, struct logfile_stream *s, const char *data, size_t len)
{
	while (len > 0) {
		size_t take = sizeof(s->buf) - s->len;
		char *nl;

		if (take > len)
			take = len;
		memcpy(s->buf + s->len, data, take);
		s->len += take;
		data += take;
		len -= take;
		while ((nl = memchr(s->buf, '\n', s->len))) {
			size_t line = (size_t)(nl - s->buf) + 1;

			write_entry(fd, s->name, s->buf, line);
			memmove(s->buf, s->buf + line, s->len - line);
			s->len -= line;
		}
		if (s->len == sizeof(s->buf))
			logfile_flush(fd, s);
	}
}

void logfile_flush(int fd, struct logfile_stream *s)
{
	if (s->len == 0)
		return;
	write_entry(fd, s->name, s->buf, s->len);
	s->len = 0;
}

int logfile_parse_line(const char *line, char **text, size_t *text_len, int *is_stderr,
		       char **time)
{
	_cleanup_json_ json_t *entry = json_loads(line, JSON_ALLOW_NUL, NULL);
	json_t *log = json_object_get(entry, "log");
	const char *stream = json_string_value(json_object_get(entry, "stream"));
	const char *when = json_string_value(json_object_get(entry, "time"));

	if (!json_is_string(log))
		return -1;
	*text_len = json_string_length(log);
	*text = malloc(*text_len + 1);
	if (!*text)
		return -1;
	memcpy(*text, json_string_value(log), *text_len);
	*is_stderr = stream && !strcmp(stream, "stderr");
	if (time)
		*time = strdup(when ? when : "");
	return 0;
}
