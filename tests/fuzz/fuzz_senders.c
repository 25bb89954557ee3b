/* libFuzzer harness for the senders file parser (listen/senders.c): the
 * file evtrigger-listen trusts for who may send. Oracles: an accepted file
 * yields only entries with valid names, each one found again by its own
 * lookup (the first entry with that proof, so it carries the same name
 * since duplicates are refused); a refused file yields at least one error,
 * each "f:LINE: message" with LINE within the file's lines, one line of
 * printable text. */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "../../listen/senders.h"
#include "strv.h"

static void
check_entry(const struct senders *s, const struct sender *e)
{
	const struct sender *f = NULL;

	assert(sender_name_valid(e->name, strlen(e->name)));
	switch (e->kind) {
	case SENDER_X509:
		if (e->value != NULL)
			f = senders_find_san(s, e->match, e->value,
					     strlen(e->value));
		else
			f = senders_find_san(s, e->match, e->bin, e->bin_len);
		break;
	case SENDER_ADDRESS: {
		struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
		struct sockaddr_in sin = { .sin_family = AF_INET };

		if (e->family == AF_INET) {
			memcpy(&sin.sin_addr, e->addr, 4);
			f = senders_find_address(s, (struct sockaddr *)&sin);
		} else {
			memcpy(&sin6.sin6_addr, e->addr, 16);
			f = senders_find_address(s, (struct sockaddr *)&sin6);
		}
		break;
	}
	case SENDER_PSK:
		assert(e->secret != NULL || e->key_file != NULL);
		assert(!e->psk_ready);
		return;
	}
	assert(f == e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct senders *s = NULL;
	char **errors = NULL;
	size_t lines = 1;
	int r;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	r = senders_parse((const char *)data, size, "f", &s, &errors);
	if (r == -ENOMEM)
		return 0;
	if (r == 0) {
		assert(errors == NULL);
		for (size_t i = 0; i < s->n; i++)
			check_entry(s, &s->v[i]);
		senders_free(s);
		return 0;
	}
	assert(r == -EINVAL && s == NULL && errors != NULL && errors[0] != NULL);
	for (size_t i = 0; errors[i] != NULL; i++) {
		char *end;
		unsigned long line;

		assert(strncmp(errors[i], "f:", 2) == 0);
		line = strtoul(errors[i] + 2, &end, 10);
		assert(line >= 1 && line <= lines && *end == ':');
		assert(strchr(errors[i], '\n') == NULL);
	}
	strv_free(errors);
	return 0;
}
