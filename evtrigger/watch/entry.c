/* The job ID and the age of a matched entry (see entry.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "options.h"
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
