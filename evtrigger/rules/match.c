/* Matching a journal entry against a rule (see rule.h): the ID, type and
 * field matches, then who wrote the entry and whether they may fire it. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "options.h"
#include "rules/keys.h"
#include "rules/rule.h"
#include "strv.h"

static bool
is_listener_field(const char *s)
{
	return streq(s, EVENT_FIELD_SENDER) ||
	       streq(s, EVENT_FIELD_SENDER_ADDR) ||
	       streq(s, EVENT_FIELD_SENDER_UUID) ||
	       streq(s, EVENT_FIELD_AUTH) || streq(s, EVENT_FIELD_HOSTNAME) ||
	       streq(s, EVENT_FIELD_UUID) || streq(s, EVENT_FIELD_TIME) ||
	       streq(s, EVENT_FIELD_ENTRY_HOST) ||
	       streq(s, EVENT_FIELD_PLACEMENT);
}

static const char *const auth_names[] = {
	"channel", "x509", "psk", "address",
};

const char *
rule_auth_name(unsigned bit)
{
	for (size_t i = 0; i < ELEMENTSOF(auth_names); i++)
		if (bit == 1u << i)
			return auth_names[i];
	return NULL;
}

unsigned
rule_auth_from_name(const char *s)
{
	for (size_t i = 0; i < ELEMENTSOF(auth_names); i++)
		if (streq(s, auth_names[i]))
			return 1u << i;
	return 0;
}

unsigned
rule_sender_auth(const struct rule *r)
{
	return r->sender_auth != 0 ? r->sender_auth : RULE_AUTH_DEFAULT;
}

const char *
rule_auth_text(unsigned mask, char *buf, size_t size)
{
	size_t len = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < ELEMENTSOF(auth_names); i++) {
		int n;

		if (!(mask & (1u << i)))
			continue;
		n = snprintf(buf + len, size - len, "%s%s", len > 0 ? " " : "",
			     auth_names[i]);
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
	return buf;
}

static bool
match_one(const struct rule_match *m, const char *value, bool casefold)
{
	if (value == NULL)
		return false;
	if (m->glob)
		return fnmatch(m->pattern, value, casefold ? FNM_CASEFOLD : 0) ==
		       0;
	return casefold ? strcaseeq(m->pattern, value) :
			  streq(m->pattern, value);
}

static bool
type_matches(const struct rule *r, const struct fields *entry)
{
	const char *s = fields_get(entry, EVENT_FIELD_TYPE);
	enum event_type t;
	int64_t prio;

	if (r->type < 0)
		return true;
	if (s != NULL)
		return event_parse_type(s, &t) == 0 && (int)t == r->type;
	s = fields_get(entry, EVENT_FIELD_PRIORITY);
	if (s == NULL || parse_int(s, &prio) < 0 || prio < 0 || prio > 7)
		return false;
	return event_type_from_priority((int)prio, &t) == 0 &&
	       (int)t == r->type;
}

static bool
field_matches(const struct rule_match *m, const struct fields *entry)
{
	const char *v = fields_get(entry, m->field);

	if (streq(m->field, EVENT_FIELD_SOURCE) && v == NULL)
		v = fields_get(entry, EVENT_FIELD_IDENTIFIER);
	/* Log names are case-insensitive, as evcreate takes them. */
	return match_one(m, v, streq(m->field, EVENT_FIELD_LOG));
}

static int
entry_uid(const struct fields *entry, uid_t *ret)
{
	const char *s = fields_get(entry, "_UID");
	char *end;
	unsigned long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -ENOENT;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v >= (uid_t)-1)
		return -EINVAL;
	*ret = (uid_t)v;
	return 0;
}

bool
rule_entry_from_listener(const struct fields *entry,
			 const struct rule_trust *trust)
{
	uid_t uid;

	return trust != NULL && trust->have_listener &&
	       entry_uid(entry, &uid) == 0 && uid == trust->listener_uid;
}

bool
rule_entry_unplaced(const struct fields *entry, const struct rule_trust *trust)
{
	const char *p = fields_get(entry, EVENT_FIELD_PLACEMENT);

	return p != NULL && streq(p, "nowhere") &&
	       rule_entry_from_listener(entry, trust);
}

const char *
rule_placement_reason(const struct rule *r, const struct fields *entry,
		      const struct rule_trust *trust, char *buf, size_t size)
{
	const char *here = trust != NULL && trust->host != NULL ? trust->host
							       : "?";

	if (!rule_entry_unplaced(entry, trust))
		return NULL;
	if (r->host == NULL) {
		snprintf(buf, size, "the event's VM runs on no host, and the "
			 "rule names no host to own it (host = %s would fire "
			 "it here)", Q(here));
		return buf;
	}
	if (trust != NULL && trust->host != NULL && streq(r->host, trust->host))
		return NULL;
	snprintf(buf, size, "the event's VM runs on no host, and the rule's "
		 "host is %s, not this host (%s)", Q(r->host), Q(here));
	return buf;
}

/* Whether the listener's proof of the sender (EVENT_AUTH) is one r
 * accepts: NULL if so, else why not, written to buf. */
