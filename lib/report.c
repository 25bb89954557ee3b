/* Reporting an error once at a program's top level (see report.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "report.h"

static void
vreport(int r, bool with_errno, const char *fmt, va_list ap)
{
	int saved = errno;
	char msg[2048];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* One write per line, so that lines of two processes do not mix. */
	if (with_errno && r < 0)
		fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name,
			msg, strerror(-r));
	else
		fprintf(stderr, "%s: %s\n", program_invocation_short_name, msg);
	errno = saved;
}

int
report_errno(int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(r, true, fmt, ap);
	va_end(ap);
	return r;
}

int
report_error(int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(r, false, fmt, ap);
	va_end(ap);
	return r;
}
