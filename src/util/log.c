/* Log sinks: stderr for people, the --log file for whoever started us
 * (containerd reads runc's log file to learn why a command failed). */
#include "util/log.h"
#include "util/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_fd = -1;
static enum log_format log_fmt = LOG_FORMAT_TEXT;
static int log_verbose;

static const char *level_names[] = { "error", "warning", "info", "debug" };

int log_parse_format(const char *name, enum log_format *out)
{
	if (!strcmp(name, "text"))
		*out = LOG_FORMAT_TEXT;
	else if (!strcmp(name, "json"))
		*out = LOG_FORMAT_JSON;
	else
		return -1;
	return 0;
}

int log_setup(const char *path, enum log_format format, int debug, struct silo_err *err)
{
	log_fmt = format;
	log_verbose = debug;
	if (!path)
		return 0;
	log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (log_fd < 0)
		return silo_err_errno(err, "open log file \"%s\"", path);
	return 0;
}

static void write_line(int fd, enum log_level level, const char *msg, int json)
{
	char when[64];
	char *line = NULL;
	int n;

	clock_format_now(when, sizeof(when));
	if (json) {
		json_t *obj = json_pack("{s:s, s:s, s:s}", "level", level_names[level], "msg", msg,
					"time", when);
		char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;

		json_decref(obj);
		if (!text)
			return;
		n = asprintf(&line, "%s\n", text);
		free(text);
	} else {
		n = asprintf(&line, "time=\"%s\" level=%s msg=\"%s\"\n", when, level_names[level], msg);
	}
	if (n > 0 && write(fd, line, (size_t)n) < 0) {
		/* Nowhere left to report a failed log write. */
	}
	free(line);
}

static void log_vmsg(enum log_level level, int to_stderr, const char *fmt, va_list ap)
{
	char msg[2048];
	int saved = errno;

	if (level == LOG_LEVEL_DEBUG && !log_verbose) {
		errno = saved;
		return;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_fd >= 0)
		write_line(log_fd, level, msg, log_fmt == LOG_FORMAT_JSON);
	if (to_stderr || (log_fd < 0 && level != LOG_LEVEL_INFO)) {
		if (level == LOG_LEVEL_ERROR)
			fprintf(stderr, "%s\n", msg);
		else
			fprintf(stderr, "%s: %s\n", level_names[level], msg);
	}
	errno = saved;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, 0, fmt, ap);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_ERROR, 1, fmt, ap);
	va_end(ap);
}
