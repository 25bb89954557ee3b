/* A small JSON reader for what qemu-img prints (--output=json): parses a
 * whole document into a tree and looks values up by key. Never logs. */
#ifndef EVT_JSON_H
#define EVT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json {
	enum json_type type;
	bool boolean;
	int64_t integer;        /* JSON_NUMBER: the value, if integral */
	bool is_integer;        /* false for fractions, exponents, overflow */
	char *string;           /* JSON_STRING: decoded, NUL-terminated */
	char **keys;            /* JSON_OBJECT: n keys, parallel to items */
	struct json **items;    /* JSON_ARRAY, JSON_OBJECT: n values */
	size_t n;
};

/* Parses text (NUL-terminated) as one JSON value with nothing but blanks
 * after it. Returns 0 with *ret set, -EINVAL if it is not JSON, -E2BIG if
 * nested deeper than 64 levels, -ENOMEM. */
int json_parse(const char *text, struct json **ret);
void json_free(struct json *j);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct json *, json_free)

/* The member key of object j, or NULL (also when j is NULL or no object). */
const struct json *json_get(const struct json *j, const char *key);
/* The string member key of object j, or NULL if absent or not a string. */
const char *json_get_string(const struct json *j, const char *key);
/* The integer member key of object j: 0, or -ENOENT if absent, -EINVAL if it
 * is not an integer. *ret untouched on failure. */
int json_get_int(const struct json *j, const char *key, int64_t *ret);

#endif
