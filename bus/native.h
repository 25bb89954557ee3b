/* journald's native protocol, the datagram lib/journal-send.c makes: parsing
 * one into its fields and making one from fields. evtrigger-bus carries
 * events in it (evtrigger-bus(8)). Never logs. */
#ifndef EVT_BUS_NATIVE_H
#define EVT_BUS_NATIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* Longest field name evtrigger-bus accepts (journald's own limit). */
#define NATIVE_NAME_MAX 64

struct native_field {
	char *name;
	char *value;            /* NUL-terminated; holds no NUL itself */
	size_t value_len;
};

struct native_msg {
	struct native_field *fields;
	size_t n_fields;
};

/* Parses data[0..len): fields "NAME=value\n", or "NAME\n" + 64-bit little
 * endian length + value + "\n". Every field must end with its "\n"; a value
 * must hold no NUL; a name must be non-empty and hold no '=' or NUL (whether
 * it is a good name is native_name_check's). At most max_fields fields.
 * Returns 0 with *ret filled (free with native_msg_clear), or -EBADMSG with
 * a static description in *ret_error, or -ENOMEM; *ret untouched on error. */
int native_parse(const char *data, size_t len, size_t max_fields,
		 struct native_msg *ret, const char **ret_error);

/* Frees the fields of m and empties it. */
void native_msg_clear(struct native_msg *m);

/* The value of the first field named name, or NULL. */
const char *native_get(const struct native_msg *m, const char *name);

/* Whether name is a field name evtrigger-bus carries: [A-Z0-9_], 1..64
 * bytes, not starting with '_' or a digit. 0 or -EINVAL. */
int native_name_check(const char *name);

/* Appends one field to the buffer *buf of *len bytes (realloc'd), in the
 * text form or, when value holds a newline, the binary form. 0 or -ENOMEM
 * (*buf, *len then unchanged in meaning: the old content stays). */
int native_append(char **buf, size_t *len, const char *name,
		  const char *value, size_t value_len);

/* The datagram of m's fields in order. 0 or -ENOMEM. */
int native_format(const struct native_msg *m, char **ret, size_t *ret_len);

#endif
