/* libFuzzer harness for the answer state machine of evtrigger-listen
 * (listen/channel.c with its token bucket): the input is a program of
 * operations on one channel, as the child's event loop does them in any
 * order: bytes arrive, time passes, a step, the journal stores or fails the
 * pending event, the guest reads some of its answers. Oracles: at most one
 * event is pending and nothing is parsed while it is; an answer is queued
 * for every event (OK or 503 for a stored one, ERR for a refused or
 * rate-limited one), in order; a paused channel reads and parses nothing;
 * the output stays bounded; every answer line is well formed. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "../../listen/channel.h"

static const char *const pieces[] = {
	"id=1 description=x\n",
	"id=2 description=y uuid=6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c\n",
	"id=0 description=bad\n",
	"id=3 description=z EVENT_SENDER=evil\n",
	"28 <12>1 - - John - 777 - ready",
	"<12>1 - - John - 777 - ready\r\n",
	"\n", "# c\n", "\xff\xfe\x00\n", "AAAAAAAAAAAAAAAA",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct channel_limits l = { .rate = 1 + (size > 0 ? data[0] % 4 : 0),
				    .burst = 1 + (size > 1 ? data[1] % 4 : 0),
				    .max_event = 256 };
	struct channel *ch;
	uint64_t now = 0;
	size_t expected = 0, answered = 0;

	ch = channel_new(-1, "vdc", "u", &l, 0);
	assert(ch != NULL);
	for (size_t i = 2; i < size; i++) {
		uint8_t op = data[i] >> 5, arg = data[i] & 31;
		size_t len, room;
		const char *out;
		int r;

		switch (op) {
		case 0: case 1: {       /* bytes arrive (if read now) */
			const char *p = pieces[arg % ELEMENTSOF(pieces)];
			size_t n = p == pieces[8] ? 4 : strlen(p);
			char *dst;

			if (!channel_wants_read(ch, now))
				break;
			dst = channel_in_space(ch, &room);
			if (n > room)
				n = room;
			memcpy(dst, p, n);
			channel_in_added(ch, n);
			break;
		}
		case 2:                 /* time passes */
			now += (uint64_t)arg * 50000;
			break;
		case 3: case 4: {       /* a step */
			bool was_pending = ch->pending;
			bool paused = now < ch->resume_usec;
			size_t in_before = ch->in_len;

			r = channel_step(ch, now);
			assert(r >= 0);
			if (was_pending || paused)
				assert(r == CHANNEL_IDLE);
			if (was_pending)
				assert(ch->in_len == in_before);
			if (r == CHANNEL_REFUSED || r == CHANNEL_LIMITED)
				expected++;
			if (r == CHANNEL_STORE) {
				assert(ch->pending && ch->req.event != NULL);
				assert(strlen(ch->req.uuid) == EVENT_UUID_LEN);
			}
			break;
		}
		case 5:                 /* the journal answers */
			if (!ch->pending)
				break;
			assert(channel_stored(ch, arg & 1 ? -EIO : 0,
					      "not stored") == 0);
			assert(!ch->pending);
			expected++;
			break;
		case 6: case 7:         /* the guest reads answers */
			out = channel_out(ch, &len);
			for (size_t k = 0; k < len; k++)
				if (out[k] == '\n')
					answered++;
				else
					assert(out[k] >= 0x20 && out[k] < 0x7f);
			if (len > 0) {
				assert(out[len - 1] == '\n');
				assert(memcmp(out, "OK ", 3) == 0 ||
				       memcmp(out, "ERR ", 4) == 0);
			}
			channel_out_sent(ch, len);
			break;
		}
		channel_out(ch, &len);
		assert(len < CHANNEL_OUT_MAX + 512);
		assert(ch->in_len <= CHANNEL_IN_MAX);
	}
	{
		size_t len;
		const char *out = channel_out(ch, &len);

		for (size_t k = 0; k < len; k++)
			if (out[k] == '\n')
				answered++;
	}
	assert(answered == expected);
	channel_free(ch);
	return 0;
}
