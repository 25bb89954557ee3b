/* The rate limit of STEP_PROGRESS events (see progress-limit.h). */
#include <stdio.h>
#include <string.h>

#include "jobs/progress-limit.h"

void
progress_limit_reset(struct progress_limit *l)
{
	*l = (struct progress_limit){ .last_percent = -1 };
}

static bool
same_item(const struct progress_limit *l, const char *item)
{
	if (item == NULL || !l->last_item_set)
		return item == NULL && !l->last_item_set;
	return strncmp(l->last_item, item, sizeof(l->last_item) - 1) == 0;
}

static bool
decide(const struct progress_limit *l, const char *item, unsigned percent,
       uint64_t now)
{
	if (!l->logged || !same_item(l, item))
		return true;
	if ((int)percent == l->last_percent)
		return false;
	if (percent == 100)
		return true;
	if ((int)percent / PROGRESS_LIMIT_PCT <=
	    l->last_percent / PROGRESS_LIMIT_PCT)
		return false;
	return now >= l->last_usec + PROGRESS_LIMIT_USEC;
}

bool
progress_limit_want(struct progress_limit *l, const char *item,
		    unsigned percent, uint64_t now)
{
	if (percent > 100)
		percent = 100;
	if (!decide(l, item, percent, now))
		return false;
	l->logged = true;
	l->last_usec = now;
	l->last_percent = (int)percent;
	l->last_item_set = item != NULL;
	if (item != NULL)
		snprintf(l->last_item, sizeof(l->last_item), "%s", item);
	return true;
}
