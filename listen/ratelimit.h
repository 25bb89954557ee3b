/* A token bucket: at most rate events a second on average, bursts of up to
 * burst. Pure arithmetic on a clock the caller passes. Never logs. */
#ifndef LISTEN_RATELIMIT_H
#define LISTEN_RATELIMIT_H

#include <stdint.h>

struct ratelimit {
	uint64_t rate;          /* tokens per second, > 0 */
	uint64_t burst;         /* bucket size in tokens, > 0 */
	uint64_t micro;         /* tokens held, in millionths */
	uint64_t last_usec;     /* when micro was last brought up to date */
};

/* A full bucket at now_usec. rate and burst are clamped to 1..1000000. */
void ratelimit_init(struct ratelimit *rl, uint64_t rate, uint64_t burst,
		    uint64_t now_usec);
/* Takes one token at now_usec: returns 0, or when the bucket is empty the
 * microseconds until it holds one (> 0), taking nothing. A clock that goes
 * back is treated as standing still. */
uint64_t ratelimit_take(struct ratelimit *rl, uint64_t now_usec);

#endif
