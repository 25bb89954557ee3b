/* The [trigger] and [job] keys of a rule file (see keys.h and
 * evtrigger.rules(5)): one parse function per kind of value. */
#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "options.h"
#include "rules/keys.h"
#include "rules/rule.h"
#include "utf8.h"

#define RULE_VM_MAX 255         /* bytes of a VM name */

const char *
rule_quote(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 4 < size && i < RULE_QUOTE_MAX; i++)
		buf[i] = iscntrl((unsigned char)s[i]) ? '?' : s[i];
	if (s[i] != '\0') {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

/* Sets *ret_msg and returns -EINVAL, or -ENOMEM. */
static int _printf_(2, 3)
bad(char **ret_msg, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(ret_msg, fmt, ap);
	va_end(ap);
	return r < 0 ? -ENOMEM : -EINVAL;
}

static bool
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if (iscntrl((unsigned char)*s))
			return true;
	return false;
}

bool
rule_step_name_is_valid(const char *s)
{
	if (*s == '\0' || strlen(s) > 64)
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_'))
			return false;
	return true;
}

/* ---- [trigger] ----------------------------------------------------------- */

static int
parse_id(struct rule *r, const char *key, const char *value, char **ret_msg)
{
	if (event_parse_id(value, &r->id) < 0)
		return bad(ret_msg, "invalid id '%s': must be 1..65535",
			   Q(value));
	return 0;
}

static int
parse_type(struct rule *r, const char *key, const char *value,
	   char **ret_msg)
{
	enum event_type t;

	if (event_parse_type(value, &t) < 0)
		return bad(ret_msg, "invalid type '%s': must be error, warning, "
			   "information or success", Q(value));
	r->type = (int)t;
	return 0;
}

static int
parse_source(struct rule *r, const char *key, const char *value,
	     char **ret_msg)
{
	if (event_check_source(value) < 0)
		return bad(ret_msg, "invalid source '%s': printable ASCII "
			   "(blanks only between words), at most %d bytes", Q(value),
			   EVENT_SOURCE_MAX);
	return rule_add_match(r, EVENT_FIELD_SOURCE, value);
}

static int
parse_log(struct rule *r, const char *key, const char *value, char **ret_msg)
{
	if (event_check_log(value) < 0)
		return bad(ret_msg, "invalid log '%s': printable ASCII without "
			   "'=', ']' or '\"' (blanks only between words), at "
			   "most %d bytes",
			   Q(value), EVENT_LOG_MAX);
	return rule_add_match(r, EVENT_FIELD_LOG, event_log_canonical(value));
}

static int
parse_duration_key(struct rule *r, const char *key, const char *value,
		   uint64_t *ret, char **ret_msg)
{
	if (parse_duration(value, ret) < 0)
		return bad(ret_msg, "invalid %s '%s': expected a duration like "
			   "90s, 15m, 2h", key, Q(value));
	return 0;
}

static int
parse_max_age(struct rule *r, const char *key, const char *value,
	      char **ret_msg)
{
	return parse_duration_key(r, key, value, &r->max_age_usec, ret_msg);
}

/* Splits value into words. */
static int
words(const char *key, const char *value, char ***ret, size_t *ret_n,
      char **ret_msg)
{
	char **w = NULL;
	size_t n;
	int r;

	r = parse_words(value, &w, &n);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return bad(ret_msg, "invalid %s '%s': unterminated quote", key,
			   Q(value));
	if (n == 0) {
		strv_free(w);
		return bad(ret_msg, "missing value for '%s'", key);
	}
	*ret = w;
	*ret_n = n;
	return 0;
}

