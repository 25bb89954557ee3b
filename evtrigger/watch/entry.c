/* The job ID and the age of a matched entry (see entry.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "evt-ids.h"
#include "options.h"
#include "strv.h"
#include "watch/entry.h"

int
entry_job_id(const struct fields *entry, const char *cursor,
	     const struct rule *r, const struct rule_trust *trust,
	     char buf[static JOB_ID_LEN + 1])
{
	const char *uuid = fields_get(entry, EVENT_FIELD_UUID);
	const char *sender = fields_get(entry, EVENT_FIELD_SENDER);

	if (uuid != NULL && rule_entry_from_listener(entry, trust))
		return job_id_remote(sender != NULL ? sender : "", uuid,
				     r->name, buf);
	return job_id_from_cursor(cursor, r->name, buf);
}

/* EVENT_TIME as microseconds, or -EINVAL. */
static int
sender_time(const struct fields *entry, uint64_t *ret)
{
	const char *s = fields_get(entry, EVENT_FIELD_TIME);
	int64_t v;

	if (s == NULL || *s < '0' || *s > '9' || parse_int(s, &v) < 0 ||
	    v < 0)
		return -EINVAL;
	*ret = (uint64_t)v;
	return 0;
}

const char *
entry_too_old(const struct fields *entry, const struct rule_trust *trust,
	      uint64_t journal_usec, uint64_t now_usec, uint64_t max_age_usec,
	      char *buf, size_t size)
{
	uint64_t when = journal_usec, sent;
	bool by_sender = false;
	char age[64], limit[64];

	if (max_age_usec == 0)
		return NULL;
	if (rule_entry_from_listener(entry, trust) &&
	    sender_time(entry, &sent) == 0 && sent < when) {
		when = sent;
		by_sender = true;
	}
	if (now_usec <= when || now_usec - when <= max_age_usec)
		return NULL;
	format_duration(now_usec - when, age, sizeof(age));
	format_duration(max_age_usec, limit, sizeof(limit));
	snprintf(buf, size, "the event is %s old%s, older than the maximum "
		 "age %s", age, by_sender ? " by the sender's time" : "",
		 limit);
	return buf;
}

/* --- several hosts --------------------------------------------------------- */

void
entry_placement_add(struct entry_placement *p, const struct rule *r,
		    enum rule_verdict v)
{
	if (v != RULE_FIRES && v != RULE_ELSEWHERE)
		return;
	p->matched = true;
	if (r->host != NULL)
		p->owned = true;
}

bool
entry_placement_unowned(const struct entry_placement *p,
			const struct fields *entry,
			const struct rule_trust *trust)
{
	const char *entered = fields_get(entry, EVENT_FIELD_ENTRY_HOST);

	return p->matched && !p->owned && rule_entry_unplaced(entry, trust) &&
	       trust->host != NULL && entered != NULL &&
	       streq(entered, trust->host);
}

/* --- evtrigger's own events ------------------------------------------------ */

bool
entry_is_own(const struct fields *entry, uid_t own_uid)
{
	const char *uid = fields_get(entry, "_UID");
	const char *ident = fields_get(entry, EVENT_FIELD_IDENTIFIER);
	int64_t v;

	if (uid == NULL || ident == NULL || !streq(ident, EVT_SOURCE))
		return false;
	if (*uid < '0' || *uid > '9' || parse_int(uid, &v) < 0)
		return false;
	return v == (int64_t)own_uid;
}

unsigned
entry_chain_depth(const struct fields *entry, uid_t own_uid)
{
	const char *s;
	int64_t v;

	if (!entry_is_own(entry, own_uid))
		return 0;
	s = fields_get(entry, EVT_FIELD_CHAIN_DEPTH);
	if (s == NULL || *s < '0' || *s > '9' || parse_int(s, &v) < 0 || v < 1)
		return 1;
	return v > ENTRY_CHAIN_MAX ? ENTRY_CHAIN_MAX + 1 : (unsigned)v;
}

