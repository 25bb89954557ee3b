/* Writing events to the local journal over journald's native socket. One
 * process keeps one connected socket (made on first use, remade if journald
 * restarts), so bulk writers pay for the connection once. Never logs. */
#ifndef EVT_JOURNAL_SEND_H
#define EVT_JOURNAL_SEND_H

#include "event.h"

/* Writes e with its journal fields (doc/ARCHITECTURE.md, "The event"): MESSAGE,
 * PRIORITY, SYSLOG_FACILITY, SYSLOG_IDENTIFIER (= source), EVENT_ID,
 * EVENT_TYPE, EVENT_SOURCE, EVENT_LOG, then every extra field, then the
 * n_more "NAME=value" strings in more (may be NULL). e must be complete
 * (event_check_complete). Returns 0, or -ENOENT/-ECONNREFUSED when no
 * journald listens, or another -errno. */
int journal_send_event(const struct event *e, const char *const *more,
		       size_t n_more);

/* The datagram journal_send_event() sends for e, in journald's native
 * protocol: "NAME=value\n" per field, or for a value holding a newline
 * "NAME\n", its length as 64-bit little endian, the value and "\n".
 * Returns 0 with a malloc'd buffer in *ret and its length in *ret_len;
 * -EDESTADDRREQ/-ENODATA for an incomplete event, -EINVAL for a string of
 * more without "NAME=", -ENOMEM. */
int journal_format_event(const struct event *e, const char *const *more,
			 size_t n_more, char **ret, size_t *ret_len);

/* Sends data[0..len), a datagram in journald's native protocol made by the
 * caller (journal_format_event's form), as journal_send_event() sends its
 * own. Returns 0 or -errno as journal_send_event(). */
int journal_send_datagram(const char *data, size_t len);

/* Whether journald's native socket exists (path overridable for tests by
 * nothing: it is always /run/systemd/journal/socket). */
int journal_available(void);

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

#endif