static int
resolve_user(const char *s, uid_t *ret)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	char *end;
	unsigned long v;

	if (*s >= '0' && *s <= '9') {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno != 0 || *end != '\0' || v >= (uid_t)-1)
			return -EINVAL;
		*ret = (uid_t)v;
		return 0;
	}
	if (getpwnam_r(s, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return -ENOENT;
	*ret = pw.pw_uid;
	return 0;
}

static int
parse_uid(struct rule *r, const char *key, const char *value, char **ret_msg)
{
	_cleanup_(strv_freep) char **w = NULL;
	_cleanup_(freep) uid_t *u = NULL;
	size_t n;
	int k;

	k = words(key, value, &w, &n, ret_msg);
	if (k < 0)
		return k;
	u = reallocarray(NULL, n, sizeof(uid_t));
	if (u == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		k = resolve_user(w[i], &u[i]);
		if (k == -ENOENT)
			return bad(ret_msg, "unknown user '%s' in uid", Q(w[i]));
		if (k < 0)
			return bad(ret_msg, "invalid uid '%s'", Q(w[i]));
	}
	r->uids = TAKE_PTR(u);
	r->n_uids = n;
	return 0;
}

static bool
is_unit_name(const char *s)
{
	const char *dot = strrchr(s, '.');

	if (dot == NULL || dot == s || dot[1] == '\0' || strlen(s) > 255)
		return false;
	for (; *s != '\0'; s++)
		if (!(isalnum((unsigned char)*s) || strchr(":-_.\\@", *s)))
			return false;
	return true;
}

/* A list of words, each checked by check (which returns 0, or -EINVAL
 * with *ret_msg). */
static int
parse_word_list(const char *key, const char *value,
		int (*check)(const char *word, const char *key, char **ret_msg),
		char ***ret, size_t *ret_n, char **ret_msg)
{
	_cleanup_(strv_freep) char **w = NULL;
	size_t n;
	int k;

	k = words(key, value, &w, &n, ret_msg);
	if (k < 0)
		return k;
	for (size_t i = 0; i < n; i++) {
		k = check(w[i], key, ret_msg);
		if (k < 0)
			return k;
	}
	*ret = TAKE_PTR(w);
	*ret_n = n;
	return 0;
}

static int
check_unit(const char *w, const char *key, char **ret_msg)
{
	if (is_unit_name(w))
		return 0;
	return bad(ret_msg, "invalid unit '%s': a unit name with its suffix, "
		   "e.g. backup.service", Q(w));
}

static int
check_sender(const char *w, const char *key, char **ret_msg)
{
	if (*w != '\0' && !has_control(w) && utf8_is_valid(w, strlen(w)))
		return 0;
	return bad(ret_msg, "invalid sender '%s'", Q(w));
}

static int
check_step(const char *w, const char *key, char **ret_msg)
{
	if (rule_step_name_is_valid(w))
		return 0;
	return bad(ret_msg, "invalid action name '%s' in %s: use a-z, 0-9, "
		   "'-' and '_'", Q(w), key);
}

static int
parse_sender(struct rule *r, const char *key, const char *value,
	     char **ret_msg)
{
	return parse_word_list(key, value, check_sender, &r->senders,
			       &r->n_senders, ret_msg);
}

/* Which proofs of a sender count: words of rule_auth_from_name(). */
static int
parse_sender_auth(struct rule *r, const char *key, const char *value,
		  char **ret_msg)
{
	_cleanup_(strv_freep) char **w = NULL;
	unsigned mask = 0, bit;
	size_t n;
	int k;

	k = words(key, value, &w, &n, ret_msg);
	if (k < 0)
		return k;
	for (size_t i = 0; i < n; i++) {
		bit = rule_auth_from_name(w[i]);
		if (bit == 0)
			return bad(ret_msg, "invalid sender-auth '%s': must be "
				   "channel, x509, psk or address", Q(w[i]));
		mask |= bit;
	}
	r->sender_auth = mask;
	return 0;
}

static int
parse_unit(struct rule *r, const char *key, const char *value,
	   char **ret_msg)
{
	return parse_word_list(key, value, check_unit, &r->units, &r->n_units,
			       ret_msg);
}

/* A [trigger] key naming a journal field: upper case, digits, '_'. */
static bool
is_field_key(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || *s == '_'))
		return false;
	for (; *s != '\0'; s++)
		if (*s >= 'a' && *s <= 'z')
			return false;
	return true;
}

static bool
is_field_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > EVENT_FIELD_NAME_MAX || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_'))
			return false;
	return true;
}

