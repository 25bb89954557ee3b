/* The unprivileged child: the event loop over guest channels, network
 * listeners and network sessions (see child.h). */
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>

#include <arpa/inet.h>
#include <openssl/err.h>
#include <sys/resource.h>

#include "busclient.h"
#include "child.h"
#include "evt-ids.h"
#include "evt-log.h"
#include "fdmsg.h"
#include "peers.h"
#include "store.h"
#include "time.h"
#include "tls.h"

/* How long an event written to the journal may take to show up there
 * before the guest is told 503 (it resends; the resend finds the entry if
 * it arrived after all). */
#define STORE_TIMEOUT_USEC (10 * 1000000ULL)
/* How often the journal is looked at while an event waits for it. */
#define STORE_POLL_MSEC 5
/* At most one rate-limit report per sender in this time. */
#define LIMIT_REPORT_USEC (10 * 1000000ULL)
#define CONNS_MAX 4096
#define LISTENERS_MAX 16
/* Connections accepted, datagrams read per listener and round. */
#define ACCEPT_BATCH 64
/* How long accepting pauses when the process is out of descriptors. */
#define ACCEPT_PAUSE_USEC (100 * 1000ULL)
/* --bus: requests awaiting the bus's reply, over all senders, and how long
 * the oldest may wait before the bus counts as gone (its own limit for a
 * publish is 5 s). */
#define BUS_INFLIGHT_MAX 4096
#define BUS_TIMEOUT_USEC (10 * 1000000ULL)
#define BUS_RETRY_REASON "the event bus cannot take the event now: retry later"

enum conn_kind {
	CONN_CHANNEL,           /* a guest channel from the parent */
	CONN_TLS,               /* a network peer over TLS */
	CONN_TCP,               /* a network peer over plain TCP */
};

struct conn {
	enum conn_kind kind;
	struct channel *ch;     /* NULL while a TLS handshake runs */
	int fd;
	bool written;           /* the pending event was sent to journald
				 * (or to the bus, answered by its reply) */
	bool bus_blocked;       /* the pending event waits for room on the
				 * bus connection */
	uint64_t deadline;      /* ... and must be read back by then */
	/* network peers */
	SSL *ssl;
	struct tls_peer_info info;
	bool ssl_want_write;    /* TLS waits for the socket to be writable */
	bool ssl_dead;          /* a fatal TLS error: no close_notify */
	bool answers;           /* the peer selected "evtrigger/1" */
	bool closing;           /* send what is queued, then close */
	bool eof;               /* the peer sent all it will: handle what
				 * came, then close */
	uint64_t expires;       /* handshake or idle deadline */
	const char *auth;       /* EVENT_AUTH */
	char ip[PEER_IP_MAX];
	char address[CHANNEL_NAME_MAX + 16];    /* EVENT_SENDER_ADDRESS */
};

enum listener_kind { LISTEN_TLS, LISTEN_TCP, LISTEN_UDP };

struct listener {
	enum listener_kind kind;
	int fd;
};

/* A network sender's token bucket, shared by its connections. */
struct bucket {
	char name[SENDER_NAME_MAX + 1];
	struct ratelimit rl;
	unsigned limited;               /* UDP datagrams refused, unreported */
	uint64_t report_usec;
};

struct domain {
	char name[CHANNEL_NAME_MAX + 1];
	char uuid[EVENT_UUID_LEN + 1];
};

struct child {
	const struct child_config *cfg;
	struct store *store;
	struct conn **conns;
	size_t n_conns;
	size_t n_net;                   /* network sessions among them */
	struct listener listeners[LISTENERS_MAX];
	size_t n_listeners;
	uint64_t accept_pause_until;
	struct peers peers;
	struct bucket *buckets;         /* fixed: channels point into it */
	size_t n_buckets, max_buckets;
	struct domain *domains;
	size_t n_domains;
	int bus_fd;                     /* --bus: -1 while there is none */
	struct bus_queue bus_q;
	volatile sig_atomic_t quit;
};

/* A UDP datagram's sender, for reporting a RETRY (nobody to answer). */
struct bus_udp {
	char ip[PEER_IP_MAX];
	char address[CHANNEL_NAME_MAX + 16];
	char name[SENDER_NAME_MAX + 1];
};

/* Logs event id with the n fields of more and then f1 and f2 (either may be
 * NULL; more has room for both), or prints message if the journal cannot
 * take it. */
static void
send_report(unsigned id, const char **more, size_t n, const char *f1,
	    const char *f2, const char *message)
{
	if (f1 != NULL)
		more[n++] = f1;
	if (f2 != NULL)
		more[n++] = f2;
	if (evt_log_send(id, more, n, message) < 0)
		fprintf(stderr, "evtrigger-listen: %s\n", message);
}

static void
report(unsigned id, const struct channel *ch, const char *message,
       const char *f1, const char *f2)
{
	_cleanup_(freep) char *vm = NULL, *vmu = NULL;
	const char *more[4];
	size_t n = 0;

	if (asprintf(&vm, EVT_FIELD_VM "=%s", ch->name) >= 0)
		more[n++] = vm;
	if (asprintf(&vmu, EVT_FIELD_VM_UUID "=%s", ch->uuid) >= 0)
		more[n++] = vmu;
	send_report(id, more, n, f1, f2, message);
}

static void
report_refused(const struct channel *ch)
{
	_cleanup_(freep) char *msg = NULL, *code = NULL, *reason = NULL;
	const char *why = ch->last_reason != NULL ? ch->last_reason : "";

	if (asprintf(&msg, "event from %s refused: %d %s", ch->name,
		     (int)ch->last_code, why) < 0 ||
	    asprintf(&code, EVT_FIELD_CODE "=%d", (int)ch->last_code) < 0 ||
	    asprintf(&reason, EVT_FIELD_REASON "=%s", why) < 0)
		return;
	report(EVT_EVENT_REFUSED, ch, msg, code, reason);
}

static void
report_limited(struct channel *ch, uint64_t now)
{
	_cleanup_(freep) char *msg = NULL, *count = NULL;

	if (ch->limited_report_usec != 0 &&
	    now - ch->limited_report_usec < LIMIT_REPORT_USEC)
		return;
	if (asprintf(&msg, "%s is over its event rate: %u events answered "
		     "429 (retry later)", ch->name, ch->limited) < 0 ||
	    asprintf(&count, EVT_FIELD_SUPPRESSED "=%u", ch->limited) < 0)
		return;
	report(EVT_SENDER_RATE_LIMITED, ch, msg, count, NULL);
	ch->limited = 0;
	ch->limited_report_usec = now;
}