static const char *
auth_reason(const struct rule *r, const struct fields *entry,
	    const char *sender, char *buf, size_t size)
{
	const char *auth = fields_get(entry, EVENT_FIELD_AUTH);
	unsigned accepts = rule_sender_auth(r);
	char words[64];

	if (auth != NULL && (rule_auth_from_name(auth) & accepts) != 0)
		return NULL;
	rule_auth_text(accepts, words, sizeof(words));
	if (auth == NULL)
		snprintf(buf, size, "sender '%s' has no " EVENT_FIELD_AUTH
			 "; the rule accepts %s", Q(sender), words);
	else
		snprintf(buf, size, "sender '%s' proved by %s; the rule "
			 "accepts %s", Q(sender), Q(auth), words);
	return buf;
}

/* Who wrote entry, and may they fire r? NULL if so, else why not: static
 * text, or text written to buf. */
static const char *
trust_reason(const struct rule *r, const struct fields *entry,
	     const struct rule_trust *trust, char *buf, size_t size)
{
	const char *unit, *sender;
	bool from_listener;
	uid_t uid;

	if (entry_uid(entry, &uid) < 0)
		return "the entry has no trusted _UID";
	from_listener = rule_entry_from_listener(entry, trust);

	if (from_listener) {
		/* A remote event: only the identity the listener proved
		 * counts, never the listener's own uid or unit. */
		sender = fields_get(entry, EVENT_FIELD_SENDER);
		if (r->n_senders == 0)
			return "a remote event, and the rule names no sender";
		if (sender == NULL)
			return "a remote event without a proven sender";
		if (!strv_has(r->senders, r->n_senders, sender))
			return "the sender may not fire this rule";
		return auth_reason(r, entry, sender, buf, size);
	}

	for (size_t i = 0; i < r->n_matches; i++)
		if (is_listener_field(r->matches[i].field))
			return "the rule matches a field only the listener "
			       "may write, and a local process wrote it";
	for (size_t i = 0; i < r->n_uids; i++)
		if (r->uids[i] == uid)
			return NULL;
	unit = fields_get(entry, "_SYSTEMD_UNIT");
	if (unit != NULL && strv_has(r->units, r->n_units, unit))
		return NULL;
	if (fields_get(entry, EVENT_FIELD_SENDER) != NULL && r->n_senders > 0)
		return "EVENT_SENDER is believed only on entries the listener "
		       "wrote";
	return "written by a user or unit the rule does not allow";
}

/* Why the ID, type or a field match of r does not fit entry, into buf; NULL
 * if they all fit. */
static const char *
content_reason(const struct rule *r, const struct fields *entry, char *buf,
	       size_t size)
{
	const char *s = fields_get(entry, EVENT_FIELD_ID);
	unsigned id;

	if (s == NULL)
		return "the event has no " EVENT_FIELD_ID;
	if (event_parse_id(s, &id) < 0) {
		snprintf(buf, size, "invalid " EVENT_FIELD_ID " '%s'", s);
		return buf;
	}
	if (id != r->id) {
		snprintf(buf, size, "id %u, the rule wants %u", id, r->id);
		return buf;
	}
	if (!type_matches(r, entry)) {
		s = fields_get(entry, EVENT_FIELD_TYPE);
		snprintf(buf, size, "type %s, the rule wants %s",
			 s != NULL ? s : "(none)",
			 event_type_name((enum event_type)r->type));
		return buf;
	}
	for (size_t i = 0; i < r->n_matches; i++) {
		const struct rule_match *m = &r->matches[i];

		if (field_matches(m, entry))
			continue;
		s = fields_get(entry, m->field);
		if (s == NULL && streq(m->field, EVENT_FIELD_SOURCE))
			s = fields_get(entry, EVENT_FIELD_IDENTIFIER);
		if (s == NULL)
			snprintf(buf, size, "no %s, the rule wants '%s'",
				 m->field, m->pattern);
		else
			snprintf(buf, size, "%s is '%s', the rule wants '%s'",
				 m->field, s, m->pattern);
		return buf;
	}
	return NULL;
}

enum rule_verdict
rule_explain(const struct rule *r, const struct fields *entry,
	     const struct rule_trust *trust, char *buf, size_t size,
	     const char **ret_reason)
{
	const char *reason = content_reason(r, entry, buf, size);

	if (reason != NULL) {
		*ret_reason = reason;
		return RULE_NO_MATCH;
	}
	reason = trust_reason(r, entry, trust, buf, size);
	if (reason != NULL) {
		*ret_reason = reason;
		return RULE_UNTRUSTED;
	}
	reason = rule_placement_reason(r, entry, trust, buf, size);
	if (reason != NULL) {
		*ret_reason = reason;
		return RULE_ELSEWHERE;
	}
	*ret_reason = NULL;
	return RULE_FIRES;
}

bool
rule_matches(const struct rule *r, const struct fields *entry,
	     const struct rule_trust *trust, const char **ret_reason)
{
	/* The reason may be text in buf (rule.h). */
	static _Thread_local char buf[256];
	const char *reason;

	switch (rule_explain(r, entry, trust, buf, sizeof(buf), &reason)) {
	case RULE_FIRES:
		return true;
	case RULE_UNTRUSTED:
		if (ret_reason != NULL)
			*ret_reason = reason;
		return false;
	case RULE_NO_MATCH:
	case RULE_ELSEWHERE:    /* another host's, or nobody's: 645 */
		break;
	}
	return false;
}
