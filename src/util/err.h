/* Errors: every fallible function returns a negative value and fills a
 * struct silo_err with one line a user can act on. Callers add context in
 * front (silo_err_prefix); they never overwrite what a callee said. */
#ifndef SILO_UTIL_ERR_H
#define SILO_UTIL_ERR_H

#include <stdarg.h>

#define SILO_ERR_MAX 1024

struct silo_err {
	int code;             /* errno of the cause, or 0 */
	char msg[SILO_ERR_MAX];
};

/* Fills err with the formatted message, which says it all, and records
 * code (an errno value, or 0) for callers that branch on it. Returns -code,
 * or -1 when code is 0. */
int silo_err_set(struct silo_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Same, followed by ": strerror(code)": for failed system calls. */
int silo_err_sys(struct silo_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* silo_err_sys with errno as the cause. */
#define silo_err_errno(err, ...) silo_err_sys((err), errno, __VA_ARGS__)

/* Puts "context: " in front of the message already in err. Returns the
 * negative value silo_err_set returned. */
int silo_err_prefix(struct silo_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void silo_err_clear(struct silo_err *err);

#endif
