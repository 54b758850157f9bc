/* Error objects: one line of text plus the errno behind it. */
#include "util/err.h"

#include <stdio.h>
#include <string.h>

static int err_result(const struct silo_err *err)
{
	return err->code > 0 ? -err->code : -1;
}

static int err_vset(struct silo_err *err, int code, int append, const char *fmt, va_list ap)
{
	size_t len;

	if (!err)
		return code > 0 ? -code : -1;
	err->code = code;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	len = strlen(err->msg);
	if (append && code > 0 && len < sizeof(err->msg))
		snprintf(err->msg + len, sizeof(err->msg) - len, ": %s", strerror(code));
	return err_result(err);
}

int silo_err_set(struct silo_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = err_vset(err, code, 0, fmt, ap);
	va_end(ap);
	return r;
}

int silo_err_sys(struct silo_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = err_vset(err, code, 1, fmt, ap);
	va_end(ap);
	return r;
}

int silo_err_prefix(struct silo_err *err, const char *fmt, ...)
{
	char prefix[SILO_ERR_MAX];
	char old[SILO_ERR_MAX];
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* A message longer than the buffer is cut short, which is acceptable;
	 * checking the result tells gcc the truncation is expected. */
	if (snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old) < 0)
		err->msg[0] = '\0';
	return err_result(err);
}

void silo_err_clear(struct silo_err *err)
{
	if (err) {
		err->code = 0;
		err->msg[0] = '\0';
	}
}
