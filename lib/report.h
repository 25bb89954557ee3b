/* Reporting an error once, at a program's top level, in the shape of
 * systemd's `return log_error_errno(r, "...")`: one line on stderr,
 * "PROG: MESSAGE: STRERROR", and the error handed back. For programs only:
 * lib code never logs, it returns -errno for its caller to report. */
#ifndef EVT_REPORT_H
#define EVT_REPORT_H

#include <stdarg.h>

#include "macro.h"

/* Prints "PROG: MESSAGE: strerror(-r)" (PROG is the program's short name)
 * and returns r, a -errno. r 0 or positive prints no ": ..." part. Keeps
 * errno. */
int report_errno(int r, const char *fmt, ...) _printf_(2, 3);
/* Prints "PROG: MESSAGE" and returns r (any value: an exit code, a -errno
 * that needs no strerror). Keeps errno. */
int report_error(int r, const char *fmt, ...) _printf_(2, 3);

#endif
