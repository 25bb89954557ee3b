/* libFuzzer harness for the JSON reader of actions/util/jsonv.c and the
 * qemu-img output parsers above it (qemuimg_*_from_json): qemu-img's output
 * carries strings from image headers a guest can write (a backing file
 * name), so the reader sees hostile bytes. Oracle: a document that parses is
 * written out again by an independent serializer below, parsed back, and
 * must give the same tree; the qemu-img parsers must return 0 or -EINVAL
 * and, on 0, hold strings that are NUL-free C strings. */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsonv.h"
#include "util/qemuimg.h"

static void
put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void
put(FILE *f, const struct jsonv *j)
{
	switch (j->type) {
	case JSONV_NULL:
		fputs("null", f);
		break;
	case JSONV_BOOL:
		fputs(j->boolean ? "true" : "false", f);
		break;
	case JSONV_NUMBER:
		/* Fractions and overflows keep no value: write a stand-in
		 * that is not an integer either. */
		if (j->is_integer)
			fprintf(f, "%lld", (long long)j->integer);
		else
			fputs("0.5", f);
		break;
	case JSONV_STRING:
		put_string(f, j->string);
		break;
	case JSONV_ARRAY:
	case JSONV_OBJECT:
		fputc(j->type == JSONV_ARRAY ? '[' : '{', f);
		for (size_t i = 0; i < j->n; i++) {
			if (i > 0)
				fputc(',', f);
			if (j->type == JSONV_OBJECT) {
				put_string(f, j->keys[i]);
				fputc(':', f);
			}
			put(f, j->items[i]);
		}
		fputc(j->type == JSONV_ARRAY ? ']' : '}', f);
		break;
	}
}

static void
assert_same(const struct jsonv *a, const struct jsonv *b)
{
	assert(a->type == b->type);
	switch (a->type) {
	case JSONV_BOOL:
		assert(a->boolean == b->boolean);
		break;
	case JSONV_NUMBER:
		assert(a->is_integer == b->is_integer);
		assert(!a->is_integer || a->integer == b->integer);
		break;
	case JSONV_STRING:
		assert(strcmp(a->string, b->string) == 0);
		break;
	case JSONV_ARRAY:
	case JSONV_OBJECT:
		assert(a->n == b->n);
		for (size_t i = 0; i < a->n; i++) {
			if (a->type == JSONV_OBJECT)
				assert(strcmp(a->keys[i], b->keys[i]) == 0);
			assert_same(a->items[i], b->items[i]);
		}
		break;
	case JSONV_NULL:
		break;
	}
}

static void
check_info(const struct qemuimg_info *i)
{
	assert(i->format != NULL);
	/* Touch every string: ASan catches one that is not a C string. */
	(void)strlen(i->format);
	if (i->filename != NULL)
		(void)strlen(i->filename);
	if (i->backing_filename != NULL)
		(void)strlen(i->backing_filename);
	if (i->full_backing_filename != NULL)
		(void)strlen(i->full_backing_filename);
	if (i->backing_format != NULL)
		(void)strlen(i->backing_format);
	if (i->compat != NULL)
		(void)strlen(i->compat);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(freep) char *text = malloc(size + 1), *again = NULL;
	_cleanup_(jsonv_freep) struct jsonv *j = NULL, *k = NULL;
	struct qemuimg_info info, *chain = NULL;
	size_t n = 0, len = 0;
	uint64_t required;
	FILE *f;
	int r;

	assert(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';

	r = jsonv_parse(text, &j);
	assert(r == 0 || r == -EINVAL || r == -E2BIG);
	if (r == 0) {
		f = open_memstream(&again, &len);
		assert(f != NULL);
		put(f, j);
		fclose(f);
		r = jsonv_parse(again, &k);
		assert(r == 0);
		assert_same(j, k);
	}

	r = qemuimg_info_from_json(text, &info);
	assert(r == 0 || r == -EINVAL);
	if (r == 0) {
		check_info(&info);
		qemuimg_info_done(&info);
	}
	r = qemuimg_chain_from_json(text, &chain, &n);
	assert(r == 0 || r == -EINVAL);
	if (r == 0) {
		assert(n > 0);
		for (size_t i = 0; i < n; i++)
			check_info(&chain[i]);
		qemuimg_chain_free(chain, n);
	}
	r = qemuimg_measure_from_json(text, &required);
	assert(r == 0 || r == -EINVAL);
	return 0;
}
