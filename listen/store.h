/* Storing a guest's event in the host journal, and proving it is there:
 * the entry is written with the sender's identity (fields only this
 * listener may write: doc/ARCHITECTURE.md, "Trust") and then read
 * back from the journal files, since journald drops entries over its rate
 * limit without telling the sender. Never logs. */
#ifndef LISTEN_STORE_H
#define LISTEN_STORE_H

#include <stdbool.h>
#include <sys/types.h>

#include "macro.h"
#include "wire.h"

/* Who sent an event: what the privileged parent established, never what
 * the guest said. */
struct store_sender {
	const char *name;               /* EVENT_SENDER: the domain name, or
					 * the senders file's NAME */
	const char *uuid;               /* EVENT_SENDER_UUID; NULL or "" for
					 * network senders (none written) */
	const char *auth;               /* EVENT_AUTH: channel, x509, psk,
					 * address */
	const char *address;            /* EVENT_SENDER_ADDRESS:
					 * channel:NAME, IP:PORT, [V6]:PORT */
};

#define STORE_AUTH "channel"

struct store;

/* Opens the local journal for reading (this process needs read access: the
 * systemd-journal group). Entries are looked up by the uid of this process.
 * Returns 0 or -errno. */
int store_open(struct store **ret);
void store_free(struct store *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct store *, store_free)

/* An fd to poll for journal changes, and the call to make when it is
 * readable (or on a timeout): picks up new journal files. */
int store_fd(struct store *s);
void store_process(struct store *s);

/* Whether this process already wrote the event uuid of sender: 1 yes, 0 no,
 * or -errno. */
int store_find(struct store *s, const struct store_sender *sender,
	       const char *uuid);

/* Writes req with the sender's fields: EVENT_SENDER, EVENT_SENDER_UUID
 * (when set), EVENT_AUTH, EVENT_SENDER_ADDRESS, EVENT_UUID, EVENT_TIME when
 * the sender gave a time and EVENT_HOSTNAME when the message claimed one. req->uuid must be set. Returns 0
 * or journal_send_event's -errno. */
int store_write(const struct wire_request *req,
		const struct store_sender *sender);

/* The datagram store_write sends to journald for req, with the same fields,
 * behind prefix (e.g. the bus's "EVB1": doc/ARCHITECTURE.md). Returns 0
 * with a malloc'd buffer in *ret and its length in *ret_len, or
 * journal_format_event's -errno. */
int store_format(const struct wire_request *req,
		 const struct store_sender *sender, const char *prefix,
		 char **ret, size_t *ret_len);

#endif
