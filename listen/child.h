/* The unprivileged child of evtrigger-listen: receives connected guest
 * channels from the parent, reads the guests' events, answers them and
 * stores them in the journal (see channel.h for the order of things). The
 * only part of the listener that touches bytes a guest wrote. */
#ifndef LISTEN_CHILD_H
#define LISTEN_CHILD_H

#include "channel.h"
#include "sandbox.h"

struct child_config {
	int ctl;                        /* the socketpair end to the parent */
	const struct sandbox_user *user;
	const char *channel_name;       /* for EVENT_SENDER_ADDRESS */
	struct channel_limits limits;
	/* Test hook: _exit() right after an event was read back, before it
	 * is answered (EVTRIGGER_LISTEN_TEST_EXIT_AFTER_STORE=1). */
	bool exit_after_store;
};

/* Drops privileges, then serves until the parent goes away. Returns the
 * process's exit status; logs to stderr. */
int child_run(const struct child_config *cfg);

#endif
