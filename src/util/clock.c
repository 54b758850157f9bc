/* Record timestamps (see clock.h). */
#include "util/clock.h"

#include <stdio.h>
#include <time.h>

char *clock_now_text(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[64], *out = NULL;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	if (asprintf(&out, "%s.%09ldZ", buf, ts.tv_nsec) < 0)
		return NULL;
	return out;
}
