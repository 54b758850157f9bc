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

int clock_parse_rfc3339(const char *text, double *out)
{
	struct tm tm = { 0 };
	const char *p;
	double fraction = 0;
	long offset = 0;

	p = strptime(text, "%Y-%m-%d", &tm);
	if (!p)
		return -1;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		const char *q = strptime(p + 1, "%H:%M", &tm);

		if (!q)
			return -1;
		p = q;
		if (*p == ':') {
			q = strptime(p + 1, "%S", &tm);
			if (!q)
				return -1;
			p = q;
		}
		if (*p == '.') {
			char *end;

			fraction = strtod(p, &end);
			if (end == p + 1)
				return -1;
			p = end;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int hours, minutes, n = 0;

			if (sscanf(p + 1, "%2d:%2d%n", &hours, &minutes, &n) != 2 || n != 5 || hours > 23 ||
			    minutes > 59)
				return -1;
			offset = (hours * 60L + minutes) * 60L * (*p == '+' ? 1 : -1);
			p += 6;
		}
	}
	if (*p)
		return -1;
	*out = (double)timegm(&tm) - (double)offset + fraction;
	return 0;
}

/* Go's time.ParseDuration, for what filters use: a sequence of decimal
 * numbers, each with a unit. */
static int parse_duration(const char *text, double *seconds)
{
	static const struct {
		const char *unit;
		double seconds;
	} units[] = { { "ns", 1e-9 }, { "us", 1e-6 }, { "µs", 1e-6 }, { "ms", 1e-3 },
		      { "s", 1 },     { "m", 60 },    { "h", 3600 } };
	const char *p = text;
	double total = 0;

	if (!*p)
		return -1;
	while (*p) {
		char *end;
		double v;
		size_t best = 0, best_len = 0;

		if ((*p < '0' || *p > '9') && *p != '.')
			return -1;
		v = strtod(p, &end);
		if (end == p)
			return -1;
		p = end;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t len = strlen(units[i].unit);

			if (!strncmp(p, units[i].unit, len) && len > best_len) {
				best = i;
				best_len = len;
			}
		}
		if (!best_len)
			return -1;
		total += v * units[best].seconds;
		p += best_len;
	}
	*seconds = total;
	return 0;
}

int clock_parse_point(const char *text, time_t now, double *out)
{
	double v;
	char *end;

	if (!*text)
		return -1;
	if (parse_duration(text, &v) == 0) {
		*out = (double)now - v;
		return 0;
	}
	if (*text >= '0' && *text <= '9' && strspn(text, "0123456789.") == strlen(text)) {
		v = strtod(text, &end);
		if (*end)
			return -1;
		*out = v;
		return 0;
	}
	return clock_parse_rfc3339(text, out);
}
