/* The parent/child message protocol (see fdmsg.h). */
#include <string.h>
#include <sys/socket.h>

#include "fdmsg.h"

int
fdmsg_make(enum fdmsg_type type, const char *name, const char *uuid,
	   struct fdmsg *ret)
{
	struct fdmsg m = { .magic = FDMSG_MAGIC, .type = type };

	if (strlen(name) >= sizeof(m.name) || strlen(uuid) >= sizeof(m.uuid))
		return -ENAMETOOLONG;
	strcpy(m.name, name);
	strcpy(m.uuid, uuid);
	*ret = m;
	return 0;
}

int
fdmsg_send(int sock, const struct fdmsg *m, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)m, .iov_len = sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == sizeof(*m) ? 0 : -EMSGSIZE;
}

int
fdmsg_check(const struct fdmsg *m)
{
	if (m->magic != FDMSG_MAGIC ||
	    m->type < FDMSG_ATTACH || m->type > FDMSG_BUS_LOST)
		return -EBADMSG;
	if (memchr(m->name, '\0', sizeof(m->name)) == NULL ||
	    memchr(m->uuid, '\0', sizeof(m->uuid)) == NULL)
		return -EBADMSG;
	return 0;
}

/* Closes every fd of the SCM_RIGHTS messages in mh; returns how many. */
static int
take_fds(struct msghdr *mh, int *ret_fd)
{
	int n = 0;

	*ret_fd = -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL;
	     c = CMSG_NXTHDR(mh, c)) {
		size_t k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (n++ == 0)
				*ret_fd = fd;
			else
				close(fd);
		}
	}
	return n;
}

int
fdmsg_recv(int sock, struct fdmsg *ret, int *ret_fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	struct fdmsg m;
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	ssize_t n;
	int fd, nfds;

	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	nfds = take_fds(&mh, &fd);
	if (n == 0 && nfds == 0)
		return 0;
	if ((size_t)n != sizeof(m) || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    fdmsg_check(&m) < 0 || nfds != FDMSG_NFDS(m.type)) {
		if (fd >= 0)
			close(fd);
		return -EBADMSG;
	}
	*ret = m;
	*ret_fd = fd;
	return 1;
}
