/* The rule model (see rule.h): building a struct rule, freeing it, packing
 * a loaded rule into one allocation, and reading it back (options, matches,
 * the IDs of a set). */
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "rules/rule.h"
#include "strv.h"

#define RULE_NAME_MAX   64              /* bytes of a rule's name */

struct rule *
rule_new(const char *name)
{
	_cleanup_(rule_freep) struct rule *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->type = -1;
	r->name = strdup(name);
	if (r->name == NULL)
		return NULL;
	return TAKE_PTR(r);
}

int
rule_add_match(struct rule *r, const char *field, const char *pattern)
{
	_cleanup_(freep) char *f = strdup(field), *p = strdup(pattern);
	struct rule_match *m;

	if (f == NULL || p == NULL)
		return -ENOMEM;
	m = reallocarray(r->matches, r->n_matches + 1, sizeof(*m));
	if (m == NULL)
		return -ENOMEM;
	r->matches = m;
	r->matches[r->n_matches++] = (struct rule_match){
		TAKE_PTR(f), TAKE_PTR(p), strpbrk(pattern, "*?[") != NULL
	};
	return 0;
}

int
rule_add_option(struct rule *r, const char *section, const char *key,
		const char *value, unsigned line)
{
	_cleanup_(freep) char *s = strdup(section), *k = strdup(key),
			      *v = strdup(value);
	struct rule_option *o;

	if (s == NULL || k == NULL || v == NULL)
		return -ENOMEM;
	o = reallocarray(r->options, r->n_options + 1, sizeof(*o));
	if (o == NULL)
		return -ENOMEM;
	r->options = o;
	r->options[r->n_options++] = (struct rule_option){
		TAKE_PTR(s), TAKE_PTR(k), TAKE_PTR(v), line
	};
	return 0;
}

int
rule_add_step(struct rule *r, const char *step)
{
	return strv_extend(&r->steps, &r->n_steps, step);
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
	strv_free(r->units);
	strv_free(r->senders);
	free(r->host);
	free(r->vm);
	free(r->connect);
	strv_free(r->steps);
	strv_free(r->recovery);
	strv_free(r->on_failure);
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

int
rule_errors_add(struct rule_errors *e, const char *fmt, ...)
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
	char **units, **senders, **steps, **recovery, **on_failure;
	char *name, *path, *vm, *connect, *text, *host;

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
	on_failure = pack_strv(k, r->on_failure, r->n_on_failure);
	name = pack_str(k, r->name);
	path = pack_str(k, r->path);
	vm = pack_str(k, r->vm);
	connect = pack_str(k, r->connect);
	text = pack_str(k, r->text);
	host = pack_str(k, r->host);
	if (n == NULL)
		return NULL;
	n->matches = m;
	n->options = o;
	n->uids = u;
	n->units = units;
	n->senders = senders;
	n->steps = steps;
	n->recovery = recovery;
	n->on_failure = on_failure;
	n->name = name;
	n->path = path;
	n->vm = vm;
	n->connect = connect;
	n->text = text;
	n->host = host;
	n->packed = true;
	return n;
}

struct rule *
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

