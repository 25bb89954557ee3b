/* Network peers by address (see peers.h). */
#include <stdlib.h>
#include <string.h>

#include "peers.h"

void
peers_done(struct peers *p)
{
	free(p->v);
	*p = (struct peers){ 0 };
}

static void
peer_init(struct peer *e, const char *ip, uint64_t now_usec)
{
	*e = (struct peer){ .last_usec = now_usec };
	strncpy(e->ip, ip, sizeof(e->ip) - 1);
	/* one token per PEERS_REPORT_USEC: rate 1/s with 1 s reports */
	ratelimit_init(&e->reports, 1000000 / PEERS_REPORT_USEC,
		       PEERS_REPORT_BURST, now_usec);
}

struct peer *
peers_get(struct peers *p, const char *ip, uint64_t now_usec)
{
	struct peer *e, *oldest = NULL;

	for (size_t i = 0; i < p->n; i++) {
		e = &p->v[i];
		if (strcmp(e->ip, ip) == 0) {
			e->last_usec = now_usec;
			return e;
		}
		if (e->sessions == 0 &&
		    (oldest == NULL || e->last_usec < oldest->last_usec))
			oldest = e;
	}
	if (p->n < PEERS_MAX) {
		e = reallocarray(p->v, p->n + 1, sizeof(*e));
		if (e == NULL)
			return NULL;
		p->v = e;
		oldest = &p->v[p->n++];
	}
	if (oldest == NULL)
		return NULL;
	peer_init(oldest, ip, now_usec);
	return oldest;
}

bool
peers_may_report(struct peer *peer, uint64_t now_usec, unsigned *ret_count)
{
	if (ratelimit_take(&peer->reports, now_usec) > 0) {
		peer->suppressed++;
		return false;
	}
	*ret_count = peer->suppressed;
	peer->suppressed = 0;
	return true;
}