/* ---- network reports ------------------------------------------------------ */

/* A report about the peer at ip (its address ADDR:PORT in peer), limited
 * per address (peers.h); name is the sender it proved, if any. */
static void
net_report(struct child *c, unsigned id, const char *ip, const char *peer,
	   const char *name, const char *message, const char *f1,
	   const char *f2)
{
	_cleanup_(freep) char *fpeer = NULL, *fname = NULL, *fsup = NULL;
	struct peer *pe = peers_get(&c->peers, ip, now_usec(CLOCK_MONOTONIC));
	const char *more[5];
	unsigned left_out = 0;
	size_t n = 0;

	if (pe != NULL && !peers_may_report(pe, now_usec(CLOCK_MONOTONIC), &left_out))
		return;
	if (asprintf(&fpeer, EVT_FIELD_PEER "=%s", peer) >= 0)
		more[n++] = fpeer;
	if (name != NULL && asprintf(&fname, EVT_FIELD_PEER_NAME "=%s", name) >= 0)
		more[n++] = fname;
	if (asprintf(&fsup, EVT_FIELD_SUPPRESSED "=%u", left_out) >= 0)
		more[n++] = fsup;
	send_report(id, more, n, f1, f2, message);
}

/* One refused connection or datagram (PEER_REFUSED). */
static void
refuse_peer(struct child *c, const char *ip, const char *peer,
	    const char *name, const char *reason)
{
	_cleanup_(freep) char *msg = NULL, *why = NULL;

	if (asprintf(&msg, "network peer %s%s%s%s refused: %s", peer,
		     name != NULL ? " (" : "", name != NULL ? name : "",
		     name != NULL ? ")" : "", reason) < 0 ||
	    asprintf(&why, EVT_FIELD_REASON "=%s", reason) < 0)
		return;
	net_report(c, EVT_PEER_REFUSED, ip, peer, name, msg, why, NULL);
}

static void
refuse_event(struct child *c, const char *ip, const char *peer,
	     const char *name, int code, const char *reason)
{
	_cleanup_(freep) char *msg = NULL, *fcode = NULL, *why = NULL;

	if (asprintf(&msg, "event from %s at %s refused: %d %s", name, peer,
		     code, reason) < 0 ||
	    asprintf(&fcode, EVT_FIELD_CODE "=%d", code) < 0 ||
	    asprintf(&why, EVT_FIELD_REASON "=%s", reason) < 0)
		return;
	net_report(c, EVT_PEER_EVENT_REFUSED, ip, peer, name, msg, fcode, why);
}

/* The rate limit report of a network sender: at most one per
 * LIMIT_REPORT_USEC (*report_usec), carrying the count. */
static void
net_report_limited(struct child *c, const char *ip, const char *peer,
		   const char *name, unsigned *limited, uint64_t *report_usec,
		   uint64_t now)
{
	_cleanup_(freep) char *msg = NULL, *fpeer = NULL, *fname = NULL,
			      *count = NULL;

	if (*report_usec != 0 && now - *report_usec < LIMIT_REPORT_USEC)
		return;
	if (asprintf(&msg, "%s (at %s) is over its event rate: %u events "
		     "refused (429, retry later)", name, peer, *limited) < 0 ||
	    asprintf(&fpeer, EVT_FIELD_PEER "=%s", peer) < 0 ||
	    asprintf(&fname, EVT_FIELD_PEER_NAME "=%s", name) < 0 ||
	    asprintf(&count, EVT_FIELD_SUPPRESSED "=%u", *limited) < 0)
		return;
	if (evt_log_send(EVT_PEER_RATE_LIMITED,
			 (const char *const[]){ fpeer, fname, count }, 3,
			 msg) < 0)
		fprintf(stderr, "evtrigger-listen: %s\n", msg);
	*limited = 0;
	*report_usec = now;
}

/* ---- connections ---------------------------------------------------------- */

static bool
is_net(const struct conn *cn)
{
	return cn->kind != CONN_CHANNEL;
}

static void
conn_free(struct child *c, struct conn *cn)
{
	bus_queue_forget(&c->bus_q, cn);
	if (cn->ssl != NULL) {
		if (cn->ch != NULL && !cn->ssl_dead) {
			ERR_clear_error();
			(void)SSL_shutdown(cn->ssl);
		}
		SSL_free(cn->ssl);
		ERR_clear_error();
	}
	if (is_net(cn)) {
		struct peer *pe = peers_get(&c->peers, cn->ip, now_usec(CLOCK_MONOTONIC));

		if (pe != NULL && pe->sessions > 0)
			pe->sessions--;
		c->n_net--;
	}
	close(cn->fd);
	channel_free(cn->ch);
	free(cn);
}

/* Closes conn i. A channel reports its detach; a network peer reports
 * reason as a refusal unless it is NULL (a normal end). */
static void
conn_close(struct child *c, size_t i, const char *reason)
{
	struct conn *cn = c->conns[i];
	struct channel *ch = cn->ch;

	if (cn->kind == CONN_CHANNEL) {
		_cleanup_(freep) char *msg = NULL, *why = NULL;
		struct fdmsg m;

		if (asprintf(&msg, "channel of %s detached: %s", ch->name,
			     reason) >= 0 &&
		    asprintf(&why, EVT_FIELD_REASON "=%s", reason) >= 0)
			report(EVT_CHANNEL_DETACHED, ch, msg, why, NULL);
		if (fdmsg_make(FDMSG_CLOSED, ch->name, ch->uuid, &m) == 0)
			(void)fdmsg_send(c->cfg->ctl, &m, -1);
	} else if (reason != NULL)
		refuse_peer(c, cn->ip, cn->address, ch != NULL ? ch->name : NULL,
			    reason);
	conn_free(c, cn);
	c->conns[i] = c->conns[--c->n_conns];
}

static void
conn_add(struct child *c, const struct fdmsg *m, int fd)
{
	struct channel *ch = NULL;
	struct conn *cn = NULL;

	if (c->n_conns == CONNS_MAX ||
	    (cn = calloc(1, sizeof(*cn))) == NULL ||
	    (ch = channel_new(fd, m->name, m->uuid, &c->cfg->limits,
			      now_usec(CLOCK_MONOTONIC))) == NULL) {
		fprintf(stderr, "evtrigger-listen: cannot take the channel of "
			"%s: out of memory or too many channels\n", m->name);
		free(cn);
		close(fd);
		return;
	}
	/* Replaces an older channel of the same domain, if any. */
	for (size_t i = 0; i < c->n_conns; i++)
		if (c->conns[i]->kind == CONN_CHANNEL &&
		    streq(c->conns[i]->ch->uuid, m->uuid)) {
			conn_free(c, c->conns[i]);
			c->conns[i] = c->conns[--c->n_conns];
			break;
		}
	*cn = (struct conn){ .kind = CONN_CHANNEL, .ch = ch, .fd = fd,
			     .answers = true, .auth = STORE_AUTH };
	snprintf(cn->address, sizeof(cn->address), "channel:%s",
		 c->cfg->channel_name);
	c->conns[c->n_conns++] = cn;
}

