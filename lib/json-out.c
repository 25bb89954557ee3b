/* Writing JSON text (see json-out.h). */
#include <string.h>

#include "event.h"
#include "json-out.h"

/* The length of the valid UTF-8 sequence at s, or 0. */
static size_t
utf8_seq_len(const unsigned char *s)
{
	size_t n = *s < 0x80 ? 1 : (*s & 0xe0) == 0xc0 ? 2 :
		   (*s & 0xf0) == 0xe0 ? 3 : (*s & 0xf8) == 0xf0 ? 4 : 0;

	for (size_t i = 1; i < n; i++)
		if (s[i] == '\0')
			return 0;
	if (n == 0 || !utf8_is_valid((const char *)s, n))
		return 0;
	return n;
}

void
json_put_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (s == NULL) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	while (*p) {
		size_t n;

		if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p++);
			continue;
		}
		if (*p == '\n') {
			fputs("\\n", f);
			p++;
			continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p++);
			continue;
		}
		n = utf8_seq_len(p);
		if (n == 0) {
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		fwrite(p, 1, n, f);
		p += n;
	}
	fputc('"', f);
}

void
json_put_key_string(FILE *f, const char *key, const char *value)
{
	json_put_string(f, key);
	fputc(':', f);
	json_put_string(f, value);
}

void
json_put_key_uint(FILE *f, const char *key, uint64_t value)
{
	json_put_string(f, key);
	fprintf(f, ":%llu", (unsigned long long)value);
}
