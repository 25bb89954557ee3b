/* libFuzzer harness for syslog_parse, the parser the network listener runs
 * on untrusted input (see README in this directory). Beyond "no crash, no
 * leak, no undefined behaviour", it checks an oracle: an event mapped from
 * any message, formatted again (RFC 5424 and 3164) and parsed back, is the
 * same event. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "syslog.h"

static void
assert_same_event(const struct event *a, const struct event *b)
{
	assert(a->type == b->type);
	assert(a->id == b->id);
	assert((a->source == NULL) == (b->source == NULL));
	assert(a->source == NULL || strcmp(a->source, b->source) == 0);
	assert(strcmp(a->log, b->log) == 0);
	assert(strcmp(a->description, b->description) == 0);
	assert(a->n_extra == b->n_extra);
	for (size_t i = 0; i < a->n_extra; i++) {
		assert(strcmp(a->extra[i].name, b->extra[i].name) == 0);
		assert(strcmp(a->extra[i].value, b->extra[i].value) == 0);
	}
}

static void
round_trip(const struct event *e, const char *hostname,
	   enum syslog_format fmt)
{
	static const struct timespec ts = { 1700000000, 0 };
	_cleanup_(freep) char *s = NULL;
	_cleanup_(syslog_msg_freep) struct syslog_msg *m = NULL;
	_cleanup_(event_freep) struct event *back = NULL;
	size_t len = 0;
	size_t dlen = strlen(e->description);
	int r;

	r = syslog_format_event(e, fmt, hostname, &ts, 1, &s, &len);
	if (r == -EINVAL && fmt == SYSLOG_RFC3164)
		return; /* a source 3164 cannot carry */
	assert(r == 0);
	/* A trailing newline is ignored by the parser, by design. */
	if (dlen > 0 && (e->description[dlen - 1] == '\n' ||
			 e->description[dlen - 1] == '\r'))
		return;
	assert(syslog_parse(s, len, &m) == 0);
	assert(syslog_msg_to_event(m, &back, NULL) == 0);
	assert_same_event(e, back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(syslog_msg_freep) struct syslog_msg *m = NULL;
	_cleanup_(event_freep) struct event *e = NULL;
	const char *what = NULL;
	int r;

	r = syslog_parse((const char *)data, size, &m);
	assert(r == 0 || r == -EBADMSG);
	if (r < 0)
		return 0;
	assert(m->facility >= 0 && m->facility <= 23);
	assert(m->severity >= 0 && m->severity <= 7);
	r = syslog_msg_to_event(m, &e, &what);
	if (r < 0) {
		assert(r == -EINVAL || what != NULL);
		return 0;
	}
	round_trip(e, m->hostname, SYSLOG_RFC5424);
	round_trip(e, m->hostname, SYSLOG_RFC3164);
	return 0;
}
