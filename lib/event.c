/* The event model: validation and field mapping (see event.h). */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "event.h"

static const struct {
	const char *name;
	int priority;
} event_types[_EVENT_TYPE_MAX] = {
	[EVENT_ERROR]       = { "ERROR", 3 },
	[EVENT_WARNING]     = { "WARNING", 4 },
	[EVENT_INFORMATION] = { "INFORMATION", 6 },
	[EVENT_SUCCESS]     = { "SUCCESS", 5 },
};

/* Fields evcreate sets itself, and those only the listener may set. */
static const char *const reserved_fields[] = {
	EVENT_FIELD_ID, EVENT_FIELD_TYPE, EVENT_FIELD_SOURCE, EVENT_FIELD_LOG,
	EVENT_FIELD_MESSAGE, EVENT_FIELD_PRIORITY, EVENT_FIELD_IDENTIFIER,
	EVENT_FIELD_FACILITY, EVENT_FIELD_SENDER, EVENT_FIELD_SENDER_ADDR,
	EVENT_FIELD_AUTH, EVENT_FIELD_HOSTNAME, EVENT_FIELD_SENDER_UUID,
	EVENT_FIELD_UUID, EVENT_FIELD_TIME, "MESSAGE_ID", "CODE_FILE",
	"CODE_LINE", "CODE_FUNC", "SYSLOG_PID", "SYSLOG_TIMESTAMP",
	"SYSLOG_RAW", "ERRNO",
};

int
event_parse_type(const char *s, enum event_type *ret)
{
	for (int t = 0; t < _EVENT_TYPE_MAX; t++)
		if (strcaseeq(s, event_types[t].name)) {
			*ret = (enum event_type)t;
			return 0;
		}
	return -EINVAL;
}

int
event_parse_id(const char *s, unsigned *ret)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < EVENT_ID_MIN ||
	    v > EVENT_ID_MAX)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

const char *
event_type_name(enum event_type t)
{
	if ((unsigned)t >= _EVENT_TYPE_MAX)
		return NULL;
	return event_types[t].name;
}

int
event_type_priority(enum event_type t)
{
	if ((unsigned)t >= _EVENT_TYPE_MAX)
		return -EINVAL;
	return event_types[t].priority;
}

int
event_type_from_priority(int p, enum event_type *ret)
{
	for (int t = 0; t < _EVENT_TYPE_MAX; t++)
		if (event_types[t].priority == p) {
			*ret = (enum event_type)t;
			return 0;
		}
	return -EINVAL;
}

/* Printable US-ASCII without space, as RFC 5424 wants for names. */
static int
check_printusascii(const char *s, size_t max, const char *forbidden)
{
	size_t n = strlen(s);

	if (n == 0)
		return -EINVAL;
	if (n > max)
		return -E2BIG;
	for (const char *p = s; *p; p++)
		if (*p < 33 || *p > 126 || strchr(forbidden, *p))
			return -EINVAL;
	return 0;
}

int
event_check_source(const char *s)
{
	return check_printusascii(s, EVENT_SOURCE_MAX, "");
}

int
event_check_log(const char *s)
{
	/* SD-NAME excludes '=', ']', '"' and space. */
	return check_printusascii(s, EVENT_LOG_MAX, "=]\"");
}

static int
check_text(const char *s, size_t max, bool allow_empty)
{
	size_t n = strlen(s);

	if (n == 0 && !allow_empty)
		return -EINVAL;
	if (n > max)
		return -E2BIG;
	if (!utf8_is_valid(s, n))
		return -EILSEQ;
	return 0;
}

int
event_check_description(const char *s)
{
	return check_text(s, EVENT_DESCRIPTION_MAX, false);
}

int
event_check_field_value(const char *s)
{
	return check_text(s, EVENT_FIELD_VALUE_MAX, true);
}

