/* Clocks and durations (see time.h). */
#include <inttypes.h>
#include <stdio.h>

#include "time.h"

uint64_t
now_usec(clockid_t clock)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * USEC_PER_SEC +
	       (uint64_t)ts.tv_nsec / 1000;
}

uint64_t
usec_add(uint64_t a, uint64_t b)
{
	return b >= USEC_INFINITY - a ? USEC_INFINITY : a + b;
}

uint64_t
deadline_after(uint64_t usec)
{
	return usec_add(now_usec(CLOCK_MONOTONIC), usec);
}

char *
format_duration(uint64_t usec, char *buf, size_t size)
{
	uint64_t s = usec / USEC_PER_SEC, ms = (usec % USEC_PER_SEC) / 1000;

	if (s == 0)
		snprintf(buf, size, "%" PRIu64 "ms", ms);
	else if (s < 60)
		snprintf(buf, size, "%" PRIu64 ".%03" PRIu64 "s", s, ms);
	else if (s < 3600)
		snprintf(buf, size, "%" PRIu64 "m %" PRIu64 "s", s / 60, s % 60);
	else
		snprintf(buf, size, "%" PRIu64 "h %" PRIu64 "m %" PRIu64 "s",
			 s / 3600, (s / 60) % 60, s % 60);
	return buf;
}

char *
format_seconds(uint64_t usec, char *buf, size_t size)
{
	snprintf(buf, size, "%" PRIu64 ".%03" PRIu64 "s", usec / USEC_PER_SEC,
		 usec / 1000 % 1000);
	return buf;
}
