/* evcreate --server, --flush: the events, the spool and the send loop (see
 * remote.h; the connection itself is tls.c). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "errmsg.h"
#include "batch.h"
#include "channel.h"
#include "frame.h"
#include "remote.h"
#include "spool.h"
#include "time.h"
#include "quote.h"
#include "tls.h"

/* Frames sent ahead of their answers on one connection. The answers to them
 * (about 45 bytes each) fit in any socket buffer, so neither side can block
 * the other. */
#define WINDOW                  64
/* After a failed connect, the first pause, doubled up to the last. */
#define AGAIN_FIRST_MSEC        100
#define AGAIN_MAX_MSEC          2000
/* After ERR 429/5xx: the first pause, doubled up to the last. */
#define RETRY_FIRST_MSEC        500
#define RETRY_MAX_MSEC          8000
/* An answer line longer than this is not an answer. */
#define ANSWER_MAX              1024

enum item_state {
	IT_UNSENT,
	IT_INFLIGHT,
	IT_RETRY,               /* ERR 429/5xx: send again after a pause */
	IT_OK,                  /* acknowledged (or sent, with --no-answer) */
	IT_REFUSED,             /* ERR 4xx: reported, not resent */
};

struct item {
	struct event *event;            /* owned, but for the one of a */
	bool borrowed;
	char uuid[EVC_UUID_LEN + 1];
	uint64_t time_usec;
	char *where;                    /* "FILE:LINE", a spool path, or NULL */
	char *frame;
	size_t frame_len;
	enum item_state state;
	bool spooled;
};

struct run {
	const struct evc_args *a;
	FILE *err;
	struct item *items;
	size_t n;
	size_t bad;                     /* batch lines or spool files refused */
	/* The send loop's state. */
	struct evc_tls *tls;
	size_t fifo[WINDOW];            /* indexes of in-flight items */
	size_t head, inflight;
	char buf[ANSWER_MAX + 1];
	size_t have;
	bool connected;                 /* at least once */
	bool fatal;                     /* stop: trying again cannot help */
	char last[512];                 /* why not acknowledged yet */
};

static int _printf_(3, 4)
report(FILE *err, int code, const char *fmt, ...)
{
	va_list ap;

	fputs("evcreate: ", err);
	va_start(ap, fmt);
	vfprintf(err, fmt, ap);
	va_end(ap);
	fputc('\n', err);
	return code;
}

