/* Parsers for the typed values of rule options (enum evt_option_type):
 * booleans, integers, durations, sizes and word lists. Never logs. */
#ifndef EVT_OPTIONS_H
#define EVT_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "macro.h"
#include "strv.h"

/* "yes/no", "true/false", "on/off", "1/0" (any case). 0 or -EINVAL. */
int parse_bool(const char *s, int *ret);
/* A decimal integer, optional sign. 0, -EINVAL or -ERANGE. */
int parse_int(const char *s, int64_t *ret);
/* "90" (seconds), "90s", "15m", "2h", "1d", "500ms", or several summed:
 * "1h 30m". 0, -EINVAL or -ERANGE. */
int parse_duration(const char *s, uint64_t *ret_usec);
/* "4096", "10K", "20M", "1G", "2T" (powers of 1024; "KiB" etc. too).
 * 0, -EINVAL or -ERANGE. */
int parse_size(const char *s, uint64_t *ret_bytes);
/* Splits s into words at spaces and tabs; "double quotes" keep spaces inside
 * a word, \" and \\ escape. *ret is a NULL-terminated malloc'd vector (free
 * with strv_free). 0, -EINVAL (unterminated quote) or -ENOMEM. */
int parse_words(const char *s, char ***ret, size_t *ret_n);

/* Declared in time.h, which holds it; repeated here for the callers that
 * do not include time.h yet. */
char *format_duration(uint64_t usec, char *buf, size_t size);

#endif
