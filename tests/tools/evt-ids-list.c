/* evt-ids-list: prints the table of evtrigger's own event IDs (lib/evt-ids.h),
 * one "ID NAME TYPE" line each, for the scenario that checks that the man
 * page lists every one of them; with --roff, the man page's table itself. */
#include <stdio.h>
#include <string.h>

#include "evt-ids.h"

int
main(int argc, char *argv[])
{
	int roff = argc > 1 && strcmp(argv[1], "--roff") == 0;

#define EVT_ID_LINE(name, id, type, mid, summary, doc)                        \
	if (roff)                                                             \
		printf(".TP\n.B %d %s (%s)\n%s.\n%s\n", id, #name, #type,     \
		       summary, doc);                                         \
	else                                                                  \
		printf("%d %s %s\n", id, #name, #type);
	EVT_IDS(EVT_ID_LINE)
#undef EVT_ID_LINE
	return 0;
}
