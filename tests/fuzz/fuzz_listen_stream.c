/* libFuzzer harness for what evtrigger-listen runs on a guest's bytes: the
 * wire format's framing and parsing (listen/wire.c, lib/eventline.c,
 * lib/syslog.c) driven through the channel state machine
 * (listen/channel.c), with a journal stand-in that stores every event.
 * Oracles: every answer is one well-formed line (OK <uuid> or ERR <code>
 * <printable reason>), there is exactly one answer per event or refusal, an
 * event handed to be stored is complete with a valid uuid, and the answers
 * do not depend on how the bytes were cut into reads (ERR lines and the
 * count of OKs are the same when the stream comes in one piece or in pieces
 * whose sizes the input chooses). */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../listen/channel.h"

/* fuzz_listen_net.c builds this file with FUZZ_LISTEN_NET: a network
 * sender's channel (its comment says what that adds). */
#ifdef FUZZ_LISTEN_NET
static const struct channel_limits limits = {
	.rate = 1000000, .burst = 1000000, .max_event = 4096,
	.max_frame = 512, .wire_flags = WIRE_NETWORK,
	.fail_on_frame_error = true, .max_inflight = 4,
};
#define SENDER_NAME "web01"
#define SENDER_UUID ""
#else
static const struct channel_limits limits = {
	.rate = 1000000, .burst = 1000000, .max_event = 4096,
};
#define SENDER_NAME "vdc"
#define SENDER_UUID "u"
#endif

static void
check_answers(const char *out, size_t len, size_t *ret_lines)
{
	size_t lines = 0;

	while (len > 0) {
		const char *nl = memchr(out, '\n', len);
		size_t n;
		char uuid[EVENT_UUID_LEN + 1];

		assert(nl != NULL);
		n = (size_t)(nl - out);
		if (n >= 3 && memcmp(out, "OK ", 3) == 0) {
			assert(n == 3 + EVENT_UUID_LEN);
			memcpy(uuid, out + 3, EVENT_UUID_LEN);
			uuid[EVENT_UUID_LEN] = '\0';
			assert(event_parse_uuid(uuid, uuid) == 0);
		} else {
			assert(n > 8 && memcmp(out, "ERR ", 4) == 0);
			assert((memcmp(out + 4, "400 ", 4) == 0 ||
				memcmp(out + 4, "403 ", 4) == 0 ||
				memcmp(out + 4, "413 ", 4) == 0 ||
				memcmp(out + 4, "503 ", 4) == 0));
			for (size_t i = 0; i < n; i++)
				assert(out[i] >= 0x20 && out[i] < 0x7f);
		}
		lines++;
		len -= n + 1;
		out = nl + 1;
	}
	*ret_lines = lines;
}

/* Runs data through a channel in reads of the sizes cuts gives (cycled;
 * none: one read). Returns the answers with uuids blanked, malloc'd. */
static char *
run(const uint8_t *data, size_t size, const uint8_t *cuts, size_t n_cuts,
    size_t *ret_len)
{
	struct channel *ch = channel_new(-1, SENDER_NAME, SENDER_UUID, &limits,
					 0);
	size_t off = 0, k = 0, events = 0, lines, len = 0;
	const char *out;
	char *res = NULL;
	FILE *f = open_memstream(&res, &len);

	assert(ch != NULL);
	for (;;) {
		int r;

		while ((r = channel_step(ch, 0)) != CHANNEL_IDLE) {
			assert(r == CHANNEL_SKIPPED || r == CHANNEL_REFUSED ||
			       r == CHANNEL_STORE);
			if (r == CHANNEL_REFUSED)
				events++;
			if (r == CHANNEL_STORE) {
				assert(ch->req.event != NULL);
				assert(event_check_complete(ch->req.event) == 0);
				assert(wire_event_size(ch->req.event) <=
				       limits.max_event);
#ifdef FUZZ_LISTEN_NET
				for (const char *h = ch->req.hostname;
				     h != NULL && *h != '\0'; h++)
					assert(*h > 0x20 && *h < 0x7f);
				/* pipelined: written now, read back below */
				assert(channel_written(ch, 0) == 0);
#else
				assert(channel_stored(ch, 0, NULL) == 0);
#endif
				events++;
			}
		}
#ifdef FUZZ_LISTEN_NET
		/* The journal has them all: OK in order. */
		while (channel_awaited(ch) != NULL)
			assert(channel_confirm(ch, 0, NULL) == 0);
		assert(ch->n_flights == 0);
#endif
		/* The guest reads its answers; a full answer buffer held up
		 * the steps, so they go on before more is read. */
		out = channel_out(ch, &lines);
		fwrite(out != NULL ? out : "", 1, lines, f);
		channel_out_sent(ch, lines);
		if (lines > 0)
			continue;
#ifdef FUZZ_LISTEN_NET
		if (ch->failed) {
			/* nothing more is read, stepped or answered */
			assert(!channel_wants_read(ch, 0));
			assert(channel_step(ch, 0) == CHANNEL_IDLE);
			assert(ch->in_len == 0);
			assert(ch->last_code == WIRE_BAD ||
			       ch->last_code == WIRE_TOO_LARGE);
			break;
		}
#endif
		if (off == size)
			break;
		{
			size_t room, n = n_cuts > 0 ? cuts[k++ % n_cuts] + 1u
						    : size;
			char *dst = channel_in_space(ch, &room);

			assert(channel_wants_read(ch, 0) && room > 0);
			if (n > size - off)
				n = size - off;
			if (n > room)
				n = room;
			memcpy(dst, data + off, n);
			channel_in_added(ch, n);
			off += n;
		}
	}
	assert(f != NULL && fclose(f) == 0);
	check_answers(res, len, &lines);
	assert(lines == events);
	/* Made uuids differ from run to run: blank them. */
	for (char *p = res; (p = strstr(p, "OK ")) != NULL; p += 3)
		if (p == res || p[-1] == '\n')
			memset(p + 3, 'u', EVENT_UUID_LEN);
	*ret_len = len;
	channel_free(ch);
	return res;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n_cuts, len_a, len_b;
	char *a, *b;

	/* The first byte: how many of the next bytes are read sizes. */
	if (size == 0)
		return 0;
	n_cuts = data[0] % 8;
	if (n_cuts + 1 > size)
		return 0;
	a = run(data + 1 + n_cuts, size - 1 - n_cuts, NULL, 0, &len_a);
	b = run(data + 1 + n_cuts, size - 1 - n_cuts, data + 1, n_cuts, &len_b);
	assert(len_a == len_b && memcmp(a, b, len_a) == 0);
	free(a);
	free(b);
	return 0;
}
