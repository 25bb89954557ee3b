/* The unprivileged child of evtrigger-listen: receives connected guest
 * channels and the network senders' listening sockets from the parent,
 * accepts network peers (TLS handshakes, the senders file's proof, session
 * limits, timeouts), reads the events, answers them and stores them in the
 * journal (see channel.h for the order of things). The only part of the
 * listener that touches bytes a guest or a network peer wrote. */
#ifndef LISTEN_CHILD_H
#define LISTEN_CHILD_H

#include <openssl/ssl.h>

#include "channel.h"
#include "sandbox.h"
#include "senders.h"

struct child_config {
	int ctl;                        /* the socketpair end to the parent */
	const struct sandbox_user *user;
	const char *channel_name;       /* for EVENT_SENDER_ADDRESS */
	struct channel_limits limits;
	/* Test hook: _exit() right after an event was read back, before it
	 * is answered (EVTRIGGER_LISTEN_TEST_EXIT_AFTER_STORE=1). */
	bool exit_after_store;
	/* Network senders (evtrigger-listen(8), "NETWORK SENDERS"): the
	 * listening sockets come from the parent (FDMSG_LISTEN). */
	const struct senders *senders;  /* NULL: no network senders */
	SSL_CTX *tls;                   /* NULL: no --tls */
	struct channel_limits net_limits;
	uint64_t handshake_timeout_usec;
	uint64_t idle_timeout_usec;
	unsigned max_sessions;
	unsigned max_sessions_per_address;
	/* --bus: network events go to evtrigger-bus over the connection the
	 * parent hands over (FDMSG_BUS), never to the journal directly. */
	bool bus;
};

/* Drops privileges, then serves until the parent goes away. Returns the
 * process's exit status; logs to stderr. */
int child_run(const struct child_config *cfg);

#endif
