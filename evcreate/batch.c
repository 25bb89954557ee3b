/* evcreate --batch: the line format and the loop (see batch.h). */
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "batch.h"
#include "options.h"
#include "quote.h"

static int _printf_(3, 4)
fail(int code, char **ret_msg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(ret_msg, fmt, ap) < 0)
		*ret_msg = NULL;
	va_end(ap);
	return code;
}

static bool
is_skipped(const char *line)
{
	line += strspn(line, " \t");
	return *line == '\0' || *line == '#';
}

/* Whether key names an event value (any lower-case letter) rather than an
 * extra field: "Type" is a misspelt key, not a field name. */
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
	e->type = d->type;
	e->id = d->id;
	if ((d->source != NULL && event_set_source(e, d->source) < 0) ||
	    event_set_log(e, d->log) < 0 ||
	    (d->description != NULL &&
	     event_set_description(e, d->description) < 0))
		return -ENOMEM;
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

/* Applies one KEY=VALUE word to e. seen[] tracks the value keys given. */
static int
apply_word(struct event *e, const char *word, unsigned *seen, char **ret_msg)
{
	static const char *const keys[] = { "type", "id", "source", "log",
					    "description" };
	char q[EVC_QUOTE_MAX];
	_cleanup_(freep) char *key = NULL;
	const char *eq = strchr(word, '=');

	if (eq == NULL || eq == word)
		return fail(EVC_EXIT_INVALID, ret_msg,
			    "invalid word '%s': must be KEY=VALUE",
			    evc_quote(word, q));
	if (!is_value_key(word, (size_t)(eq - word)))
		return evc_add_field(e, word, ret_msg);
	key = strndup(word, (size_t)(eq - word));
	if (key == NULL)
		return fail(EVC_EXIT_WRITE, ret_msg, "out of memory");
	for (unsigned k = 0; k < ELEMENTSOF(keys); k++)
		if (streq(key, keys[k])) {
			if (*seen & (1u << k))
				return fail(EVC_EXIT_INVALID, ret_msg,
					    "key %s given twice", key);
			*seen |= 1u << k;
		}
	return evc_set_value(e, key, eq + 1, ret_msg);
}

int
evc_batch_parse_line(const char *line, const struct event *defaults,
		     struct event **ret, char **ret_msg)
{
	_cleanup_(strv_freep) char **words = NULL;
	_cleanup_(event_freep) struct event *e = NULL;
	unsigned seen = 0;
	int code, r;

	if (is_skipped(line)) {
		*ret = NULL;
		return EVC_EXIT_OK;
	}
	r = parse_words(line, &words, NULL);
	if (r == -EINVAL)
		return fail(EVC_EXIT_INVALID, ret_msg,
			    "unterminated double quote");
	if (r < 0 || event_from_defaults(defaults, &e) < 0)
		return fail(EVC_EXIT_WRITE, ret_msg, "out of memory");
	for (char **w = words; *w != NULL; w++) {
		code = apply_word(e, *w, &seen, ret_msg);
		if (code != EVC_EXIT_OK)
			return code;
	}
	/* The defaults' extra fields, unless the line gave its own. */
	for (size_t i = 0; i < defaults->n_extra; i++) {
		if (has_field(e, defaults->extra[i].name))
			continue;
		r = event_add_field(e, defaults->extra[i].name,
				    defaults->extra[i].value);
		if (r == -E2BIG)
			return fail(EVC_EXIT_INVALID, ret_msg,
				    "too many fields: at most %d",
				    EVENT_EXTRA_MAX);
		if (r < 0)
			return fail(EVC_EXIT_WRITE, ret_msg, "out of memory");
	}
	if (e->id == 0)
		return fail(EVC_EXIT_INVALID, ret_msg,
			    "no event id given (id=N)");
	if (e->description == NULL)
		return fail(EVC_EXIT_INVALID, ret_msg,
			    "no description given (description=TEXT)");
	*ret = TAKE_PTR(e);
	return EVC_EXIT_OK;
}

static void
strip_newline(char *line, ssize_t *len)
{
	if (*len > 0 && line[*len - 1] == '\n')
		line[--*len] = '\0';
	if (*len > 0 && line[*len - 1] == '\r')
		line[--*len] = '\0';
}

int
evc_batch_run(FILE *f, const char *name, const struct event *defaults,
	      struct evc_writer *w, FILE *err)
{
	_cleanup_(freep) char *line = NULL;
	size_t cap = 0, lineno = 0, written = 0, failed = 0;
	ssize_t len;
	int code = EVC_EXIT_OK;

	while ((len = getline(&line, &cap, f)) >= 0) {
		_cleanup_(event_freep) struct event *e = NULL;
		_cleanup_(freep) char *msg = NULL;
		int r;

		lineno++;
		strip_newline(line, &len);
		if ((size_t)len != strlen(line))
			r = fail(EVC_EXIT_INVALID, &msg,
				 "line contains a NUL byte");
		else
			r = evc_batch_parse_line(line, defaults, &e, &msg);
		if (r == EVC_EXIT_OK && e == NULL)
			continue;
		if (r == EVC_EXIT_OK)
			r = evc_writer_check(w, e, &msg);
		if (r == EVC_EXIT_OK) {
			int wr = evc_writer_write(w, e);

			if (wr < 0) {
				r = evc_writer_error(w, wr, &msg);
				if (evc_writer_error_is_fatal(wr)) {
					fprintf(err, "evcreate: %s:%zu: %s; "
						"stopped after %zu events\n",
						name, lineno,
						msg ? msg : "out of memory",
						written);
					return r;
				}
			}
		}
		if (r != EVC_EXIT_OK) {
			fprintf(err, "evcreate: %s:%zu: %s\n", name, lineno,
				msg ? msg : "out of memory");
			failed++;
			continue;
		}
		written++;
	}
	if (ferror(f)) {
		fprintf(err, "evcreate: %s: read error after line %zu: %s; "
			"%zu events written\n", name, lineno,
			strerror(errno), written);
		return EVC_EXIT_WRITE;
	}
	if (failed > 0) {
		fprintf(err, "evcreate: %s: %zu of %zu lines failed, %zu "
			"events written\n", name, failed, failed + written, written);
		code = EVC_EXIT_BATCH;
	}
	return code;
}
