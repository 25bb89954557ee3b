/* Rule files: reading them with inih, checking every key, and matching
 * journal entries against the rules (see rule.h and evtrigger.rules(5)). */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ini.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>

#include "evtrigger-action.h"
#include "module.h"
#include "options.h"
#include "rule.h"
#include "stepopts.h"

#define RULE_SUFFIX     ".rule"
#define RULE_FILE_MAX   (1024 * 1024)   /* bytes of one rule file */
#define RULE_LINE_MAX   4096            /* bytes of one line */
#define RULE_NAME_MAX   64              /* bytes of a rule's name */
#define RULE_VM_MAX     255             /* bytes of a VM name */
#define RULE_QUOTE_MAX  80              /* bytes of user text quoted back */

/* Where a parsed key belongs. */
enum section_kind {
	SECTION_TRIGGER,
	SECTION_JOB,
	SECTION_STEP,
	SECTION_IGNORE,         /* a bad header: its keys are not looked at */
};

struct section {
	char *name;
	enum section_kind kind;
	unsigned line;
};

struct seen_key {
	size_t section;
	char *key;
	unsigned line;
};

struct file_error {
	unsigned line;
	size_t seq;             /* the order it was found in */
	char *message;
};

/* One file being loaded. The reader feeds inih one physical line at a time,
 * so p->line is the line inih's handler is called for. */
struct parser {
	const char *path;
	struct rule *rule;
	const struct rule_modules *mods;
	int oom;

	struct file_error *errors;
	size_t n_errors;

	const char *pos, *end;
	unsigned line;
	char *buf;              /* the current line as inih gets it */
	size_t buf_len, buf_off;
	bool pending;

	struct section *sections;
	size_t n_sections;
	ssize_t cur;            /* index into sections, or -1 before any */

	struct seen_key *keys;
	size_t n_keys;
	unsigned steps_line, recovery_line;
};

/* ---- small helpers ------------------------------------------------------ */

static void
strv_free_n(char **v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
rule_free(struct rule *r)
{
	if (r == NULL)
		return;
	if (r->packed) {
		free(r);
		return;
	}
	free(r->name);
	free(r->path);
	free(r->text);
	for (size_t i = 0; i < r->n_matches; i++) {
		free(r->matches[i].field);
		free(r->matches[i].pattern);
	}
	free(r->matches);
	free(r->uids);
	strv_free_n(r->units, r->n_units);
	strv_free_n(r->senders, r->n_senders);
	free(r->vm);
	free(r->connect);
	strv_free_n(r->steps, r->n_steps);
	strv_free_n(r->recovery, r->n_recovery);
	for (size_t i = 0; i < r->n_options; i++) {
		free(r->options[i].section);
		free(r->options[i].key);
		free(r->options[i].value);
	}
	free(r->options);
	free(r);
}

void
rule_set_free(struct rule_set *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++)
		rule_free(s->rules[i]);
	free(s->rules);
	free(s);
}

void
rule_errors_clear(struct rule_errors *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->lines[i]);
	free(e->lines);
	e->lines = NULL;
	e->n = 0;
}

static int _printf_(2, 3)
errors_add(struct rule_errors *e, const char *fmt, ...)
{
	va_list ap;
	char *s, **lines;
	int r;

	if (e == NULL)
		return 0;
	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	lines = reallocarray(e->lines, e->n + 1, sizeof(*lines));
	if (lines == NULL) {
		free(s);
		return -ENOMEM;
	}
	e->lines = lines;
	e->lines[e->n++] = s;
	return 0;
}

/* User text as it goes into a message: cut, and control bytes shown as '?',
 * so that a message stays on one line. */
static const char *
quote(const char *s, char *buf, size_t size)
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

#define Q(s) quote((s), (char[RULE_QUOTE_MAX + 8]){ 0 }, RULE_QUOTE_MAX + 8)

static bool
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if (iscntrl((unsigned char)*s))
			return true;
	return false;
}

static bool
is_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* A module name as module_get() accepts it. */
static bool
is_step_name(const char *s)
{
	if (*s == '\0' || strlen(s) > 64)
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_'))
			return false;
	return true;
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

/* Fields only the network listener writes: believed only on its entries. */
static bool
is_listener_field(const char *s)
{
	return streq(s, EVENT_FIELD_SENDER) ||
	       streq(s, EVENT_FIELD_SENDER_ADDR) ||
	       streq(s, EVENT_FIELD_AUTH) || streq(s, EVENT_FIELD_HOSTNAME);
}

/* ---- errors of one file -------------------------------------------------- */

static void _printf_(3, 4)
perr(struct parser *p, unsigned line, const char *fmt, ...)
{
	struct file_error *e;
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0) {
		p->oom = -ENOMEM;
		return;
	}
	e = reallocarray(p->errors, p->n_errors + 1, sizeof(*e));
	if (e == NULL) {
		free(s);
		p->oom = -ENOMEM;
		return;
	}
	p->errors = e;
	p->errors[p->n_errors] = (struct file_error){ line, p->n_errors, s };
	p->n_errors++;
}

static void
oom(struct parser *p)
{
	p->oom = -ENOMEM;
}

