/* String vectors (see strv.h). */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "strv.h"

void
strv_free(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p != NULL; p++)
		free(*p);
	free(v);
}

size_t
strv_length(char *const *v)
{
	size_t n = 0;

	if (v != NULL)
		while (v[n] != NULL)
			n++;
	return n;
}

int
strv_push(char ***v, size_t *n, char *s)
{
	char **nv;

	if (s == NULL)
		return -ENOMEM;
	nv = reallocarray(*v, *n + 2, sizeof(char *));
	if (nv == NULL) {
		free(s);
		return -ENOMEM;
	}
	nv[*n] = s;
	nv[*n + 1] = NULL;
	*v = nv;
	(*n)++;
	return 0;
}

int
strv_extend(char ***v, size_t *n, const char *s)
{
	return strv_push(v, n, strdup(s));
}

int
strv_extendf(char ***v, size_t *n, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	return strv_push(v, n, s);
}

bool
strv_has(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (streq(v[i], s))
			return true;
	return false;
}
