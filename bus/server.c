/* The listener's socket: SOCK_SEQPACKET, one request a packet, one reply a
 * packet in request order (evtrigger-bus(8), "PROTOCOL"). A request is
 * answered OK only once the stream has stored it (its PubAck). Requests
 * are published without waiting (many in flight, as the listener sends
 * them); each client's replies leave in its order as their PubAcks come. */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "bus.h"
#include "event.h"
#include "evt-ids.h"
#include "native.h"
#include "subject.h"

#define CLIENTS_MAX 64
/* Requests of one client in flight at once (the listener's own limit is
 * 256 a connection). */
#define CLIENT_INFLIGHT 256
/* A uuid longer than this, or with a blank, is not echoed. */
#define UUID_MAX 128

int
bus_server_open(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_(closep) int fd = -1;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	/* The listener (of the bus's user or group) connects. */
	if (chmod(path, 0660) < 0 || listen(fd, 64) < 0)
		return -errno;
	return TAKE_FD(fd);
}

static bool
uuid_printable(const char *u)
{
	size_t n = strlen(u);

	if (n == 0 || n > UUID_MAX)
		return false;
	for (const unsigned char *p = (const unsigned char *)u; *p; p++)
		if (*p <= ' ' || *p >= 127)
			return false;
	return true;
}

static void
refused(char *reply, size_t size, const char *uuid, const char *sender,
	const char *why)
{
	_cleanup_(freep) char *f1 = NULL, *f2 = NULL, *f3 = NULL, *msg = NULL;

	snprintf(reply, size, "RETRY %s bad request: %s",
		 uuid != NULL ? uuid : "-", why);
	if (asprintf(&f1, EVT_FIELD_REASON "=%s", why) < 0 ||
	    asprintf(&f2, EVT_FIELD_REFUSED_UUID "=%s",
		     uuid != NULL ? uuid : "") < 0 ||
	    asprintf(&f3, EVT_FIELD_REFUSED_SENDER "=%s",
		     sender != NULL ? sender : "") < 0 ||
	    asprintf(&msg, "evtrigger-bus refused a request of the listener: "
		     "%s", why) < 0)
		return;
	bus_report(EVT_BUS_MESSAGE_REFUSED, msg, f1, f2, f3);
}

/* The checks of a request: NULL, or why it is refused. */
static const char *
check_request(const struct native_msg *m)
{
	for (size_t i = 0; i < m->n_fields; i++) {
		const char *n = m->fields[i].name;

		if (n[0] == '_')
			return "field starting with '_'";
		if (native_name_check(n) < 0)
			return "bad field name";
		if (streq(n, EVENT_FIELD_ENTRY_HOST) ||
		    streq(n, EVENT_FIELD_PLACEMENT))
			return "reserved field";
	}
	if (native_get(m, EVENT_FIELD_SENDER) == NULL)
		return "no " EVENT_FIELD_SENDER;
	return NULL;
}

/* The NATS message of a checked request. NULL, or why not. */
static const char *
make_message(struct bus *b, const struct native_msg *m, natsMsg **ret)
{
	_cleanup_(freep) char *payload = NULL, *subject = NULL, *id = NULL;
	const char *sender = native_get(m, EVENT_FIELD_SENDER);
	const char *uuid = native_get(m, EVENT_FIELD_UUID);
	const char *vm = native_get(m, EVT_FIELD_VM);
	natsMsg *msg = NULL;
	size_t len = 0;

	if (native_format(m, &payload, &len) < 0 ||
	    native_append(&payload, &len, EVENT_FIELD_ENTRY_HOST, b->cfg.host,
			  strlen(b->cfg.host)) < 0 ||
	    subject_for_event(sender, vm != NULL && vm[0] != '\0' ? vm : NULL,
			      &subject) < 0 ||
	    asprintf(&id, "%s/%s", sender, uuid) < 0)
		return "out of memory";
	if (natsMsg_Create(&msg, subject, NULL, payload, (int)len) != NATS_OK ||
	    natsMsgHeader_Set(msg, "Nats-Msg-Id", id) != NATS_OK) {
		natsMsg_Destroy(msg);
		return "out of memory";
	}
	*ret = msg;
	return NULL;
}

