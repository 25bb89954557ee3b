/* The keys of a rule's [trigger] and [job] sections, in one table: the name
 * as written in a rule file, the section, how a value is read into struct
 * rule, and a line of help. The loader (parse.c), `evtrigger create` (its
 * options are the keys), `query` and `check` use it, and a unit test checks
 * that evtrigger.rules(5) documents every key. Never logs. */
#ifndef EVT_RULE_KEYS_H
#define EVT_RULE_KEYS_H

#include <stdbool.h>
#include <stddef.h>

struct rule;

enum rule_section {
	RULE_SECTION_TRIGGER,
	RULE_SECTION_JOB,
};

enum rule_key {
	RULE_KEY_ID,
	RULE_KEY_TYPE,
	RULE_KEY_SOURCE,
	RULE_KEY_LOG,
	RULE_KEY_MAX_AGE,
	RULE_KEY_SENDER,
	RULE_KEY_SENDER_AUTH,
	RULE_KEY_UID,
	RULE_KEY_UNIT,
	RULE_KEY_EVTRIGGER_EVENTS,
	RULE_KEY_HOST,
	RULE_KEY_VM,
	RULE_KEY_CONNECT,
	RULE_KEY_STEPS,
	RULE_KEY_RECOVERY,
	RULE_KEY_ON_FAILURE,
	RULE_KEY_ON_BUSY,
	RULE_KEY_TIMEOUT,
	_RULE_KEY_MAX,
};

struct rule_key_info {
	const char *name;               /* "max-age" */
	enum rule_section section;
	bool required;
	/* Reads value (not empty) of key into r. Returns 0; -EINVAL with a
	 * message for the user in *ret_msg (malloc'd, without file:line); or
	 * -ENOMEM. r is left as it was on error. */
	int (*parse)(struct rule *r, const char *key, const char *value,
		     char **ret_msg);
	const char *arg;                /* the value's form: "DURATION" */
	const char *help;               /* one line */
};

/* Indexed by enum rule_key, in the order a rule file lists them. */
extern const struct rule_key_info rule_keys[_RULE_KEY_MAX];

/* The key `name` of section s, or NULL. */
const struct rule_key_info *rule_key_find(enum rule_section s,
					  const char *name);

const char *rule_section_name(enum rule_section s);

/* A [trigger] key that is no table key: FIELD = pattern, a match on any
 * journal field named in upper case. Returns 0, -ENOENT if key does not
 * look like a field name at all (an unknown key), -EINVAL with *ret_msg,
 * -ENOMEM. */
int rule_key_parse_field(struct rule *r, const char *key, const char *value,
			 char **ret_msg);

/* Whether s can name a step (an action module): a-z, 0-9, '-', '_', at
 * most 64 bytes. */
bool rule_step_name_is_valid(const char *s);

/* User text as it goes into a message: cut to 80 bytes, control bytes
 * shown as '?', so that a message stays on one line. */
#define RULE_QUOTE_MAX 80
const char *rule_quote(const char *s, char *buf, size_t size);
#define Q(s) rule_quote((s), (char[RULE_QUOTE_MAX + 8]){ 0 }, \
			RULE_QUOTE_MAX + 8)

#endif
