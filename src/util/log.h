/* Logging for the command line faces. Library code never prints; it fills
 * struct silo_err. The CLI decides what reaches stderr and what reaches the
 * --log file, in text or in runc's JSON lines ({"level","msg","time"}). */
#ifndef SILO_UTIL_LOG_H
#define SILO_UTIL_LOG_H

#include "util/err.h"

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARNING, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };
enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };

/* path NULL keeps logging on stderr only. */
int log_setup(const char *path, enum log_format format, int debug, struct silo_err *err);
int log_parse_format(const char *name, enum log_format *out);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reports a failure: to stderr always, and to the log file when one is set. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)

#endif
