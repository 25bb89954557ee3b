/* Syslog messages: formatting an event as RFC 5424 (or the classic RFC 3164
 * form), parsing RFC 5424 (and 3164, best effort) back into an event, and
 * sending over a local datagram socket such as /dev/log. Never logs.
 *
 * Mapping (doc/ARCHITECTURE.md, "The event"): severity from the type
 * (3/4/6/5), facility user (Application, other logs) or daemon (System),
 * APP-NAME = source, MSGID = id, MSG = description; log and extra fields go
 * in one structured-data element, SYSLOG_SD_ID. */
#ifndef EVT_SYSLOG_H
#define EVT_SYSLOG_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "event.h"
#include "fields.h"

#define SYSLOG_SOCKET "/dev/log"

/* The SD-ID of evtrigger's structured-data element. RFC 5424 (7.2.2) wants
 * name@PEN with an IANA Private Enterprise Number; until the project has
 * one registered it uses 32473, the PEN RFC 5612 reserves for documentation
 * and examples (RFC 5424's own examples use it). Changing it is one line,
 * but receivers of older senders would then no longer see log and extras.
 *
 * Params of the element: log="NAME" (always), id="N" (RFC 3164 form only,
 * where there is no MSGID), and one param per extra field, named as the
 * field (upper case, so it never collides with the lower-case ones). */
#define SYSLOG_SD_ID "evtrigger@32473"
#define SYSLOG_SD_PARAM_LOG "log"
#define SYSLOG_SD_PARAM_ID  "id"
/* An event sent to a host also carries uuid="..." (its idempotency key) and
 * may carry time="..." (RFC 3339); syslog_msg_to_event leaves both to the
 * receiver, which reads them from the message's sd. */
#define SYSLOG_SD_PARAM_UUID "uuid"
#define SYSLOG_SD_PARAM_TIME "time"

/* Field limits of RFC 5424 (6.2, 6.3). */
#define SYSLOG_HOSTNAME_MAX 255
#define SYSLOG_APP_NAME_MAX 48
#define SYSLOG_PROCID_MAX   128
#define SYSLOG_MSGID_MAX    32
#define SYSLOG_SD_NAME_MAX  32
/* Limits of this parser, against messages built to cost time or memory: a
 * message longer than SYSLOG_MSG_MAX, or with more SD elements or params
 * than these, is refused with -EBADMSG. Far above what evcreate sends. */
#define SYSLOG_MSG_MAX       (1024 * 1024)
#define SYSLOG_SD_ELEMENTS_MAX 32
#define SYSLOG_SD_PARAMS_MAX 256

/* Which receiver reads which form, as tested here: on the local socket,
 * systemd-journald (252) and rsyslog's default imuxsock (its "special
 * parser") read only the RFC 3164 local form (no hostname); an RFC 5424
 * message reaches them as text ("1 2026-... - John 1 777 [...] ..." in
 * MESSAGE, app-name "1" in rsyslog). RFC 5424 suits receivers that parse
 * it: rsyslog with UseSpecialParser="off", network peers, this parser. */
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
	struct fields *sd;      /* "SD-ID/PARAM" -> value, unescaped; a param
				 * given twice keeps its first value; an
				 * element without params leaves no trace */
	char *msg;              /* BOM removed; NULL if there is no MSG */
};

void syslog_msg_free(struct syslog_msg *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct syslog_msg *, syslog_msg_free)

/* Formats e into a malloc'd, NUL-terminated message in *ret (length
 * *ret_len, no trailing newline). hostname NULL means "-" (RFC 5424) or
 * omitted (RFC 3164); ts NULL means now; pid <= 0 means none.
 *
 * RFC 5424: <PRI>1 TIMESTAMP HOSTNAME SOURCE PID ID [SYSLOG_SD_ID log=...
 * EXTRA=...] BOM DESCRIPTION, TIMESTAMP in local time with microseconds.
 * RFC 3164: <PRI>Mmm dd hh:mm:ss HOSTNAME SOURCE[PID]: [SYSLOG_SD_ID id=...
 * log=... EXTRA=...] DESCRIPTION: the classic form has no MSGID and no
 * structured data, so the element leads the message text, where
 * syslog_parse finds it again.
 *
 * Returns 0; -EDESTADDRREQ or -ENODATA for an incomplete event
 * (event_check_complete); -EINVAL if a field cannot be carried (source
 * "-", which is the nil value; an extra
 * field name over 32 bytes, a hostname that is not 1..255 printable ASCII,
 * a source or hostname with '[', ']' or ':' in the RFC 3164 form, where
 * they would be read back as TAG[PID]:); -ENOMEM. */
