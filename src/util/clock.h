/* Timestamps as silo writes them in records and logs: RFC 3339 in UTC
 * with nanoseconds, as docker prints them. */
#ifndef SILO_UTIL_CLOCK_H
#define SILO_UTIL_CLOCK_H

#include <stddef.h>
#include <time.h>

/* "2026-12-01T09:30:00.123456789Z" into buf (40 bytes are enough). */
void clock_format_now(char *buf, size_t size);

/* The same, freshly allocated; NULL without memory. */
char *clock_now_text(void);

/* An RFC 3339 timestamp ("2026-12-01T09:30:00.123Z", "...+02:00"; one
 * without a zone is UTC, a date alone is its midnight) into seconds since
 * the epoch. Returns -1 when text is not one. */
int clock_parse_rfc3339(const char *text, double *out);

/* What docker's filters take as a point in time (until=, since=): a
 * duration back from now ("10m", "1h30m", "1.5h"; units ns, us, ms, s, m,
 * h), seconds since the epoch ("1700000000", "1700000000.5"), or an
 * RFC 3339 timestamp or date. Returns -1 when text is none of these. */
int clock_parse_point(const char *text, time_t now, double *out);

#endif
