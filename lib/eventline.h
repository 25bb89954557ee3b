/* The event line: one event as words KEY=VALUE on one line, the format of
 * evcreate --batch and of the guest channel (evtrigger-listen(8)). One
 * parser for both. Never logs.
 *
 * A line is words split as lib/options.h parse_words does (blanks separate,
 * "double quotes" keep spaces, \" and \\ escape), each word KEY=VALUE.
 * Lower-case keys are the event's values: type, id, source, log,
 * description, and the two that travel with an event sent to a host: uuid
 * (RFC 4122 text, stored lower case) and time (the sender's own RFC 3339
 * timestamp). Any key with a lower-case letter is a value key ("Type" is a
 * misspelt key, not a field). Upper-case keys are extra fields; reserved
 * names (event_field_is_reserved) are refused. Blank lines and lines whose
 * first non-blank character is '#' hold no event. */
#ifndef EVT_EVENTLINE_H
#define EVT_EVENTLINE_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"

/* What a line says about the event beyond the event itself. */
struct eventline_meta {
	char uuid[EVENT_UUID_LEN + 1];  /* "" when the line gave none */
	bool has_time;
	uint64_t time_usec;             /* the time key, when has_time */
};

/* Sets the value key key ("type", "id", "source", "log", "description",
 * "uuid", "time") of e or meta from s. Returns 0, or with a malloc'd message
 * naming the value in *ret_msg (NULL if out of memory): -EINVAL for a bad
 * value, -ENOKEY for an unknown key, -ENOMEM. e and meta are unchanged on
 * failure. */
int eventline_set_value(struct event *e, struct eventline_meta *meta,
			const char *key, const char *s, char **ret_msg);

/* Adds the extra field "NAME=VALUE" to e. Returns 0, or with a message:
 * -EINVAL (bad name or value, given twice, too many fields), -EPERM (a
 * reserved name), -ENOMEM. */
int eventline_add_field(struct event *e, const char *assignment,
			char **ret_msg);

/* Parses line (NUL-terminated, without its newline) into a new event built
 * on defaults (its values and extra fields; NULL: event_new()'s, source
 * unset). Returns 0 with *ret set and *ret_meta filled; 1 for a line that
 * holds no event (*ret and *ret_meta untouched); or, with a malloc'd message
 * in *ret_msg and *ret, *ret_meta untouched:
 *   -EINVAL  a bad event: bad word, value, quoting, missing id/description;
 *   -ENOKEY  an unknown lower-case key;
 *   -EPERM   a reserved field name;
 *   -ENOMEM. */
int eventline_parse(const char *line, const struct event *defaults,
		    struct event **ret, struct eventline_meta *ret_meta,
		    char **ret_msg);

#endif
