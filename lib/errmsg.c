/* Error messages handed to the caller (see errmsg.h). */
#include <stdarg.h>
#include <stdio.h>

#include "errmsg.h"

int
failf(int code, char **ret_msg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(ret_msg, fmt, ap) < 0)
		*ret_msg = NULL;
	va_end(ap);
	return code;
}