static void
pause_until(uint64_t when, uint64_t deadline)
{
	uint64_t now = now_usec(CLOCK_MONOTONIC), until;
	struct timespec ts;

	until = when < deadline ? when : deadline;
	if (until <= now)
		return;
	ts.tv_sec = (time_t)((until - now) / 1000000);
	ts.tv_nsec = (long)((until - now) % 1000000) * 1000;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Reads the secret a names and derives the key into o. */
static int
remote_psk(const struct evc_args *a, struct evc_tls_opts *o, FILE *err)
{
	_cleanup_(freep) char *secret = NULL;
	size_t len = 0;
	int r = 0;

	if (a->psk_from == EVC_PSK_NONE)
		return EVC_EXIT_OK;
	if (a->psk_from == EVC_PSK_LITERAL) {
		secret = strdup(a->psk_value);
		if (secret == NULL)
			return report(err, EVC_EXIT_WRITE, "out of memory");
		len = strlen(secret);
	} else
		r = evc_psk_read_secret(a->psk_from == EVC_PSK_FILE
						? a->psk_value : NULL,
					stdin, &secret, &len);
	if (r == -ENODATA && a->psk_from == EVC_PSK_FILE)
		return report(err, EVC_EXIT_USAGE, "the PSK secret in '%s' is "
			      "empty", a->psk_value);
	if (r == -ENODATA)
		return report(err, EVC_EXIT_USAGE, "the PSK secret on standard "
			      "input is empty");
	if (r == -EFBIG)
		return report(err, EVC_EXIT_USAGE, "the PSK secret is larger "
			      "than %d bytes", EVC_PSK_SECRET_MAX);
	if (r < 0 && a->psk_from == EVC_PSK_FILE)
		return report(err, EVC_EXIT_USAGE, "cannot read PSK file "
			      "'%s': %s", a->psk_value, strerror(-r));
	if (r < 0)
		return report(err, EVC_EXIT_USAGE, "cannot read the PSK secret "
			      "from standard input: %s", strerror(-r));
	r = evc_psk_derive(a->psk_identity, secret, len, o->psk_key);
	explicit_bzero(secret, len);
	if (r < 0)
		return report(err, EVC_EXIT_WRITE, "cannot derive the PSK: %s",
			      strerror(-r));
	o->psk_identity = a->psk_identity;
	return EVC_EXIT_OK;
}

/* --- the events ------------------------------------------------------- */

static void
items_free(struct run *run)
{
	for (size_t i = 0; i < run->n; i++) {
		if (!run->items[i].borrowed)
			event_free(run->items[i].event);
		free(run->items[i].where);
		free(run->items[i].frame);
	}
	free(run->items);
}

/* Takes e (freed on failure too). */
static int
add_item(struct run *run, struct event *e, const char *uuid,
	 uint64_t time_usec, char *where)
{
	struct item *v = reallocarray(run->items, run->n + 1, sizeof(*v));

	if (v == NULL) {
		event_free(e);
		free(where);
		return -ENOMEM;
	}
	run->items = v;
	v[run->n++] = (struct item){ .event = e, .time_usec = time_usec,
				     .where = where };
	memcpy(v[run->n - 1].uuid, uuid, EVC_UUID_LEN + 1);
	return 0;
}

static const char *
where(const struct item *it)
{
	return it->where != NULL ? it->where : "event";
}

/* The frame of every item; an event that cannot be framed is reported and
 * dropped (batch) or ends the run (one event: exit 3). */
static int
make_frames(struct run *run)
{
	char host[HOST_NAME_MAX + 1];
	const char *hostname = NULL;
	pid_t pid = getpid();

	if (gethostname(host, sizeof(host)) == 0 && host[0] != '\0') {
		host[sizeof(host) - 1] = '\0';
		hostname = host;
	}
	for (size_t i = 0; i < run->n; i++) {
		struct item *it = &run->items[i];
		int r = evc_remote_frame(it->event, it->uuid, it->time_usec,
					 hostname, pid, &it->frame,
					 &it->frame_len);
		const char *why;

		if (r == -EINVAL && hostname != NULL) {
			/* a host name syslog cannot carry: send none */
			hostname = NULL;
			i--;
			continue;
		}
		if (r == 0)
			continue;
		why = r == -EMSGSIZE ? "the event is too large for --server: "
				       "more than 65536 bytes as syslog"
		      : r == -EINVAL && streq(it->event->source, "-")
				     ? "source '-' is syslog's empty value, "
				       "which --server cannot send"
		      : r == -EINVAL && strchr(it->event->source, ' ') != NULL
				     ? "a source with a blank, which syslog "
				       "(--server) cannot carry as APP-NAME"
		      : r == -EINVAL ? "a field name is longer than 32 bytes, "
				       "which syslog (--server) cannot carry"
				     : strerror(-r);
		if (run->a->action == EVC_WRITE)
			return report(run->err, EVC_EXIT_INVALID, "%s", why);
		report(run->err, 0, "%s: %s", where(it), why);
		it->state = IT_REFUSED;
		run->bad++;
	}
	return EVC_EXIT_OK;
}

static int
new_uuid(char ret[EVC_UUID_LEN + 1], FILE *err)
{
	int r = evc_uuid_random(ret);

	if (r < 0)
		return report(err, EVC_EXIT_WRITE, "cannot make a uuid: %s",
			      strerror(-r));
	return EVC_EXIT_OK;
}

static int
items_from_args(struct run *run)
{
	char uuid[EVC_UUID_LEN + 1];
	struct item *v;
	int code;

	if (run->a->uuid[0] != '\0')
		memcpy(uuid, run->a->uuid, sizeof(uuid));
	else if ((code = new_uuid(uuid, run->err)) != EVC_EXIT_OK)
		return code;
	v = reallocarray(NULL, 1, sizeof(*v));
	if (v == NULL)
		return report(run->err, EVC_EXIT_WRITE, "out of memory");
	v[0] = (struct item){ .event = run->a->event, .borrowed = true,
			      .time_usec = now_usec(CLOCK_REALTIME) };
	memcpy(v[0].uuid, uuid, sizeof(uuid));
	run->items = v;
	run->n = 1;
	return EVC_EXIT_OK;
}

static int
items_from_batch(struct run *run, FILE *f, const char *name)
{
	_cleanup_(freep) char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	int code;

	while ((len = getline(&line, &cap, f)) >= 0) {
		_cleanup_(freep) char *msg = NULL;
		struct event *e = NULL;
		char uuid[EVC_UUID_LEN + 1], *at = NULL;

		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if ((size_t)len != strlen(line))
			code = failf(EVC_EXIT_INVALID, &msg,
				    "line contains a NUL byte");
		else
			code = evc_batch_parse_line(line, run->a->event, &e,
						    &msg);
		if (code != EVC_EXIT_OK) {
			report(run->err, 0, "%s:%zu: %s", name, lineno,
			       msg != NULL ? msg : "out of memory");
			run->bad++;
			continue;
		}
		if (e == NULL)
			continue;
		code = new_uuid(uuid, run->err);
		if (code != EVC_EXIT_OK) {
			event_free(e);
			return code;
		}
		if (asprintf(&at, "%s:%zu", name, lineno) < 0 ||
		    add_item(run, e, uuid, now_usec(CLOCK_REALTIME), at) < 0)
			return report(run->err, EVC_EXIT_WRITE,
				      "out of memory");
	}
	if (ferror(f))
		return report(run->err, EVC_EXIT_WRITE, "%s: read error after "
			      "line %zu: %s; nothing sent", name, lineno,
			      strerror(errno));
	return EVC_EXIT_OK;
}

static void
bad_spool_file(const char *path, const char *msg, void *userdata)
{
	struct run *run = userdata;

	report(run->err, 0, "%s: %s; left in place", path, msg);
	run->bad++;
}

static int
items_from_spool(struct run *run)
{
	struct evc_spooled *v = NULL;
	size_t n = 0;
	int r, code = EVC_EXIT_OK;

	/* A spool nothing was ever kept in is empty, not an error. */
	r = evc_spool_prepare(run->a->spool_dir);
	if (r == -EPERM)
		return report(run->err, EVC_EXIT_USAGE, "spool directory "
			      "'%s' must be yours and closed to others (mode "
			      "0700)", run->a->spool_dir);
	if (r == 0)
		r = evc_spool_list(run->a->spool_dir, &v, &n, bad_spool_file,
				   run);
	if (r < 0)
		return report(run->err, r == -ENOMEM ? EVC_EXIT_WRITE
						     : EVC_EXIT_USAGE,
			      "cannot read spool directory '%s': %s",
			      run->a->spool_dir, strerror(-r));
	for (size_t i = 0; i < n; i++) {
		if (code == EVC_EXIT_OK &&
		    add_item(run, TAKE_PTR(v[i].event), v[i].uuid,
			     v[i].time_usec, TAKE_PTR(v[i].path)) < 0)
			code = report(run->err, EVC_EXIT_WRITE,
				      "out of memory");
		if (code == EVC_EXIT_OK)
			run->items[run->n - 1].spooled = true;
		evc_spooled_done(&v[i]);
	}
	free(v);
	return code;
}

/* Every event on disk before the first byte leaves. */
static int
spool_items(struct run *run)
{
	const char *dir = run->a->spool_dir;
	int r = evc_spool_prepare(dir);

	if (r == -EPERM)
		return report(run->err, EVC_EXIT_USAGE, "spool directory "
			      "'%s' must be yours and closed to others (mode "
			      "0700)", dir);
	if (r < 0)
		return report(run->err, EVC_EXIT_USAGE, "cannot use spool "
			      "directory '%s': %s", dir, strerror(-r));
	for (size_t i = 0; i < run->n; i++) {
		struct item *it = &run->items[i];

		if (it->state != IT_UNSENT || it->spooled)
			continue;
		r = evc_spool_write(dir, it->event, it->uuid, it->time_usec);
		if (r == -EBADMSG && run->a->action != EVC_WRITE) {
			report(run->err, 0, "%s: a value holds a line break, "
			       "which --spool cannot keep", where(it));
			it->state = IT_REFUSED;
			run->bad++;
			continue;
		}
		if (r == -EBADMSG)
			return report(run->err, EVC_EXIT_INVALID, "a value "
				      "holds a line break, which --spool "
				      "cannot keep");
		if (r < 0)
			return report(run->err, EVC_EXIT_WRITE, "cannot write "
				      "%s/%s" EVC_SPOOL_SUFFIX ": %s; nothing "
				      "sent", dir, it->uuid, strerror(-r));
		it->spooled = true;
	}
	return EVC_EXIT_OK;
}

/* An event is done: off the disk. */
static void
unspool(struct run *run, struct item *it)
{
	int r;

	if (!it->spooled)
		return;
	r = evc_spool_remove(run->a->spool_dir, it->uuid);
	if (r < 0)
		report(run->err, 0, "cannot remove %s/%s" EVC_SPOOL_SUFFIX
		       ": %s; --flush will send it again (the host stores it "
		       "once)", run->a->spool_dir, it->uuid, strerror(-r));
	else
		it->spooled = false;
}

/* --- the send loop ---------------------------------------------------- */

static void
drop_connection(struct run *run)
{
	evc_tls_close(run->tls);
	run->tls = NULL;
	for (size_t k = 0; k < run->inflight; k++) {
		struct item *it = &run->items[run->fifo[(run->head + k) %
							 WINDOW]];

		if (it->state == IT_INFLIGHT)
			it->state = IT_UNSENT;
	}
	run->head = run->inflight = run->have = 0;
}

/* Handles one answer line for the oldest in-flight frame. Returns 1 on
 * progress (a final answer), 0 on ERR 429/5xx, -1 for a line that is no
 * answer to it (the connection is then out of step). */
static int
take_answer(struct run *run, char *line, uint64_t *retry_at,
	    int *retry_ms)
{
	struct item *it = &run->items[run->fifo[run->head]];
	const char *reason;
	unsigned code;
	char q[EVC_QUOTE_MAX];

	run->head = (run->head + 1) % WINDOW;
	run->inflight--;
	switch (evc_channel_parse_answer(line, it->uuid, &code, &reason)) {
	case EVC_ANSWER_OK:
		it->state = IT_OK;
		unspool(run, it);
		*retry_ms = RETRY_FIRST_MSEC;
		return 1;
	case EVC_ANSWER_REFUSED:
		it->state = IT_REFUSED;
		if (run->a->action == EVC_WRITE)
			report(run->err, 0, "the host refused the event: "
			       "ERR %u %s", code, reason);
		else
			report(run->err, 0, "%s: the host refused the event "
			       "(uuid %s): ERR %u %s", where(it), it->uuid,
			       code, reason);
		unspool(run, it);
		return 1;
	case EVC_ANSWER_RETRY:
		it->state = IT_RETRY;
		snprintf(run->last, sizeof(run->last), "the host answered "
			 "ERR %u %.200s", code, reason);
		*retry_at = now_usec(CLOCK_MONOTONIC) + *retry_ms * 1000ULL;
		*retry_ms = *retry_ms * 2 > RETRY_MAX_MSEC ? RETRY_MAX_MSEC
							   : *retry_ms * 2;
		return 0;
	default:
		it->state = IT_UNSENT;
		snprintf(run->last, sizeof(run->last), "the host answered "
			 "'%s', not an answer to uuid %s", evc_quote(line, q),
			 it->uuid);
		return -1;
	}
}

/* Reads what came and handles every whole line. Returns 1 on progress,
 * 0 on none, -1 when the connection must go. */
static int
read_answers(struct run *run, uint64_t deadline, uint64_t *retry_at,
	     int *retry_ms)
{
	ssize_t got = evc_tls_read(run->tls, run->buf + run->have,
				   ANSWER_MAX - run->have, deadline);
	char *nl;
	int progress = 0;

	if (got == -ETIMEDOUT)
		return 0;
	if (got == -EACCES) {
		snprintf(run->last, sizeof(run->last), "the host ended the "
			 "connection: %s", evc_tls_error(run->tls));
		run->fatal = true;
		return -1;
	}
	if (got <= 0) {
		snprintf(run->last, sizeof(run->last), "the host closed the "
			 "connection before it answered");
		return -1;
	}
	run->have += (size_t)got;
	while ((nl = memchr(run->buf, '\n', run->have)) != NULL) {
		size_t used = (size_t)(nl - run->buf) + 1;
		int r;

		*nl = '\0';
		if (run->inflight == 0) {
			snprintf(run->last, sizeof(run->last), "the host "
				 "answered more lines than events were sent");
			return -1;
		}
		r = take_answer(run, run->buf, retry_at, retry_ms);
		if (r < 0)
			return -1;
		progress |= r;
		memmove(run->buf, run->buf + used, run->have - used);
		run->have -= used;
	}
	if (run->have == ANSWER_MAX) {
		snprintf(run->last, sizeof(run->last), "the host answered a "
			 "line longer than %d bytes", ANSWER_MAX);
		return -1;
	}
	return progress;
}

/* The next frame to send: the first unsent, or one to retry once its pause
 * is over. */
static struct item *
next_to_send(struct run *run, uint64_t retry_at, size_t *ret_i)
{
	bool retry_ok = now_usec(CLOCK_MONOTONIC) >= retry_at;

	for (size_t i = 0; i < run->n; i++) {
		struct item *it = &run->items[i];

		if (it->state == IT_UNSENT ||
		    (it->state == IT_RETRY && retry_ok)) {
			*ret_i = i;
			return it;
		}
	}
	return NULL;
}

static bool
all_done(const struct run *run)
{
	for (size_t i = 0; i < run->n; i++)
		if (run->items[i].state < IT_OK)
			return false;
	return true;
}

static int
connect_host(struct run *run, const struct evc_tls_opts *o,
	     uint64_t deadline)
{
	_cleanup_(freep) char *msg = NULL;
	enum evc_tls_fail why;
	int r;

	r = evc_tls_connect(o, deadline, &run->tls, &why, &msg);
	if (r < 0) {
		snprintf(run->last, sizeof(run->last), "%s",
			 msg != NULL ? msg : strerror(-r));
		run->fatal = why == EVC_TLS_FATAL;
		return -1;
	}
	run->connected = true;
	if (!evc_tls_answers(run->tls) && !run->a->no_answer) {
		snprintf(run->last, sizeof(run->last), "the host does not "
			 "answer events (no " EVC_ALPN "): give --no-answer to "
			 "send without acknowledgement");
		run->fatal = true;
		drop_connection(run);
		return -1;
	}
	return 0;
}

/* --no-answer and a host without evtrigger/1: every frame written counts
 * as sent. */
static int
send_unanswered(struct run *run, uint64_t deadline)
{
	size_t i;
	struct item *it;

	while ((it = next_to_send(run, 0, &i)) != NULL) {
		if (evc_tls_write(run->tls, it->frame, it->frame_len,
				  deadline) < 0) {
			snprintf(run->last, sizeof(run->last), "the connection "
				 "broke while sending");
			return -1;
		}
		it->state = IT_OK;
		unspool(run, it);
	}
	drop_connection(run);
	return 0;
}

static void
send_loop(struct run *run, const struct evc_tls_opts *o)
{
	uint64_t timeout = run->a->timeout_usec;
	uint64_t deadline = now_usec(CLOCK_MONOTONIC) + timeout;
	uint64_t retry_at = 0;
	int again_ms = AGAIN_FIRST_MSEC, retry_ms = RETRY_FIRST_MSEC;

	while (!all_done(run) && now_usec(CLOCK_MONOTONIC) < deadline) {
		struct item *it;
		size_t i;
		int r;

		if (run->tls == NULL) {
			if (connect_host(run, o, deadline) < 0) {
				if (run->fatal)
					return;
				pause_until(now_usec(CLOCK_MONOTONIC) +
					    again_ms * 1000ULL, deadline);
				again_ms = again_ms * 2 > AGAIN_MAX_MSEC
						   ? AGAIN_MAX_MSEC
						   : again_ms * 2;
				continue;
			}
			again_ms = AGAIN_FIRST_MSEC;
			if (!evc_tls_answers(run->tls)) {
				if (send_unanswered(run, deadline) < 0)
					drop_connection(run);
				continue;
			}
		}
		while (run->inflight < WINDOW &&
		       (it = next_to_send(run, retry_at, &i)) != NULL) {
			r = evc_tls_write(run->tls, it->frame, it->frame_len,
					  deadline);
			if (r < 0) {
				snprintf(run->last, sizeof(run->last), "the "
					 "connection broke while sending: %s",
					 evc_tls_error(run->tls));
				run->fatal = r == -EACCES;
				break;
			}
			it->state = IT_INFLIGHT;
			run->fifo[(run->head + run->inflight) % WINDOW] = i;
			run->inflight++;
		}
		if (run->inflight == 0) {
			if (it != NULL) {       /* a write failed */
				drop_connection(run);
				if (run->fatal)
					break;
				continue;
			}
			/* Only ERR 429/5xx ones left: their pause. */
			pause_until(retry_at, deadline);
			continue;
		}
		r = read_answers(run, deadline, &retry_at, &retry_ms);
		if (r < 0 && run->fatal)
			break;
		if (r < 0) {
			drop_connection(run);
			pause_until(now_usec(CLOCK_MONOTONIC) +
				    AGAIN_FIRST_MSEC * 1000ULL, deadline);
		} else if (r > 0)       /* --timeout counts from progress */
			deadline = now_usec(CLOCK_MONOTONIC) + timeout;
	}
	drop_connection(run);
}

/* --- the outcome ------------------------------------------------------ */

static int
outcome(struct run *run)
{
	const struct evc_args *a = run->a;
	size_t ok = 0, refused = 0, pending = 0;
	char secs[32];

	for (size_t i = 0; i < run->n; i++) {
		enum item_state s = run->items[i].state;

		ok += s == IT_OK;
		refused += s == IT_REFUSED;
		pending += s < IT_OK;
	}
	snprintf(secs, sizeof(secs), "%" PRIu64 ".%03us",
		 a->timeout_usec / 1000000,
		 (unsigned)(a->timeout_usec % 1000000 / 1000));
	if (a->action == EVC_WRITE && run->n == 1) {
		const struct item *it = &run->items[0];

		if (it->state == IT_OK)
			return EVC_EXIT_OK;
		if (it->state == IT_REFUSED)
			return EVC_EXIT_REFUSED;
		if (a->spool_dir != NULL)
			return report(run->err, EVC_EXIT_NOT_ACKED, "not "
				      "acknowledged (%s); spooled as "
				      "%s/%s" EVC_SPOOL_SUFFIX ": send it "
				      "with --flush --spool %s", run->last,
				      a->spool_dir, it->uuid, a->spool_dir);
		if (!run->connected || run->fatal)
			return report(run->err, EVC_EXIT_UNAVAILABLE, "%s",
				      run->last);
		return report(run->err, EVC_EXIT_NOT_ACKED, "not acknowledged "
			      "within %s (%s); the host may or may not have "
			      "the event: send it again with --uuid %s", secs,
			      run->last, it->uuid);
	}
	if (pending > 0) {
		for (size_t i = 0; i < run->n && a->spool_dir == NULL; i++)
			if (run->items[i].state < IT_OK)
				report(run->err, 0, "%s: not acknowledged "
				       "(uuid %s)", where(&run->items[i]),
				       run->items[i].uuid);
		if (a->spool_dir != NULL)
			return report(run->err, EVC_EXIT_NOT_ACKED, "%zu of "
				      "%zu events not acknowledged (%s); kept "
				      "in %s: send them with --flush --spool "
				      "%s", pending, run->n, run->last,
				      a->spool_dir, a->spool_dir);
		if ((!run->connected || run->fatal) && ok == 0)
			return report(run->err, EVC_EXIT_UNAVAILABLE, "%s",
				      run->last);
		return report(run->err, EVC_EXIT_NOT_ACKED, "%zu of %zu events "
			      "not acknowledged within %s (%s)", pending,
			      run->n, secs, run->last);
	}
	if (refused > 0 || run->bad > 0)
		return report(run->err, EVC_EXIT_BATCH, "%zu events "
			      "acknowledged, %zu refused or bad", ok,
			      refused + run->bad);
	return EVC_EXIT_OK;
}

static int
tls_options(const struct evc_args *a, struct evc_tls_opts *o, FILE *err)
{
	*o = (struct evc_tls_opts){
		.host = a->server_host, .port = a->server_port,
		.cert = a->cert, .key = a->key, .ca = a->ca,
	};
	if (a->conf_files) {
		if (access(EVC_CONF_CERT, R_OK) == 0 &&
		    access(EVC_CONF_KEY, R_OK) == 0) {
			o->cert = EVC_CONF_CERT;
			o->key = EVC_CONF_KEY;
		}
		if (access(EVC_CONF_CA, R_OK) == 0)
			o->ca = EVC_CONF_CA;
	}
	if (a->psk_from == EVC_PSK_LITERAL)
		report(err, 0, "warning: the secret of /P is on the command "
		       "line, where other users can see it (ps, /proc): use "
		       "/P @FILE or /P -");
	return remote_psk(a, o, err);
}

int
evc_remote_run(const struct evc_args *a, FILE *batch, const char *name,
	       FILE *err)
{
	struct run run = { .a = a, .err = err };
	struct evc_tls_opts o;
	int code;

	if (!evc_tls_available())
		return report(err, EVC_EXIT_UNSUPPORTED, "--server: not built "
			      "with TLS (the static guest build); use "
			      "--channel");
	/* A write to a connection the host closed is an error, not a
	 * signal. */
	signal(SIGPIPE, SIG_IGN);
	code = tls_options(a, &o, err);
	if (code != EVC_EXIT_OK)
		return code;
	if (a->action == EVC_FLUSH)
		code = items_from_spool(&run);
	else if (a->action == EVC_BATCH)
		code = items_from_batch(&run, batch, name);
	else
		code = items_from_args(&run);
	if (code == EVC_EXIT_OK)
		code = make_frames(&run);
	if (code == EVC_EXIT_OK && a->spool_dir != NULL)
		code = spool_items(&run);
	if (code == EVC_EXIT_OK) {
		if (!all_done(&run))
			send_loop(&run, &o);
		code = outcome(&run);
	}
	explicit_bzero(o.psk_key, sizeof(o.psk_key));
	items_free(&run);
	return code;
}
