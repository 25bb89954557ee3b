/* Clocks and durations: "now" in microseconds on any clock, saturating
 * deadlines, and durations written as people read them. Never logs. */
#ifndef EVT_TIME_H
#define EVT_TIME_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define USEC_PER_SEC  UINT64_C(1000000)
#define USEC_PER_MSEC UINT64_C(1000)
/* A deadline that never comes. */
#define USEC_INFINITY UINT64_MAX

/* clock (CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_THREAD_CPUTIME_ID, ...) in
 * microseconds. A clock the kernel refuses reads as 0. */
uint64_t now_usec(clockid_t clock);

/* a + b, saturating at USEC_INFINITY (so a huge timeout never wraps to a
 * deadline in the past). */
uint64_t usec_add(uint64_t a, uint64_t b);
/* now_usec(CLOCK_MONOTONIC) + usec, saturating. */
uint64_t deadline_after(uint64_t usec);

/* usec as "250ms", "1.500s", "2m 5s", "1h 2m 3s" into buf. Returns buf. */
char *format_duration(uint64_t usec, char *buf, size_t size);
/* usec as seconds with milliseconds, "12.345s", into buf. Returns buf. */
char *format_seconds(uint64_t usec, char *buf, size_t size);

#endif
