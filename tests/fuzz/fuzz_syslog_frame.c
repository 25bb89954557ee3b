/* libFuzzer harness for syslog_frame_next, the RFC 6587 splitter the stream
 * listener runs on untrusted input: the data is a stream; every frame found
 * must lie inside it, frames must make progress, and each message goes
 * through syslog_parse. A prefix of the stream (as if only part had been
 * read yet) must give no more frames than the whole. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "syslog.h"

#define FRAME_MAX 2048

/* Splits data into frames; returns how many, and the bytes they took. */
static size_t
split(const char *data, size_t size, size_t *ret_used)
{
	size_t off = 0, n = 0;

	for (;;) {
		_cleanup_(syslog_msg_freep) struct syslog_msg *m = NULL;
		const char *msg = NULL;
		size_t msg_len = 0, used = 0;
		int r = syslog_frame_next(data + off, size - off, FRAME_MAX,
					  &msg, &msg_len, &used);

		assert(r == 1 || r == 0 || r == -EBADMSG || r == -EMSGSIZE);
		if (r != 1)
			break;
		assert(used > 0 && used <= size - off);
		assert(msg >= data + off && msg + msg_len <= data + off + used);
		assert(msg_len <= FRAME_MAX);
		r = syslog_parse(msg, msg_len, &m);
		assert(r == 0 || r == -EBADMSG);
		off += used;
		n++;
	}
	*ret_used = off;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t used, used_first, cut;
	size_t n, n_first;

	n = split((const char *)data, size, &used);
	if (size == 0)
		return 0;
	/* The same stream, but only a prefix received so far: the frames
	 * found are a prefix of the frames of the whole. */
	cut = data[0] % (size + 1);
	n_first = split((const char *)data, cut, &used_first);
	assert(n_first <= n);
	assert(used_first <= used);
	return 0;
}
