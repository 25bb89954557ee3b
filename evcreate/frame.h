/* evcreate --server's frame of one event: RFC 5424 as lib/syslog.c formats
 * it, with the event's uuid in the evtrigger@32473 element and the event's
 * time as TIMESTAMP, framed by RFC 6587 octet counting ("LEN SP MSG"), as
 * RFC 5425 carries it. Never prints. */
#ifndef EVC_FRAME_H
#define EVC_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "event.h"

/* The longest MSG: the listener's default --max-frame. */
#define EVC_FRAME_MAX           (64 * 1024)

/* Formats e (complete) with uuid and time_usec (usec since the epoch, shown
 * in local time with its offset); hostname NULL is "-", pid <= 0 none.
 * Returns 0 with a malloc'd frame in *ret (*ret_len bytes, NUL-terminated
 * but the NUL not counted), or -EINVAL (a field syslog cannot carry: a name
 * over 32 bytes, source "-", a bad hostname), -EMSGSIZE (MSG over
 * EVC_FRAME_MAX), -ENOMEM. */
int evc_remote_frame(const struct event *e, const char *uuid,
		     uint64_t time_usec, const char *hostname, pid_t pid,
		     char **ret, size_t *ret_len);

#endif