void
bus_handle_request(struct bus *b, const char *data, size_t len, char *reply,
		   size_t size, natsMsg **ret_msg)
{
	_cleanup_(native_msg_clear) struct native_msg m = { NULL, 0 };
	const char *why = NULL, *uuid, *sender;

	*ret_msg = NULL;
	if (len < 4 || memcmp(data, BUS_REQUEST_MAGIC, 4) != 0) {
		refused(reply, size, NULL, NULL, "no " BUS_REQUEST_MAGIC);
		return;
	}
	if (len > BUS_REQUEST_MAX) {
		refused(reply, size, NULL, NULL, "too large");
		return;
	}
	if (native_parse(data + 4, len - 4, BUS_FIELDS_MAX, &m, &why) < 0) {
		refused(reply, size, NULL, NULL, why != NULL ? why :
			"out of memory");
		return;
	}
	uuid = native_get(&m, EVENT_FIELD_UUID);
	sender = native_get(&m, EVENT_FIELD_SENDER);
	if (uuid == NULL || !uuid_printable(uuid)) {
		refused(reply, size, NULL, sender, uuid == NULL ?
			"no " EVENT_FIELD_UUID : "bad " EVENT_FIELD_UUID);
		return;
	}
	why = check_request(&m);
	if (why != NULL) {
		refused(reply, size, uuid, sender, why);
		return;
	}
	/* Nothing is buffered while disconnected: RETRY at once. */
	if (!bus_nats_connected(b)) {
		snprintf(reply, size, "RETRY %s no NATS connection", uuid);
		return;
	}
	why = make_message(b, &m, ret_msg);
	if (why != NULL)
		snprintf(reply, size, "RETRY %s %s", uuid, why);
	else
		snprintf(reply, size, "%s", uuid);
}


/* One request of a client, in its order: its reply once the stream
 * acknowledged it (or not). While it is in flight it is also on the bus's
 * list of slots awaiting an acknowledgement, found by its message. */
struct slot {
	struct slot *next;              /* the client's queue */
	struct slot *next_inflight;
	const natsMsg *msg;             /* compared only, never used */
	bool done;                      /* reply is final (under lock) */
	bool orphan;                    /* its client is gone: the ack frees it */
	char uuid[UUID_MAX + 1];
	char reply[512];
};

/* A client: its requests in order, and whether its socket took no more. */
struct client {
	struct slot *head, *tail;
	unsigned n;
	bool blocked;
};

/* The bus's slots in flight, shared with the acknowledgement handler
 * (which runs on a libnats thread). */
static pthread_mutex_t inflight_lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot *inflight;
static int wake_fd = -1;
/* Requests taken whose reply is neither sent nor given up with its client
 * (atomic): what the EVTRIGGER_BUS_EXIT_AFTER_WRITE hook waits for, so that
 * it kills the bus between a write and its ack, not before a reply. */
static int replies_owed;

int
bus_server_replies_owed(void)
{
	return __atomic_load_n(&replies_owed, __ATOMIC_ACQUIRE);
}

/* Called by libnats for every message published asynchronously: its
 * PubAck, or the error (including no PubAck within BUS_PUBLISH_WAIT_MS). */
static void
on_puback(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae,
	  void *closure)
{
	struct slot **pp, *s = NULL;
	uint64_t one = 1;

	pthread_mutex_lock(&inflight_lock);
	for (pp = &inflight; *pp != NULL; pp = &(*pp)->next_inflight)
		if ((*pp)->msg == msg) {
			s = *pp;
			*pp = s->next_inflight;
			break;
		}
	if (s != NULL) {
		char why[256];

		if (pae == NULL)
			snprintf(s->reply, sizeof(s->reply), "OK %s", s->uuid);
		else
			snprintf(s->reply, sizeof(s->reply), "RETRY %s %s",
				 s->uuid, bus_nats_error(pae->Err, pae->ErrCode,
							 why, sizeof(why)));
		s->done = true;
		if (s->orphan)
			free(s);
	}
	pthread_mutex_unlock(&inflight_lock);
	natsMsg_Destroy(msg);
	(void)write(wake_fd, &one, sizeof(one));
}

