/* Finding an event in the journal by who wrote it: how the listener and
 * evtrigger-bus tell that an event is already stored (a resend after a lost
 * answer, a redelivery after a crash between a write and its ack). Never
 * logs. */
#ifndef EVT_JOURNAL_FIND_H
#define EVT_JOURNAL_FIND_H

#include <systemd/sd-journal.h>
#include <sys/types.h>

/* Whether j has an entry with EVENT_UUID=uuid and EVENT_SENDER=sender that
 * uid wrote (journald's trusted _UID). Leaves j without matches. 1, 0 or
 * -errno. */
int journal_find_event(sd_journal *j, uid_t uid, const char *sender,
		       const char *uuid);

#endif
