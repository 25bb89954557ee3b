/* A token bucket (see ratelimit.h). */
#include "ratelimit.h"

#define MICRO 1000000ULL

static uint64_t
clamp(uint64_t v)
{
	return v < 1 ? 1 : v > MICRO ? MICRO : v;
}

void
ratelimit_init(struct ratelimit *rl, uint64_t rate, uint64_t burst,
	       uint64_t now_usec)
{
	rl->rate = clamp(rate);
	rl->burst = clamp(burst);
	rl->micro = rl->burst * MICRO;
	rl->last_usec = now_usec;
}

uint64_t
ratelimit_take(struct ratelimit *rl, uint64_t now_usec)
{
	uint64_t cap = rl->burst * MICRO;

	if (now_usec > rl->last_usec) {
		uint64_t elapsed = now_usec - rl->last_usec;

		/* rate <= 1e6 tokens/s adds rate micro-tokens per usec; cap
		 * elapsed so the product cannot overflow. */
		if (elapsed > cap)
			elapsed = cap;
		rl->micro += elapsed * rl->rate;
		if (rl->micro > cap)
			rl->micro = cap;
		rl->last_usec = now_usec;
	}
	if (rl->micro >= MICRO) {
		rl->micro -= MICRO;
		return 0;
	}
	return (MICRO - rl->micro + rl->rate - 1) / rl->rate;
}
