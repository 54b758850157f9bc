/* json-file log lines, their rotation and the log options (see
 * logfile.h). */
#include "engine/logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

/* Files beyond this many are never looked for (docker sets no limit; a
 * log of more files than this is not one silo wrote). */
#define LOGFILE_MAX_FILES 1000

/* docker's sizes for max-size: "4096", "512k", "10m", "1.5g", "10MiB",
 * "2 GB": a number, an optional unit k, m, g, t or p (powers of 1024, in
 * either case), then an optional "i" and "b". */
static int parse_size(const char *text, uint64_t *out)
{
	static const char units[] = "kmgtp";
	const char *unit_at;
	char *end;
	double n, scale = 1;

	if (text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	n = strtod(text, &end);
	if (errno || end == text)
		return -1;
	if (*end == ' ')
		end++;
	if (*end && (unit_at = strchr(units, *end | 0x20)) != NULL) {
		for (const char *u = units; u <= unit_at; u++)
			scale *= 1024;
		end++;
	}
	if (*end == 'i' || *end == 'I')
		end++;
	if (*end == 'b' || *end == 'B')
		end++;
	n *= scale;
	if (*end || n < 1 || n > 9.2e18)
		return -1;
	*out = (uint64_t)n;
	return 0;
}

int logfile_config_parse(const char *driver, char *const *opts, json_t **out, struct silo_err *err)
{
	_cleanup_json_ json_t *config = json_object();
	const char *type = driver ? driver : "json-file";

	if (!config)
		return silo_err_sys(err, ENOMEM, "log options");
	if (strcmp(type, "json-file") && strcmp(type, "none"))
		return silo_err_set(err, EINVAL, "invalid --log-driver \"%s\": want json-file or none", type);
	for (char *const *o = opts; o && *o; o++) {
		const char *eq = strchr(*o, '=');
		_cleanup_free_ char *key = eq ? strndup(*o, (size_t)(eq - *o)) : NULL;
		uint64_t size;
		int files;

		if (!eq || eq == *o)
			return silo_err_set(err, EINVAL, "invalid --log-opt \"%s\": want KEY=VALUE", *o);
		if (!key)
			return silo_err_sys(err, ENOMEM, "log options");
		if (!strcmp(type, "none"))
			return silo_err_set(err, EINVAL, "invalid --log-opt \"%s\": the none log driver takes no options", *o);
		if (!strcmp(key, "max-size")) {
			if (parse_size(eq + 1, &size) < 0)
				return silo_err_set(err, EINVAL,
						    "invalid --log-opt max-size=\"%s\": want a size such as 512k, 10m or 1g",
						    eq + 1);
		} else if (!strcmp(key, "max-file")) {
			if (str_to_int(eq + 1, &files) < 0 || files < 1 || files > LOGFILE_MAX_FILES)
				return silo_err_set(err, EINVAL, "invalid --log-opt max-file=\"%s\": want a number from 1 to %d",
						    eq + 1, LOGFILE_MAX_FILES);
		} else {
			return silo_err_set(err, EINVAL,
					    "invalid --log-opt \"%s\": unknown option \"%s\" for the json-file log driver (want max-size or max-file)",
					    *o, key);
		}
		json_object_set_new(config, key, json_string(eq + 1));
	}
	if (json_object_get(config, "max-file") && !json_object_get(config, "max-size"))
		return silo_err_set(err, EINVAL, "invalid --log-opt max-file=\"%s\": it needs max-size",
				    json_string_value(json_object_get(config, "max-file")));
	*out = json_pack("{s:s, s:O}", "Type", type, "Config", config);
	return *out ? 0 : silo_err_sys(err, ENOMEM, "log options");
}

int logfile_config_readable(json_t *log_config)
{
	const char *type = json_string_value(json_object_get(log_config, "Type"));

	return !type || strcmp(type, "none");
}

int logfile_open(struct logfile *log, const char *dir, json_t *log_config, struct silo_err *err)
{
	json_t *opts = json_object_get(log_config, "Config");
	const char *max_size = json_string_value(json_object_get(opts, "max-size"));
	const char *max_file = json_string_value(json_object_get(opts, "max-file"));
	struct stat st;

	memset(log, 0, sizeof(*log));
	log->fd = -1;
	if (!logfile_config_readable(log_config))
		return 0;
	log->max_files = 1;
	if (max_size && parse_size(max_size, &log->max_size) < 0)
		log->max_size = 0;
	if (max_file && (str_to_int(max_file, &log->max_files) < 0 || log->max_files < 1))
		log->max_files = 1;
	if (asprintf(&log->path, "%s/container.log", dir) < 0) {
		log->path = NULL;
		return silo_err_sys(err, ENOMEM, "the log of %s", dir);
	}
	log->fd = open(log->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (log->fd < 0) {
		silo_err_errno(err, "open the log \"%s\"", log->path);
		logfile_close(log);
		return -1;
	}
	if (fstat(log->fd, &st) == 0)
		log->size = (uint64_t)st.st_size;
	return 0;
}

void logfile_close(struct logfile *log)
{
	if (log->fd >= 0)
		close(log->fd);
	log->fd = -1;
	free(log->path);
	log->path = NULL;
}

json_t *logfile_to_json(const struct logfile *log)
{
	return json_pack("{s:i, s:s?, s:I, s:i}", "fd", log->fd, "path", log->path, "maxSize",
			 (json_int_t)log->max_size, "maxFiles", log->max_files);
}

void logfile_from_json(struct logfile *log, json_t *saved)
{
	json_t *fd = json_object_get(saved, "fd");
	const char *path = json_string_value(json_object_get(saved, "path"));
	struct stat st;

	memset(log, 0, sizeof(*log));
	log->fd = json_is_integer(fd) ? (int)json_integer_value(fd) : -1;
	log->path = path ? strdup(path) : NULL;
	log->max_size = (uint64_t)json_integer_value(json_object_get(saved, "maxSize"));
	log->max_files = (int)json_integer_value(json_object_get(saved, "maxFiles"));
	if (log->max_files < 1)
		log->max_files = 1;
	if (log->fd >= 0 && fstat(log->fd, &st) == 0)
		log->size = (uint64_t)st.st_size;
}

/* container.log.N-1 -> .N, ..., container.log -> .1, and a new
 * container.log; with max-file 1 the file starts over instead. A failure
 * leaves the log where it was: it grows rather than loses lines. */
static void rotate(struct logfile *log)
{
	_cleanup_free_ char *from = NULL;
	_cleanup_free_ char *to = NULL;
	int fd;

	if (log->max_files == 1) {
		if (ftruncate(log->fd, 0) == 0)
			log->size = 0;
		return;
	}
	for (int n = log->max_files - 1; n >= 1; n--) {
		free(from);
		free(to);
		from = to = NULL;
		if ((n > 1 && asprintf(&from, "%s.%d", log->path, n - 1) < 0) ||
		    (n == 1 && !(from = strdup(log->path))) || asprintf(&to, "%s.%d", log->path, n) < 0)
			return;
		if (rename(from, to) < 0 && errno != ENOENT)
			return;
	}
	fd = open(log->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd < 0)
		return;
	close(log->fd);
	log->fd = fd;
	log->size = 0;
}

char **logfile_files(const char *dir)
{
	char **files = calloc(1, sizeof(char *));
	int oldest = 0;

	if (!files)
		return NULL;
	for (int n = 1; n <= LOGFILE_MAX_FILES; n++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/container.log.%d", dir, n);
		if (access(path, F_OK) < 0)
			break;
		oldest = n;
	}
	for (int n = oldest; n >= 0; n--) {
		char path[4096];

		if (n)
			snprintf(path, sizeof(path), "%s/container.log.%d", dir, n);
		else
			snprintf(path, sizeof(path), "%s/container.log", dir);
		if (access(path, F_OK) == 0 && strv_push(&files, path) < 0) {
			strv_free(files);
			return NULL;
		}
	}
	return files;
}


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

static void write_entry(struct logfile *log, const char *stream, const char *data, size_t len)
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
	/* As docker's: the file that has reached max-size rotates before the
	 * next entry, so a file may pass it by one entry. */
	if (log->max_size && log->path && log->size >= log->max_size)
		rotate(log);
	/* One write per entry: a reader never sees half a line unless the
	 * disk is full. */
	size_t n = strlen(text);
	text[n] = '\n';
	if (fs_write_all(log->fd, text, n + 1) == 0)
		log->size += n + 1;
}

void logfile_feed(struct logfile *log, struct logfile_stream *s, const char *data, size_t len)
{
	if (log->fd < 0)
		return;
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

			write_entry(log, s->name, s->buf, line);
			memmove(s->buf, s->buf + line, s->len - line);
			s->len -= line;
		}
		if (s->len == sizeof(s->buf))
			logfile_flush(log, s);
	}
}

void logfile_flush(struct logfile *log, struct logfile_stream *s)
{
	if (s->len == 0 || log->fd < 0) {
		s->len = 0;
		return;
	}
	write_entry(log, s->name, s->buf, s->len);
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
