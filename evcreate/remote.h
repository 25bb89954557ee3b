/* evcreate --server and --flush: events to another machine's
 * evtrigger-listen over TLS (RFC 5425), each one acknowledged ("OK <uuid>")
 * when the host selected ALPN evtrigger/1, resent with the same uuid after a
 * lost connection, kept in --spool until then. Program level: reports on
 * err itself ("evcreate: ..."), returns the exit code (evcreate(1)). */
#ifndef EVC_REMOTE_H
#define EVC_REMOTE_H

#include <stdio.h>

#include "args.h"

/* a->action EVC_WRITE, EVC_BATCH (events from batch, named name) or
 * EVC_FLUSH, a->target EVC_TARGET_SERVER. */
int evc_remote_run(const struct evc_args *a, FILE *batch, const char *name,
		   FILE *err);

#endif