static void
domain_up(struct child *c, const struct fdmsg *m)
{
	struct domain *d;

	for (size_t i = 0; i < c->n_domains; i++)
		if (streq(c->domains[i].uuid, m->uuid)) {
			snprintf(c->domains[i].name, sizeof(c->domains[i].name),
				 "%s", m->name);
			return;
		}
	d = reallocarray(c->domains, c->n_domains + 1, sizeof(*d));
	if (d == NULL)
		return;
	c->domains = d;
	d = &c->domains[c->n_domains++];
	snprintf(d->name, sizeof(d->name), "%s", m->name);
	snprintf(d->uuid, sizeof(d->uuid), "%s", m->uuid);
}

static void
domain_down(struct child *c, const struct fdmsg *m)
{
	for (size_t i = 0; i < c->n_domains; i++)
		if (streq(c->domains[i].uuid, m->uuid)) {
			c->domains[i] = c->domains[--c->n_domains];
			return;
		}
}

/* Whether name is a running domain's (a guest's channel or the parent's
 * word): a network sender may not pass for a guest. */
static bool
is_domain_name(const struct child *c, const char *name)
{
	for (size_t i = 0; i < c->n_domains; i++)
		if (streq(c->domains[i].name, name))
			return true;
	for (size_t i = 0; i < c->n_conns; i++)
		if (c->conns[i]->kind == CONN_CHANNEL &&
		    streq(c->conns[i]->ch->name, name))
			return true;
	return false;
}

static void
add_listener(struct child *c, const struct fdmsg *m, int fd)
{
	enum listener_kind kind;

	if (streq(m->name, "tls") && c->cfg->tls != NULL)
		kind = LISTEN_TLS;
	else if (streq(m->name, "tcp") && c->cfg->senders != NULL)
		kind = LISTEN_TCP;
	else if (streq(m->name, "udp") && c->cfg->senders != NULL)
		kind = LISTEN_UDP;
	else {
		fprintf(stderr, "evtrigger-listen: unexpected listening socket "
			"'%s' from the parent\n", m->name);
		close(fd);
		return;
	}
	if (c->n_listeners == LISTENERS_MAX) {
		close(fd);
		return;
	}
	c->listeners[c->n_listeners++] = (struct listener){ kind, fd };
}

static void bus_attach(struct child *c, int fd);

static int
handle_ctl(struct child *c)
{
	struct fdmsg m;
	int fd, r;

	for (;;) {
		r = fdmsg_recv(c->cfg->ctl, &m, &fd);
		if (r == -EAGAIN)
			return 0;
		if (r == 0)
			return -ECONNRESET;     /* the parent is gone */
		if (r < 0) {
			fprintf(stderr, "evtrigger-listen: bad message from "
				"the parent: %s\n", strerror(-r));
			return r;
		}
		if (m.type == FDMSG_ATTACH)
			conn_add(c, &m, fd);
		else if (m.type == FDMSG_LISTEN)
			add_listener(c, &m, fd);
		else if (m.type == FDMSG_BUS)
			bus_attach(c, fd);
		else {
			if (m.type == FDMSG_DOMAIN_UP)
				domain_up(c, &m);
			else if (m.type == FDMSG_DOMAIN_DOWN)
				domain_down(c, &m);
			if (fd >= 0)
				close(fd);
		}
	}
}

static struct store_sender
conn_sender(const struct conn *cn)
{
	return (struct store_sender){ cn->ch->name, cn->ch->uuid, cn->auth,
				      cn->address };
}


/* ---- the bus (--bus) ------------------------------------------------------
 * Network events go to evtrigger-bus, one request per event over the one
 * connection the parent made; the sender's answer waits for the bus's
 * reply (replies come in the order of the requests). No bus, a RETRY, or a
 * bus that went away or quiet: 503, and the sender resends later with the
 * same uuid (the bus drops duplicates). The parent connects again when
 * told (FDMSG_BUS_LOST). */

static bool
conn_uses_bus(const struct child *c, const struct conn *cn)
{
	return c->cfg->bus && is_net(cn);
}

/* Answers the request e: taken by the bus (r > 0), refused with RETRY
 * (r == 0, the bus's words in reason) or lost with the bus (r < 0). */
static void
bus_answer(struct child *c, struct bus_pending *e, int r, const char *reason)
{
	struct conn *cn = e->owner;
	struct bus_udp *u = e->data;
	int k = r > 0 ? 0 : -EAGAIN;

	if (cn != NULL && e->flight)
		(void)channel_confirm(cn->ch, k, BUS_RETRY_REASON);
	else if (cn != NULL) {
		(void)channel_stored(cn->ch, k, BUS_RETRY_REASON);
		cn->written = false;
	} else if (u != NULL && r <= 0) {
		_cleanup_(freep) char *why = NULL;

		if (asprintf(&why, "the event bus did not take the event: %s",
			     reason) >= 0)
			refuse_event(c, u->ip, u->address, u->name,
				     WIRE_UNAVAILABLE, why);
	}
	free(e->data);
}

/* Ends the bus connection: every request in flight, and every event
 * waiting for room, is answered 503. */
static void
bus_drop(struct child *c)
{
	struct bus_pending e;

	if (c->bus_fd >= 0)
		close(c->bus_fd);
	c->bus_fd = -1;
	while (bus_queue_pop(&c->bus_q, &e))
		bus_answer(c, &e, -ECONNRESET, "the event bus went away");
	for (size_t i = 0; i < c->n_conns; i++) {
		struct conn *cn = c->conns[i];

		if (!cn->bus_blocked)
			continue;
		cn->bus_blocked = false;
		(void)channel_stored(cn->ch, -ENOTCONN, BUS_RETRY_REASON);
	}
}

/* The bus connection failed (why): dropped, and the parent asked for a new
 * one. */
static void
bus_lost(struct child *c, const char *why)
{
	struct fdmsg m;

	if (c->bus_fd < 0)
		return;
	fprintf(stderr, "evtrigger-listen: lost the event bus: %s (%zu "
		"event%s in flight answered 503); reconnecting\n", why,
		c->bus_q.n, c->bus_q.n == 1 ? "" : "s");
	bus_drop(c);
	if (fdmsg_make(FDMSG_BUS_LOST, "bus", "", &m) == 0)
		(void)fdmsg_send(c->cfg->ctl, &m, -1);
}

