/* Network peers by address, as the unprivileged child counts them: open
 * sessions per address (--max-sessions-per-address) and a budget of
 * refusal reports per address, so that one peer cannot flood the journal
 * with refusals: at most PEERS_REPORT_BURST at once, then one every
 * PEERS_REPORT_USEC; the ones left out are counted and the next report
 * carries the count. A bounded table: an address with no session is
 * forgotten first when it is full. Pure bookkeeping; never logs. */
#ifndef LISTEN_PEERS_H
#define LISTEN_PEERS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ratelimit.h"

#define PEERS_MAX 4096
#define PEERS_REPORT_BURST 20
#define PEERS_REPORT_USEC (1000000ULL)
#define PEER_IP_MAX INET6_ADDRSTRLEN

struct peer {
	char ip[PEER_IP_MAX];
	unsigned sessions;
	struct ratelimit reports;
	unsigned suppressed;
	uint64_t last_usec;
};

struct peers {
	struct peer *v;
	size_t n;
};

void peers_done(struct peers *p);

/* The entry of ip, made if there is none (forgetting an idle one when the
 * table is full). NULL when out of memory or every entry has sessions.
 * The pointer is valid until the next peers_get. */
struct peer *peers_get(struct peers *p, const char *ip, uint64_t now_usec);

/* Whether a refusal of peer may be reported now. When it may, *ret_count
 * is the number left out before it (reset to 0); when not, it is counted. */
bool peers_may_report(struct peer *peer, uint64_t now_usec,
		      unsigned *ret_count);

#endif
