/* evtrigger-bus's own events (see bus.h). */
#include <stdio.h>

#include "bus.h"
#include "evt-log.h"

void
bus_report(unsigned id, const char *message, const char *f1, const char *f2,
	   const char *f3)
{
	const char *more[3];
	size_t n = 0;

	if (f1 != NULL)
		more[n++] = f1;
	if (f2 != NULL)
		more[n++] = f2;
	if (f3 != NULL)
		more[n++] = f3;
	if (evt_log_send(id, more, n, message) < 0)
		fprintf(stderr, "evtrigger-bus: %s\n", message);
}
