/* Timestamps as silo writes them in records and logs: RFC 3339 in UTC
 * with nanoseconds, as docker prints them. */
#ifndef SILO_UTIL_CLOCK_H
#define SILO_UTIL_CLOCK_H

#include <stddef.h>

/* "2026-12-01T09:30:00.123456789Z" into buf (40 bytes are enough). */
void clock_format_now(char *buf, size_t size);

/* The same, freshly allocated; NULL without memory. */
char *clock_now_text(void);

#endif
