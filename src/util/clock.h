/* Timestamps as silo writes them in records: RFC 3339 in UTC with
 * nanoseconds, as docker prints them. */
#ifndef SILO_UTIL_CLOCK_H
#define SILO_UTIL_CLOCK_H

/* "2026-12-01T09:30:00.123456789Z", freshly allocated; NULL without memory. */
char *clock_now_text(void);

#endif
