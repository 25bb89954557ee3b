/* The event line: parsing one line into an event (see eventline.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "errmsg.h"
#include "eventline.h"
#include "options.h"
#include "quote.h"

static int
set_type(struct event *e, const char *s, char **ret_msg)
{
	char q[EVC_QUOTE_MAX];
	enum event_type type;

	if (event_parse_type(s, &type) < 0)
		return failf(-EINVAL, ret_msg,
			    "invalid event type '%s': must be ERROR, WARNING, "
			    "INFORMATION or SUCCESS", evc_quote(s, q));
	e->type = type;
	return 0;
}

static int
set_id(struct event *e, const char *s, char **ret_msg)
{
	char q[EVC_QUOTE_MAX];
	unsigned id;

	if (event_parse_id(s, &id) < 0)
		return failf(-EINVAL, ret_msg,
			    "invalid event id '%s': must be %d..%d",
			    evc_quote(s, q), EVENT_ID_MIN, EVENT_ID_MAX);
	e->id = id;
	return 0;
}

static int
set_source(struct event *e, const char *s, char **ret_msg)
{
	char q[EVC_QUOTE_MAX];
	int r = event_set_source(e, s);

	if (r == -E2BIG)
		return failf(-EINVAL, ret_msg,
			    "invalid source '%s': longer than %d bytes",
			    evc_quote(s, q), EVENT_SOURCE_MAX);
	if (r == -EINVAL)
		return failf(-EINVAL, ret_msg,
			    "invalid source '%s': must be printable ASCII, "
			    "blanks only between words", evc_quote(s, q));
	return r < 0 ? failf(r, ret_msg, "out of memory") : 0;
}

static int
set_log(struct event *e, const char *s, char **ret_msg)
{
	char q[EVC_QUOTE_MAX];
	int r = event_set_log(e, s);

	if (r == -E2BIG)
		return failf(-EINVAL, ret_msg,
			    "invalid log '%s': longer than %d bytes",
			    evc_quote(s, q), EVENT_LOG_MAX);
	if (r == -EINVAL)
		return failf(-EINVAL, ret_msg,
			    "invalid log '%s': must be printable ASCII without "
			    "'=', ']' or '\"', blanks only between words",
			    evc_quote(s, q));
	return r < 0 ? failf(r, ret_msg, "out of memory") : 0;
}

static int
set_description(struct event *e, const char *s, char **ret_msg)
{
	char q[EVC_QUOTE_MAX];
	int r = event_set_description(e, s);

	if (r == -E2BIG)
		return failf(-EINVAL, ret_msg,
			    "invalid description '%s': %zu bytes, at most %d",
			    evc_quote(s, q), strlen(s), EVENT_DESCRIPTION_MAX);
	if (r == -EINVAL)
		return failf(-EINVAL, ret_msg,
			    "invalid description '': must not be empty");
	if (r == -EILSEQ)
		return failf(-EINVAL, ret_msg,
			    "invalid description '%s': not valid UTF-8",
			    evc_quote(s, q));
	return r < 0 ? failf(r, ret_msg, "out of memory") : 0;
}

static int
set_uuid(struct eventline_meta *meta, const char *s, char **ret_msg)
{
	char q[EVC_QUOTE_MAX];

	if (event_parse_uuid(s, meta->uuid) < 0)
		return failf(-EINVAL, ret_msg,
			    "invalid uuid '%s': must be 8-4-4-4-12 hex digits",
			    evc_quote(s, q));
	return 0;
}

static int
set_time(struct eventline_meta *meta, const char *s, char **ret_msg)
{
	char q[EVC_QUOTE_MAX];
	uint64_t usec;

	if (event_parse_time(s, &usec) < 0)
		return failf(-EINVAL, ret_msg,
			    "invalid time '%s': must be RFC 3339, e.g. "
			    "2026-12-01T15:31:37.123456Z", evc_quote(s, q));
	meta->time_usec = usec;
	meta->has_time = true;
	return 0;
}

int
eventline_set_value(struct event *e, struct eventline_meta *meta,
		    const char *key, const char *s, char **ret_msg)
{
	char q[EVC_QUOTE_MAX];

	if (streq(key, "type"))
		return set_type(e, s, ret_msg);
	if (streq(key, "id"))
		return set_id(e, s, ret_msg);
	if (streq(key, "source"))
		return set_source(e, s, ret_msg);
	if (streq(key, "log"))
		return set_log(e, s, ret_msg);
	if (streq(key, "description"))
		return set_description(e, s, ret_msg);
	if (streq(key, "uuid"))
		return set_uuid(meta, s, ret_msg);
	if (streq(key, "time"))
		return set_time(meta, s, ret_msg);
	return failf(-ENOKEY, ret_msg,
		    "unknown key '%s': must be type, id, source, log, "
		    "description or an upper-case field name",
		    evc_quote(key, q));
}

int
eventline_add_field(struct event *e, const char *assignment, char **ret_msg)
{
	char q[EVC_QUOTE_MAX];
	_cleanup_(freep) char *name = NULL;
	const char *eq = strchr(assignment, '='), *value;
	int r;

	if (eq == NULL)
		return failf(-EINVAL, ret_msg,
			    "invalid field '%s': must be NAME=VALUE",
			    evc_quote(assignment, q));
	name = strndup(assignment, (size_t)(eq - assignment));
	if (name == NULL)
		return failf(-ENOMEM, ret_msg, "out of memory");
	value = eq + 1;
	if (event_check_field_name(name) < 0)
		return failf(-EINVAL, ret_msg,
			    "invalid field name '%s': must be 1..%d of A-Z, "
			    "0-9 and '_', not starting with a digit or '_'",
			    evc_quote(name, q), EVENT_FIELD_NAME_MAX);
	if (event_field_is_reserved(name))
		return failf(-EPERM, ret_msg,
			    "reserved field name '%s': not allowed as an extra "
			    "field", name);
	r = event_check_field_value(value);
	if (r == -E2BIG)
		return failf(-EINVAL, ret_msg,
			    "invalid value of field %s: %zu bytes, at most %d",
			    name, strlen(value), EVENT_FIELD_VALUE_MAX);
	if (r == -EILSEQ)
		return failf(-EINVAL, ret_msg,
			    "invalid value of field %s '%s': not valid UTF-8",
			    name, evc_quote(value, q));
	r = event_add_field(e, name, value);
	if (r == -EEXIST)
		return failf(-EINVAL, ret_msg, "field %s given twice", name);
	if (r == -E2BIG)
		return failf(-EINVAL, ret_msg, "too many fields: at most %d",
			    EVENT_EXTRA_MAX);
	if (r < 0)
		return failf(-ENOMEM, ret_msg, "out of memory");
	return 0;
}

static bool
is_skipped(const char *line)
{
	line += strspn(line, " \t");
	return *line == '\0' || *line == '#';
}

/* Whether key names an event value (any lower-case letter) rather than an
 * extra field. */
