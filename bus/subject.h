/* Names on NATS: subject tokens, consumer and KV key names made from
 * sender, VM and host names (evtrigger-bus(8), "WHAT GOES ON NATS").
 * Never logs. */
#ifndef EVT_BUS_SUBJECT_H
#define EVT_BUS_SUBJECT_H

/* The subjects every event is published under. */
#define SUBJECT_PREFIX "evtrigger.event"
#define SUBJECT_ALL    SUBJECT_PREFIX ".>"
/* The <vm> token of an event without a VM field. */
#define SUBJECT_NO_VM  "%"

/* s with every byte outside [A-Za-z0-9_-] as esc and two upper-case hex
 * digits ("vm 1" -> "vm%201" with esc '%'). An empty s gives esc alone, so
 * that a token is never empty. Returns 0 with a malloc'd *ret, or -ENOMEM. */
int subject_encode(const char *s, char esc, char **ret);

/* "evtrigger.event.<sender>.<vm>", both tokens encoded with '%'; vm NULL
 * gives SUBJECT_NO_VM. 0 or -ENOMEM. */
int subject_for_event(const char *sender, const char *vm, char **ret);

/* The durable consumer of host: "host-<host>", host encoded with '%'.
 * 0 or -ENOMEM. */
int subject_consumer_name(const char *host, char **ret);

/* The KV key of a VM: the name encoded with '=' (a KV key may hold
 * [-/_=.A-Za-z0-9] only, no '%'). 0 or -ENOMEM. */
int subject_kv_key(const char *vm, char **ret);

#endif