static void
bus_attach(struct child *c, int fd)
{
	if (!c->cfg->bus) {
		close(fd);
		return;
	}
	bus_drop(c);
	c->bus_fd = fd;
}

/* Sends the datagram d (len bytes) for the request just queued. Returns 0,
 * -EAGAIN when the connection has no room now (the request is unqueued),
 * or -errno when the bus is lost (unqueued, and bus_lost called). */
static int
bus_send(struct child *c, const char *d, size_t len)
{
	ssize_t n = send(c->bus_fd, d, len, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n == (ssize_t)len)
		return 0;
	bus_queue_drop_last(&c->bus_q);
	if (n < 0 && (errno == EAGAIN || errno == EINTR || errno == ENOBUFS))
		return -EAGAIN;
	n = n < 0 ? -errno : -EMSGSIZE;
	bus_lost(c, strerror((int)-n));
	return (int)n;
}

/* Hands the pending event of cn to the bus. No room on the connection (or
 * in memory): it stays pending (cn->bus_blocked) and is tried again. */
static void
bus_submit(struct child *c, struct conn *cn, uint64_t now)
{
	struct channel *ch = cn->ch;
	struct store_sender s = conn_sender(cn);
	struct bus_pending e = { .owner = cn, .flight = true,
				 .deadline = now + BUS_TIMEOUT_USEC };
	_cleanup_(freep) char *d = NULL;
	size_t len;
	int r;

	cn->bus_blocked = false;
	if (c->bus_fd < 0) {
		(void)channel_stored(ch, -ENOTCONN, BUS_RETRY_REASON);
		return;
	}
	snprintf(e.uuid, sizeof(e.uuid), "%s", ch->req.uuid);
	r = store_format(&ch->req, &s, BUS_REQUEST_MAGIC, &d, &len);
	if (r >= 0 && len > BUS_REQUEST_MAX)
		r = -EMSGSIZE;
	if (r < 0 && r != -ENOMEM) {
		(void)channel_stored(ch, r, BUS_RETRY_REASON);
		return;
	}
	if (r < 0 || bus_queue_push(&c->bus_q, &e) < 0) {
		cn->bus_blocked = true;
		return;
	}
	r = bus_send(c, d, len);
	if (r == -EAGAIN) {
		cn->bus_blocked = true;
		return;
	}
	if (r < 0) {
		(void)channel_stored(ch, r, BUS_RETRY_REASON);
		return;
	}
	if (channel_written(ch, e.deadline) == 0)
		return;
	/* No memory for the flight: the event stays pending until the
	 * reply. */
	bus_queue_back(&c->bus_q)->flight = false;
	cn->written = true;
}

/* A UDP datagram's event: nobody to answer, a RETRY or no bus is
 * reported. */
static void
bus_submit_udp(struct child *c, const struct wire_request *req,
	       const struct store_sender *s, const char *ip, uint64_t now)
{
	struct bus_pending e = { .deadline = now + BUS_TIMEOUT_USEC };
	_cleanup_(freep) char *d = NULL;
	_cleanup_(freep) struct bus_udp *u = NULL;
	size_t len;
	int r = -ENOTCONN;

	if (c->bus_fd >= 0) {
		r = store_format(req, s, BUS_REQUEST_MAGIC, &d, &len);
		if (r >= 0 && len > BUS_REQUEST_MAX)
			r = -EMSGSIZE;
	}
	if (r >= 0) {
		u = calloc(1, sizeof(*u));
		r = u == NULL ? -ENOMEM : 0;
	}
	if (r >= 0) {
		snprintf(u->ip, sizeof(u->ip), "%s", ip);
		snprintf(u->address, sizeof(u->address), "%s", s->address);
		snprintf(u->name, sizeof(u->name), "%s", s->name);
		snprintf(e.uuid, sizeof(e.uuid), "%s", req->uuid);
		e.data = u;
		r = bus_queue_push(&c->bus_q, &e);
	}
	if (r >= 0) {
		TAKE_PTR(u);
		r = bus_send(c, d, len);
		if (r < 0)
			free(e.data);
	}
	if (r < 0)
		refuse_event(c, ip, s->address, s->name, WIRE_UNAVAILABLE,
			     BUS_RETRY_REASON);
}

/* Reads the bus's replies and answers their requests. */
static void
bus_read(struct child *c)
{
	char buf[BUS_REPLY_MAX], reason[200];
	struct bus_pending e;

	while (c->bus_fd >= 0) {
		ssize_t n = recv(c->bus_fd, buf, sizeof(buf), MSG_DONTWAIT);
		struct bus_pending *f;
		int r;

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			bus_lost(c, n == 0 ? "it closed the connection"
				 : strerror(errno));
			return;
		}
		f = bus_queue_front(&c->bus_q);
		r = f == NULL ? -EBADMSG
			      : bus_parse_reply(buf, (size_t)n, f->uuid,
						reason, sizeof(reason));
		if (r < 0) {
			bus_lost(c, "a reply that is not the answer to the "
				 "oldest request");
			return;
		}
		(void)bus_queue_pop(&c->bus_q, &e);
		bus_answer(c, &e, r, reason);
	}
}

/* A bus that keeps the oldest request unanswered too long is gone. */
static void
bus_check_timeout(struct child *c, uint64_t now)
{
	struct bus_pending *f = bus_queue_front(&c->bus_q);

	if (c->bus_fd >= 0 && f != NULL && now >= f->deadline)
		bus_lost(c, "no reply in 10 s");
}

/* Whether an event waits for room on the bus connection. */
static bool
bus_any_blocked(const struct child *c)
{
	for (size_t i = 0; i < c->n_conns; i++)
		if (c->conns[i]->bus_blocked)
			return true;
	return false;
}

/* Stores the pending event of conn: answers at once if this listener
 * already has it (a resend), else writes it and waits for it to appear.
 * With --bus, a network sender's event goes to the bus instead (no
 * look-up: the bus drops a resend itself). */
