/* What the watcher decides about one matched entry besides the rule's own
 * match (rules/match.c): which job it is (its job ID) and whether it is too
 * old to act on. Remote events, written by the listener, are keyed and aged
 * by what the sender sent (EVENT_UUID, EVENT_TIME), so that a resend runs no
 * second job and an event held back does not fire late. See
 * doc/ARCHITECTURE.md, "The data path". Never logs. */
#ifndef EVT_WATCH_ENTRY_H
#define EVT_WATCH_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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

/* Several hosts (doc/ARCHITECTURE.md): an entry the bus wrote on every host
 * because its VM runs on none (rule_entry_unplaced) fires only rules whose
 * `host` is this host (RULE_ELSEWHERE for the others). The host where it
 * entered reports it as EVENT_UNPLACED when rules match it by their trigger
 * and who sent it, but none of them names a host to own it. Feed the
 * verdict of every rule with the entry's ID to entry_placement_add, then
 * ask entry_placement_unowned. */
struct entry_placement {
	bool matched;           /* a rule fires or would fire elsewhere */
	bool owned;             /* one of those names a host */
};
void entry_placement_add(struct entry_placement *p, const struct rule *r,
			 enum rule_verdict v);
/* Whether this host reports entry as EVENT_UNPLACED: it is unplaced, it
 * entered here (EVENT_ENTRY_HOST is trust->host), a rule matched it and
 * none named a host. */
bool entry_placement_unowned(const struct entry_placement *p,
			     const struct fields *entry,
			     const struct rule_trust *trust);

/* evtrigger's own events (lib/evt-ids.h) and chains of rules.
 *
 * An entry is evtrigger's own when journald's trusted _UID is own_uid (the
 * uid evtrigger runs as: the watcher's, which its job processes share) and
 * its SYSLOG_IDENTIFIER is EVT_SOURCE. Only the _UID is a fact: another
 * local user cannot forge it; SYSLOG_IDENTIFIER only tells evtrigger's
 * entries from those of other programs of the same uid, which are trusted
 * anyway (root).
 *
 * Every event evtrigger writes because of an entry carries CHAIN_DEPTH: the
 * entry's depth plus one. An outside entry has depth 0; one of evtrigger's
 * own, its CHAIN_DEPTH (1 if it has none, e.g. DAEMON_STARTED). An entry of
 * depth ENTRY_CHAIN_MAX or more fires no rule. */
#define ENTRY_CHAIN_MAX 3

bool entry_is_own(const struct fields *entry, uid_t own_uid);
unsigned entry_chain_depth(const struct fields *entry, uid_t own_uid);

/* Who wrote an entry, as journald's trusted fields tell (each NULL if
 * absent). For one of evtrigger's own that carries TRIGGER_UID (a job's
 * event, a TRIGGER_REJECTED), the writer of the outside event at the start
 * of the chain, as evtrigger recorded it: the trust check of a rule on
 * evtrigger's events applies to that writer, so that nobody's events
 * cannot make root's events fire a root-only rule. job_id: for an own
 * entry, the JOB_ID that wrote it. */
struct entry_writer {
	const char *uid, *pid, *unit, *comm;
	const char *job_id;
};
void entry_get_writer(const struct fields *entry, uid_t own_uid,
		      struct entry_writer *ret);

/* For `evtrigger check`: a warning (no file:line) about rule r if it is on
 * one of evtrigger's own IDs (600-699), written to buf; NULL if none. */
const char *entry_rule_warning(const struct rule *r, char *buf, size_t size);

/* Appends to v (strv, *n entries) the fields evtrigger's events about
 * entry carry: CHAIN_DEPTH (the entry's depth + 1), TRIGGER_UID,
 * TRIGGER_PID, TRIGGER_UNIT, TRIGGER_COMM and TRIGGER_JOB_ID where known.
 * 0 or -ENOMEM. */
int entry_origin_fields(const struct fields *entry, uid_t own_uid,
			char ***v, size_t *n);

/* The fields of entry with _UID and _SYSTEMD_UNIT replaced by the
 * writer's (entry_get_writer): what a rule's trust check sees for one of
 * evtrigger's own entries. Returns 0 with *ret, or -ENOMEM. */
int entry_as_writer(const struct fields *entry, uid_t own_uid,
		    struct fields **ret);

#endif
