/* Quoting what a user or a sender wrote, for an error message: safe to print
 * on a terminal or to send back on one line, and short. Never logs. */
#ifndef EVC_QUOTE_H
#define EVC_QUOTE_H

/* Room for EVC_QUOTE_SHOWN bytes of input, each escaped to at most 4 bytes,
 * "..." and the NUL. */
#define EVC_QUOTE_SHOWN 64
#define EVC_QUOTE_MAX   (EVC_QUOTE_SHOWN * 4 + 4)

/* Copies s into buf with bytes that are not printable ASCII or part of valid
 * UTF-8 written as \xNN, a backslash as \\, a single quote as \', and cut
 * after EVC_QUOTE_SHOWN bytes of input with "..." appended. Returns buf. */
const char *evc_quote(const char *s, char buf[EVC_QUOTE_MAX]);

/* The value 0..15 of the hex digit c (either case), or -1: for reading back
 * \xNN escapes and hex fingerprints. */
int hex_digit(char c);

#endif
