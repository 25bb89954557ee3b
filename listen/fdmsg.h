/* The protocol between the privileged parent and the unprivileged child of
 * evtrigger-listen: fixed-size messages over a SOCK_SEQPACKET socketpair,
 * each checked for its exact length, magic, type, NUL-terminated strings
 * and the number of descriptors it carries (OpenBSD syslogd's privsep is the
 * model). Never logs.
 *
 *   parent -> child  FDMSG_ATTACH  + one fd: a connected guest channel and
 *                                  the domain's name and uuid
 *   parent -> child  FDMSG_LISTEN  + one fd: a bound listening socket, name
 *                                  "tls", "tcp" (stream) or "udp" (datagram)
 *   parent -> child  FDMSG_DOMAIN_UP / FDMSG_DOMAIN_DOWN  a domain name and
 *                                  uuid started / stopped (network senders
 *                                  may not use a running domain's name)
 *   parent -> child  FDMSG_BUS     + one fd: a connected evtrigger-bus
 *                                  socket (--bus; name "bus")
 *   child -> parent  FDMSG_CLOSED  the channel of domain uuid closed
 *   child -> parent  FDMSG_BUS_LOST  the bus connection failed or went
 *                                  quiet: the parent connects again */
#ifndef LISTEN_FDMSG_H
#define LISTEN_FDMSG_H

#include <stdint.h>

#include "channel.h"

#define FDMSG_MAGIC 0x45564c31u /* "EVL1" */

enum fdmsg_type {
	FDMSG_ATTACH = 1,
	FDMSG_CLOSED = 2,
	FDMSG_LISTEN = 3,
	FDMSG_DOMAIN_UP = 4,
	FDMSG_DOMAIN_DOWN = 5,
	FDMSG_BUS = 6,
	FDMSG_BUS_LOST = 7,
};

/* How many fds a message of type carries. */
#define FDMSG_NFDS(type) \
	((type) == FDMSG_ATTACH || (type) == FDMSG_LISTEN || \
	 (type) == FDMSG_BUS ? 1 : 0)

struct fdmsg {
	uint32_t magic;
	uint32_t type;
	char name[CHANNEL_NAME_MAX + 1];
	char uuid[EVENT_UUID_LEN + 1];
	char pad[3];
};

/* Fills *ret for type with name and uuid (refused with -ENAMETOOLONG if
 * they do not fit). */
int fdmsg_make(enum fdmsg_type type, const char *name, const char *uuid,
	       struct fdmsg *ret);
/* Sends m, with fd when fd >= 0. Returns 0 or -errno. */
int fdmsg_send(int sock, const struct fdmsg *m, int fd);
/* Receives one message. Returns 1 with *ret and *ret_fd (-1 when none)
 * set, 0 at the end of the stream, -EAGAIN when nothing is there, -EBADMSG
 * for a message that breaks the protocol (any fds it carried are closed),
 * or -errno. */
int fdmsg_recv(int sock, struct fdmsg *ret, int *ret_fd);
/* Whether the bytes of m are a valid message (length checked by the
 * caller): magic, type, and both strings NUL-terminated. */
int fdmsg_check(const struct fdmsg *m);

#endif
