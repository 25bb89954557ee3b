/* A list of NAME=VALUE pairs (see fields.h). */
#include <string.h>

#include "fields.h"

struct fields *
fields_new(void)
{
	return calloc(1, sizeof(struct fields));
}

void
fields_free(struct fields *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->names[i]);
		free(f->values[i]);
	}
	free(f->names);
	free(f->values);
	free(f);
}

const char *
fields_get(const struct fields *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (streq(f->names[i], name))
			return f->values[i];
	return NULL;
}

static int
fields_add_n(struct fields *f, const char *name, size_t name_len,
	     const char *value, size_t value_len)
{
	_cleanup_(freep) char *n = NULL;
	_cleanup_(freep) char *v = NULL;
	char **names, **values;

	n = strndup(name, name_len);
	v = strndup(value, value_len);
	if (n == NULL || v == NULL)
		return -ENOMEM;
	if (fields_get(f, n) != NULL)
		return 0;
	names = reallocarray(f->names, f->n + 1, sizeof(char *));
	if (names == NULL)
		return -ENOMEM;
	f->names = names;
	values = reallocarray(f->values, f->n + 1, sizeof(char *));
	if (values == NULL)
		return -ENOMEM;
	f->values = values;
	f->names[f->n] = TAKE_PTR(n);
	f->values[f->n] = TAKE_PTR(v);
	f->n++;
	return 0;
}

int
fields_add(struct fields *f, const char *name, const char *value)
{
	return fields_add_n(f, name, strlen(name), value, strlen(value));
}

int
fields_add_data(struct fields *f, const void *data, size_t len)
{
	const char *d = data;
	const char *eq = memchr(d, '=', len);

	if (eq == NULL || eq == d)
		return -EINVAL;
	return fields_add_n(f, d, (size_t)(eq - d), eq + 1,
			    len - (size_t)(eq - d) - 1);
}