static void
conn_store(struct child *c, struct conn *cn, uint64_t now)
{
	struct channel *ch = cn->ch;
	struct store_sender s = conn_sender(cn);
	int r;

	if (conn_uses_bus(c, cn)) {
		bus_submit(c, cn, now);
		return;
	}

	r = store_find(c->store, &s, ch->req.uuid);
	if (r > 0) {
		(void)channel_stored(ch, 0, NULL);
		return;
	}
	if (r == 0)
		r = store_write(&ch->req, &s);
	if (r < 0) {
		(void)channel_stored(ch, r, "the host journal cannot store "
				     "the event now: retry later");
		return;
	}
	/* A pipelining sender (max_inflight) goes on with its next events
	 * meanwhile. */
	if (ch->limits->max_inflight > 0 &&
	    channel_written(ch, now + STORE_TIMEOUT_USEC) == 0)
		return;
	cn->written = true;
	cn->deadline = now + STORE_TIMEOUT_USEC;
}

/* Confirms the written events of a network connection that the journal
 * now has, oldest first (journald stores one writer's entries in order, so
 * a missing one means the later ones are missing too), or that took too
 * long. */
static void
check_flights(struct child *c, struct conn *cn, uint64_t now)
{
	struct store_sender s = conn_sender(cn);
	const struct channel_flight *f;

	while ((f = channel_awaited(cn->ch)) != NULL) {
		int r = store_find(c->store, &s, f->uuid);

		if (r > 0 && c->cfg->exit_after_store)
			_exit(99);
		if (r > 0)
			(void)channel_confirm(cn->ch, 0, NULL);
		else if (now >= f->deadline)
			(void)channel_confirm(cn->ch, -ETIMEDOUT,
					      "the host journal did not store "
					      "the event: retry later");
		else
			return;
	}
}

/* Answers the written events that the journal now has (or that took too
 * long). */
static void
check_written(struct child *c, uint64_t now)
{
	store_process(c->store);
	for (size_t i = 0; i < c->n_conns; i++) {
		struct conn *cn = c->conns[i];
		struct store_sender s;
		int r;

		if (conn_uses_bus(c, cn))
			continue;       /* answered by the bus's replies */
		if (cn->ch != NULL && cn->ch->n_flights > 0)
			check_flights(c, cn, now);
		if (!cn->written)
			continue;
		s = conn_sender(cn);
		r = store_find(c->store, &s, cn->ch->req.uuid);
		if (r > 0 && c->cfg->exit_after_store)
			_exit(99);
		if (r > 0)
			(void)channel_stored(cn->ch, 0, NULL);
		else if (now >= cn->deadline)
			(void)channel_stored(cn->ch, -ETIMEDOUT,
					     "the host journal did not store "
					     "the event: retry later");
		else
			continue;
		cn->written = false;
	}
}

static void
report_step(struct child *c, struct conn *cn, int r, uint64_t now)
{
	struct channel *ch = cn->ch;

	if (!is_net(cn)) {
		if (r == CHANNEL_REFUSED)
			report_refused(ch);
		else
			report_limited(ch, now);
		return;
	}
	if (r == CHANNEL_REFUSED && ch->failed) {
		/* A framing error: the connection ends (one report). */
		cn->closing = true;
		refuse_peer(c, cn->ip, cn->address, ch->name,
			    ch->last_reason != NULL ? ch->last_reason
						    : "bad frame");
	} else if (r == CHANNEL_REFUSED)
		refuse_event(c, cn->ip, cn->address, ch->name,
			     (int)ch->last_code,
			     ch->last_reason != NULL ? ch->last_reason : "");
	else
		net_report_limited(c, cn->ip, cn->address, ch->name,
				   &ch->limited, &ch->limited_report_usec, now);
}

/* Runs the state machine of one channel as far as it goes. */
static void
conn_steps(struct child *c, struct conn *cn, uint64_t now)
{
	if (cn->bus_blocked) {
		bus_submit(c, cn, now);
		if (cn->ch->pending)
			return;
	}
	for (;;) {
		int r = channel_step(cn->ch, now);

		if (r == CHANNEL_REFUSED || r == CHANNEL_LIMITED)
			report_step(c, cn, r, now);
		else if (r == CHANNEL_STORE) {
			conn_store(c, cn, now);
			if (cn->ch->pending)
				return;
		} else if (r != CHANNEL_SKIPPED)
			return;
	}
}

/* A TLS call failed with err: whether the connection can go on. */
static bool
tls_retry(struct conn *cn, int err, const char **ret_reason)
{
	if (err == SSL_ERROR_WANT_READ) {
		cn->ssl_want_write = false;
		return true;
	}
	if (err == SSL_ERROR_WANT_WRITE) {
		cn->ssl_want_write = true;
		return true;
	}
	if (err == SSL_ERROR_ZERO_RETURN) {
		cn->eof = true;         /* close_notify (or EOF): a normal end */
		return true;
	}
	cn->ssl_dead = true;
	if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
		*ret_reason = NULL;     /* closed without close_notify */
	else
		*ret_reason = "TLS error";
	ERR_clear_error();
	return false;
}

/* Reads what the peer sent, as long as the channel takes it; returns false
 * when the connection ended (*ret_reason: NULL for a normal end of a
 * network peer). */
static bool
conn_read(struct child *c, struct conn *cn, uint64_t now,
	  const char **ret_reason)
{
	for (;;) {
		size_t room;
		char *p;
		ssize_t n;

		if (!channel_wants_read(cn->ch, now) || cn->closing || cn->eof)
			return true;
		p = channel_in_space(cn->ch, &room);
		if (cn->kind == CONN_TLS) {
			int k;

			ERR_clear_error();
			k = SSL_read(cn->ssl, p, (int)(room > INT32_MAX ? INT32_MAX
								 : room));
			if (k <= 0)
				return tls_retry(cn, SSL_get_error(cn->ssl, k),
						 ret_reason);
			n = k;
		} else {
			n = recv(cn->fd, p, room, MSG_DONTWAIT);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return true;
			if (n == 0 && is_net(cn)) {
				cn->eof = true;
				return true;
			}
			if (n <= 0) {
				*ret_reason = cn->kind == CONN_CHANNEL
					? n == 0 ? "the VM closed it (stopped "
						   "or restarted)"
						 : "read error"
					: NULL;
				return false;
			}
		}
		channel_in_added(cn->ch, (size_t)n);
		cn->expires = now + c->cfg->idle_timeout_usec;
		if (cn->kind == CONN_CHANNEL)
			return true;
	}
}

static bool
conn_write(struct conn *cn)
{
	size_t len;
	const char *out = channel_out(cn->ch, &len);
	ssize_t n;

	if (len == 0)
		return true;
	if (!cn->answers) {
		/* Stock senders get no answers: drop them. */
		channel_out_sent(cn->ch, len);
		return true;
	}
	if (cn->kind == CONN_TLS) {
		const char *why;
		int k;

		ERR_clear_error();
		k = SSL_write(cn->ssl, out, (int)(len > INT32_MAX ? INT32_MAX
								 : len));
		if (k > 0) {
			channel_out_sent(cn->ch, (size_t)k);
			return true;
		}
		return tls_retry(cn, SSL_get_error(cn->ssl, k), &why);
	}
	n = send(cn->fd, out, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n > 0)
		channel_out_sent(cn->ch, (size_t)n);
	return n >= 0 || errno == EAGAIN || errno == EINTR;
}

