/* Quoting user input for error messages (see quote.h). */
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "quote.h"

/* Length of the valid UTF-8 sequence of 2..4 bytes at s, or 0. */
static size_t
utf8_seq_len(const char *s)
{
	unsigned char c = (unsigned char)s[0];
	size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;

	if (n == 0 || strnlen(s, n) < n || !utf8_is_valid(s, n))
		return 0;
	return n;
}

const char *
evc_quote(const char *s, char buf[EVC_QUOTE_MAX])
{
	size_t in = 0, out = 0;

	while (in < EVC_QUOTE_SHOWN && s[in] != '\0') {
		unsigned char c = (unsigned char)s[in];
		size_t n = c >= 0x80 ? utf8_seq_len(s + in) : 0;

		if (n > 0 && in + n <= EVC_QUOTE_SHOWN) {
			memcpy(buf + out, s + in, n);
			out += n;
			in += n;
			continue;
		}
		if (c == '\\' || c == '\'') {
			buf[out++] = '\\';
			buf[out++] = (char)c;
		} else if (c >= 0x20 && c < 0x7f)
			buf[out++] = (char)c;
		else
			out += (size_t)snprintf(buf + out, 5, "\\x%02x", c);
		in++;
	}
	if (s[in] != '\0') {
		memcpy(buf + out, "...", 3);
		out += 3;
	}
	buf[out] = '\0';
	return buf;
}

int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
