/* Loading rule files: reading them with inih, every key through the table
 * of keys.c, every step's options through stepopts.c, all errors of a file
 * in one pass (see rule.h and evtrigger.rules(5)). */
#include <ctype.h>
#include <dirent.h>
#include <ini.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "evtrigger-action.h"
#include "fileio.h"
#include "options.h"
#include "rules/keys.h"
#include "rules/rule.h"
#include "rules/stepopts.h"
#include "strv.h"

#define RULE_SUFFIX     ".rule"
#define RULE_FILE_MAX   (1024 * 1024)   /* bytes of one rule file */
#define RULE_LINE_MAX   4096            /* bytes of one line */

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
 * so p->line is the line inih's handler is called for (see "the reader"). */
struct parser {
	const char *path;
	struct rule *rule;
	const struct rule_modules *mods;
	int oom;

	struct file_error *errors;
	size_t n_errors;

	const char *pos, *end;  /* the text not yet read */
	unsigned line;          /* the line inih is reading */
	const char *cur_line;   /* that line, as inih gets it */
	size_t cur_len, cur_off;
	bool partial;           /* inih has not had all of it yet */
	bool want_key;          /* it is no blank, comment or header line */
	unsigned key_line;      /* the line of the last handler call */

	struct section *sections;
	size_t n_sections;
	ssize_t cur;            /* index into sections, or -1 before any */

	struct seen_key *keys;
	size_t n_keys;
	unsigned steps_line, recovery_line, on_failure_line;
	unsigned sender_auth_line;
};

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

static bool
has_error_at(const struct parser *p, unsigned line)
{
	for (size_t i = 0; i < p->n_errors; i++)
		if (p->errors[i].line == line)
			return true;
	return false;
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
		    rule_errors_add(errors, "%s:%u: %s", p->path,
			       p->errors[i].line, p->errors[i].message) < 0)
			r = -ENOMEM;
		free(p->errors[i].message);
	}
	free(p->errors);
	p->errors = NULL;
	p->n_errors = 0;
	return r;
}

/* ---- the reader: inih's input, one physical line at a time ---------------
 *
 * inih parses every line: the BOM, comments (';' and '#' at the start, ';'
 * after a blank inline), "key = value" and "key: value", the blanks around
 * them and section headers. What Debian's libinih (r55) cannot give is what
 * this file adds, and only that:
 *  - the line of each key: its handler gets no line number
 *    (INI_HANDLER_LINENO is compiled 0), so the reader hands inih one line
 *    per call and counts them;
 *  - every error in one pass: inih returns the first error's line only. A
 *    line inih could read neither as blank, comment, header nor key is one
 *    the handler was not called for (line_done());
 *  - section headers: the handler is not told of them
 *    (INI_CALL_HANDLER_ON_NEW_SECTION is 0), yet an unknown, repeated or
 *    empty section is reported at its own line, and text after ']' (which
 *    inih drops without a word) is an error;
 *  - lines too long or holding a NUL byte, which inih cannot represent:
 *    reported, and inih gets an empty line in their place.
 * Nothing is loaded from a file with any error (rule_load_string()). */

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
	else if (rule_step_name_is_valid(n))
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

/* A header line "[name]" (s without leading blanks, len without trailing
 * ones), read as inih reads it, plus the checks inih leaves out. */
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

/* Line p->line is done: a line that should have held a key but reached no
 * handler call is one inih could not read. */
static void
line_done(struct parser *p)
{
	if (p->line > 0 && p->want_key && p->key_line != p->line)
		perr(p, p->line, "syntax error: expected 'key = value'");
	p->want_key = false;
}

/* Takes the next physical line: checks what inih cannot, notes a section
 * header, and sets p->cur_line/cur_len to what inih gets. Returns false at
 * the end of the text. */