/* The publishing context: its own, with on_puback. 0 or -EIO. */
static int
pub_open(struct bus *b, jsCtx **ret)
{
	jsOptions o;

	jsOptions_Init(&o);
	o.PublishAsync.AckHandler = on_puback;
	o.PublishAsync.MaxPending = CLIENTS_MAX * CLIENT_INFLIGHT;
	return natsConnection_JetStream(ret, b->nc, &o) == NATS_OK ? 0 : -EIO;
}

static void
client_push(struct client *c, struct slot *s)
{
	if (c->tail != NULL)
		c->tail->next = s;
	else
		c->head = s;
	c->tail = s;
	c->n++;
}

/* Takes a request: a slot with its reply now, or in flight. */
static int
take_request(struct bus *b, jsCtx *pub, struct client *c, const char *buf,
	     size_t n)
{
	struct slot *s = calloc(1, sizeof(*s));
	natsMsg *msg = NULL;
	jsPubOptions po;
	jsErrCode e = 0;
	natsStatus st;

	if (s == NULL)
		return -ENOMEM;
	bus_handle_request(b, buf, n, s->reply, sizeof(s->reply), &msg);
	client_push(c, s);
	__atomic_add_fetch(&replies_owed, 1, __ATOMIC_RELEASE);
	if (msg == NULL) {
		s->done = true;
		return 0;
	}
	/* reply holds the uuid, at most UUID_MAX bytes (checked) */
	memcpy(s->uuid, s->reply, strnlen(s->reply, UUID_MAX));
	s->msg = msg;
	pthread_mutex_lock(&inflight_lock);
	s->next_inflight = inflight;
	inflight = s;
	pthread_mutex_unlock(&inflight_lock);
	jsPubOptions_Init(&po);
	po.MaxWait = BUS_PUBLISH_WAIT_MS;
	po.ExpectStream = b->cfg.stream;
	st = js_PublishMsgAsync(pub, &msg, &po);
	if (st != NATS_OK) {
		/* Not taken: the handler will not see it. */
		struct slot **pp;
		char why[256];

		pthread_mutex_lock(&inflight_lock);
		for (pp = &inflight; *pp != NULL; pp = &(*pp)->next_inflight)
			if (*pp == s) {
				*pp = s->next_inflight;
				break;
			}
		snprintf(s->reply, sizeof(s->reply), "RETRY %s %s", s->uuid,
			 bus_nats_error(st, e, why, sizeof(why)));
		s->done = true;
		pthread_mutex_unlock(&inflight_lock);
		natsMsg_Destroy(msg);
	}
	return 0;
}

/* Sends the replies that are final, in order, until one is not or the
 * socket is full. 0, or -errno: the client is gone. */
static int
flush_replies(int fd, struct client *c)
{
	for (;;) {
		struct slot *s;
		bool done;

		pthread_mutex_lock(&inflight_lock);
		s = c->head;
		done = s != NULL && s->done;
		pthread_mutex_unlock(&inflight_lock);
		if (!done)
			return 0;
		if (send(fd, s->reply, strlen(s->reply),
			 MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				c->blocked = true;
				return 0;
			}
			return -errno;
		}
		c->blocked = false;
		__atomic_sub_fetch(&replies_owed, 1, __ATOMIC_RELEASE);
		c->head = s->next;
		if (c->head == NULL)
			c->tail = NULL;
		c->n--;
		free(s);
	}
}

/* A client gone: its final slots freed, those in flight left to the
 * handler. */
static void
client_drop(struct client *c)
{
	struct slot *s, *next;

	pthread_mutex_lock(&inflight_lock);
	for (s = c->head; s != NULL; s = next) {
		next = s->next;
		__atomic_sub_fetch(&replies_owed, 1, __ATOMIC_RELEASE);
		if (s->done)
			free(s);
		else
			s->orphan = true;
	}
	pthread_mutex_unlock(&inflight_lock);
	*c = (struct client){ NULL, NULL, 0, false };
}

static short
client_events(const struct client *c)
{
	if (c->blocked)
		return POLLOUT;
	/* Back pressure: a client with many requests in flight waits. */
	return c->n < CLIENT_INFLIGHT ? POLLIN : 0;
}

/* Reads the requests the client has sent (at most a few at once, so that
 * the others are served too). */