void
entry_get_writer(const struct fields *entry, uid_t own_uid,
		 struct entry_writer *ret)
{
	*ret = (struct entry_writer){ 0 };
	if (entry_is_own(entry, own_uid)) {
		ret->job_id = fields_get(entry, EVT_FIELD_JOB_ID);
		if (fields_get(entry, EVT_FIELD_TRIGGER_UID) != NULL) {
			ret->uid = fields_get(entry, EVT_FIELD_TRIGGER_UID);
			ret->pid = fields_get(entry, EVT_FIELD_TRIGGER_PID);
			ret->unit = fields_get(entry, EVT_FIELD_TRIGGER_UNIT);
			ret->comm = fields_get(entry, EVT_FIELD_TRIGGER_COMM);
			return;
		}
	}
	ret->uid = fields_get(entry, "_UID");
	ret->pid = fields_get(entry, "_PID");
	ret->unit = fields_get(entry, "_SYSTEMD_UNIT");
	ret->comm = fields_get(entry, "_COMM");
}

int
entry_origin_fields(const struct fields *entry, uid_t own_uid, char ***v,
		    size_t *n)
{
	struct entry_writer w;
	int r;

	entry_get_writer(entry, own_uid, &w);
	r = strv_extendf(v, n, EVT_FIELD_CHAIN_DEPTH "=%u",
			 entry_chain_depth(entry, own_uid) + 1);
	if (r >= 0 && w.uid != NULL)
		r = strv_extendf(v, n, EVT_FIELD_TRIGGER_UID "=%s", w.uid);
	if (r >= 0 && w.pid != NULL)
		r = strv_extendf(v, n, EVT_FIELD_TRIGGER_PID "=%s", w.pid);
	if (r >= 0 && w.unit != NULL)
		r = strv_extendf(v, n, EVT_FIELD_TRIGGER_UNIT "=%s", w.unit);
	if (r >= 0 && w.comm != NULL)
		r = strv_extendf(v, n, EVT_FIELD_TRIGGER_COMM "=%s", w.comm);
	if (r >= 0 && w.job_id != NULL)
		r = strv_extendf(v, n, EVT_FIELD_TRIGGER_JOB_ID "=%s", w.job_id);
	return r < 0 ? r : 0;
}

int
entry_as_writer(const struct fields *entry, uid_t own_uid,
		struct fields **ret)
{
	_cleanup_(fields_freep) struct fields *f = fields_new();
	struct entry_writer w;

	if (f == NULL)
		return -ENOMEM;
	entry_get_writer(entry, own_uid, &w);
	/* No uid recorded: one no rule names. */
	if (fields_add(f, "_UID", w.uid != NULL ? w.uid : "none") < 0 ||
	    (w.unit != NULL && fields_add(f, "_SYSTEMD_UNIT", w.unit) < 0))
		return -ENOMEM;
	for (size_t i = 0; i < entry->n; i++) {
		if (streq(entry->names[i], "_UID") ||
		    streq(entry->names[i], "_SYSTEMD_UNIT"))
			continue;
		if (fields_add(f, entry->names[i], entry->values[i]) < 0)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(f);
	return 0;
}

const char *
entry_rule_warning(const struct rule *r, char *buf, size_t size)
{
	if (r->id < 600 || r->id > 699)
		return NULL;
	if (!r->evtrigger_events)
		snprintf(buf, size, "warning: rule '%s' is on id %u, one of "
			 "evtrigger's own IDs: evtrigger's own events fire it "
			 "only with evtrigger-events = yes in [trigger]",
			 r->name, r->id);
	else
		snprintf(buf, size, "warning: rule '%s' is on id %u and fires "
			 "on evtrigger's own events: never on those of its "
			 "own job, and a chain of such rules stops at %d",
			 r->name, r->id, ENTRY_CHAIN_MAX);
	return buf;
}
