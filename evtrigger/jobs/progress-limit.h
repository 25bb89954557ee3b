/* How often a step's progress becomes a STEP_PROGRESS event: as often as a
 * person reads it, not as often as a module reports it. The one place that
 * decides; the job process (jobs/process.c) asks it on every
 * host->progress() call. Pure: no clock of its own, never logs. */
#ifndef EVT_PROGRESS_LIMIT_H
#define EVT_PROGRESS_LIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define PROGRESS_LIMIT_PCT   10                 /* an event every 10 % */
#define PROGRESS_LIMIT_USEC  (5 * 1000000ULL)   /* and at least 5 s apart */

/* What was last logged for one step. Zeroed (or progress_limit_reset())
 * when a step starts. */
struct progress_limit {
	bool logged;            /* anything logged yet in this step */
	uint64_t last_usec;     /* when (any monotonic clock) */
	int last_percent;
	bool last_item_set;
	char last_item[256];    /* truncated; only compared */
};

void progress_limit_reset(struct progress_limit *l);

/* Whether a report of item (NULL: none) at percent (0..100) at time now
 * should be logged, and if so records it as logged. Logged: the first
 * report of a step; the first report of another item; a report of 100 %
 * (the last) unless 100 % of the same item was just logged; otherwise one
 * that reached the next multiple of PROGRESS_LIMIT_PCT at least
 * PROGRESS_LIMIT_USEC after the last one logged. */
bool progress_limit_want(struct progress_limit *l, const char *item,
			 unsigned percent, uint64_t now);

#endif
