/* The event model: the fields of Windows eventcreate, validated, and their
 * mapping to journal fields and syslog priorities. Never logs, never exits. */
#ifndef EVT_EVENT_H
#define EVT_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

/* Limits. Values are bytes of UTF-8. */
#define EVENT_ID_MIN            1
#define EVENT_ID_MAX            65535
#define EVENT_SOURCE_MAX        48      /* RFC 5424 APP-NAME */
#define EVENT_LOG_MAX           32      /* RFC 5424 SD-NAME */
#define EVENT_DESCRIPTION_MAX   (32 * 1024)
#define EVENT_FIELD_NAME_MAX    64      /* journald's own limit */
#define EVENT_FIELD_VALUE_MAX   (8 * 1024)
#define EVENT_EXTRA_MAX         64      /* extra KEY=VALUE fields per event */

/* Journal field names of the event model (doc/ARCHITECTURE.md, "The event"). */
#define EVENT_FIELD_ID          "EVENT_ID"
#define EVENT_FIELD_TYPE        "EVENT_TYPE"
#define EVENT_FIELD_SOURCE      "EVENT_SOURCE"
#define EVENT_FIELD_LOG         "EVENT_LOG"
#define EVENT_FIELD_MESSAGE     "MESSAGE"
#define EVENT_FIELD_PRIORITY    "PRIORITY"
#define EVENT_FIELD_IDENTIFIER  "SYSLOG_IDENTIFIER"
#define EVENT_FIELD_FACILITY    "SYSLOG_FACILITY"

/* Fields only the network listener may write; the watcher believes them only
 * on entries whose trusted _UID is the listener's (doc/ARCHITECTURE.md,
 * "Trust"). */
#define EVENT_FIELD_SENDER      "EVENT_SENDER"
#define EVENT_FIELD_SENDER_ADDR "EVENT_SENDER_ADDRESS"
#define EVENT_FIELD_AUTH        "EVENT_AUTH"
#define EVENT_FIELD_HOSTNAME    "EVENT_HOSTNAME"
#define EVENT_FIELD_SENDER_UUID "EVENT_SENDER_UUID"
/* Several hosts (doc/ARCHITECTURE.md, "Several hosts"): the host whose
 * listener accepted the event and put it on the bus, and why this host's
 * evtrigger-bus wrote it here: "local" (the event's VM runs here), "entry"
 * (the event names no VM; written where it entered) or "nowhere" (its VM
 * runs on no host: only a rule naming this host with host = fires). */
#define EVENT_FIELD_ENTRY_HOST  "EVENT_ENTRY_HOST"
#define EVENT_FIELD_PLACEMENT   "EVENT_PLACEMENT"
/* The event's idempotency key (RFC 4122 text, lower case): a resend of one
 * event carries the same uuid and runs no second job. */
#define EVENT_FIELD_UUID        "EVENT_UUID"
/* The sender's own timestamp, microseconds since the epoch (decimal). */
#define EVENT_FIELD_TIME        "EVENT_TIME"

enum event_type {
	EVENT_ERROR,
	EVENT_WARNING,
	EVENT_INFORMATION,
	EVENT_SUCCESS,
	_EVENT_TYPE_MAX,
};

/* Syslog facilities used for the two well-known logs. */
#define EVENT_FACILITY_USER   1
#define EVENT_FACILITY_DAEMON 3

struct event_field {
	char *name;
	char *value;
};

struct event {
	enum event_type type;
	unsigned id;
	char *source;
	char *log;              /* canonical: "Application", "System", or as given */
	char *description;
	struct event_field *extra;
	size_t n_extra;
};

/* "ERROR", "warning", ... (any case) into *ret. Returns 0 or -EINVAL. */
int event_parse_type(const char *s, enum event_type *ret);
/* "777" into *ret (1..65535). Returns 0 or -EINVAL. */
int event_parse_id(const char *s, unsigned *ret);

/* An RFC 4122 uuid in text form (8-4-4-4-12 hex digits, any case) into
 * ret (EVENT_UUID_LEN + 1 bytes), lower case. Returns 0 or -EINVAL. */
#define EVENT_UUID_LEN 36
int event_parse_uuid(const char *s, char ret[EVENT_UUID_LEN + 1]);
/* An RFC 3339 timestamp as RFC 5424 writes it (YYYY-MM-DDTHH:MM:SS, up to
 * six fraction digits, "Z" or +HH:MM/-HH:MM; years 1970..9999) into
 * microseconds since the epoch. Returns 0 or -EINVAL. */
int event_parse_time(const char *s, uint64_t *ret_usec);

/* Canonical upper-case name, e.g. "WARNING". NULL for an invalid type. */
const char *event_type_name(enum event_type t);
/* Syslog severity: ERROR 3, WARNING 4, SUCCESS 5, INFORMATION 6. */
int event_type_priority(enum event_type t);
/* The type whose priority is p (3..6); -EINVAL for any other priority. */
int event_type_from_priority(int p, enum event_type *ret);

/* Validation of single values. Each returns 0, or -EINVAL (bad form),
 * -E2BIG (too long), -EILSEQ (not UTF-8). A source or log is printable
 * ASCII where blanks may stand between words, not at either end ("My
 * App"); a log holds no '=', ']' or '"'. */
int event_check_source(const char *s);
int event_check_log(const char *s);
int event_check_description(const char *s);
int event_check_field_value(const char *s);
/* A journal field name: A-Z, 0-9, _; not starting with a digit or '_';
 * at most 64 bytes. Returns 0 or -EINVAL. */
int event_check_field_name(const char *s);
/* Whether name is one evcreate sets itself or only the listener may set. */
bool event_field_is_reserved(const char *name);

/* Returns "Application" or "System" for those names in any case, else s. */
const char *event_log_canonical(const char *s);
/* The syslog facility for a log name: System -> daemon, others -> user. */
int event_log_facility(const char *log);

/* Whether s is valid UTF-8 (no overlongs, no surrogates). */
bool utf8_is_valid(const char *s, size_t len);

/* A new event with defaults: INFORMATION, log "Application", no id (0).
 * Returns NULL on ENOMEM. */
struct event *event_new(void);
void event_free(struct event *e);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct event *, event_free)

/* Setters copy their argument after validating it. Each returns 0, or the
 * negative errno of the check above, or -ENOMEM; on error e is unchanged. */
int event_set_source(struct event *e, const char *s);
int event_set_log(struct event *e, const char *s);
int event_set_description(struct event *e, const char *s);
/* Adds NAME=VALUE. -EINVAL for a bad or reserved name, -EEXIST if already
 * given, -E2BIG for too many fields or too long a value. */
int event_add_field(struct event *e, const char *name, const char *value);
/* Adds "NAME=VALUE" in one string, as on the command line. */
int event_add_assignment(struct event *e, const char *assignment);

/* Whether the event is complete: an id and a description. Returns 0, or
 * -EDESTADDRREQ without an id, -ENODATA without a description. */
int event_check_complete(const struct event *e);

/* Human text for the error codes the functions above return, in the context
 * of what was being set, e.g. "must be 1..65535". */
const char *event_strerror(int r);

#endif
