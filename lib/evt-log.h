/* Logging evtrigger's own events (lib/evt-ids.h) to the journal: the type and
 * priority come from the one table, the source is EVT_SOURCE. Never logs
 * anywhere else. */
#ifndef EVT_EVT_LOG_H
#define EVT_EVT_LOG_H

#include <stddef.h>

#include "event.h"

/* The log evtrigger's own events are written to. */
#define EVT_LOG_NAME "System"

/* The type the table gives id; EVENT_INFORMATION for an id not in it. */
enum event_type evt_id_type(unsigned id);
/* The table's name for id ("JOB_STARTED"), or NULL. */
const char *evt_id_name(unsigned id);

/* Writes event id with message as MESSAGE and the n_more "NAME=value"
 * strings of more. Fields whose value is empty are left out. Returns 0 or
 * -errno (journal_send_event's). */
int evt_log_send(unsigned id, const char *const *more, size_t n_more,
		 const char *message);

#endif
