/* evcreate --channel: one event from inside a VM to its host's journal over
 * the virtio-serial port org.evtrigger.0 (wire format version 1: the event as
 * one batch line with a uuid and the sender's time; the host answers one line,
 * "OK <uuid>" or "ERR <code> <reason>"). The pure parts (line, uuid, time,
 * answer) never print; evc_channel_send() reports its outcome as an exit code
 * and a message for the caller to print. */
#ifndef EVC_CHANNEL_H
#define EVC_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include "args.h"

/* The longest line the host takes, LF included. */
#define EVC_CHANNEL_LINE_MAX    (64 * 1024)
/* "2026-12-01T15:31:37.123456Z" and the NUL. */
#define EVC_TIME_MAX            28

/* Formats e as the channel's line: "type=WARNING id=777 source=John
 * log=Application description=\"VDC Ready\" uuid=U time=T NAME=VALUE...\n",
 * every value quoted as the batch format reads it back (lib/options.h
 * parse_words: a value with a blank, '"' or '\' or an empty one in double
 * quotes, '"' and '\' escaped). uuid and time are written as given. Returns 0
 * with a malloc'd NUL-terminated line in *ret and its length in *ret_len;
 * -EDESTADDRREQ/-ENODATA for an event without id/description, -EBADMSG when
 * a value holds a line break (LF or CR: a line cannot carry it), -EMSGSIZE
 * when the line would be longer than EVC_CHANNEL_LINE_MAX, -ENOMEM. */
int evc_channel_format_line(const struct event *e, const char *uuid,
			    const char *time, char **ret, size_t *ret_len);

/* A new random (version 4) uuid in lower case, from getrandom(2). Returns 0
 * or -errno (ret untouched). */
int evc_uuid_random(char ret[EVC_UUID_LEN + 1]);

/* usec since the epoch as RFC 3339 UTC with microseconds,
 * "2026-12-01T15:31:37.123456Z". Returns buf, or NULL if the year does not
 * fit in four digits. */
const char *evc_format_time(uint64_t usec, char buf[EVC_TIME_MAX]);

enum evc_answer {
	EVC_ANSWER_OK,          /* "OK <our uuid>": stored */
	EVC_ANSWER_OTHER,       /* "OK <another uuid>": not ours (a stale one) */
	EVC_ANSWER_REFUSED,     /* "ERR 4xx" but 429: do not resend as is */
	EVC_ANSWER_RETRY,       /* "ERR 429", "ERR 5xx": resend later */
	EVC_ANSWER_UNKNOWN,     /* anything else: not an answer */
};

/* Classifies one answer line (no LF; a trailing CR is removed from line)
 * against the uuid sent. For ERR answers *ret_code gets the code and
 * *ret_reason points to the reason text in line ("" if none); both untouched
 * otherwise. */
enum evc_answer evc_channel_parse_answer(char *line, const char *uuid,
					 unsigned *ret_code,
					 const char **ret_reason);

/* Sends a's event (a->target == EVC_TARGET_CHANNEL) to a->channel_path and
 * waits for the host's answer, resending the same line after EOF, no
 * answer, ERR 429 or ERR 5xx, until a->timeout_usec has passed. Returns
 * EVC_EXIT_OK when the host answered OK, else EVC_EXIT_INVALID (the event
 * cannot be sent as a line), EVC_EXIT_UNAVAILABLE (the device cannot be
 * opened), EVC_EXIT_REFUSED, EVC_EXIT_NOT_ACKED or EVC_EXIT_WRITE, with a
 * malloc'd message in *ret_msg (NULL on ENOMEM). */
int evc_channel_send(const struct evc_args *a, char **ret_msg);

#endif
