/* Writing events to the local journal (see journal-send.h).
 *
 * The datagram is journald's native protocol, built here into one buffer and
 * sent over one connected socket per process: sd_journal_sendv() would
 * rebuild an iovec per field and look the socket path up on every send,
 * which is most of what a bulk writer spends per event. Events too large for
 * a datagram go in a sealed memfd, as libsystemd does. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "journal-send.h"

/* Large enough for any event evcreate accepts in one datagram, where the
 * kernel allows it (net.core.wmem_max); the memfd path covers the rest. */
#define JOURNAL_SNDBUF (8 * 1024 * 1024)

struct buf {
	char *data;
	size_t len, cap;
};

static int
buf_append(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 512;
		char *d;

		while (cap < b->len + n)
			cap *= 2;
		d = realloc(b->data, cap);
		if (d == NULL)
			return -ENOMEM;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

/* One field: NAME=value\n, or for a value with a newline journald's binary
 * form NAME\n, the length as 64-bit little endian, the value, \n. */
static int
buf_field(struct buf *b, const char *name, size_t name_len, const char *value)
{
	size_t n = strlen(value);
	int r;

	r = buf_append(b, name, name_len);
	if (r < 0)
		return r;
	if (memchr(value, '\n', n) == NULL) {
		r = buf_append(b, "=", 1);
	} else {
		unsigned char le[8];

		for (int i = 0; i < 8; i++)
			le[i] = (unsigned char)((uint64_t)n >> (8 * i));
		r = buf_append(b, "\n", 1);
		if (r >= 0)
			r = buf_append(b, le, sizeof(le));
	}
	if (r >= 0)
		r = buf_append(b, value, n);
	if (r >= 0)
		r = buf_append(b, "\n", 1);
	return r;
}

static int
buf_named(struct buf *b, const char *name, const char *value)
{
	return buf_field(b, name, strlen(name), value);
}

int
journal_format_event(const struct event *e, const char *const *more,
		     size_t n_more, char **ret, size_t *ret_len)
{
	struct buf b = { NULL, 0, 0 };
	char num[16], pri[4], fac[4];
	int r;

	r = event_check_complete(e);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n_more; i++)
		if (strchr(more[i], '=') == NULL || more[i][0] == '=')
			return -EINVAL;
	snprintf(num, sizeof(num), "%u", e->id);
	snprintf(pri, sizeof(pri), "%d", event_type_priority(e->type));
	snprintf(fac, sizeof(fac), "%d", event_log_facility(e->log));

	r = buf_named(&b, EVENT_FIELD_MESSAGE, e->description);
	if (r >= 0)
		r = buf_named(&b, EVENT_FIELD_PRIORITY, pri);
	if (r >= 0)
		r = buf_named(&b, EVENT_FIELD_FACILITY, fac);
	if (r >= 0 && e->source != NULL)
		r = buf_named(&b, EVENT_FIELD_IDENTIFIER, e->source);
	if (r >= 0)
		r = buf_named(&b, EVENT_FIELD_ID, num);
	if (r >= 0)
		r = buf_named(&b, EVENT_FIELD_TYPE, event_type_name(e->type));
	if (r >= 0 && e->source != NULL)
		r = buf_named(&b, EVENT_FIELD_SOURCE, e->source);
	if (r >= 0)
		r = buf_named(&b, EVENT_FIELD_LOG, e->log);
	for (size_t i = 0; r >= 0 && i < e->n_extra; i++)
		r = buf_named(&b, e->extra[i].name, e->extra[i].value);
	for (size_t i = 0; r >= 0 && i < n_more; i++) {
		const char *eq = strchr(more[i], '=');

		r = buf_field(&b, more[i], (size_t)(eq - more[i]), eq + 1);
	}
	if (r < 0) {
		free(b.data);
		return r;
	}
	*ret = b.data;
	*ret_len = b.len;
	return 0;
}

/* A new datagram socket connected to journald. */
static int
journal_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX,
				  .sun_path = JOURNAL_SOCKET };
	int fd, sndbuf = JOURNAL_SNDBUF;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/* The process's connection, made on first use. Threads may race to make it;
 * one wins, the others close theirs. */
static int cached_fd = -1;

static int
journal_fd(void)
{
	int fd = __atomic_load_n(&cached_fd, __ATOMIC_ACQUIRE), expected = -1;

	if (fd >= 0)
		return fd;
	fd = journal_connect();
	if (fd < 0)
		return fd;
	if (!__atomic_compare_exchange_n(&cached_fd, &expected, fd, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		close(fd);
		return expected;
	}
	return fd;
}

/* journald restarted: its old socket is gone. dup2() puts a new connection
 * under the same descriptor number, so a thread sending on it meanwhile
 * never writes to a reused number. */
static int
journal_reconnect(int fd)
{
	int nfd = journal_connect(), r = 0;

	if (nfd < 0)
		return nfd;
	if (dup3(nfd, fd, O_CLOEXEC) < 0)
		r = -errno;
	close(nfd);
	return r;
}

/* Too large for a datagram: the data in a sealed memfd, its descriptor
 * passed in an empty datagram (journald's protocol for large entries). */
static int
send_memfd(int fd, const char *data, size_t len)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} control = { 0 };
	struct msghdr mh = { .msg_control = &control,
			     .msg_controllen = sizeof(control) };
	struct cmsghdr *c;
	_cleanup_(closep) int mfd = -1;
	size_t done = 0;

	mfd = memfd_create("evtrigger-journal", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (mfd < 0)
		return -errno;
	while (done < len) {
		ssize_t n = write(mfd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += (size_t)n;
	}
	if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK |
		  F_SEAL_GROW | F_SEAL_WRITE) < 0)
		return -errno;
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &mfd, sizeof(int));
	if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

static int
send_datagram(int fd, const char *data, size_t len)
{
	for (;;) {
		if (send(fd, data, len, MSG_NOSIGNAL) >= 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == EMSGSIZE || errno == ENOBUFS)
			return send_memfd(fd, data, len);
		return -errno;
	}
}

int
journal_send_event(const struct event *e, const char *const *more,
		   size_t n_more)
{
	_cleanup_(freep) char *data = NULL;
	size_t len;
	int r;

	r = journal_format_event(e, more, n_more, &data, &len);
	if (r < 0)
		return r;
	return journal_send_datagram(data, len);
}

int
journal_send_datagram(const char *data, size_t len)
{
	int fd, r;

	fd = journal_fd();
	if (fd < 0)
		return fd;
	r = send_datagram(fd, data, len);
	if (r == -ECONNREFUSED || r == -ENOTCONN || r == -EPIPE) {
		r = journal_reconnect(fd);
		if (r >= 0)
			r = send_datagram(fd, data, len);
	}
	return r;
}

int
journal_available(void)
{
	struct stat st;

	if (stat(JOURNAL_SOCKET, &st) < 0)
		return -errno;
	return S_ISSOCK(st.st_mode) ? 0 : -ENOTSOCK;
}
