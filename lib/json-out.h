/* Writing JSON text for --json outputs: strings escaped per RFC 8259. Never
 * logs. */
#ifndef EVT_JSON_OUT_H
#define EVT_JSON_OUT_H

#include <stdint.h>
#include <stdio.h>

/* Writes s as a JSON string (with quotes); NULL as null. Bytes that are not
 * valid UTF-8 are written as U+FFFD. */
void json_put_string(FILE *f, const char *s);
/* Writes "key": and then the value. */
void json_put_key_string(FILE *f, const char *key, const char *value);
void json_put_key_uint(FILE *f, const char *key, uint64_t value);

#endif
