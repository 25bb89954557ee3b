/* One guest channel as the unprivileged child sees it: the sender's
 * identity (given by the privileged parent, never by the guest), bytes in,
 * answers out, the rate limit, and the one event at a time that is being
 * stored. A state machine over buffers: the caller does the I/O and the
 * journal; nothing here logs.
 *
 * Order: answers go out in the order the events came in, one per event. An
 * event waits in `pending` while the caller stores it; no further input is
 * parsed meanwhile, so a slow journal slows only the guests that wait on
 * it. A sender over its rate gets ERR 429 for that event and nothing more is
 * read from it until the bucket holds a token again (backpressure: the
 * guest's writes block). A guest that does not read its answers stops being
 * read once CHANNEL_OUT_MAX bytes of them are queued.
 *
 * Network senders pipeline (limits->max_inflight > 0): once the caller
 * wrote the pending event (channel_written), the next events are parsed and
 * written too, up to max_inflight events awaiting their read-back; every
 * answer, refusals included, waits behind the events written before it, so
 * that the answers keep the order of the events. */
#ifndef LISTEN_CHANNEL_H
#define LISTEN_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ratelimit.h"
#include "wire.h"

#define CHANNEL_IN_MAX  (WIRE_LINE_MAX + 4096)
#define CHANNEL_OUT_MAX (64 * 1024)
#define CHANNEL_NAME_MAX 255

struct channel_limits {
	uint64_t rate;          /* events per second per sender */
	uint64_t burst;
	size_t max_event;       /* bytes of fields (wire_event_size) */
	const struct event *defaults;
	/* Network senders: the longest frame (0: WIRE_LINE_MAX), the
	 * wire_parse_flags flags (WIRE_NETWORK), and whether a framing error
	 * fails the channel (the stream cannot be resynchronised) instead of
	 * skipping to the next LF. */
	size_t max_frame;
	unsigned wire_flags;
	bool fail_on_frame_error;
	size_t max_inflight;    /* 0: one event at a time (channel_stored) */
};

/* An answer that waits for an event written before it. */
struct channel_flight {
	char uuid[EVENT_UUID_LEN + 1];
	uint64_t deadline;      /* read back by then, or 503 */
	char *line;             /* the answer; NULL while awaiting read-back */
};

struct channel {
	int fd;
	char name[CHANNEL_NAME_MAX + 1];        /* libvirt domain name */
	char uuid[EVENT_UUID_LEN + 1];          /* libvirt domain uuid */
	const struct channel_limits *limits;
	struct wire wire;
	char in[CHANNEL_IN_MAX];
	size_t in_len;
	char *out;
	size_t out_len;
	struct ratelimit bucket;
	struct ratelimit *shared;       /* the sender's bucket, shared by its
					 * connections; NULL: bucket */
	bool failed;            /* a framing error ended the input */
	uint64_t resume_usec;   /* paused by the rate limit until then */
	unsigned limited;       /* 429 answers not yet reported */
	uint64_t limited_report_usec;
	bool pending;
	struct wire_request req;        /* the pending event */
	struct channel_flight *flights; /* FIFO, oldest first */
	size_t n_flights;
	/* The last refusal (STEP_REFUSED), for the caller to report. */
	enum wire_code last_code;
	char *last_reason;
};

enum channel_step {
	CHANNEL_IDLE,           /* nothing to do until input, time or store */
	CHANNEL_SKIPPED,        /* an item without an event was consumed */
	CHANNEL_REFUSED,        /* ERR queued; last_code/last_reason say why */
	CHANNEL_LIMITED,        /* ERR 429 queued; paused until resume_usec */
	CHANNEL_STORE,          /* req is to be stored: call channel_stored */
};

/* A new channel for fd (which it does not own) with the sender's identity.
 * Returns NULL on ENOMEM. */
struct channel *channel_new(int fd, const char *name, const char *uuid,
			    const struct channel_limits *limits,
			    uint64_t now_usec);
void channel_free(struct channel *ch);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct channel *, channel_free)

/* Whether the caller should read from the fd now: nothing pending, not
 * paused, not failed, room in and out. */
bool channel_wants_read(const struct channel *ch, uint64_t now_usec);
/* Where to read into, and how much room there is (> 0 when wants_read). */
char *channel_in_space(struct channel *ch, size_t *ret_room);
/* n bytes were read into channel_in_space. */
void channel_in_added(struct channel *ch, size_t n);

/* Handles the next item of the input. Call it until CHANNEL_IDLE. Returns a
 * channel_step, or -ENOMEM (nothing changed; try later). */
int channel_step(struct channel *ch, uint64_t now_usec);
/* The pending event was stored (r >= 0: OK <uuid>) or not (r < 0: ERR 503
 * with reason). Ends pending. Returns 0 or -ENOMEM. */
int channel_stored(struct channel *ch, int r, const char *reason);

/* Pipelining (limits->max_inflight > 0): the pending event was written to
 * the journal and is to be read back by deadline. Ends pending (the next
 * events are parsed); its answer waits for channel_confirm. Returns 0 or
 * -ENOMEM (nothing changed). */
int channel_written(struct channel *ch, uint64_t deadline);
/* The oldest written event still awaiting its read-back, or NULL. */
const struct channel_flight *channel_awaited(const struct channel *ch);
/* The event of channel_awaited was read back (r >= 0: OK <uuid>) or not
 * (ERR 503 reason). Answers that waited behind it are released. Returns 0
 * or -ENOMEM. */
int channel_confirm(struct channel *ch, int r, const char *reason);

/* Queued answer bytes; channel_out_sent drops the first n after a write. */
const char *channel_out(const struct channel *ch, size_t *ret_len);
void channel_out_sent(struct channel *ch, size_t n);

/* Formats an answer line. reason is cut at 200 bytes; bytes that are not
 * printable ASCII become '?'. Returns a malloc'd line with its LF, or
 * NULL. */
char *channel_format_ok(const char *uuid);
char *channel_format_err(enum wire_code code, const char *reason);

/* A random RFC 4122 version 4 uuid, lower case. Returns 0 or -errno. */
int channel_new_uuid(char ret[EVENT_UUID_LEN + 1]);

#endif
