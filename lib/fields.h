/* A list of NAME=VALUE pairs: the fields of one journal entry or event, as
 * rules match them and jobs receive them. Never logs. */
#ifndef EVT_FIELDS_H
#define EVT_FIELDS_H

#include <stddef.h>

#include "macro.h"

struct fields {
	char **names;
	char **values;
	size_t n;
};

/* A new, empty list; NULL on ENOMEM. */
struct fields *fields_new(void);
void fields_free(struct fields *f);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct fields *, fields_free)

/* Adds NAME=VALUE (copies both). A name given twice keeps the first value,
 * as journal matching on the first occurrence does. Returns 0 or -ENOMEM. */
int fields_add(struct fields *f, const char *name, const char *value);
/* Adds "NAME=VALUE" of length len (a journal data object; value may hold
 * any bytes, it is cut at the first NUL). -EINVAL without '='. */
int fields_add_data(struct fields *f, const void *data, size_t len);
/* The first value of name, or NULL. */
const char *fields_get(const struct fields *f, const char *name);

#endif
