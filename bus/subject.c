/* Names on NATS (see subject.h). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "subject.h"

static bool
plain(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

int
subject_encode(const char *s, char esc, char **ret)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out = malloc(3 * n + 2), *p = out;

	if (out == NULL)
		return -ENOMEM;
	if (n == 0)
		*p++ = esc;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (plain(*c)) {
			*p++ = (char)*c;
			continue;
		}
		*p++ = esc;
		*p++ = hex[*c >> 4];
		*p++ = hex[*c & 15];
	}
	*p = '\0';
	*ret = out;
	return 0;
}

int
subject_for_event(const char *sender, const char *vm, char **ret)
{
	_cleanup_(freep) char *s = NULL, *v = NULL;

	if (subject_encode(sender, '%', &s) < 0)
		return -ENOMEM;
	if (vm != NULL && subject_encode(vm, '%', &v) < 0)
		return -ENOMEM;
	if (asprintf(ret, SUBJECT_PREFIX ".%s.%s", s,
		     v != NULL ? v : SUBJECT_NO_VM) < 0)
		return -ENOMEM;
	return 0;
}

int
subject_consumer_name(const char *host, char **ret)
{
	_cleanup_(freep) char *h = NULL;

	if (subject_encode(host, '%', &h) < 0 ||
	    asprintf(ret, "host-%s", h) < 0)
		return -ENOMEM;
	return 0;
}

int
subject_kv_key(const char *vm, char **ret)
{
	return subject_encode(vm, '=', ret);
}