static bool
is_value_key(const char *key, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (key[i] >= 'a' && key[i] <= 'z')
			return true;
	return false;
}

/* The defaults' scalar values, copied into a new event. */
static int
event_from_defaults(const struct event *d, struct event **ret)
{
	_cleanup_(event_freep) struct event *e = event_new();

	if (e == NULL)
		return -ENOMEM;
	if (d != NULL) {
		e->type = d->type;
		e->id = d->id;
		if ((d->source != NULL && event_set_source(e, d->source) < 0) ||
		    event_set_log(e, d->log) < 0 ||
		    (d->description != NULL &&
		     event_set_description(e, d->description) < 0))
			return -ENOMEM;
	}
	*ret = TAKE_PTR(e);
	return 0;
}

static bool
has_field(const struct event *e, const char *name)
{
	for (size_t i = 0; i < e->n_extra; i++)
		if (streq(e->extra[i].name, name))
			return true;
	return false;
}

static const char *const value_keys[] = { "type", "id", "source", "log",
					  "description", "uuid", "time" };

/* Applies one KEY=VALUE word. seen tracks the value keys given. */
static int
apply_word(struct event *e, struct eventline_meta *meta, const char *word,
	   unsigned *seen, char **ret_msg)
{
	char q[EVC_QUOTE_MAX];
	_cleanup_(freep) char *key = NULL;
	const char *eq = strchr(word, '=');

	if (eq == NULL || eq == word)
		return failf(-EINVAL, ret_msg,
			    "invalid word '%s': must be KEY=VALUE",
			    evc_quote(word, q));
	if (!is_value_key(word, (size_t)(eq - word)))
		return eventline_add_field(e, word, ret_msg);
	key = strndup(word, (size_t)(eq - word));
	if (key == NULL)
		return failf(-ENOMEM, ret_msg, "out of memory");
	for (unsigned k = 0; k < ELEMENTSOF(value_keys); k++)
		if (streq(key, value_keys[k])) {
			if (*seen & (1u << k))
				return failf(-EINVAL, ret_msg,
					    "key %s given twice", key);
			*seen |= 1u << k;
		}
	return eventline_set_value(e, meta, key, eq + 1, ret_msg);
}

/* The defaults' extra fields, unless the line gave its own. */
static int
add_default_fields(struct event *e, const struct event *d, char **ret_msg)
{
	for (size_t i = 0; d != NULL && i < d->n_extra; i++) {
		int r;

		if (has_field(e, d->extra[i].name))
			continue;
		r = event_add_field(e, d->extra[i].name, d->extra[i].value);
		if (r == -E2BIG)
			return failf(-EINVAL, ret_msg,
				    "too many fields: at most %d",
				    EVENT_EXTRA_MAX);
		if (r < 0)
			return failf(-ENOMEM, ret_msg, "out of memory");
	}
	return 0;
}

int
eventline_parse(const char *line, const struct event *defaults,
		struct event **ret, struct eventline_meta *ret_meta,
		char **ret_msg)
{
	_cleanup_(strv_freep) char **words = NULL;
	_cleanup_(event_freep) struct event *e = NULL;
	struct eventline_meta meta = { .uuid = "" };
	unsigned seen = 0;
	int r;

	if (is_skipped(line))
		return 1;
	r = parse_words(line, &words, NULL);
	if (r == -EINVAL)
		return failf(-EINVAL, ret_msg, "unterminated double quote");
	if (r < 0 || event_from_defaults(defaults, &e) < 0)
		return failf(-ENOMEM, ret_msg, "out of memory");
	for (char **w = words; *w != NULL; w++) {
		r = apply_word(e, &meta, *w, &seen, ret_msg);
		if (r < 0)
			return r;
	}
	r = add_default_fields(e, defaults, ret_msg);
	if (r < 0)
		return r;
	if (e->id == 0)
		return failf(-EINVAL, ret_msg, "no event id given (id=N)");
	if (e->description == NULL)
		return failf(-EINVAL, ret_msg,
			    "no description given (description=TEXT)");
	*ret = TAKE_PTR(e);
	*ret_meta = meta;
	return 0;
}
