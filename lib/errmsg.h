/* Error messages handed to the caller: a function that fails with a reason
 * formats it into *ret_msg and returns its code in one statement. Never
 * logs. */
#ifndef EVT_ERRMSG_H
#define EVT_ERRMSG_H

#include "macro.h"

/* Sets *ret_msg to the formatted message (malloc'd; NULL when out of
 * memory) and returns code, whatever it is (an exit code, a -errno). */
int failf(int code, char **ret_msg, const char *fmt, ...) _printf_(3, 4);

#endif