static void
serve_one(struct bus *b, jsCtx *pub, struct pollfd *p, struct client *c,
	  char *buf, bool *ret_closed)
{
	for (int k = 0; k < 16 && c->n < CLIENT_INFLIGHT && !c->blocked; k++) {
		struct iovec iov = { buf, BUS_REQUEST_MAX + 1 };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(p->fd, &mh, MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n <= 0) {
			*ret_closed = true;
			return;
		}
		if (mh.msg_flags & MSG_TRUNC)
			n = BUS_REQUEST_MAX + 1;        /* refused: too large */
		if (take_request(b, pub, c, buf, (size_t)n) < 0) {
			*ret_closed = true;
			return;
		}
	}
	if (flush_replies(p->fd, c) < 0)
		*ret_closed = true;
}

/* At the end: waits a while for what is in flight, then drops it. */
static void
pub_close(jsCtx *pub)
{
	jsPubOptions po;
	natsMsgList pending = { NULL, 0 };
	bool any;

	/* Nothing in flight (never published, or every PubAck handled): libnats
	 * 3.4's pending list would dereference a map it never made. */
	pthread_mutex_lock(&inflight_lock);
	any = inflight != NULL;
	pthread_mutex_unlock(&inflight_lock);
	if (!any) {
		jsCtx_Destroy(pub);
		return;
	}
	jsPubOptions_Init(&po);
	po.MaxWait = BUS_PUBLISH_WAIT_MS + 1000;
	(void)js_PublishAsyncComplete(pub, &po);
	if (js_PublishAsyncGetPendingList(&pending, pub) == NATS_OK) {
		pthread_mutex_lock(&inflight_lock);
		while (inflight != NULL) {
			struct slot *s = inflight;

			inflight = s->next_inflight;
			if (s->orphan)
				free(s);
		}
		pthread_mutex_unlock(&inflight_lock);
		natsMsgList_Destroy(&pending);
	}
	jsCtx_Destroy(pub);
}

int
bus_server_run(struct bus *b, int listen_fd, int sigfd)
{
	struct pollfd pfd[CLIENTS_MAX + 3];
	struct client cl[CLIENTS_MAX + 3] = { 0 };
	_cleanup_(freep) char *buf = malloc(BUS_REQUEST_MAX + 1);
	_cleanup_(closep) int efd = -1;
	jsCtx *pub = NULL;
	size_t n = 0;
	int r = 0;

	if (buf == NULL)
		return -ENOMEM;
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		return -errno;
	wake_fd = efd;
	if (pub_open(b, &pub) < 0)
		return -EIO;
	pfd[0] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = listen_fd, .events = POLLIN };
	pfd[2] = (struct pollfd){ .fd = efd, .events = POLLIN };
	while (!bus_quitting(b)) {
		uint64_t v;

		pfd[1].events = n < CLIENTS_MAX ? POLLIN : 0;
		for (size_t i = 3; i < n + 3; i++)
			pfd[i].events = client_events(&cl[i]);
		if (poll(pfd, n + 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			(void)read(sigfd, &si, sizeof(si));
			__atomic_store_n(&b->quit, 1, __ATOMIC_RELEASE);
			break;
		}
		if (pfd[2].revents & POLLIN)
			(void)read(efd, &v, sizeof(v));
		for (size_t i = 3; i < n + 3; i++) {
			bool closed = false;

			if (pfd[i].revents & (POLLIN | POLLOUT))
				serve_one(b, pub, &pfd[i], &cl[i], buf, &closed);
			else if (pfd[i].revents != 0)
				closed = true;
			else if (flush_replies(pfd[i].fd, &cl[i]) < 0)
				closed = true;
			if (closed) {
				close(pfd[i].fd);
				client_drop(&cl[i]);
				pfd[i] = pfd[n + 2];
				cl[i] = cl[n + 2];
				cl[n + 2] = (struct client){ NULL, NULL, 0, false };
				n--;
				i--;
			}
		}
		if (pfd[1].revents & POLLIN) {
			int fd = accept4(listen_fd, NULL, NULL,
					 SOCK_CLOEXEC | SOCK_NONBLOCK);

			if (fd >= 0)
				pfd[3 + n++] = (struct pollfd){ .fd = fd,
								.events = POLLIN };
		}
	}
	for (size_t i = 3; i < n + 3; i++) {
		close(pfd[i].fd);
		client_drop(&cl[i]);
	}
	pub_close(pub);
	wake_fd = -1;
	return r;
}
