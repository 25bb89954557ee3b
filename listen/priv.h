/* The privileged parent of evtrigger-listen: follows libvirt's domain
 * lifecycle events over a read-only connection, connects to the event
 * channel of every running domain that has one (the socket path read from
 * the live XML) and hands the connected fd, tagged with the domain's name
 * and uuid, to the unprivileged child; tells the child which domains run
 * (a network sender may not use their names); binds the network senders'
 * sockets and hands them over too; with --bus, connects to evtrigger-bus
 * and hands that connection over, and connects again (backing off) when
 * the child says it was lost. It never reads a byte a guest or a network
 * peer wrote.
 */
#ifndef LISTEN_PRIV_H
#define LISTEN_PRIV_H

#include <sys/socket.h>
#include <sys/types.h>

/* A socket to listen on for network senders. */
struct priv_listen {
	const char *kind;               /* "tls", "tcp" or "udp" */
	const char *text;               /* as the command line said it */
	struct sockaddr_storage ss;
	socklen_t len;
};

struct priv_config {
	const char *uri;                /* e.g. qemu:///system */
	const char *channel_name;       /* e.g. org.evtrigger.0 */
	int ctl;                        /* the socketpair end to the child */
	pid_t child;
	const struct priv_listen *listens;
	size_t n_listens;
	const char *bus;                /* --bus: evtrigger-bus's socket, or
					 * NULL */
};

/* Binds the listening sockets and hands them to the child, then serves
 * until SIGTERM/SIGINT (returns 0) or until the child dies, a socket
 * cannot be bound or libvirt cannot be reached at the start (returns 1).
 * Logs to stderr. */
int priv_run(const struct priv_config *cfg);

#endif