int syslog_format_event(const struct event *e, enum syslog_format fmt,
			const char *hostname, const struct timespec *ts,
			pid_t pid, char **ret, size_t *ret_len);

/* Parses buf (len bytes, no NUL needed; one trailing newline and trailing
 * NULs are ignored). A message whose PRI is followed by a VERSION (digits
 * and a space) is RFC 5424 and parsed strictly: PRI 0..191 without leading
 * zeros, VERSION 1 (others are refused), a full
 * RFC 3339 timestamp or "-", field lengths as in the RFC, SD elements with
 * escapes (each SD-ID once), PARAM-VALUEs and a BOM-marked MSG valid UTF-8.
 * Anything else is read as RFC 3164, best effort: optional timestamp,
 * hostname and TAG[PID]: ("-" is nil there too, as logger writes a
 * hostname it does not know), and a leading SYSLOG_SD_ID element in the
 * text is taken as structured data (see syslog_format_event). NUL bytes
 * inside the message are refused. Returns 0 with *ret set, -EBADMSG for a malformed
 * message, -ENOMEM. */
int syslog_parse(const char *buf, size_t len, struct syslog_msg **ret);

/* The event a message carries: id from MSGID (digits only; for RFC 3164
 * from the id param of the SYSLOG_SD_ID element), type from the severity
 * (0-3 ERROR, 4 WARNING, 5 SUCCESS, 6-7 INFORMATION), source from APP-NAME,
 * log from the element's log param, else the facility (daemon -> System,
 * others -> Application), description from MSG, extra fields from the
 * element's other params but uuid and time. Other SD elements are ignored.
 *
 * Returns 0 with *ret set, or:
 *   -EINVAL   the message is plain syslog, not an event (no MSGID, or one
 *             that is not 1..65535 in digits);
 *   -EBADMSG  a param of our element is not a valid extra field name (or is
 *             reserved), or the log param is not a valid log name;
 *   -E2BIG    a value or the description too long, too many extras;
 *   -EILSEQ   a value or the description not UTF-8;
 *   -ENODATA  an empty MSG (an event needs a description);
 *   -ENOMEM.
 * On the errors other than -EINVAL and -ENOMEM, *ret_what (if not NULL) is
 * set to what was wrong: the param name (a string inside m) or "MSG".
 * *ret is untouched on failure. */
int syslog_msg_to_event(const struct syslog_msg *m, struct event **ret,
			const char **ret_what);
/* Human text for syslog_msg_to_event's errors, e.g. "not an event: MSGID
 * is not an event id 1..65535". */
const char *syslog_event_strerror(int r);

/* RFC 6587 framing, for stream transports (TCP, TLS, unix stream sockets):
 * finds the first message in buf (len bytes received so far). A frame that
 * starts with a digit is octet-counted ("LEN SP MSG", LEN without leading
 * zeros); one that starts with '<' is non-transparent, ended by LF (not
 * part of the message). Messages longer than max bytes (clamped to
 * SYSLOG_MSG_MAX) are refused.
 * Returns 1 with *ret_msg (pointing into buf), *ret_msg_len and *ret_used
 * (bytes of buf the frame took) set; 0 if buf holds no whole frame yet
 * (read more); -EBADMSG for a frame that is neither form; -EMSGSIZE for one
 * over max. After an error the stream cannot be resynchronised: close it. */
int syslog_frame_next(const char *buf, size_t len, size_t max,
		      const char **ret_msg, size_t *ret_msg_len,
		      size_t *ret_used);

/* Connects a datagram socket to path. Returns 0 with *ret_fd, -ENOENT if
 * nothing is there, -ECONNREFUSED if nothing listens, -EPROTOTYPE if it is a
 * stream socket, -ENAMETOOLONG, other -errno. */
int syslog_open(const char *path, int *ret_fd);
/* Sends one message. Returns 0 or -errno (-EMSGSIZE if too large). */
int syslog_send(int fd, const char *msg, size_t len);

#endif
