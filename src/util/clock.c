/* Record and log timestamps (see clock.h). */
#include "util/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void clock_format_now(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char base[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%09ldZ", base, ts.tv_nsec);
}

char *clock_now_text(void)
{
	char buf[64];

	clock_format_now(buf, sizeof(buf));
	return strdup(buf);
}

/* Up to nine digits of a fraction, as nanoseconds; *end past them all. */
static long parse_fraction(const char *s, const char **end)
{
	long ns = 0;
	int digits = 0;

	while (*s >= '0' && *s <= '9') {
		if (digits < 9) {
			ns = ns * 10 + (*s - '0');
			digits++;
		}
		s++;
	}
	for (; digits < 9; digits++)
		ns *= 10;
	*end = s;
	return ns;
}

/* The date and time part with strptime, then an optional fraction and
 * zone; without a zone (need_zone 0) the time is local. */
static int parse_calendar(const char *text, struct timespec *out, int need_zone)
{
	static const char *const layouts[] = { "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H",
					       "%Y-%m-%d" };
	struct tm tm;
	const char *rest = NULL;
	long ns = 0;
	size_t l;

	for (l = 0; l < sizeof(layouts) / sizeof(layouts[0]); l++) {
		memset(&tm, 0, sizeof(tm));
		rest = strptime(text, layouts[l], &tm);
		if (rest)
			break;
	}
	if (!rest || (need_zone && l != 0))
		return -1;
	if (l == 0 && *rest == '.') {
		const char *after;

		if (rest[1] < '0' || rest[1] > '9')
			return -1;
		ns = parse_fraction(rest + 1, &after);
		rest = after;
	}
	if (*rest == 'Z' && !rest[1]) {
		out->tv_sec = timegm(&tm);
	} else if ((*rest == '+' || *rest == '-') && strlen(rest) == 6 && rest[3] == ':') {
		int hours, minutes;
		char extra;

		if (sscanf(rest + 1, "%2d:%2d%c", &hours, &minutes, &extra) != 2)
			return -1;
		out->tv_sec = timegm(&tm) - (*rest == '+' ? 1 : -1) * (hours * 3600 + minutes * 60);
	} else if (!*rest && !need_zone) {
		tm.tm_isdst = -1;
		out->tv_sec = mktime(&tm);
	} else {
		return -1;
	}
	out->tv_nsec = ns;
	return 0;
}

int clock_parse_rfc3339(const char *text, struct timespec *out)
{
	return text ? parse_calendar(text, out, 1) : -1;
}

int clock_parse_duration(const char *text, int64_t *nanoseconds)
{
	static const struct {
		const char *name;
		double ns;
	} units[] = { { "ns", 1 }, { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "ms", 1e6 },
		      { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 } };
	const char *s = text;
	double total = 0;
	int negative = 0;

	if (*s == '+' || *s == '-')
		negative = *s++ == '-';
	if (!strcmp(s, "0")) {
		*nanoseconds = 0;
		return 0;
	}
	if (!*s)
		return -1;
	while (*s) {
		char *end;
		double value;
		size_t best = 0, len = 0;

		if (!((*s >= '0' && *s <= '9') || *s == '.'))
			return -1;
		value = strtod(s, &end);
		if (end == s)
			return -1;
		s = end;
		for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
			size_t n = strlen(units[u].name);

			/* "ms" before "m": the longest unit that fits. */
			if (!strncmp(s, units[u].name, n) && n > len) {
				best = u;
				len = n;
			}
		}
		if (!len)
			return -1;
		total += value * units[best].ns;
		s += len;
	}
	if (total > 9.2e18)
		return -1;
	*nanoseconds = (int64_t)(negative ? -total : total);
	return 0;
}

int clock_parse_point(const char *text, const struct timespec *now, struct timespec *out)
{
	int64_t ns;
	const char *s = text;

	if (!text || !*text)
		return -1;
	if (clock_parse_duration(text, &ns) == 0) {
		int64_t at = (int64_t)now->tv_sec * 1000000000LL + now->tv_nsec - ns;

		out->tv_sec = (time_t)(at / 1000000000LL);
		out->tv_nsec = (long)(at % 1000000000LL);
		if (out->tv_nsec < 0) {
			out->tv_nsec += 1000000000L;
			out->tv_sec--;
		}
		return 0;
	}
	/* A Unix time: digits, then an optional fraction. */
	if (strspn(s, "0123456789") > 0 && strspn(s, "0123456789") == strcspn(s, ".")) {
		size_t digits = strspn(s, "0123456789");
		const char *end = s + digits;
		long frac = 0;

		if (*end == '.') {
			if (end[1] < '0' || end[1] > '9')
				return -1;
			frac = parse_fraction(end + 1, &end);
		}
		if (!*end && digits <= 12) {
			out->tv_sec = (time_t)strtoll(s, NULL, 10);
			out->tv_nsec = frac;
			return 0;
		}
	}
	return parse_calendar(text, out, 0);
}

int clock_compare(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec ? -1 : 1;
	if (a->tv_nsec != b->tv_nsec)
		return a->tv_nsec < b->tv_nsec ? -1 : 1;
	return 0;
}
