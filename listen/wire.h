/* The guest channel's wire format, version 1 (evtrigger-listen(8), "WIRE
 * FORMAT"): splitting the byte stream into items and parsing one item into
 * an event. Pure functions over buffers: no I/O, never logs.
 *
 * One event per line, LF-terminated (a CR before the LF is ignored), at most
 * WIRE_LINE_MAX bytes. The first byte tells the form: a digit starts an
 * RFC 6587 octet-counted frame "LEN SP <PRI>1 ...", '<' an RFC 5424 message
 * on one line, anything else an event line (lib/eventline.h). An empty line
 * or a '#' comment line holds no event and gets no answer. */
#ifndef LISTEN_WIRE_H
#define LISTEN_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

#define WIRE_LINE_MAX (64 * 1024)

/* Answer codes (evtrigger-listen(8), "ANSWERS"). */
enum wire_code {
	WIRE_BAD = 400,         /* a bad event: do not resend it as it is */
	WIRE_REFUSED = 403,     /* a field that claims an identity */
	WIRE_TOO_LARGE = 413,
	WIRE_RATE_LIMITED = 429,
	WIRE_UNAVAILABLE = 503, /* the host cannot store it now */
};

/* One item cut from the stream. */
struct wire_item {
	enum {
		WIRE_ITEM_LINE,         /* data/len: an event line or an
					 * RFC 5424 message, no LF or CR */
		WIRE_ITEM_FRAME,        /* data/len: an octet-counted message */
		WIRE_ITEM_ERROR,        /* code/reason: a framing error */
	} kind;
	const char *data;
	size_t len;
	enum wire_code code;
	const char *reason;     /* static text */
};

/* The splitter's state between reads. */
struct wire {
	bool discarding;        /* dropping bytes up to the next LF */
	size_t max;             /* longest line or frame; 0: WIRE_LINE_MAX */
};

/* Cuts the next item from buf (len bytes received and not yet consumed).
 * Returns 1 with *ret and *ret_used (bytes of buf it took, > 0) set; 0 when
 * buf holds no whole item yet (read more: buf is kept, except what a
 * discarding state drops, reported in *ret_used, possibly 0). A line longer
 * than WIRE_LINE_MAX yields one WIRE_ITEM_ERROR 413 as soon as that many
 * bytes are seen without an LF; the rest up to the LF is then dropped. A
 * bad octet count yields a 400 error item and drops up to the next LF.
 * Never fails otherwise. */
int wire_next(struct wire *w, const char *buf, size_t len,
	      struct wire_item *ret, size_t *ret_used);

/* What one item asks the listener to store. */
struct wire_request {
	struct event *event;
	char uuid[EVENT_UUID_LEN + 1];  /* "" when the sender gave none */
	bool has_time;
	uint64_t time_usec;
	char *hostname;         /* the HOSTNAME an RFC 5424 message claims, when
				 * WIRE_NETWORK allowed one; else NULL */
};

void wire_request_done(struct wire_request *req);

/* Parses the data of a WIRE_ITEM_LINE or WIRE_ITEM_FRAME. Events are built
 * on defaults (may be NULL). Returns 0 with *ret filled (the caller releases
 * it with wire_request_done); 1 for a line that holds no event; or, with
 * *ret untouched, a negative errno with the answer's code in *ret_code and a
 * malloc'd, one-line reason in *ret_reason (NULL if out of memory):
 * -EINVAL (400), -EPERM (403), -E2BIG (413), -ENOMEM (503). An event whose
 * fields total more than max_event bytes is -E2BIG. */
int wire_parse(const struct wire_item *item, const struct event *defaults,
	       size_t max_event, struct wire_request *ret,
	       enum wire_code *ret_code, char **ret_reason);

/* Flags of wire_parse_flags. */
enum {
	/* A network sender: the RFC 5424 HOSTNAME is recorded (never
	 * believed) instead of refused, and only RFC 5424 messages are
	 * events (an event line is a bad event, 400). */
	WIRE_NETWORK = 1 << 0,
};

/* wire_parse with flags. */
int wire_parse_flags(const struct wire_item *item, const struct event *defaults,
		     size_t max_event, unsigned flags,
		     struct wire_request *ret, enum wire_code *ret_code,
		     char **ret_reason);

/* The bytes of the journal fields an event makes: names and values. */
size_t wire_event_size(const struct event *e);

#endif
