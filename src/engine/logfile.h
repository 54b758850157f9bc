/* The container's log: container.log in its directory, one JSON object per
 * line as docker's json-file driver writes them:
 *   {"log":"hello\n","stream":"stdout","time":"2026-12-01T09:30:00.123456789Z"}
 * A line longer than LOGFILE_CHUNK is split into several entries; the last
 * piece of output without a newline is written when the stream ends.
 *
 * The record's logConfig is docker's HostConfig.LogConfig: {"Type":
 * "json-file"|"none", "Config": {"max-size": "10m", "max-file": "3"}}.
 * With max-size the writer rotates: once container.log has reached it,
 * container.log.N-1 becomes .N (the oldest beyond max-file goes), ... ,
 * container.log becomes .1, and a new container.log starts. With "none"
 * nothing is written. */
#ifndef SILO_ENGINE_LOGFILE_H
#define SILO_ENGINE_LOGFILE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/err.h"

#define LOGFILE_CHUNK 16384

struct logfile_stream {
	const char *name; /* "stdout" or "stderr" */
	char buf[LOGFILE_CHUNK];
	size_t len;
};

/* The log a monitor writes. */
struct logfile {
	int fd;            /* -1: nothing is kept (driver "none") */
	char *path;        /* container.log; NULL: no rotation */
	uint64_t max_size; /* 0: no rotation */
	int max_files;     /* files kept, container.log included */
	uint64_t size;     /* of container.log */
};

/* --log-driver (NULL: json-file) and the --log-opt KEY=VALUE list into a
 * logConfig. Unknown drivers and options, bad sizes and counts, and
 * max-file without max-size fail, naming the option and its value. */
int logfile_config_parse(const char *driver, char *const *opts, json_t **out, struct silo_err *err);

/* Whether logConfig keeps a log `logs` can read. */
int logfile_config_readable(json_t *log_config);

/* Opens dir/container.log for appending as log_config (NULL: json-file
 * without rotation) says. */
int logfile_open(struct logfile *log, const char *dir, json_t *log_config, struct silo_err *err);
void logfile_close(struct logfile *log);

/* Appends data to the stream's buffer and writes every complete line. */
void logfile_feed(struct logfile *log, struct logfile_stream *s, const char *data, size_t len);
/* Writes what is left in the buffer. */
void logfile_flush(struct logfile *log, struct logfile_stream *s);

/* The container's log files that exist, oldest first: container.log.N …
 * container.log.1, container.log. NULL-terminated (a strv). */
/* A log across the detached monitor's exec (monitor_lean.h): its
 * descriptor by number, its path and rotation settings; from_json sets
 * *log up from that (the size from the file), to_json is a new reference. */
json_t *logfile_to_json(const struct logfile *log);
void logfile_from_json(struct logfile *log, json_t *saved);

char **logfile_files(const char *dir);

/* Decodes one log line: *text (not NUL-terminated, *text_len bytes, a new
 * allocation) and whether it went to stderr. Returns -1 for a line that is
 * not a log entry. */
int logfile_parse_line(const char *line, char **text, size_t *text_len, int *is_stderr,
		       char **time);

#endif
