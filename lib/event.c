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
	EVENT_FIELD_UUID, EVENT_FIELD_TIME, EVENT_FIELD_ENTRY_HOST,
	EVENT_FIELD_PLACEMENT, "MESSAGE_ID", "CODE_FILE",
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

int
event_parse_uuid(const char *s, char ret[EVENT_UUID_LEN + 1])
{
	char out[EVENT_UUID_LEN + 1];

	if (strlen(s) != EVENT_UUID_LEN)
		return -EINVAL;
	for (size_t i = 0; i < EVENT_UUID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return -EINVAL;
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	out[EVENT_UUID_LEN] = '\0';
	memcpy(ret, out, sizeof(out));
	return 0;
}

/* n decimal digits at *s into *ret, advancing *s. */
static bool
take_digits(const char **s, int n, int *ret)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*s)[i]))
			return false;
		v = v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	*ret = v;
	return true;
}

static bool
take_char(const char **s, char c)
{
	if (**s != c)
		return false;
	(*s)++;
	return true;
}

static int
days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
				    30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
event_parse_time(const char *s, uint64_t *ret_usec)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, usec = 0, sign = 0;
	int64_t t;

	if (!take_digits(&s, 4, &y) || !take_char(&s, '-') ||
	    !take_digits(&s, 2, &mo) || !take_char(&s, '-') ||
	    !take_digits(&s, 2, &d) || !take_char(&s, 'T') ||
	    !take_digits(&s, 2, &h) || !take_char(&s, ':') ||
	    !take_digits(&s, 2, &mi) || !take_char(&s, ':') ||
	    !take_digits(&s, 2, &sec))
		return -EINVAL;
	if (take_char(&s, '.')) {
		int n = 0;

		for (; isdigit((unsigned char)*s) && n < 6; s++, n++)
			usec = usec * 10 + (*s - '0');
		if (n == 0 || isdigit((unsigned char)*s))
			return -EINVAL;
		for (; n < 6; n++)
			usec *= 10;
	}
	if (take_char(&s, 'Z'))
		;
	else if (*s == '+' || *s == '-') {
		sign = *s++ == '+' ? 1 : -1;
		if (!take_digits(&s, 2, &oh) || !take_char(&s, ':') ||
		    !take_digits(&s, 2, &om) || oh > 23 || om > 59)
			return -EINVAL;
	} else
		return -EINVAL;
	if (*s != '\0' || y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
		return -EINVAL;
	if (sec == 60)          /* a leap second: the next second's start */
		sec = 59, usec = 999999;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	t -= sign * (oh * 3600 + om * 60);
	if (t < 0)
		return -EINVAL;
	*ret_usec = (uint64_t)t * 1000000 + (uint64_t)usec;
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

/* Printable US-ASCII, and blanks (spaces) between words, as Windows names
 * have them ("My App", "Windows PowerShell"): never at either end, where
 * they would be lost in a rule file or a batch line. */
static int
check_printusascii(const char *s, size_t max, const char *forbidden)
{
	size_t n = strlen(s);

	if (n == 0)
		return -EINVAL;
	if (n > max)
		return -E2BIG;
	if (s[0] == ' ' || s[n - 1] == ' ')
		return -EINVAL;
	for (const char *p = s; *p; p++)
		if (*p < 32 || *p > 126 || strchr(forbidden, *p))
			return -EINVAL;
	return 0;
}

/* A source with a blank goes into EVENT_SOURCE and SYSLOG_IDENTIFIER as
 * is (journald takes any value); a syslog message cannot carry it as
 * APP-NAME, so syslog_format_event() refuses it (lib/syslog.c). */
int
event_check_source(const char *s)
{
	return check_printusascii(s, EVENT_SOURCE_MAX, "");
}

int
event_check_log(const char *s)
{
	/* Not '=', ']' or '"': the log travels as a structured-data
	 * parameter, and older readers took it as an SD-NAME. */
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
