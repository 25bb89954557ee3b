/* Syslog messages: formatting an event as RFC 5424 (or the classic RFC 3164
 * form), parsing RFC 5424 (and 3164, best effort) back into an event, and
 * sending over a local datagram socket such as /dev/log. Never logs.
 *
 * Mapping (DESIGN.md, "The event"): severity from the type (3/4/6/5),
 * facility user (Application, other logs) or daemon (System), APP-NAME =
 * source, MSGID = id, MSG = description; log and extra fields go in one
 * structured-data element, SYSLOG_SD_ID. */
#ifndef EVT_SYSLOG_H
#define EVT_SYSLOG_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "event.h"
#include "fields.h"

#define SYSLOG_SOCKET "/dev/log"

enum syslog_format {
	SYSLOG_RFC5424,
	SYSLOG_RFC3164,
};

/* One message as received. Strings are "-" free: a nil value is NULL. */
struct syslog_msg {
	int facility;           /* 0..23 */
	int severity;           /* 0..7 */
	int version;            /* 1 for RFC 5424, 0 for RFC 3164 */
	char *timestamp;        /* as sent */
	char *hostname;
	char *app_name;
	char *procid;
	char *msgid;
	struct fields *sd;      /* "SD-ID/PARAM" -> value, unescaped */
	char *msg;              /* BOM removed */
};

void syslog_msg_free(struct syslog_msg *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct syslog_msg *, syslog_msg_free)

/* Formats e into a malloc'd message in *ret (length *ret_len, no trailing
 * newline). hostname NULL means "-" (RFC 5424) or omitted; ts NULL means now.
 * Returns 0, -EINVAL if an extra field cannot be carried (SD param names are
 * at most 32 bytes), -ENOMEM. */
int syslog_format_event(const struct event *e, enum syslog_format fmt,
			const char *hostname, const struct timespec *ts,
			pid_t pid, char **ret, size_t *ret_len);

/* Parses buf (len bytes, no NUL needed; a trailing newline is ignored).
 * Returns 0 with *ret set, or -EBADMSG naming nothing more; -ENOMEM. */
int syslog_parse(const char *buf, size_t len, struct syslog_msg **ret);

/* The event a message carries: id from MSGID (digits only), type from the
 * severity, source from APP-NAME, log from the SD element or the facility,
 * description from MSG, extra fields from the SD element's params.
 * Returns 0, or -EINVAL when MSGID is not an event ID (the message is plain
 * syslog, not an event), -ENOMEM. */
int syslog_msg_to_event(const struct syslog_msg *m, struct event **ret);

/* Connects a datagram socket to path. Returns 0 with *ret_fd, -ENOENT if
 * nothing is there, -ECONNREFUSED if nothing listens, other -errno. */
int syslog_open(const char *path, int *ret_fd);
/* Sends one message. Returns 0 or -errno (-EMSGSIZE if too large). */
int syslog_send(int fd, const char *msg, size_t len);

#endif
