/* Where an event from the bus is written: the decision of one host for one
 * message, a pure function (evtrigger-bus(8), "PLACEMENT"). Never logs. */
#ifndef EVT_BUS_PLACEMENT_H
#define EVT_BUS_PLACEMENT_H

#include <stdbool.h>
#include <stdint.h>

/* A message younger than this whose VM runs nowhere waits once ... */
#define PLACEMENT_SETTLE_USEC   (3 * 1000000ULL)
/* ... this long, so that the KV bucket can show a VM that just started. */
#define PLACEMENT_DELAY_USEC    (2 * 1000000ULL)

enum placement_action {
	PLACEMENT_WRITE_ENTRY,          /* no VM: this is the entry host */
	PLACEMENT_WRITE_LOCAL,          /* the VM runs here */
	PLACEMENT_WRITE_NOWHERE,        /* the VM runs on no host */
	PLACEMENT_SKIP,                 /* another host writes it: ack only */
	PLACEMENT_DELAY,                /* ask again later (NakWithDelay) */
};

struct placement_input {
	bool has_vm;                    /* the event names a VM */
	bool active_here;               /* libvirt runs it on this host */
	const char *kv_owner;           /* the KV's host for it, or NULL */
	const char *host;               /* this host */
	const char *entry_host;         /* EVENT_ENTRY_HOST */
	uint64_t age_usec;              /* since the stream stored it */
	uint64_t delivered;             /* deliveries so far, this one included */
};

enum placement_action placement_decide(const struct placement_input *in);

/* The EVENT_PLACEMENT value a write action writes ("entry", "local",
 * "nowhere"), or NULL for the others. */
const char *placement_name(enum placement_action a);

#endif
