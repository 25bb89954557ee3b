/* The placement decision (see placement.h). */
#include <string.h>

#include "macro.h"
#include "placement.h"

enum placement_action
placement_decide(const struct placement_input *in)
{
	if (!in->has_vm)
		return streq(in->entry_host, in->host) ? PLACEMENT_WRITE_ENTRY
							: PLACEMENT_SKIP;
	if (in->active_here)
		return PLACEMENT_WRITE_LOCAL;
	/* A claim of this host's own for a VM it no longer runs is stale: it
	 * counts as none. */
	if (in->kv_owner != NULL && !streq(in->kv_owner, in->host))
		return PLACEMENT_SKIP;
	if (in->age_usec < PLACEMENT_SETTLE_USEC && in->delivered <= 1)
		return PLACEMENT_DELAY;
	return PLACEMENT_WRITE_NOWHERE;
}

const char *
placement_name(enum placement_action a)
{
	switch (a) {
	case PLACEMENT_WRITE_ENTRY:
		return "entry";
	case PLACEMENT_WRITE_LOCAL:
		return "local";
	case PLACEMENT_WRITE_NOWHERE:
		return "nowhere";
	default:
		return NULL;
	}
}
