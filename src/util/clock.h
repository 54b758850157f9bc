/* Timestamps as silo writes them in records and logs: RFC 3339 in UTC
 * with nanoseconds, as docker prints them. */
#ifndef SILO_UTIL_CLOCK_H
#define SILO_UTIL_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* "2026-12-01T09:30:00.123456789Z" into buf (40 bytes are enough). */
void clock_format_now(char *buf, size_t size);

/* The same, freshly allocated; NULL without memory. */
char *clock_now_text(void);

/* "2026-12-01T09:30:00.123456789Z" or with an offset ("+02:00"), the
 * fraction optional: what docker writes and RFC 3339 allows. */
int clock_parse_rfc3339(const char *text, struct timespec *out);

/* A duration as Go writes them: "10m", "1h30m", "1.5s", "300ms", "-2h"
 * (units ns, us, ms, s, m, h). */
int clock_parse_duration(const char *text, int64_t *nanoseconds);

/* docker's --since/--until: an RFC 3339 time (also without seconds, or a
 * date alone; local time without an offset), a Unix time with an optional
 * fraction ("1733045400.5"), or a duration before now. Returns -1 for
 * anything else. */
int clock_parse_point(const char *text, const struct timespec *now, struct timespec *out);

/* a - b in the sign of the answer: <0, 0 or >0. */
int clock_compare(const struct timespec *a, const struct timespec *b);

#endif
