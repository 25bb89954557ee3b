/* What the watcher decides about one matched entry besides the rule's own
 * match (rules/match.c): which job it is (its job ID) and whether it is too
 * old to act on. Remote events, written by the listener, are keyed and aged
 * by what the sender sent (EVENT_UUID, EVENT_TIME), so that a resend runs no
 * second job and an event held back does not fire late. See
 * doc/ARCHITECTURE.md, "The data path". Never logs. */
#ifndef EVT_WATCH_ENTRY_H
#define EVT_WATCH_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#include "fields.h"
#include "jobs/record.h"
#include "rules/rule.h"

/* The job ID of rule r fired by entry at cursor: for an entry of the
 * listener (rule_entry_from_listener) that carries EVENT_UUID,
 * job_id_remote(EVENT_SENDER, EVENT_UUID, rule); for any other,
 * job_id_from_cursor(cursor, rule). Returns 0 or -errno. */
int entry_job_id(const struct fields *entry, const char *cursor,
		 const struct rule *r, const struct rule_trust *trust,
		 char buf[static JOB_ID_LEN + 1]);

/* Whether entry is too old to act on: its age is now minus its journal
 * time (journal_usec), or for an entry of the listener with an EVENT_TIME,
 * minus the older of the two. max_age 0: no limit. Returns NULL if young
 * enough, else the reason, written to buf (size bytes), e.g. "the event is
 * 2h old by the sender's time, older than the maximum age 1h". An
 * EVENT_TIME that is no decimal number of microseconds is ignored (the
 * listener writes only valid ones). */
const char *entry_too_old(const struct fields *entry,
			  const struct rule_trust *trust,
			  uint64_t journal_usec, uint64_t now_usec,
			  uint64_t max_age_usec, char *buf, size_t size);

#endif
