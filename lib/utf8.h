/* UTF-8 validation, as RFC 3629 defines it. Never logs. */
#ifndef EVT_UTF8_H
#define EVT_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether s[0..len) is valid UTF-8: no overlong forms, no surrogates, nothing
 * above U+10FFFF. A NUL byte is valid (callers that refuse it check it). */
bool utf8_is_valid(const char *s, size_t len);

#endif