/* Steps and writes answers until neither makes progress: a full answer
 * buffer holds the steps up, so sending answers can let them go on. Returns
 * false when the connection failed. */
static bool
conn_run(struct child *c, struct conn *cn, uint64_t now)
{
	if (cn->ch == NULL)
		return true;
	for (;;) {
		size_t before, after;

		conn_steps(c, cn, now);
		channel_out(cn->ch, &before);
		if (!conn_write(cn))
			return false;
		channel_out(cn->ch, &after);
		if (before < CHANNEL_OUT_MAX || after == before)
			return true;
	}
}

/* The token bucket of the network sender name (made on first use; there
 * is room for one per senders file entry). */
static struct bucket *
bucket_of(struct child *c, const char *name)
{
	const struct channel_limits *l = &c->cfg->net_limits;
	struct bucket *b;

	for (size_t i = 0; i < c->n_buckets; i++)
		if (streq(c->buckets[i].name, name))
			return &c->buckets[i];
	if (c->n_buckets == c->max_buckets)
		return NULL;
	b = &c->buckets[c->n_buckets++];
	*b = (struct bucket){ 0 };
	snprintf(b->name, sizeof(b->name), "%s", name);
	ratelimit_init(&b->rl, l->rate, l->burst, now_usec(CLOCK_MONOTONIC));
	return b;
}

/* The peer proved to be sender name: its channel, or a refusal. Returns
 * false when the connection is to be closed (reported). */
static bool
conn_authenticated(struct child *c, struct conn *cn, const char *name,
		   const char *auth, uint64_t now)
{
	struct bucket *b;

	cn->ch = channel_new(cn->fd, name, "", &c->cfg->net_limits, now);
	if (cn->ch == NULL) {
		refuse_peer(c, cn->ip, cn->address, name, "out of memory");
		return false;
	}
	b = bucket_of(c, name);
	cn->ch->shared = b != NULL ? &b->rl : NULL;
	cn->auth = auth;
	cn->expires = now + c->cfg->idle_timeout_usec;
	if (is_domain_name(c, name)) {
		/* ERR 403 to the first event, then the end. */
		char *line = channel_format_err(WIRE_REFUSED, "sender name is "
						"a running VM's name");

		refuse_peer(c, cn->ip, cn->address, name, "the sender name is "
			    "a running VM's name (a network peer cannot pass "
			    "for a guest)");
		if (line != NULL) {
			cn->ch->out = line;
			cn->ch->out_len = strlen(line);
		}
		cn->closing = true;
	}
	return true;
}

/* Drives the TLS handshake of cn. Returns false when the connection is to
 * be closed (already reported). */
static bool
conn_handshake(struct child *c, struct conn *cn, uint64_t now)
{
	char why[TLS_REASON_MAX];
	const struct sender *e;
	const char *auth;
	int r, err;

	ERR_clear_error();
	r = SSL_do_handshake(cn->ssl);
	if (r != 1) {
		err = SSL_get_error(cn->ssl, r);
		if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
			cn->ssl_want_write = err == SSL_ERROR_WANT_WRITE;
			return true;
		}
		cn->ssl_dead = true;
		tls_handshake_failure(cn->ssl, err, why);
		refuse_peer(c, cn->ip, cn->address, NULL, why);
		return false;
	}
	cn->ssl_want_write = false;
	if (tls_peer_sender(cn->ssl, c->cfg->senders, &e, &auth, why) < 0) {
		refuse_peer(c, cn->ip, cn->address, NULL, why);
		return false;
	}
	cn->answers = tls_answers(cn->ssl);
	return conn_authenticated(c, cn, e->name, auth, now);
}

static void
format_peer(const struct sockaddr_storage *ss, char ip[PEER_IP_MAX],
	    char *address, size_t size)
{
	unsigned port = 0;

	strcpy(ip, "?");
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, ip, PEER_IP_MAX);
		port = ntohs(sin->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)ss;

		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
			inet_ntop(AF_INET, sin6->sin6_addr.s6_addr + 12, ip,
				  PEER_IP_MAX);
		else
			inet_ntop(AF_INET6, &sin6->sin6_addr, ip, PEER_IP_MAX);
		port = ntohs(sin6->sin6_port);
	}
	if (strchr(ip, ':') != NULL)
		snprintf(address, size, "[%s]:%u", ip, port);
	else
		snprintf(address, size, "%s:%u", ip, port);
}

/* A new connection on a TLS or TCP listener. */
static void
net_accept(struct child *c, const struct listener *l, int fd,
	   const struct sockaddr_storage *ss, uint64_t now)
{
	const struct child_config *cfg = c->cfg;
	char ip[PEER_IP_MAX], address[sizeof(((struct conn *)0)->address)];
	struct peer *pe;
	struct conn *cn;
	const struct sender *e = NULL;
	char why[160];

	format_peer(ss, ip, address, sizeof(address));
	pe = peers_get(&c->peers, ip, now);
	if (c->n_net >= cfg->max_sessions || c->n_conns >= CONNS_MAX ||
	    pe == NULL) {
		snprintf(why, sizeof(why), "too many sessions (%zu in total)",
			 c->n_net);
		refuse_peer(c, ip, address, NULL, why);
		close(fd);
		return;
	}
	if (pe->sessions >= cfg->max_sessions_per_address) {
		snprintf(why, sizeof(why), "too many sessions from this "
			 "address (%u)", pe->sessions);
		refuse_peer(c, ip, address, NULL, why);
		close(fd);
		return;
	}
	if (l->kind == LISTEN_TCP) {
		e = senders_find_address(cfg->senders,
					 (const struct sockaddr *)ss);
		if (e == NULL) {
			refuse_peer(c, ip, address, NULL, "address not listed "
				    "in the senders file");
			close(fd);
			return;
		}
	}
	cn = calloc(1, sizeof(*cn));
	if (cn == NULL) {
		close(fd);
		return;
	}
	cn->kind = l->kind == LISTEN_TLS ? CONN_TLS : CONN_TCP;
	cn->fd = fd;
	snprintf(cn->ip, sizeof(cn->ip), "%s", ip);
	snprintf(cn->address, sizeof(cn->address), "%s", address);
	pe->sessions++;
	c->n_net++;
	c->conns[c->n_conns++] = cn;
	if (cn->kind == CONN_TLS) {
		cn->ssl = tls_accept_new(cfg->tls, fd, &cn->info);
		cn->expires = now + cfg->handshake_timeout_usec;
		if (cn->ssl == NULL)
			conn_close(c, c->n_conns - 1, "out of memory");
		return;
	}
	if (!conn_authenticated(c, cn, e->name, "address", now))
		conn_close(c, c->n_conns - 1, NULL);
}