int
event_check_field_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > EVENT_FIELD_NAME_MAX)
		return -EINVAL;
	if (s[0] == '_' || isdigit((unsigned char)s[0]))
		return -EINVAL;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || isdigit((unsigned char)*p) ||
		      *p == '_'))
			return -EINVAL;
	return 0;
}

bool
event_field_is_reserved(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(reserved_fields); i++)
		if (streq(name, reserved_fields[i]))
			return true;
	return false;
}

const char *
event_log_canonical(const char *s)
{
	if (strcaseeq(s, "Application"))
		return "Application";
	if (strcaseeq(s, "System"))
		return "System";
	return s;
}

int
event_log_facility(const char *log)
{
	return strcaseeq(log, "System") ? EVENT_FACILITY_DAEMON
					: EVENT_FACILITY_USER;
}

struct event *
event_new(void)
{
	struct event *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	e->type = EVENT_INFORMATION;
	e->log = strdup("Application");
	if (e->log == NULL) {
		free(e);
		return NULL;
	}
	return e;
}

void
event_free(struct event *e)
{
	if (e == NULL)
		return;
	free(e->source);
	free(e->log);
	free(e->description);
	for (size_t i = 0; i < e->n_extra; i++) {
		free(e->extra[i].name);
		free(e->extra[i].value);
	}
	free(e->extra);
	free(e);
}

static int
replace_string(char **slot, const char *s)
{
	char *copy = strdup(s);

	if (copy == NULL)
		return -ENOMEM;
	free(*slot);
	*slot = copy;
	return 0;
}

int
event_set_source(struct event *e, const char *s)
{
	int r = event_check_source(s);

	return r < 0 ? r : replace_string(&e->source, s);
}

int
event_set_log(struct event *e, const char *s)
{
	int r = event_check_log(s);

	return r < 0 ? r : replace_string(&e->log, event_log_canonical(s));
}

int
event_set_description(struct event *e, const char *s)
{
	int r = event_check_description(s);

	return r < 0 ? r : replace_string(&e->description, s);
}

int
event_add_field(struct event *e, const char *name, const char *value)
{
	struct event_field *f;
	_cleanup_(freep) char *n = NULL;
	_cleanup_(freep) char *v = NULL;
	int r;

	if (event_check_field_name(name) < 0 || event_field_is_reserved(name))
		return -EINVAL;
	r = event_check_field_value(value);
	if (r < 0)
		return r;
	for (size_t i = 0; i < e->n_extra; i++)
		if (streq(e->extra[i].name, name))
			return -EEXIST;
	if (e->n_extra >= EVENT_EXTRA_MAX)
		return -E2BIG;
	n = strdup(name);
	v = strdup(value);
	if (n == NULL || v == NULL)
		return -ENOMEM;
	f = reallocarray(e->extra, e->n_extra + 1, sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	e->extra = f;
	f[e->n_extra].name = TAKE_PTR(n);
	f[e->n_extra].value = TAKE_PTR(v);
	e->n_extra++;
	return 0;
}

int
event_add_assignment(struct event *e, const char *assignment)
{
	_cleanup_(freep) char *name = NULL;
	const char *eq = strchr(assignment, '=');

	if (eq == NULL || eq == assignment)
		return -EINVAL;
	name = strndup(assignment, (size_t)(eq - assignment));
	if (name == NULL)
		return -ENOMEM;
	return event_add_field(e, name, eq + 1);
}

int
event_check_complete(const struct event *e)
{
	if (e->id == 0)
		return -EDESTADDRREQ;
	if (e->description == NULL)
		return -ENODATA;
	return 0;
}

const char *
event_strerror(int r)
{
	switch (r) {
	case -EINVAL:
		return "invalid value";
	case -E2BIG:
		return "too long";
	case -EILSEQ:
		return "not valid UTF-8";
	case -EEXIST:
		return "given twice";
	case -ENOMEM:
		return "out of memory";
	case -EDESTADDRREQ:
		return "no event id given";
	case -ENODATA:
		return "no description given";
	default:
		return strerror(-r);
	}
}