static bool
next_line(struct parser *p)
{
	const char *s, *e, *nl;

	line_done(p);
	if (p->pos >= p->end)
		return false;
	s = p->pos;
	nl = memchr(s, '\n', (size_t)(p->end - s));
	e = nl != NULL ? nl : p->end;
	p->pos = nl != NULL ? nl + 1 : p->end;
	p->line++;
	p->cur_line = s;
	p->cur_len = (size_t)(p->pos - s);
	p->cur_off = 0;

	if ((size_t)(e - s) > RULE_LINE_MAX) {
		perr(p, p->line, "line too long (more than %d bytes)",
		     RULE_LINE_MAX);
		p->cur_len = 0;
		return true;
	}
	if (memchr(s, '\0', (size_t)(e - s)) != NULL) {
		perr(p, p->line, "NUL byte in line");
		p->cur_len = 0;
		return true;
	}
	/* What inih will see: after the BOM, without blanks around. */
	if (p->line == 1 && e - s >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3;
	while (s < e && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	if (s == e || *s == ';' || *s == '#')
		return true;
	if (*s == '[')
		parse_header(p, s, (size_t)(e - s));
	else
		p->want_key = true;
	return true;
}

/* inih's ini_reader: the next line, or as much of it as fits in str. An
 * empty line for one the reader refused keeps inih's count right. */
static char *
reader(char *str, int num, void *stream)
{
	struct parser *p = stream;
	size_t n;

	if (num < 2)
		return NULL;
	if (p->cur_off >= p->cur_len && !p->partial) {
		if (!next_line(p))
			return NULL;
		if (p->cur_len == 0) {
			str[0] = '\n';
			str[1] = '\0';
			return str;
		}
	}
	n = p->cur_len - p->cur_off;
	if (n > (size_t)num - 1)
		n = (size_t)num - 1;
	memcpy(str, p->cur_line + p->cur_off, n);
	str[n] = '\0';
	p->cur_off += n;
	p->partial = p->cur_off < p->cur_len;
	return str;
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

/* A [trigger] or [job] key, through the table of keys.c. */
static void
parse_key(struct parser *p, enum rule_section sec, const char *key,
	  const char *value)
{
	const struct rule_key_info *k = rule_key_find(sec, key);
	_cleanup_(freep) char *msg = NULL;
	int r;

	if (k != NULL)
		r = k->parse(p->rule, key, value, &msg);
	else if (sec == RULE_SECTION_TRIGGER)
		r = rule_key_parse_field(p->rule, key, value, &msg);
	else
		r = -ENOENT;
	if (r == -ENOENT)
		perr(p, p->line, "unknown key '%s' in [%s]", Q(key),
		     rule_section_name(sec));
	else if (r == -ENOMEM)
		oom(p);
	else if (r < 0)
		perr(p, p->line, "%s", msg);
	if (k == &rule_keys[RULE_KEY_STEPS])
		p->steps_line = p->line;
	else if (k == &rule_keys[RULE_KEY_RECOVERY])
		p->recovery_line = p->line;
	else if (k == &rule_keys[RULE_KEY_ON_FAILURE])
		p->on_failure_line = p->line;
	else if (k == &rule_keys[RULE_KEY_SENDER_AUTH])
		p->sender_auth_line = p->line;
}

static int
handler(void *user, const char *ini_section, const char *key,
	const char *value)
{
	struct parser *p = user;
	const struct section *s;

	p->key_line = p->line;
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
	if (s->kind == SECTION_STEP) {
		if (rule_add_option(p->rule, s->name, key, value, p->line) < 0)
			oom(p);
		return 1;
	}
	parse_key(p, s->kind == SECTION_TRIGGER ? RULE_SECTION_TRIGGER :
						  RULE_SECTION_JOB, key, value);
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

struct step_report {
	struct parser *p;
	unsigned section_line;
};

static void
step_report(void *userdata, unsigned line, const char *message)
{
	struct step_report *sr = userdata;

	perr(sr->p, line != 0 ? line : sr->section_line, "%s", message);
}

/* Every mistake of step `name`'s options against module m (NULL: no
 * module checks). A mistake of the whole section goes to its header line,
 * or to line when it has none. */
static void
check_step(struct parser *p, const char *name, const struct evt_action *m,
	   unsigned line)
{
	const struct section *sec = find_section(p, name);
	struct step_report sr = { p, sec != NULL ? sec->line : line };

	if (stepopts_check_options(p->rule, name, m, step_report, &sr) < 0)
		oom(p);
}

static void
check_steps(struct parser *p, char **steps, size_t n, unsigned line)
{
	const struct evt_action *m;
	char err[512];

	for (size_t i = 0; i < n; i++) {
		if (strv_has(steps, i, steps[i]))
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

	for (int sec = RULE_SECTION_TRIGGER; sec <= RULE_SECTION_JOB; sec++) {
		const struct section *s = sec == RULE_SECTION_TRIGGER ? trigger :
									job;

		if (s == NULL) {
			perr(p, 1, "missing [%s] section",
			     rule_section_name(sec));
			continue;
		}
		for (size_t i = 0; i < _RULE_KEY_MAX; i++)
			if (rule_keys[i].section == (enum rule_section)sec &&
			    rule_keys[i].required &&
			    !has_key(p, s, rule_keys[i].name))
				perr(p, s->line, "missing %s in [%s]",
				     rule_keys[i].name, rule_section_name(sec));
	}

	for (size_t i = 0; i < p->n_sections; i++) {
		const struct section *s = &p->sections[i];

		if (s->kind == SECTION_STEP &&
		    !strv_has(r->steps, r->n_steps, s->name) &&
		    !strv_has(r->recovery, r->n_recovery, s->name) &&
		    !strv_has(r->on_failure, r->n_on_failure, s->name))
			perr(p, s->line,
			     "section [%s] is not a step of this rule: it is "
			     "not in steps, recovery or on-failure", s->name);
	}
	check_steps(p, r->steps, r->n_steps, p->steps_line);
	/* Recovery steps that are also steps are checked already. */
	for (size_t i = 0; i < r->n_recovery; i++)
		if (!strv_has(r->steps, r->n_steps, r->recovery[i]) &&
		    !strv_has(r->recovery, i, r->recovery[i]))
			check_steps(p, &r->recovery[i], 1, p->recovery_line);
	for (size_t i = 0; i < r->n_on_failure; i++)
		if (!strv_has(r->steps, r->n_steps, r->on_failure[i]) &&
		    !strv_has(r->recovery, r->n_recovery, r->on_failure[i]) &&
		    !strv_has(r->on_failure, i, r->on_failure[i]))
			check_steps(p, &r->on_failure[i], 1,
				    p->on_failure_line);

	if (p->sender_auth_line != 0 && r->n_senders == 0)
		perr(p, p->sender_auth_line, "sender-auth without sender: it "
		     "says which proofs of a sender count");

	if (r->n_uids == 0 && r->n_units == 0 && r->n_senders == 0) {
		r->uids = calloc(1, sizeof(uid_t));     /* root only */
		if (r->uids == NULL)
			return oom(p);
		r->n_uids = 1;
	}
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

	/* lib's read_file opens with O_NONBLOCK and refuses what is not a
	 * regular file before reading: a FIFO in the rules directory never
	 * blocks check, run or a reload. */
	r = read_file(path, RULE_FILE_MAX, &text, &len);
	if (r < 0) {
		if (rule_errors_add(errors, "%s: cannot read: %s", path,
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
	_cleanup_(freep) char *name = NULL;
	struct parser p = { .path = path, .mods = mods, .cur = -1 };
	struct rule *packed;
	int r, k;

	if (rule_name(path, &name) < 0)
		return -ENOMEM;
	rule = rule_new(name);
	if (rule == NULL)
		return -ENOMEM;
	if (memchr(text, '\0', len) == NULL) {
		rule->text = strndup(text, len);
		if (rule->text == NULL)
			return -ENOMEM;
	}
	rule->path = strdup(path);
	if (rule->path == NULL)
		return -ENOMEM;
	if (!rule_name_is_valid(rule->name))
		perr(&p, 1,
		     "invalid rule name '%s': use letters, digits, '.', '_', "
		     "'-', '@' and '+', not starting with '.'", Q(rule->name));

	p.rule = rule;
	p.pos = text;
	p.end = text + len;
	/* Lines as long as RULE_LINE_MAX (and CR, LF, NUL) reach the handler
	 * whole, through inih's own growing buffer. Continuation lines are
	 * off: an indented key is a key. Comments, BOM, separators: inih's
	 * defaults. */
	ini_use_stack = false;
	ini_allow_realloc = true;
	ini_max_line = RULE_LINE_MAX + 3;
	ini_allow_multiline = false;
	ini_allow_bom = true;
	ini_allow_inline_comments = true;
	ini_stop_on_first_error = false;
	k = ini_parse_stream(reader, &p, handler, &p);
	if (k == -2)
		oom(&p);
	else if (k > 0 && !has_error_at(&p, (unsigned)k))
		/* inih found an error the reader did not see coming. */
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
	_cleanup_(strv_freep) char **names = NULL;
	size_t n_names = 0;
	struct dirent *de;
	DIR *d;
	int r = 0;

	d = opendir(dir);
	if (d == NULL) {
		r = -errno;
		if (rule_errors_add(errors, "%s: cannot open: %s", dir,
				    strerror(-r)) < 0)
			return -ENOMEM;
		return r;
	}
	/* An empty vector, not NULL, for a directory without rules. */
	names = calloc(1, sizeof(char *));
	if (names == NULL)
		r = -ENOMEM;
	while (r == 0 && (errno = 0, de = readdir(d)) != NULL)
		if (is_rule_file(de->d_name))
			r = strv_extend(&names, &n_names, de->d_name);
	if (r == 0 && errno != 0) {
		r = -errno;
		if (rule_errors_add(errors, "%s: cannot read: %s", dir,
				    strerror(-r)) < 0)
			r = -ENOMEM;
	}
	closedir(d);
	if (r < 0)
		return r;
	qsort(names, n_names, sizeof(char *), cmp_str);
	*ret = TAKE_PTR(names);
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
	strv_free(names);
	return r;
}

