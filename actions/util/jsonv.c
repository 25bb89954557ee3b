/* A small recursive-descent JSON reader (see jsonv.h). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "jsonv.h"

#define JSON_MAX_DEPTH 64

struct parser {
	const char *p;
	unsigned depth;
};

void
jsonv_free(struct jsonv *j)
{
	if (j == NULL)
		return;
	free(j->string);
	for (size_t i = 0; i < j->n; i++) {
		if (j->keys != NULL)
			free(j->keys[i]);
		jsonv_free(j->items[i]);
	}
	free(j->keys);
	free(j->items);
	free(j);
}

static void
skip_blanks(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' ||
	       *ps->p == '\r')
		ps->p++;
}

static int parse_value(struct parser *ps, struct jsonv **ret);

static int
hex4(const char *s, unsigned *ret)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -EINVAL;
	}
	*ret = v;
	return 0;
}

static size_t
utf8_put(char *out, unsigned cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Parses a string at ps->p (which is at '"') into a malloc'd buffer. A
 * decoded string is never longer than its escaped form, so one allocation of
 * the raw length is enough. \u0000 is refused: it would cut the C string. */
static int
parse_string(struct parser *ps, char **ret)
{
	const char *s = ps->p + 1, *end = s;
	_cleanup_(freep) char *out = NULL;
	size_t n = 0;

	while (*end != '"') {
		if (*end == '\0')
			return -EINVAL;
		if (*end == '\\' && end[1] != '\0')
			end++;
		end++;
	}
	out = malloc((size_t)(end - s) + 1);
	if (out == NULL)
		return -ENOMEM;
	while (s < end) {
		unsigned cp, lo;

		if ((unsigned char)*s < 0x20)
			return -EINVAL;
		if (*s != '\\') {
			out[n++] = *s++;
			continue;
		}
		s++;
		switch (*s++) {
		case '"': out[n++] = '"'; break;
		case '\\': out[n++] = '\\'; break;
		case '/': out[n++] = '/'; break;
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'u':
			if (end - s < 4 || hex4(s, &cp) < 0 || cp == 0)
				return -EINVAL;
			s += 4;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (end - s < 6 || s[0] != '\\' || s[1] != 'u' ||
				    hex4(s + 2, &lo) < 0 || lo < 0xdc00 ||
				    lo > 0xdfff)
					return -EINVAL;
				s += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp <= 0xdfff)
				return -EINVAL;
			n += utf8_put(out + n, cp);
			break;
		default:
			return -EINVAL;
		}
	}
	out[n] = '\0';
	ps->p = end + 1;
	*ret = TAKE_PTR(out);
	return 0;
}

static int
parse_number(struct parser *ps, struct jsonv *j)
{
	const char *s = ps->p;
	char *end;
	long long v;
	bool integral = true;

	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return -EINVAL;
	if (*s == '.') {
		integral = false;
		s++;
		if (!(*s >= '0' && *s <= '9'))
			return -EINVAL;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		integral = false;
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return -EINVAL;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	j->type = JSONV_NUMBER;
	if (integral) {
		errno = 0;
		v = strtoll(ps->p, &end, 10);
		if (errno == 0 && end == s) {
			j->integer = v;
			j->is_integer = true;
		}
	}
	ps->p = s;
	return 0;
}

static int
append(struct jsonv *j, char *key, struct jsonv *item)
{
	struct jsonv **items;

	items = reallocarray(j->items, j->n + 1, sizeof(*items));
	if (items == NULL)
		return -ENOMEM;
	j->items = items;
	if (j->type == JSONV_OBJECT) {
		char **keys = reallocarray(j->keys, j->n + 1, sizeof(*keys));

		if (keys == NULL)
			return -ENOMEM;
		j->keys = keys;
		j->keys[j->n] = key;
	}
	j->items[j->n++] = item;
	return 0;
}

/* Parses the members of an array or object; ps->p is just past the opening
 * bracket. */
static int
parse_container(struct parser *ps, struct jsonv *j, char close)
{
	skip_blanks(ps);
	if (*ps->p == close) {
		ps->p++;
		return 0;
	}
	for (;;) {
		_cleanup_(freep) char *key = NULL;
		_cleanup_(jsonv_freep) struct jsonv *item = NULL;
		int r;

		skip_blanks(ps);
		if (j->type == JSONV_OBJECT) {
			if (*ps->p != '"')
				return -EINVAL;
			r = parse_string(ps, &key);
			if (r < 0)
				return r;
			skip_blanks(ps);
			if (*ps->p != ':')
				return -EINVAL;
			ps->p++;
		}
		r = parse_value(ps, &item);
		if (r < 0)
			return r;
		r = append(j, key, item);
		if (r < 0)
			return r;
		TAKE_PTR(key);
		TAKE_PTR(item);
		skip_blanks(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == close) {
			ps->p++;
			return 0;
		}
		return -EINVAL;
	}
}

static int
parse_value(struct parser *ps, struct jsonv **ret)
{
	_cleanup_(jsonv_freep) struct jsonv *j = NULL;
	int r = 0;

	if (ps->depth >= JSON_MAX_DEPTH)
		return -E2BIG;
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		return -ENOMEM;
	skip_blanks(ps);
	switch (*ps->p) {
	case '{':
	case '[':
		j->type = *ps->p == '{' ? JSONV_OBJECT : JSONV_ARRAY;
		ps->p++;
		ps->depth++;
		r = parse_container(ps, j, j->type == JSONV_OBJECT ? '}' : ']');
		ps->depth--;
		break;
	case '"':
		j->type = JSONV_STRING;
		r = parse_string(ps, &j->string);
		break;
	case 't':
	case 'f':
	case 'n':
		if (strncmp(ps->p, "true", 4) == 0) {
			j->type = JSONV_BOOL;
			j->boolean = true;
			ps->p += 4;
		} else if (strncmp(ps->p, "false", 5) == 0) {
			j->type = JSONV_BOOL;
			ps->p += 5;
		} else if (strncmp(ps->p, "null", 4) == 0) {
			j->type = JSONV_NULL;
			ps->p += 4;
		} else
			r = -EINVAL;
		break;
	default:
		r = parse_number(ps, j);
	}
	if (r < 0)
		return r;
	*ret = TAKE_PTR(j);
	return 0;
}

int
jsonv_parse(const char *text, struct jsonv **ret)
{
	struct parser ps = { .p = text };
	_cleanup_(jsonv_freep) struct jsonv *j = NULL;
	int r;

	r = parse_value(&ps, &j);
	if (r < 0)
		return r;
	skip_blanks(&ps);
	if (*ps.p != '\0')
		return -EINVAL;
	*ret = TAKE_PTR(j);
	return 0;
}

const struct jsonv *
jsonv_get(const struct jsonv *j, const char *key)
{
	if (j == NULL || j->type != JSONV_OBJECT)
		return NULL;
	for (size_t i = 0; i < j->n; i++)
		if (streq(j->keys[i], key))
			return j->items[i];
	return NULL;
}

const char *
jsonv_get_string(const struct jsonv *j, const char *key)
{
	const struct jsonv *v = jsonv_get(j, key);

	return v != NULL && v->type == JSONV_STRING ? v->string : NULL;
}

int
jsonv_get_int(const struct jsonv *j, const char *key, int64_t *ret)
{
	const struct jsonv *v = jsonv_get(j, key);

	if (v == NULL)
		return -ENOENT;
	if (v->type != JSONV_NUMBER || !v->is_integer)
		return -EINVAL;
	*ret = v->integer;
	return 0;
}
