/* Prints the journal message catalog for evtrigger's own events, made from
 * the one table in lib/evt-ids.h, so `journalctl -x` explains each ID. */
#include <stdio.h>

#include "evt-ids.h"

/* The man page that documents event id. */
static const char *
man_page(int id)
{
	if (id >= EVT_ID_LISTENER_FIRST && id <= EVT_ID_LISTENER_LAST)
		return "evtrigger-listen(8)";
	if (id >= EVT_ID_BUS_FIRST && id <= EVT_ID_BUS_LAST)
		return "evtrigger-bus(8)";
	return "evtrigger(8)";
}

int
main(void)
{
	printf("# evtrigger's own events. Generated from lib/evt-ids.h; "
	       "see evtrigger(8).\n");
#define EVT_ID_CATALOG(name, id, type, mid, summary, doc)                   \
	printf("\n-- %s\nSubject: evtrigger event %d (%s): %s\n"            \
	       "Defined-By: evtrigger\nSupport: man:%s\n\n"                  \
	       "%s\n\nFind every such event with: journalctl EVENT_ID=%d\n", \
	       mid, id, #type, summary, man_page(id), doc, id);
	EVT_IDS(EVT_ID_CATALOG)
#undef EVT_ID_CATALOG
	return 0;
}
