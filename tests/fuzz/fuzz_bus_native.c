/* libFuzzer harness for journald's native datagram parser of evtrigger-bus
 * (bus/native.c): it reads what any host with publish permission put on
 * the stream. Oracles: an accepted datagram yields fields whose names are
 * non-empty and hold no '=', newline or NUL, whose values hold no NUL and
 * fit in the input; made again (native_format) and parsed back, it yields
 * the same fields; a refused one has a reason and leaves the output
 * untouched. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "../../bus/native.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct native_msg m = { NULL, 0 }, again = { NULL, 0 };
	const char *why = NULL;
	char *buf = NULL;
	size_t len = 0, total = 0;
	int r;

	r = native_parse((const char *)data, size, 64, &m, &why);
	if (r < 0) {
		assert(r == -EBADMSG || r == -ENOMEM);
		assert(r == -ENOMEM || why != NULL);
		assert(m.fields == NULL && m.n_fields == 0);
		return 0;
	}
	assert(m.n_fields >= 1 && m.n_fields <= 64);
	for (size_t i = 0; i < m.n_fields; i++) {
		const struct native_field *f = &m.fields[i];

		assert(f->name[0] != '\0');
		assert(strpbrk(f->name, "=\n") == NULL);
		assert(strlen(f->value) == f->value_len);
		total += strlen(f->name) + f->value_len + 2;
	}
	assert(total <= size);
	r = native_format(&m, &buf, &len);
	assert(r == 0);
	r = native_parse(buf, len, 64, &again, &why);
	assert(r == 0);
	assert(again.n_fields == m.n_fields);
	for (size_t i = 0; i < m.n_fields; i++) {
		assert(strcmp(again.fields[i].name, m.fields[i].name) == 0);
		assert(again.fields[i].value_len == m.fields[i].value_len);
		assert(memcmp(again.fields[i].value, m.fields[i].value,
			      m.fields[i].value_len) == 0);
	}
	free(buf);
	native_msg_clear(&m);
	native_msg_clear(&again);
	return 0;
}
