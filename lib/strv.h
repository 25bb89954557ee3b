/* String vectors: malloc'd, NULL-terminated arrays of malloc'd strings, grown
 * one string at a time with the count kept beside them. Never logs. */
#ifndef EVT_STRV_H
#define EVT_STRV_H

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* Frees every string of v and v itself. NULL is fine. */
void strv_free(char **v);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free)

/* The number of strings before the NULL; 0 for NULL. */
size_t strv_length(char *const *v);

/* Appends s (which the vector now owns) to *v of *n strings, keeping it
 * NULL-terminated; *v may be NULL with *n 0. s NULL (a failed strdup or
 * asprintf) gives -ENOMEM. On -ENOMEM s is freed and *v, *n are unchanged. */
int strv_push(char ***v, size_t *n, char *s);
/* Appends a copy of s. 0 or -ENOMEM (*v, *n unchanged). */
int strv_extend(char ***v, size_t *n, const char *s);
/* Appends a formatted string. 0 or -ENOMEM (*v, *n unchanged). */
int strv_extendf(char ***v, size_t *n, const char *fmt, ...) _printf_(3, 4);

/* Whether one of v[0..n) equals s. */
bool strv_has(char *const *v, size_t n, const char *s);

#endif