static void
listener_accept(struct child *c, const struct listener *l, uint64_t now)
{
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int fd = accept4(l->fd, (struct sockaddr *)&ss, &len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				fprintf(stderr, "evtrigger-listen: cannot "
					"accept: %s\n", strerror(errno));
				c->accept_pause_until = now + ACCEPT_PAUSE_USEC;
			}
			return;
		}
		net_accept(c, l, fd, &ss, now);
	}
}

/* One datagram from the peer ss holding data, len bytes: no answer, no
 * read-back (there is nobody to answer). */
static void
udp_event(struct child *c, const struct sockaddr_storage *ss,
	  char *data, size_t len, uint64_t now)
{
	const struct child_config *cfg = c->cfg;
	const struct channel_limits *l = &cfg->net_limits;
	char ip[PEER_IP_MAX], address[CHANNEL_NAME_MAX + 16];
	const struct sender *e;
	struct wire_item item = { .kind = WIRE_ITEM_LINE };
	struct wire_request req;
	struct store_sender s;
	enum wire_code code;
	struct bucket *b;
	_cleanup_(freep) char *reason = NULL;
	int r;

	format_peer(ss, ip, address, sizeof(address));
	e = senders_find_address(cfg->senders, (const struct sockaddr *)ss);
	if (e == NULL) {
		refuse_peer(c, ip, address, NULL, "address not listed in the "
			    "senders file");
		return;
	}
	if (is_domain_name(c, e->name)) {
		refuse_peer(c, ip, address, e->name, "the sender name is a "
			    "running VM's name (a network peer cannot pass "
			    "for a guest)");
		return;
	}
	if (len > (l->max_frame > 0 ? l->max_frame : WIRE_LINE_MAX)) {
		refuse_peer(c, ip, address, e->name, "datagram too large");
		return;
	}
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\0' ||
			   data[len - 1] == '\r'))
		len--;
	item.data = data;
	item.len = len;
	b = bucket_of(c, e->name);
	if (b != NULL && ratelimit_take(&b->rl, now) > 0) {
		b->limited++;
		net_report_limited(c, ip, address, e->name, &b->limited,
				   &b->report_usec, now);
		return;
	}
	r = wire_parse_flags(&item, l->defaults, l->max_event, l->wire_flags,
			     &req, &code, &reason);
	if (r == 1)
		return;
	if (r < 0) {
		refuse_event(c, ip, address, e->name, (int)code,
			     reason != NULL ? reason : "");
		return;
	}
	s = (struct store_sender){ e->name, NULL, "address", address };
	if (req.uuid[0] == '\0')
		r = channel_new_uuid(req.uuid);
	else if (cfg->bus)
		r = 0;          /* the bus drops a resend itself */
	else
		r = store_find(c->store, &s, req.uuid) > 0 ? 1 : 0;
	if (r == 0 && cfg->bus) {
		bus_submit_udp(c, &req, &s, ip, now);
		r = 1;
	}
	if (r == 0)
		r = store_write(&req, &s);
	if (r < 0)
		refuse_event(c, ip, address, e->name, WIRE_UNAVAILABLE,
			     "the host journal cannot store the event now");
	wire_request_done(&req);
}

static void
listener_read(struct child *c, const struct listener *l, uint64_t now)
{
	static char buf[WIRE_LINE_MAX + 2];

	for (int i = 0; i < ACCEPT_BATCH; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		ssize_t n = recvfrom(l->fd, buf, sizeof(buf),
				     MSG_DONTWAIT | MSG_TRUNC,
				     (struct sockaddr *)&ss, &len);

		if (n < 0)
			return;
		/* A truncated datagram is refused as too large. */
		udp_event(c, &ss, buf, (size_t)n > sizeof(buf) ? sizeof(buf)
				       : (size_t)n, now);
	}
}

/* ---- the loop ------------------------------------------------------------- */

static bool
tls_has_input(const struct conn *cn, uint64_t now)
{
	return cn->kind == CONN_TLS && cn->ch != NULL && !cn->closing &&
	       !cn->eof && channel_wants_read(cn->ch, now) &&
	       SSL_has_pending(cn->ssl);
}

static int
poll_timeout(const struct child *c, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	if (c->accept_pause_until > now)
		next = c->accept_pause_until;
	if (c->bus_q.n > 0 && bus_queue_front(&c->bus_q)->deadline < next)
		next = bus_queue_front(&c->bus_q)->deadline;
	for (size_t i = 0; i < c->n_conns; i++) {
		const struct conn *cn = c->conns[i];
		bool journal = !conn_uses_bus(c, cn);

		if (tls_has_input(cn, now))
			return 0;
		if (journal && (cn->written ||
				(cn->ch != NULL && channel_awaited(cn->ch) != NULL)))
			return STORE_POLL_MSEC;
		if (cn->ch != NULL && cn->ch->resume_usec > now &&
		    cn->ch->resume_usec < next)
			next = cn->ch->resume_usec;
		if (is_net(cn) && cn->expires < next)
			next = cn->expires;
	}
	if (next == UINT64_MAX)
		return -1;
	if (next <= now)
		return 0;
	return (int)((next - now + 999) / 1000);
}

static short
conn_events(const struct conn *cn, uint64_t now)
{
	size_t out_len = 0;
	short ev = 0;

	if (cn->ch == NULL)     /* a TLS handshake */
		return cn->ssl_want_write ? POLLOUT : POLLIN;
	channel_out(cn->ch, &out_len);
	if (cn->ssl_want_write)
		ev |= POLLOUT;
	else if (channel_wants_read(cn->ch, now) && !cn->closing && !cn->eof)
		ev |= POLLIN;
	if (out_len > 0 && cn->answers)
		ev |= POLLOUT;
	return ev;
}

/* Handles conn i after poll (re: its revents). Returns false after
 * closing it. */