static int
cmp_file_error(const void *a, const void *b)
{
	const struct file_error *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Moves the file's errors, sorted by line, into errors. */
static int
flush_errors(struct parser *p, struct rule_errors *errors)
{
	int r = 0;

	qsort(p->errors, p->n_errors, sizeof(*p->errors), cmp_file_error);
	for (size_t i = 0; i < p->n_errors; i++) {
		if (r == 0 && errors != NULL &&
		    errors_add(errors, "%s:%u: %s", p->path,
			       p->errors[i].line, p->errors[i].message) < 0)
			r = -ENOMEM;
		free(p->errors[i].message);
	}
	free(p->errors);
	p->errors = NULL;
	p->n_errors = 0;
	return r;
}

/* ---- the reader: lines for inih ----------------------------------------- */

static void
open_section(struct parser *p, const char *name, size_t len)
{
	_cleanup_(freep) char *n = strndup(name, len);
	enum section_kind kind;
	struct section *s;

	if (n == NULL)
		return oom(p);
	s = reallocarray(p->sections, p->n_sections + 1, sizeof(*s));
	if (s == NULL)
		return oom(p);
	p->sections = s;
	if (streq(n, "trigger"))
		kind = SECTION_TRIGGER;
	else if (streq(n, "job"))
		kind = SECTION_JOB;
	else if (is_step_name(n))
		kind = SECTION_STEP;
	else {
		perr(p, p->line, "unknown section [%s]", Q(n));
		kind = SECTION_IGNORE;
	}
	for (size_t i = 0; kind != SECTION_IGNORE && i < p->n_sections; i++)
		if (p->sections[i].name != NULL &&
		    streq(p->sections[i].name, n)) {
			perr(p, p->line,
			     "duplicate section [%s] (first at line %u)", n,
			     p->sections[i].line);
			kind = SECTION_IGNORE;
		}
	p->sections[p->n_sections] = (struct section){ TAKE_PTR(n), kind,
						       p->line };
	p->cur = (ssize_t)p->n_sections++;
}

/* Opens a section for a header line that cannot be read, so that its keys
 * are not taken for the previous section's. */
static void
open_bad_section(struct parser *p)
{
	struct section *s;

	s = reallocarray(p->sections, p->n_sections + 1, sizeof(*s));
	if (s == NULL)
		return oom(p);
	p->sections = s;
	p->sections[p->n_sections] = (struct section){ NULL, SECTION_IGNORE,
						       p->line };
	p->cur = (ssize_t)p->n_sections++;
}

/* Whether inih will find a key in line (as its find_chars_or_comment does:
 * '=' or ':' before an inline ';' comment). */
static bool
has_separator(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '=' || s[i] == ':')
			return true;
		if (s[i] == ';' && i > 0 && isspace((unsigned char)s[i - 1]))
			return false;
	}
	return false;
}

/* Reads a section header "[name]" with only a comment after it. */
static void
parse_header(struct parser *p, const char *s, size_t len)
{
	const char *close = memchr(s, ']', len);
	const char *rest;

	if (close == NULL) {
		perr(p, p->line, "syntax error: '[' without ']'");
		return open_bad_section(p);
	}
	open_section(p, s + 1, (size_t)(close - s - 1));
	for (rest = close + 1; rest < s + len && isspace((unsigned char)*rest);
	     rest++)
		;
	if (rest < s + len && *rest != ';' && *rest != '#')
		perr(p, p->line, "syntax error: text after section header");
}

/* Takes the next physical line into p->buf, as inih should see it: without
 * leading blanks (so that inih's continuation lines never apply), and blank
 * when the line is a section header or a syntax error, which are handled
 * here so that every one is reported. Returns false at the end. */