int
rule_key_parse_field(struct rule *r, const char *key, const char *value,
		     char **ret_msg)
{
	if (!is_field_key(key))
		return -ENOENT;
	if (!is_field_name(key))
		return bad(ret_msg, "invalid field name '%s': A-Z, 0-9 and '_', "
			   "not starting with a digit, at most %d bytes",
			   Q(key), EVENT_FIELD_NAME_MAX);
	if (streq(key, EVENT_FIELD_SENDER))
		return bad(ret_msg, "use 'sender' to match %s: it is believed "
			   "only from the listener", EVENT_FIELD_SENDER);
	if (streq(key, EVENT_FIELD_ID) || streq(key, EVENT_FIELD_TYPE) ||
	    streq(key, EVENT_FIELD_SOURCE) || streq(key, EVENT_FIELD_LOG))
		return bad(ret_msg, "use '%s' instead of '%s'",
			   streq(key, EVENT_FIELD_ID)     ? "id" :
			   streq(key, EVENT_FIELD_TYPE)   ? "type" :
			   streq(key, EVENT_FIELD_SOURCE) ? "source" : "log",
			   key);
	return rule_add_match(r, key, value);
}

/* A host name as gethostname() gives it: 1..64 bytes of letters, digits,
 * '-', '_' and '.'. */
static bool
is_host_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return false;
	for (; *s != '\0'; s++)
		if (!(isalnum((unsigned char)*s) || strchr("-_.", *s)))
			return false;
	return true;
}

static int set_string(char **field, const char *value);

static int
parse_host(struct rule *r, const char *key, const char *value, char **ret_msg)
{
	if (!is_host_name(value))
		return bad(ret_msg, "invalid host '%s': a host name as hostname "
			   "prints it (letters, digits, '-', '_', '.'; at "
			   "most 64 bytes)", Q(value));
	return set_string(&r->host, value);
}

/* ---- [job] --------------------------------------------------------------- */

static bool
is_vm_name(const char *s)
{
	size_t n = strlen(s);

	return n <= RULE_VM_MAX && strchr(s, '/') == NULL && !has_control(s) &&
	       !streq(s, ".") && !streq(s, "..") && utf8_is_valid(s, n);
}

/* scheme ":" rest, as libvirt URIs are: "qemu:///system". */
static bool
is_uri(const char *s)
{
	const char *c = s;

	if (!isalpha((unsigned char)*c))
		return false;
	while (isalnum((unsigned char)*c) || *c == '+' || *c == '-' ||
	       *c == '.')
		c++;
	if (*c != ':')
		return false;
	for (; *s != '\0'; s++)
		if (iscntrl((unsigned char)*s) || *s == ' ')
			return false;
	return true;
}

static int
set_string(char **field, const char *value)
{
	char *c = strdup(value);

	if (c == NULL)
		return -ENOMEM;
	free(*field);
	*field = c;
	return 0;
}

static int
parse_vm(struct rule *r, const char *key, const char *value, char **ret_msg)
{
	if (!is_vm_name(value))
		return bad(ret_msg, "invalid vm '%s': a libvirt domain name "
			   "without '/' or control characters", Q(value));
	return set_string(&r->vm, value);
}

static int
parse_connect(struct rule *r, const char *key, const char *value,
	      char **ret_msg)
{
	if (!is_uri(value))
		return bad(ret_msg, "invalid connect '%s': expected a libvirt "
			   "URI like qemu:///system", Q(value));
	return set_string(&r->connect, value);
}

static int
parse_steps(struct rule *r, const char *key, const char *value,
	    char **ret_msg)
{
	return parse_word_list(key, value, check_step, &r->steps, &r->n_steps,
			       ret_msg);
}

static int
parse_recovery(struct rule *r, const char *key, const char *value,
	       char **ret_msg)
{
	return parse_word_list(key, value, check_step, &r->recovery,
			       &r->n_recovery, ret_msg);
}

/* "none": no steps, not even the default start. */
static int
parse_on_failure(struct rule *r, const char *key, const char *value,
		 char **ret_msg)
{
	int k;

	if (strcaseeq(value, "none")) {
		strv_free(r->on_failure);
		r->on_failure = calloc(1, sizeof(char *));
		if (r->on_failure == NULL)
			return -ENOMEM;
		r->n_on_failure = 0;
		r->on_failure_set = true;
		return 0;
	}
	k = parse_word_list(key, value, check_step, &r->on_failure,
			    &r->n_on_failure, ret_msg);
	if (k >= 0)
		r->on_failure_set = true;
	return k;
}

static int
parse_evtrigger_events(struct rule *r, const char *key, const char *value,
		       char **ret_msg)
{
	if (strcaseeq(value, "yes") || strcaseeq(value, "true") ||
	    streq(value, "1"))
		r->evtrigger_events = true;
	else if (strcaseeq(value, "no") || strcaseeq(value, "false") ||
		 streq(value, "0"))
		r->evtrigger_events = false;
	else
		return bad(ret_msg, "invalid evtrigger-events '%s': must be "
			   "yes or no", Q(value));
	return 0;
}

