/* The listener's side of the evtrigger-bus protocol (doc/ARCHITECTURE.md,
 * "Several hosts"): over one unix SOCK_SEQPACKET connection, a request is
 * "EVB1" and the journal datagram of one event (store_format), a reply is
 * "OK <uuid>" or "RETRY <uuid> <reason>"; replies come in the order of the
 * requests, many requests may be in flight. Here: the replies' syntax and
 * the FIFO of requests awaiting one. No I/O, never logs. */
#ifndef LISTEN_BUSCLIENT_H
#define LISTEN_BUSCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "macro.h"

#define BUS_REQUEST_MAGIC "EVB1"
#define BUS_REQUEST_MAX (1024 * 1024)
#define BUS_REPLY_MAX 512

/* Parses the reply buf (len bytes) to the request for uuid. Returns 1 for
 * "OK uuid", 0 for "RETRY uuid ..." (the words after the uuid, cut and
 * cleaned to printable ASCII, in reason, size bytes), or -EBADMSG when it
 * is neither or names another uuid. */
int bus_parse_reply(const char *buf, size_t len, const char *uuid,
		    char *reason, size_t size);

/* A request awaiting its reply. */
struct bus_pending {
	void *owner;            /* who waits: NULL when nobody does any more */
	void *data;             /* the owner's, free()d with the entry */
	char uuid[EVENT_UUID_LEN + 1];
	uint64_t deadline;      /* no reply by then: the bus is gone */
	bool flight;            /* answered with channel_confirm (else
				 * channel_stored) */
};

struct bus_queue {
	struct bus_pending *v;
	size_t head, n, size;   /* a ring */
	size_t max;             /* at most this many in flight */
};

/* An empty queue of at most max requests. */
void bus_queue_init(struct bus_queue *q, size_t max);
/* Frees every entry's data and the ring. */
void bus_queue_done(struct bus_queue *q);
bool bus_queue_full(const struct bus_queue *q);
/* Appends a copy of e (taking e->data). Returns 0, or -ENOBUFS when full,
 * -ENOMEM (e->data untouched). */
int bus_queue_push(struct bus_queue *q, const struct bus_pending *e);
/* Removes the newest entry (one just pushed), freeing nothing. */
void bus_queue_drop_last(struct bus_queue *q);
/* The newest entry, or NULL. */
struct bus_pending *bus_queue_back(struct bus_queue *q);
/* The oldest entry, or NULL. */
struct bus_pending *bus_queue_front(const struct bus_queue *q);
/* Removes the oldest entry into *ret (the caller frees ret->data). Returns
 * false when empty. */
bool bus_queue_pop(struct bus_queue *q, struct bus_pending *ret);
/* Entries of owner keep their place but answer nobody (owner NULL). */
void bus_queue_forget(struct bus_queue *q, const void *owner);

#endif