static bool
next_line(struct parser *p)
{
	const char *s, *e, *nl;
	size_t len;

	if (p->pos >= p->end)
		return false;
	s = p->pos;
	nl = memchr(s, '\n', (size_t)(p->end - s));
	e = nl != NULL ? nl : p->end;
	p->pos = nl != NULL ? nl + 1 : p->end;
	p->line++;
	if (p->line == 1 && e - s >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	len = (size_t)(e - s);
	p->buf_len = 0;
	p->buf_off = 0;
	p->pending = true;

	if (len > RULE_LINE_MAX)
		perr(p, p->line, "line too long (more than %d bytes)",
		     RULE_LINE_MAX);
	else if (memchr(s, '\0', len) != NULL)
		perr(p, p->line, "NUL byte in line");
	else if (len == 0 || *s == ';' || *s == '#')
		;
	else if (*s == '[')
		parse_header(p, s, len);
	else if (!has_separator(s, len))
		perr(p, p->line, "syntax error: expected 'key = value'");
	else {
		memcpy(p->buf, s, len);
		p->buf_len = len;
	}
	p->buf[p->buf_len++] = '\n';
	p->buf[p->buf_len] = '\0';
	return true;
}

static char *
reader(char *str, int num, void *stream)
{
	struct parser *p = stream;
	size_t n;

	if (num < 2)
		return NULL;
	if (!p->pending && !next_line(p))
		return NULL;
	n = p->buf_len - p->buf_off;
	if (n > (size_t)num - 1)
		n = (size_t)num - 1;
	memcpy(str, p->buf + p->buf_off, n);
	str[n] = '\0';
	p->buf_off += n;
	if (p->buf_off == p->buf_len)
		p->pending = false;
	return str;
}

/* ---- keys ------------------------------------------------------------------ */

static int
push_string(char ***v, size_t *n, const char *s)
{
	char **nv;
	char *c = strdup(s);

	if (c == NULL)
		return -ENOMEM;
	nv = reallocarray(*v, *n + 1, sizeof(char *));
	if (nv == NULL) {
		free(c);
		return -ENOMEM;
	}
	*v = nv;
	(*v)[(*n)++] = c;
	return 0;
}

static void
add_match(struct parser *p, const char *field, const char *pattern)
{
	struct rule *r = p->rule;
	struct rule_match *m;

	m = reallocarray(r->matches, r->n_matches + 1, sizeof(*m));
	if (m == NULL)
		return oom(p);
	r->matches = m;
	m = &r->matches[r->n_matches++];
	m->field = strdup(field);
	m->pattern = strdup(pattern);
	m->glob = is_glob(pattern);
	if (m->field == NULL || m->pattern == NULL)
		oom(p);
}

/* Splits value into words; reports a bad list. Returns NULL on error. */
static char **
words(struct parser *p, const char *key, const char *value, size_t *ret_n)
{
	char **w = NULL;
	int r;

	r = parse_words(value, &w, ret_n);
	if (r == -ENOMEM)
		oom(p);
	else if (r < 0)
		perr(p, p->line, "invalid %s '%s': unterminated quote", key,
		     Q(value));
	else if (*ret_n == 0) {
		perr(p, p->line, "missing value for '%s'", key);
		strv_free(w);
		return NULL;
	}
	return r < 0 ? NULL : w;
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

static void
key_uid(struct parser *p, const char *value)
{
	_cleanup_(strv_freep) char **w = NULL;
	struct rule *r = p->rule;
	size_t n;
	uid_t *u;

	w = words(p, "uid", value, &n);
	if (w == NULL)
		return;
	u = reallocarray(NULL, n, sizeof(uid_t));
	if (u == NULL)
		return oom(p);
	for (size_t i = 0; i < n; i++) {
		int k = resolve_user(w[i], &u[i]);

		if (k == -ENOENT)
			perr(p, p->line, "unknown user '%s' in uid", Q(w[i]));
		else if (k < 0)
			perr(p, p->line, "invalid uid '%s'", Q(w[i]));
		if (k < 0) {
			free(u);
			return;
		}
	}
	r->uids = u;
	r->n_uids = n;
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

static void
key_words(struct parser *p, const char *key, const char *value,
	  char ***ret, size_t *ret_n)
{
	_cleanup_(strv_freep) char **w = NULL;
	size_t n;

	w = words(p, key, value, &n);
	if (w == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		if (streq(key, "unit") && !is_unit_name(w[i])) {
			perr(p, p->line,
			     "invalid unit '%s': a unit name with its suffix, "
			     "e.g. backup.service", Q(w[i]));
			return;
		}
		if (streq(key, "sender") &&
		    (*w[i] == '\0' || has_control(w[i]) ||
		     !utf8_is_valid(w[i], strlen(w[i])))) {
			perr(p, p->line, "invalid sender '%s'", Q(w[i]));
			return;
		}
		if ((streq(key, "steps") || streq(key, "recovery")) &&
		    !is_step_name(w[i])) {
			perr(p, p->line,
			     "invalid action name '%s' in %s: use a-z, 0-9, "
			     "'-' and '_'", Q(w[i]), key);
			return;
		}
	}
	*ret = TAKE_PTR(w);
	*ret_n = n;
}

static void
key_duration(struct parser *p, const char *key, const char *value,
	     uint64_t *ret)
{
	if (parse_duration(value, ret) < 0)
		perr(p, p->line,
		     "invalid %s '%s': expected a duration like 90s, 15m, 2h",
		     key, Q(value));
}

static void
key_trigger(struct parser *p, const char *key, const char *value)
{
	struct rule *r = p->rule;
	enum event_type t;

	if (streq(key, "id")) {
		if (event_parse_id(value, &r->id) < 0)
			perr(p, p->line, "invalid id '%s': must be 1..65535",
			     Q(value));
	} else if (streq(key, "type")) {
		if (event_parse_type(value, &t) < 0)
			perr(p, p->line,
			     "invalid type '%s': must be error, warning, "
			     "information or success", Q(value));
		else
			r->type = (int)t;
	} else if (streq(key, "source")) {
		if (event_check_source(value) < 0)
			perr(p, p->line,
			     "invalid source '%s': printable ASCII without "
			     "spaces, at most %d bytes", Q(value),
			     EVENT_SOURCE_MAX);
		else
			add_match(p, EVENT_FIELD_SOURCE, value);
	} else if (streq(key, "log")) {
		if (event_check_log(value) < 0)
			perr(p, p->line,
			     "invalid log '%s': printable ASCII without spaces, "
			     "'=', ']' or '\"', at most %d bytes", Q(value),
			     EVENT_LOG_MAX);
		else
			add_match(p, EVENT_FIELD_LOG,
				  event_log_canonical(value));
	} else if (streq(key, "sender"))
		key_words(p, key, value, &r->senders, &r->n_senders);
	else if (streq(key, "uid"))
		key_uid(p, value);
	else if (streq(key, "unit"))
		key_words(p, key, value, &r->units, &r->n_units);
	else if (streq(key, "max-age"))
		key_duration(p, key, value, &r->max_age_usec);
	else if (!is_field_key(key))
		perr(p, p->line, "unknown key '%s' in [trigger]", Q(key));
	else if (!is_field_name(key))
		perr(p, p->line,
		     "invalid field name '%s': A-Z, 0-9 and '_', not starting "
		     "with a digit, at most %d bytes", Q(key),
		     EVENT_FIELD_NAME_MAX);
	else if (streq(key, EVENT_FIELD_SENDER))
		perr(p, p->line,
		     "use 'sender' to match %s: it is believed only from the "
		     "listener", EVENT_FIELD_SENDER);
	else if (streq(key, EVENT_FIELD_ID) || streq(key, EVENT_FIELD_TYPE) ||
		 streq(key, EVENT_FIELD_SOURCE) || streq(key, EVENT_FIELD_LOG))
		perr(p, p->line, "use '%s' instead of '%s'",
		     streq(key, EVENT_FIELD_ID)     ? "id" :
		     streq(key, EVENT_FIELD_TYPE)   ? "type" :
		     streq(key, EVENT_FIELD_SOURCE) ? "source" : "log",
		     key);
	else
		add_match(p, key, value);
}

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

static void
key_job(struct parser *p, const char *key, const char *value)
{
	struct rule *r = p->rule;

	if (streq(key, "vm")) {
		if (!is_vm_name(value))
			perr(p, p->line,
			     "invalid vm '%s': a libvirt domain name without "
			     "'/' or control characters", Q(value));
		else if ((r->vm = strdup(value)) == NULL)
			oom(p);
	} else if (streq(key, "connect")) {
		if (!is_uri(value))
			perr(p, p->line,
			     "invalid connect '%s': expected a libvirt URI "
			     "like qemu:///system", Q(value));
		else if ((r->connect = strdup(value)) == NULL)
			oom(p);
	} else if (streq(key, "steps")) {
		p->steps_line = p->line;
		key_words(p, key, value, &r->steps, &r->n_steps);
	} else if (streq(key, "recovery")) {
		p->recovery_line = p->line;
		key_words(p, key, value, &r->recovery, &r->n_recovery);
	} else if (streq(key, "on-busy")) {
		if (strcaseeq(value, "ignore"))
			r->on_busy = RULE_ON_BUSY_IGNORE;
		else if (strcaseeq(value, "queue"))
			r->on_busy = RULE_ON_BUSY_QUEUE;
		else
			perr(p, p->line,
			     "invalid on-busy '%s': must be ignore or queue",
			     Q(value));
	} else if (streq(key, "timeout"))
		key_duration(p, key, value, &r->timeout_usec);
	else
		perr(p, p->line, "unknown key '%s' in [job]", Q(key));
}

static void
key_step(struct parser *p, const char *section, const char *key,
	 const char *value)
{
	struct rule *r = p->rule;
	struct rule_option *o;

	o = reallocarray(r->options, r->n_options + 1, sizeof(*o));
	if (o == NULL)
		return oom(p);
	r->options = o;
	o = &r->options[r->n_options++];
	o->section = strdup(section);
	o->key = strdup(key);
	o->value = strdup(value);
	o->line = p->line;
	if (o->section == NULL || o->key == NULL || o->value == NULL)
		oom(p);
}

static bool
seen_key(struct parser *p, const char *key)
{
	struct seen_key *k;
	char *c;

	for (size_t i = 0; i < p->n_keys; i++)
		if (p->keys[i].section == (size_t)p->cur &&
		    streq(p->keys[i].key, key)) {
			perr(p, p->line, "duplicate key '%s' (first at line %u)",
			     Q(key), p->keys[i].line);
			return true;
		}
	c = strdup(key);
	k = reallocarray(p->keys, p->n_keys + 1, sizeof(*k));
	if (k == NULL || c == NULL) {
		if (k != NULL)
			p->keys = k;
		free(c);
		oom(p);
		return true;
	}
	p->keys = k;
	p->keys[p->n_keys++] = (struct seen_key){ (size_t)p->cur, c, p->line };
	return false;
}

static int
handler(void *user, const char *ini_section, const char *key,
	const char *value)
{
	struct parser *p = user;
	const struct section *s;

	if (p->cur < 0) {
		perr(p, p->line, "key '%s' outside of a section", Q(key));
		return 1;
	}
	s = &p->sections[p->cur];
	if (s->kind == SECTION_IGNORE)
		return 1;
	if (*key == '\0') {
		perr(p, p->line, "syntax error: missing key before '='");
		return 1;
	}
	if (seen_key(p, key))
		return 1;
	if (*value == '\0') {
		perr(p, p->line, "missing value for '%s'", Q(key));
		return 1;
	}
	switch (s->kind) {
	case SECTION_TRIGGER:
		key_trigger(p, key, value);
		break;
	case SECTION_JOB:
		key_job(p, key, value);
		break;
	case SECTION_STEP:
		key_step(p, s->name, key, value);
		break;
	case SECTION_IGNORE:
		break;
	}
	return 1;
}

/* ---- checks once the whole file is read --------------------------------- */

static const struct section *
find_section(const struct parser *p, const char *name)
{
	for (size_t i = 0; i < p->n_sections; i++)
		if (p->sections[i].kind != SECTION_IGNORE &&
		    streq(p->sections[i].name, name))
			return &p->sections[i];
	return NULL;
}

/* Whether the file sets key in section s (well or badly). */
static bool
has_key(const struct parser *p, const struct section *s, const char *key)
{
	size_t idx = (size_t)(s - p->sections);

	for (size_t i = 0; i < p->n_keys; i++)
		if (p->keys[i].section == idx && streq(p->keys[i].key, key))
			return true;
	return false;
}

static bool
strv_contains(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (streq(v[i], s))
			return true;
	return false;
}

static const char *
option_type_text(enum evt_option_type t)
{
	switch (t) {
	case EVT_OPT_STRING:
		return "text";
	case EVT_OPT_BOOL:
		return "yes or no";
	case EVT_OPT_INT:
		return "an integer";
	case EVT_OPT_DURATION:
		return "a duration like 90s, 15m, 2h";
	case EVT_OPT_SIZE:
		return "a size like 4096, 10K, 20M, 1G";
	case EVT_OPT_LIST:
		return "words, \"double quotes\" keeping spaces";
	}
	return "a valid value";
}

/* Checks the options of step `name` against module m (NULL: no module
 * checks), then m's own check(). Reports at line. */
static void
check_step(struct parser *p, const char *name, const struct evt_action *m,
	   unsigned line)
{
	const struct rule *r = p->rule;
	size_t before = p->n_errors;
	const struct section *sec;
	struct stepopts o;
	char err[256];

	for (size_t i = 0; i < r->n_options; i++) {
		const struct rule_option *opt = &r->options[i];
		const struct evt_option *decl;
		uint64_t u;

		if (!streq(opt->section, name))
			continue;
		decl = m != NULL ? module_option(m, opt->key) : NULL;
		if (streq(opt->key, "timeout") &&
		    (decl == NULL || decl->type == EVT_OPT_DURATION)) {
			if (parse_duration(opt->value, &u) < 0)
				perr(p, opt->line,
				     "invalid timeout '%s': expected a duration "
				     "like 90s, 15m, 2h", Q(opt->value));
		} else if (m == NULL)
			continue;
		else if (decl == NULL)
			perr(p, opt->line, "unknown option '%s' for action '%s'",
			     Q(opt->key), name);
		else if (module_check_option_value(decl, opt->value) < 0)
			perr(p, opt->line,
			     "invalid %s '%s' for action '%s': expected %s",
			     opt->key, Q(opt->value), name,
			     option_type_text(decl->type));
	}
	if (m == NULL || m->check == NULL || p->n_errors != before)
		return;
	sec = find_section(p, name);
	stepopts_init(&o, r, name, m);
	if (stepopts_check(&o, err, sizeof(err)) < 0)
		perr(p, sec != NULL ? sec->line : line, "action '%s': %s", name,
		     err);
}

static void
check_steps(struct parser *p, char **steps, size_t n, unsigned line)
{
	const struct evt_action *m;
	char err[512];

	for (size_t i = 0; i < n; i++) {
		if (strv_contains(steps, i, steps[i]))
			continue;       /* a step named twice is checked once */
		m = NULL;
		if (p->mods != NULL) {
			err[0] = '\0';
			m = p->mods->lookup(p->mods->userdata, steps[i], err,
					    sizeof(err));
			if (m == NULL) {
				perr(p, line, "%s",
				     err[0] != '\0' ? err : "unknown action");
				continue;
			}
		}
		check_step(p, steps[i], m, line);
	}
}

static void
check_rule(struct parser *p)
{
	struct rule *r = p->rule;
	const struct section *trigger = find_section(p, "trigger");
	const struct section *job = find_section(p, "job");

	if (trigger == NULL)
		perr(p, 1, "missing [trigger] section");
	else if (!has_key(p, trigger, "id"))
		perr(p, trigger->line, "missing id in [trigger]");
	if (job == NULL)
		perr(p, 1, "missing [job] section");
	else if (!has_key(p, job, "steps"))
		perr(p, job->line, "missing steps in [job]");

	for (size_t i = 0; i < p->n_sections; i++) {
		const struct section *s = &p->sections[i];

		if (s->kind == SECTION_STEP &&
		    !strv_contains(r->steps, r->n_steps, s->name) &&
		    !strv_contains(r->recovery, r->n_recovery, s->name))
			perr(p, s->line,
			     "section [%s] is not a step of this rule: it is "
			     "not in steps or recovery", s->name);
	}
	check_steps(p, r->steps, r->n_steps, p->steps_line);
	/* Recovery steps that are also steps are checked already. */
	for (size_t i = 0; i < r->n_recovery; i++)
		if (!strv_contains(r->steps, r->n_steps, r->recovery[i]) &&
		    !strv_contains(r->recovery, i, r->recovery[i]))
			check_steps(p, &r->recovery[i], 1, p->recovery_line);

	if (r->n_uids == 0 && r->n_units == 0 && r->n_senders == 0) {
		r->uids = calloc(1, sizeof(uid_t));     /* root only */
		if (r->uids == NULL)
			return oom(p);
		r->n_uids = 1;
	}
}

/* ---- packing: one allocation per loaded rule ---------------------------- */

/* Lays a rule out in one block, in two passes: with base NULL it only
 * measures. */
struct packer {
	char *base;
	size_t off;
};

static void *
pack_bytes(struct packer *k, const void *src, size_t n, size_t align)
{
	void *dst;

	k->off = (k->off + align - 1) & ~(align - 1);
	dst = k->base != NULL ? k->base + k->off : NULL;
	if (dst != NULL && src != NULL && n > 0)
		memcpy(dst, src, n);
	k->off += n;
	return dst;
}

static char *
pack_str(struct packer *k, const char *s)
{
	return s != NULL ? pack_bytes(k, s, strlen(s) + 1, 1) : NULL;
}

static char **
pack_strv(struct packer *k, char **v, size_t n)
{
	char **nv;

	if (v == NULL)
		return NULL;
	nv = pack_bytes(k, NULL, (n + 1) * sizeof(char *), sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		char *s = pack_str(k, v[i]);

		if (nv != NULL)
			nv[i] = s;
	}
	if (nv != NULL)
		nv[n] = NULL;
	return nv;
}

static struct rule *
pack_rule(struct packer *k, const struct rule *r)
{
	const size_t al = _Alignof(max_align_t);
	struct rule *n = pack_bytes(k, r, sizeof(*r), al);
	struct rule_match *m = NULL;
	struct rule_option *o = NULL;
	uid_t *u = NULL;
	char **units, **senders, **steps, **recovery;
	char *name, *path, *vm, *connect, *text;

	if (r->matches != NULL)
		m = pack_bytes(k, NULL, r->n_matches * sizeof(*m), al);
	for (size_t i = 0; i < r->n_matches; i++) {
		char *f = pack_str(k, r->matches[i].field);
		char *p = pack_str(k, r->matches[i].pattern);

		if (m != NULL)
			m[i] = (struct rule_match){ f, p, r->matches[i].glob };
	}
	if (r->options != NULL)
		o = pack_bytes(k, NULL, r->n_options * sizeof(*o), al);
	for (size_t i = 0; i < r->n_options; i++) {
		char *sec = pack_str(k, r->options[i].section);
		char *key = pack_str(k, r->options[i].key);
		char *val = pack_str(k, r->options[i].value);

		if (o != NULL)
			o[i] = (struct rule_option){ sec, key, val,
						     r->options[i].line };
	}
	if (r->uids != NULL)
		u = pack_bytes(k, r->uids, r->n_uids * sizeof(uid_t),
			       _Alignof(uid_t));
	units = pack_strv(k, r->units, r->n_units);
	senders = pack_strv(k, r->senders, r->n_senders);
	steps = pack_strv(k, r->steps, r->n_steps);
	recovery = pack_strv(k, r->recovery, r->n_recovery);
	name = pack_str(k, r->name);
	path = pack_str(k, r->path);
	vm = pack_str(k, r->vm);
	connect = pack_str(k, r->connect);
	text = pack_str(k, r->text);
	if (n == NULL)
		return NULL;
	n->matches = m;
	n->options = o;
	n->uids = u;
	n->units = units;
	n->senders = senders;
	n->steps = steps;
	n->recovery = recovery;
	n->name = name;
	n->path = path;
	n->vm = vm;
	n->connect = connect;
	n->text = text;
	n->packed = true;
	return n;
}

/* A copy of r in one allocation, or NULL on ENOMEM. */
static struct rule *
rule_pack(const struct rule *r)
{
	struct packer k = { NULL, 0 };
	struct rule *n;

	pack_rule(&k, r);
	k.base = malloc(k.off);
	if (k.base == NULL)
		return NULL;
	k.off = 0;
	n = pack_rule(&k, r);
	return n;
}

/* ---- loading ----------------------------------------------------------- */

static void
parser_done(struct parser *p)
{
	for (size_t i = 0; i < p->n_sections; i++)
		free(p->sections[i].name);
	free(p->sections);
	for (size_t i = 0; i < p->n_keys; i++)
		free(p->keys[i].key);
	free(p->keys);
	free(p->buf);
	for (size_t i = 0; i < p->n_errors; i++)
		free(p->errors[i].message);
	free(p->errors);
}

/* The rule's name: the file name without ".rule". */
static int
rule_name(const char *path, char **ret)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base != NULL ? base + 1 : path;
	n = strlen(base);
	if (n > strlen(RULE_SUFFIX) &&
	    streq(base + n - strlen(RULE_SUFFIX), RULE_SUFFIX))
		n -= strlen(RULE_SUFFIX);
	*ret = strndup(base, n);
	return *ret == NULL ? -ENOMEM : 0;
}

bool
rule_name_is_valid(const char *s)
{
	if (*s == '\0' || *s == '.' || strlen(s) > RULE_NAME_MAX)
		return false;
	for (; *s != '\0'; s++)
		if (!(isalnum((unsigned char)*s) || strchr("._-@+", *s)))
			return false;
	return true;
}

static int
read_all(const char *path, char **ret, size_t *ret_len)
{
	_cleanup_(closep) int fd = -1;
	_cleanup_(freep) char *buf = NULL;
	size_t len = 0, cap;
	struct stat st;
	ssize_t k;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EBADFD;
	/* Room for the file as stat saw it and one byte more, to see it end
	 * (or grow past the limit) without a second buffer. */
	cap = st.st_size < RULE_FILE_MAX ? (size_t)st.st_size + 1 :
					   RULE_FILE_MAX + 1;
	buf = malloc(cap + 1);
	if (buf == NULL)
		return -ENOMEM;
	for (;;) {
		if (len == cap) {
			char *b;

			if (cap > RULE_FILE_MAX)
				return -EFBIG;
			cap = cap * 2 < RULE_FILE_MAX + 1 ? cap * 2 :
							    RULE_FILE_MAX + 1;
			b = realloc(buf, cap + 1);
			if (b == NULL)
				return -ENOMEM;
			buf = b;
		}
		k = read(fd, buf + len, cap - len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			break;
		len += (size_t)k;
		if (len > RULE_FILE_MAX)
			return -EFBIG;
	}
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

static const char *
read_error_text(int r)
{
	switch (r) {
	case -EFBIG:
		return "file too large (more than 1 MiB)";
	case -EBADFD:
		return "not a regular file";
	default:
		return strerror(-r);
	}
}

int
rule_load_file(const char *path, const struct rule_modules *mods,
	       struct rule **ret, struct rule_errors *errors)
{
	_cleanup_(freep) char *text = NULL;
	size_t len = 0;
	int r;

	r = read_all(path, &text, &len);
	if (r < 0) {
		if (errors_add(errors, "%s: cannot read: %s", path,
			       read_error_text(r)) < 0)
			return -ENOMEM;
		return r;
	}
	return rule_load_string(path, text, len, mods, ret, errors);
}

int
rule_load_string(const char *path, const char *text, size_t len,
		 const struct rule_modules *mods, struct rule **ret,
		 struct rule_errors *errors)
{
	_cleanup_(rule_freep) struct rule *rule = NULL;
	struct parser p = { .path = path, .mods = mods, .cur = -1 };
	struct rule *packed;
	int r, k;

	rule = calloc(1, sizeof(*rule));
	p.buf = malloc(RULE_LINE_MAX + 2);
	if (rule == NULL || p.buf == NULL) {
		free(p.buf);
		return -ENOMEM;
	}
	rule->type = -1;
	if (memchr(text, '\0', len) == NULL) {
		rule->text = strndup(text, len);
		if (rule->text == NULL) {
			free(p.buf);
			return -ENOMEM;
		}
	}
	rule->path = strdup(path);
	r = rule_name(path, &rule->name);
	if (r < 0 || rule->path == NULL) {
		free(p.buf);
		return -ENOMEM;
	}
	if (!rule_name_is_valid(rule->name))
		perr(&p, 1,
		     "invalid rule name '%s': use letters, digits, '.', '_', "
		     "'-', '@' and '+', not starting with '.'", Q(rule->name));

	p.rule = rule;
	p.pos = text;
	p.end = text + len;
	/* Lines as long as RULE_LINE_MAX reach the handler whole (Debian's
	 * inih reads them through its own growing buffer). Continuation
	 * lines are off: an indented key is a key. */
	ini_use_stack = false;
	ini_allow_realloc = true;
	ini_max_line = RULE_LINE_MAX + 2;
	ini_allow_multiline = false;
	ini_stop_on_first_error = false;
	k = ini_parse_stream(reader, &p, handler, &p);
	if (k == -2)
		oom(&p);
	else if (k > 0)         /* what the reader lets through parses */
		perr(&p, (unsigned)k, "syntax error");
	if (p.oom == 0)
		check_rule(&p);         /* after errors too: all in one pass */
	if (p.oom < 0) {
		parser_done(&p);
		return -ENOMEM;
	}
	if (p.n_errors > 0) {
		r = flush_errors(&p, errors);
		parser_done(&p);
		return r < 0 ? r : -EINVAL;
	}
	parser_done(&p);
	packed = rule_pack(rule);
	if (packed == NULL)
		return -ENOMEM;
	*ret = packed;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
is_rule_file(const char *name)
{
	size_t n = strlen(name), s = strlen(RULE_SUFFIX);

	return name[0] != '.' && n > s && streq(name + n - s, RULE_SUFFIX);
}

int
rule_dir_list(const char *dir, char ***ret, size_t *ret_n,
	      struct rule_errors *errors)
{
	char **names = NULL;
	size_t n_names = 0;
	struct dirent *de;
	DIR *d;
	int r = 0;

	d = opendir(dir);
	if (d == NULL) {
		r = -errno;
		if (errors_add(errors, "%s: cannot open: %s", dir,
			       strerror(-r)) < 0)
			return -ENOMEM;
		return r;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (!is_rule_file(de->d_name))
			continue;
		if (push_string(&names, &n_names, de->d_name) < 0) {
			r = -ENOMEM;
			break;
		}
	}
	if (r == 0 && errno != 0) {
		r = -errno;
		if (errors_add(errors, "%s: cannot read: %s", dir,
			       strerror(-r)) < 0)
			r = -ENOMEM;
	}
	closedir(d);
	/* One more for the NULL that ends the vector. */
	if (r == 0 && push_string(&names, &n_names, "") < 0)
		r = -ENOMEM;
	if (r < 0) {
		strv_free_n(names, n_names);
		return r;
	}
	free(names[--n_names]);
	names[n_names] = NULL;
	qsort(names, n_names, sizeof(char *), cmp_str);
	*ret = names;
	*ret_n = n_names;
	return 0;
}

int
rule_set_load_dir(const char *dir, const struct rule_modules *mods,
		  struct rule_set **ret, struct rule_errors *errors)
{
	_cleanup_(rule_set_freep) struct rule_set *set = NULL;
	char **names = NULL;
	size_t n_names = 0;
	int r, failed = 0;

	r = rule_dir_list(dir, &names, &n_names, errors);
	if (r < 0)
		return r;

	set = calloc(1, sizeof(*set));
	if (set == NULL || (n_names > 0 &&
			    (set->rules = calloc(n_names, sizeof(*set->rules))) ==
				    NULL)) {
		r = -ENOMEM;
		goto out_free_names;
	}
	for (size_t i = 0; i < n_names; i++) {
		_cleanup_(freep) char *path = NULL;
		struct rule *rule;
		int k;

		if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
			r = -ENOMEM;
			goto out_free_names;
		}
		k = rule_load_file(path, mods, &rule, errors);
		if (k == -ENOMEM) {
			r = k;
			goto out_free_names;
		}
		if (k < 0)
			failed = 1;
		else
			set->rules[set->n++] = rule;
	}
	if (failed)
		r = -EINVAL;
	else
		*ret = TAKE_PTR(set);
out_free_names:
	strv_free_n(names, n_names);
	return r;
}

/* ---- matching ------------------------------------------------------------ */

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

/* Who wrote entry, and may they fire r? NULL if so, else why not. */
static const char *
trust_reason(const struct rule *r, const struct fields *entry,
	     const struct rule_trust *trust)
{
	const char *unit, *sender;
	bool from_listener;
	uid_t uid;

	if (entry_uid(entry, &uid) < 0)
		return "the entry has no trusted _UID";
	from_listener = trust != NULL && trust->have_listener &&
			uid == trust->listener_uid;

	if (from_listener) {
		/* A remote event: only the identity the listener proved
		 * counts, never the listener's own uid or unit. */
		sender = fields_get(entry, EVENT_FIELD_SENDER);
		if (r->n_senders == 0)
			return "a remote event, and the rule names no sender";
		if (sender == NULL)
			return "a remote event without a proven sender";
		if (!strv_contains(r->senders, r->n_senders, sender))
			return "the sender may not fire this rule";
		return NULL;
	}

	for (size_t i = 0; i < r->n_matches; i++)
		if (is_listener_field(r->matches[i].field))
			return "the rule matches a field only the listener "
			       "may write, and a local process wrote it";
	for (size_t i = 0; i < r->n_uids; i++)
		if (r->uids[i] == uid)
			return NULL;
	unit = fields_get(entry, "_SYSTEMD_UNIT");
	if (unit != NULL && strv_contains(r->units, r->n_units, unit))
		return NULL;
	if (fields_get(entry, EVENT_FIELD_SENDER) != NULL && r->n_senders > 0)
		return "EVENT_SENDER is believed only on entries the listener "
		       "wrote";
	return "written by a user or unit the rule does not allow";
}

bool
rule_matches(const struct rule *r, const struct fields *entry,
	     const struct rule_trust *trust, const char **ret_reason)
{
	const char *s = fields_get(entry, EVENT_FIELD_ID);
	const char *reason;
	unsigned id;

	if (s == NULL || event_parse_id(s, &id) < 0 || id != r->id)
		return false;
	if (!type_matches(r, entry))
		return false;
	for (size_t i = 0; i < r->n_matches; i++)
		if (!field_matches(&r->matches[i], entry))
			return false;
	reason = trust_reason(r, entry, trust);
	if (reason != NULL) {
		if (ret_reason != NULL)
			*ret_reason = reason;
		return false;
	}
	return true;
}

static int
cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

int
rule_set_ids(const struct rule_set *s, unsigned **ret, size_t *ret_n)
{
	unsigned *ids;
	size_t n = 0;

	ids = malloc((s->n > 0 ? s->n : 1) * sizeof(unsigned));
	if (ids == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++)
		ids[i] = s->rules[i]->id;
	qsort(ids, s->n, sizeof(unsigned), cmp_unsigned);
	for (size_t i = 0; i < s->n; i++)
		if (n == 0 || ids[n - 1] != ids[i])
			ids[n++] = ids[i];
	*ret = ids;
	*ret_n = n;
	return 0;
}

const char *
rule_option(const struct rule *r, const char *step, const char *key)
{
	for (size_t i = 0; i < r->n_options; i++)
		if (streq(r->options[i].section, step) &&
		    streq(r->options[i].key, key))
			return r->options[i].value;
	return NULL;
}

const char *
rule_match_pattern(const struct rule *r, const char *field)
{
	for (size_t i = 0; i < r->n_matches; i++)
		if (streq(r->matches[i].field, field))
			return r->matches[i].pattern;
	return NULL;
}