static int
parse_on_busy(struct rule *r, const char *key, const char *value,
	      char **ret_msg)
{
	if (strcaseeq(value, "ignore"))
		r->on_busy = RULE_ON_BUSY_IGNORE;
	else if (strcaseeq(value, "queue"))
		r->on_busy = RULE_ON_BUSY_QUEUE;
	else
		return bad(ret_msg, "invalid on-busy '%s': must be ignore or "
			   "queue", Q(value));
	return 0;
}

static int
parse_timeout(struct rule *r, const char *key, const char *value,
	      char **ret_msg)
{
	return parse_duration_key(r, key, value, &r->timeout_usec, ret_msg);
}

/* ---- the table ----------------------------------------------------------- */

#define T RULE_SECTION_TRIGGER
#define J RULE_SECTION_JOB

const struct rule_key_info rule_keys[_RULE_KEY_MAX] = {
	[RULE_KEY_ID] = { "id", T, true, parse_id, "ID",
		"event ID, 1..65535 (required)" },
	[RULE_KEY_TYPE] = { "type", T, false, parse_type, "TYPE",
		"error, warning, information or success" },
	[RULE_KEY_SOURCE] = { "source", T, false, parse_source, "SOURCE",
		"event source, exact or glob" },
	[RULE_KEY_LOG] = { "log", T, false, parse_log, "LOG",
		"event log (Application, System, ...)" },
	[RULE_KEY_MAX_AGE] = { "max-age", T, false, parse_max_age, "DURATION",
		"ignore older events when catching up" },
	[RULE_KEY_SENDER] = { "sender", T, false, parse_sender, "\"ID...\"",
		"remote senders that may fire it" },
	[RULE_KEY_SENDER_AUTH] = { "sender-auth", T, false, parse_sender_auth,
		"\"PROOF...\"", "which proofs of a sender count: channel x509 "
		"psk address (default: all but address)" },
	[RULE_KEY_UID] = { "uid", T, false, parse_uid, "\"USER...\"",
		"local users that may fire it (default: root)" },
	[RULE_KEY_UNIT] = { "unit", T, false, parse_unit, "\"UNIT...\"",
		"systemd units that may fire it" },
	[RULE_KEY_EVTRIGGER_EVENTS] = { "evtrigger-events", T, false,
		parse_evtrigger_events, "BOOL",
		"let evtrigger's own events (600-699) fire it" },
	[RULE_KEY_HOST] = { "host", T, false, parse_host, "NAME",
		"several hosts: the host that runs it when the event's VM "
		"runs on none" },
	[RULE_KEY_VM] = { "vm", J, false, parse_vm, "NAME",
		"the libvirt domain the job works on" },
	[RULE_KEY_CONNECT] = { "connect", J, false, parse_connect, "URI",
		"libvirt URI, e.g. qemu:///system" },
	[RULE_KEY_STEPS] = { "steps", J, true, parse_steps, "\"STEP...\"",
		"action modules to run, in order" },
	[RULE_KEY_RECOVERY] = { "recovery", J, false, parse_recovery,
		"\"STEP...\"", "steps run after an interrupted job" },
	[RULE_KEY_ON_FAILURE] = { "on-failure", J, false, parse_on_failure,
		"\"STEP...\"", "steps run after a failed job (default: start "
		"a VM it shut down; none: nothing)" },
	[RULE_KEY_ON_BUSY] = { "on-busy", J, false, parse_on_busy, "POLICY",
		"ignore or queue a trigger while a job runs" },
	[RULE_KEY_TIMEOUT] = { "timeout", J, false, parse_timeout, "DURATION",
		"time limit of the whole job" },
};

#undef T
#undef J

const struct rule_key_info *
rule_key_find(enum rule_section s, const char *name)
{
	for (size_t i = 0; i < _RULE_KEY_MAX; i++)
		if (rule_keys[i].section == s && streq(rule_keys[i].name, name))
			return &rule_keys[i];
	return NULL;
}

const char *
rule_section_name(enum rule_section s)
{
	return s == RULE_SECTION_TRIGGER ? "trigger" : "job";
}
