/* The privileged parent of evtrigger-listen: follows libvirt's domain
 * lifecycle events over a read-only connection, connects to the event
 * channel of every running domain that has one (the socket path read from
 * the live XML) and hands the connected fd, tagged with the domain's name
 * and uuid, to the unprivileged child. It never reads a byte a guest wrote.
 */
#ifndef LISTEN_PRIV_H
#define LISTEN_PRIV_H

#include <sys/types.h>

struct priv_config {
	const char *uri;                /* e.g. qemu:///system */
	const char *channel_name;       /* e.g. org.evtrigger.0 */
	int ctl;                        /* the socketpair end to the child */
	pid_t child;
};

/* Serves until SIGTERM/SIGINT (returns 0) or until the child dies or
 * libvirt cannot be reached at the start (returns 1). Logs to stderr. */
int priv_run(const struct priv_config *cfg);

#endif