static bool
conn_handle(struct child *c, size_t i, short re, uint64_t now)
{
	struct conn *cn = c->conns[i];
	const char *why = is_net(cn) ? NULL : "hang-up";
	size_t out_len;
	bool ok = true;

	if (cn->kind == CONN_TLS && cn->ch == NULL) {
		if (re != 0 && !conn_handshake(c, cn, now)) {
			conn_close(c, i, NULL);
			return false;
		}
		if (cn->ch == NULL && now >= cn->expires) {
			conn_close(c, i, "handshake timeout");
			return false;
		}
		if (cn->ch == NULL)
			return true;
		re |= POLLIN;   /* data may have come with the handshake */
	}
	if ((re & (POLLIN | POLLOUT)) || tls_has_input(cn, now))
		ok = conn_read(c, cn, now, &why);
	else if ((re & (POLLHUP | POLLERR)) && !cn->eof)
		ok = false;
	if (ok && !conn_run(c, cn, now)) {
		ok = false;
		why = is_net(cn) ? NULL : "write error";
	}
	if (!ok) {
		conn_close(c, i, why);
		return false;
	}
	if (!is_net(cn))
		return true;
	channel_out(cn->ch, &out_len);
	if (cn->ch->n_flights > 0)
		return true;    /* answers still wait for the journal */
	if (cn->closing && (out_len == 0 || !cn->answers)) {
		conn_close(c, i, NULL);         /* reported when it failed */
		return false;
	}
	if (cn->eof && !cn->ch->pending && !cn->written &&
	    now >= cn->ch->resume_usec) {
		conn_close(c, i, NULL);         /* all it sent is handled */
		return false;
	}
	if (now >= cn->expires && !cn->ch->pending && !cn->written) {
		conn_close(c, i, "idle timeout");
		return false;
	}
	return true;
}

static int
loop(struct child *c)
{
	_cleanup_(freep) struct pollfd *pfd = NULL;
	const size_t first = 3 + LISTENERS_MAX;

	pfd = calloc(CONNS_MAX + first, sizeof(*pfd));
	if (pfd == NULL)
		return -ENOMEM;
	for (;;) {
		uint64_t now = now_usec(CLOCK_MONOTONIC);
		size_t n = c->n_conns, nl = c->n_listeners;
		int r;

		pfd[0] = (struct pollfd){ .fd = c->cfg->ctl, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = store_fd(c->store),
					  .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = c->bus_fd, .events = POLLIN };
		if (c->bus_fd >= 0 && !bus_queue_full(&c->bus_q) &&
		    bus_any_blocked(c))
			pfd[2].events |= POLLOUT;
		for (size_t i = 0; i < LISTENERS_MAX; i++)
			pfd[3 + i] = (struct pollfd){ .fd = -1 };
		for (size_t i = 0; i < nl; i++)
			if (now >= c->accept_pause_until)
				pfd[3 + i] = (struct pollfd){
					.fd = c->listeners[i].fd,
					.events = POLLIN };
		for (size_t i = 0; i < n; i++) {
			short ev = conn_events(c->conns[i], now);

			/* A peer at its end: no hang-up wakeups while its
			 * last events are stored. */
			pfd[first + i] = (struct pollfd){
				.fd = c->conns[i]->eof && ev == 0
					      ? -1 : c->conns[i]->fd,
				.events = ev };
		}
		r = poll(pfd, n + first, poll_timeout(c, now));
		if (r < 0 && errno != EINTR)
			return -errno;
		if (c->quit)
			return 0;
		now = now_usec(CLOCK_MONOTONIC);
		/* Connections first: conn_close reorders c->conns. */
		for (size_t i = n; i-- > 0;)
			(void)conn_handle(c, i, pfd[first + i].revents, now);
		if (pfd[2].revents & (POLLIN | POLLHUP | POLLERR))
			bus_read(c);
		bus_check_timeout(c, now);
		check_written(c, now);
		for (size_t i = 0; i < c->n_conns; i++)
			(void)conn_run(c, c->conns[i], now);
		for (size_t i = 0; i < nl; i++) {
			const struct listener *l = &c->listeners[i];

			if (!(pfd[3 + i].revents & POLLIN))
				continue;
			if (l->kind == LISTEN_UDP)
				listener_read(c, l, now);
			else
				listener_accept(c, l, now);
		}
		if (pfd[0].revents & (POLLIN | POLLHUP)) {
			r = handle_ctl(c);
			if (r < 0)
				return r == -ECONNRESET ? 0 : r;
		}
	}
}

static struct child *the_child;

static void
on_term(int sig)
{
	if (the_child != NULL)
		the_child->quit = 1;
}

int
child_run(const struct child_config *cfg)
{
	struct child c = { .cfg = cfg, .bus_fd = -1 };
	struct sigaction sa = { .sa_handler = on_term };
	int r;

	/* The parent's death ends the child too. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0 ||
	    getppid() == 1) {
		fprintf(stderr, "evtrigger-listen: parent gone\n");
		return 1;
	}
	r = sandbox_drop(cfg->user);
	if (r < 0) {
		fprintf(stderr, "evtrigger-listen: cannot become user %s: %s\n",
			cfg->user->name, strerror(-r));
		return 1;
	}
	r = sandbox_seccomp();
	if (r == -EOPNOTSUPP)
		fprintf(stderr, "evtrigger-listen: no seccomp filter for this "
			"architecture; running without one\n");
	else if (r < 0) {
		fprintf(stderr, "evtrigger-listen: cannot install the seccomp "
			"filter: %s\n", strerror(-r));
		return 1;
	}
	r = store_open(&c.store);
	if (r < 0) {
		fprintf(stderr, "evtrigger-listen: cannot open the journal as "
			"user %s (it needs the systemd-journal group): %s\n",
			cfg->user->name, strerror(-r));
		return 1;
	}
	c.conns = calloc(CONNS_MAX, sizeof(*c.conns));
	c.max_buckets = cfg->senders != NULL ? cfg->senders->n : 0;
	c.buckets = calloc(c.max_buckets + 1, sizeof(*c.buckets));
	if (c.conns == NULL || c.buckets == NULL) {
		free(c.conns);
		free(c.buckets);
		store_free(c.store);
		return 1;
	}
	bus_queue_init(&c.bus_q, BUS_INFLIGHT_MAX);
	the_child = &c;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	r = loop(&c);
	if (r < 0)
		fprintf(stderr, "evtrigger-listen: %s\n", strerror(-r));
	for (size_t i = 0; i < c.n_conns; i++)
		conn_free(&c, c.conns[i]);
	for (size_t i = 0; i < c.n_listeners; i++)
		close(c.listeners[i].fd);
	if (c.bus_fd >= 0)
		close(c.bus_fd);
	bus_queue_done(&c.bus_q);
	free(c.conns);
	free(c.buckets);
	free(c.domains);
	peers_done(&c.peers);
	store_free(c.store);
	return r < 0 ? 1 : 0;
}
