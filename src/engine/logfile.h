/* The container's log: container.log in its directory, one JSON object per
 * line as docker's json-file driver writes them:
 *   {"log":"hello\n","stream":"stdout","time":"2026-12-01T09:30:00.123456789Z"}
 * A line longer than LOGFILE_CHUNK is split into several entries; the last
 * piece of output without a newline is written when the stream ends. */
#ifndef SILO_ENGINE_LOGFILE_H
#define SILO_ENGINE_LOGFILE_H

#include <stddef.h>

#include "util/err.h"

#define LOGFILE_CHUNK 16384

struct logfile_stream {
	const char *name; /* "stdout" or "stderr" */
	char buf[LOGFILE_CHUNK];
	size_t len;
};

/* Appends data to the stream's buffer and writes every complete line to fd. */
void logfile_feed(int fd, struct logfile_stream *s, const char *data, size_t len);
/* Writes what is left in the buffer. */
void logfile_flush(int fd, struct logfile_stream *s);

/* Decodes one log line: *text (not NUL-terminated, *text_len bytes, a new
 * allocation) and whether it went to stderr. Returns -1 for a line that is
 * not a log entry. */
int logfile_parse_line(const char *line, char **text, size_t *text_len, int *is_stderr,
		       char **time);

#endif
