/* The listener's socket: SOCK_SEQPACKET, one request a packet, one reply a
 * packet in request order (evtrigger-bus(8), "PROTOCOL"). A request is
 * answered OK only once the stream has stored it (its PubAck). */
#include <poll.h>
#include <stdio.h>
#include <string.h>
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

/* Publishes the request's event and waits for the stream's PubAck. NULL,
 * or why not (the reply's reason words). */
static const char *
publish(struct bus *b, const struct native_msg *m, char *why, size_t size)
{
	_cleanup_(freep) char *payload = NULL, *subject = NULL, *id = NULL;
	const char *sender = native_get(m, EVENT_FIELD_SENDER);
	const char *uuid = native_get(m, EVENT_FIELD_UUID);
	const char *vm = native_get(m, EVT_FIELD_VM);
	natsMsg *msg = NULL;
	jsPubAck *ack = NULL;
	jsPubOptions po;
	jsErrCode e = 0;
	size_t len = 0;
	natsStatus s;

	if (!bus_nats_connected(b))
		return "no NATS connection";
	if (native_format(m, &payload, &len) < 0 ||
	    native_append(&payload, &len, EVENT_FIELD_ENTRY_HOST, b->cfg.host,
			  strlen(b->cfg.host)) < 0 ||
	    subject_for_event(sender, vm != NULL && vm[0] != '\0' ? vm : NULL,
			      &subject) < 0 ||
	    asprintf(&id, "%s/%s", sender, uuid) < 0)
		return "out of memory";
	s = natsMsg_Create(&msg, subject, NULL, payload, (int)len);
	if (s == NATS_OK)
		s = natsMsgHeader_Set(msg, "Nats-Msg-Id", id);
	if (s == NATS_OK) {
		jsPubOptions_Init(&po);
		po.MaxWait = BUS_PUBLISH_WAIT_MS;
		po.ExpectStream = b->cfg.stream;
		s = js_PublishMsg(&ack, b->js, msg, &po, &e);
	}
	natsMsg_Destroy(msg);
	jsPubAck_Destroy(ack);
	if (s == NATS_OK)
		return NULL;
	return bus_nats_error(s, e, why, size);
}

void
bus_handle_request(struct bus *b, const char *data, size_t len, char *reply,
		   size_t size)
{
	_cleanup_(native_msg_clear) struct native_msg m = { NULL, 0 };
	const char *why = NULL, *uuid, *sender;
	char nats_why[256];

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
	why = publish(b, &m, nats_why, sizeof(nats_why));
	if (why != NULL)
		snprintf(reply, size, "RETRY %s %s", uuid, why);
	else
		snprintf(reply, size, "OK %s", uuid);
}


/* A client: its socket and the reply it could not take yet. While one
 * waits, nothing more is read from it (it has requests in flight and does
 * not read its replies fast enough: back pressure, nobody else waits). */
struct client {
	char *pending;
};

/* Sends reply, or keeps it for later when the socket is full. 0, or
 * -errno: the client is gone. */
static int
send_reply(int fd, struct client *c, const char *reply)
{
	if (send(fd, reply, strlen(reply), MSG_NOSIGNAL | MSG_DONTWAIT) >= 0)
		return 0;
	if (errno != EAGAIN && errno != EINTR)
		return -errno;
	c->pending = strdup(reply);
	return c->pending != NULL ? 0 : -ENOMEM;
}

static void
serve_one(struct bus *b, struct pollfd *p, struct client *c, char *buf,
	  bool *ret_closed)
{
	char reply[512];
	struct iovec iov = { buf, BUS_REQUEST_MAX + 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (c->pending != NULL) {
		_cleanup_(freep) char *r = TAKE_PTR(c->pending);

		if (send_reply(p->fd, c, r) < 0)
			*ret_closed = true;
		p->events = c->pending != NULL ? POLLOUT : POLLIN;
		return;
	}
	n = recvmsg(p->fd, &mh, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		*ret_closed = true;
		return;
	}
	if (mh.msg_flags & MSG_TRUNC)
		n = BUS_REQUEST_MAX + 1;        /* refused as too large */
	bus_handle_request(b, buf, (size_t)n, reply, sizeof(reply));
	if (send_reply(p->fd, c, reply) < 0)
		*ret_closed = true;
	p->events = c->pending != NULL ? POLLOUT : POLLIN;
}

int
bus_server_run(struct bus *b, int listen_fd, int sigfd)
{
	struct pollfd pfd[CLIENTS_MAX + 2];
	struct client cl[CLIENTS_MAX + 2] = { 0 };
	_cleanup_(freep) char *buf = malloc(BUS_REQUEST_MAX + 1);
	size_t n = 0;

	if (buf == NULL)
		return -ENOMEM;
	pfd[0] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = listen_fd, .events = POLLIN };
	while (!bus_quitting(b)) {
		size_t i;

		pfd[1].events = n < CLIENTS_MAX ? POLLIN : 0;
		if (poll(pfd, n + 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			(void)read(sigfd, &si, sizeof(si));
			__atomic_store_n(&b->quit, 1, __ATOMIC_RELEASE);
			break;
		}
		for (i = 2; i < n + 2; i++) {
			bool closed = false;

			if (pfd[i].revents == 0)
				continue;
			if (pfd[i].revents & (POLLIN | POLLOUT))
				serve_one(b, &pfd[i], &cl[i], buf, &closed);
			else
				closed = true;
			if (closed) {
				close(pfd[i].fd);
				free(cl[i].pending);
				pfd[i] = pfd[n + 1];
				cl[i] = cl[n + 1];
				cl[n + 1].pending = NULL;
				n--;
				i--;
			}
		}
		if (pfd[1].revents & POLLIN) {
			int fd = accept4(listen_fd, NULL, NULL,
					 SOCK_CLOEXEC | SOCK_NONBLOCK);

			if (fd >= 0)
				pfd[2 + n++] = (struct pollfd){ .fd = fd,
								.events = POLLIN };
		}
	}
	for (size_t i = 2; i < n + 2; i++) {
		close(pfd[i].fd);
		free(cl[i].pending);
	}
	return 0;
}
