/* A small JSON reader for what qemu-img prints (--output=json): parses a
 * whole document into a tree of values (jsonv: JSON value; the writer of
 * --json outputs is lib/json-out.h) and looks them up by key. Never logs. */
#ifndef EVT_JSONV_H
#define EVT_JSONV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

enum jsonv_type {
	JSONV_NULL,
	JSONV_BOOL,
	JSONV_NUMBER,
	JSONV_STRING,
	JSONV_ARRAY,
	JSONV_OBJECT,
};

struct jsonv {
	enum jsonv_type type;
	bool boolean;
	int64_t integer;        /* JSONV_NUMBER: the value, if integral */
	bool is_integer;        /* false for fractions, exponents, overflow */
	char *string;           /* JSONV_STRING: decoded, NUL-terminated */
	char **keys;            /* JSONV_OBJECT: n keys, parallel to items */
	struct jsonv **items;    /* JSONV_ARRAY, JSONV_OBJECT: n values */
	size_t n;
};

/* Parses text (NUL-terminated) as one JSON value with nothing but blanks
 * after it. Returns 0 with *ret set, -EINVAL if it is not JSON, -E2BIG if
 * nested deeper than 64 levels, -ENOMEM. */
int jsonv_parse(const char *text, struct jsonv **ret);
void jsonv_free(struct jsonv *j);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct jsonv *, jsonv_free)

/* The member key of object j, or NULL (also when j is NULL or no object). */
const struct jsonv *jsonv_get(const struct jsonv *j, const char *key);
/* The string member key of object j, or NULL if absent or not a string. */
const char *jsonv_get_string(const struct jsonv *j, const char *key);
/* The integer member key of object j: 0, or -ENOENT if absent, -EINVAL if it
 * is not an integer. *ret untouched on failure. */
int jsonv_get_int(const struct jsonv *j, const char *key, int64_t *ret);

#endif
