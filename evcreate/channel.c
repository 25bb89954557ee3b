/* evcreate --channel: the line, the answer and the send loop (see channel.h).
 *
 * How a virtio-serial port behaves in the guest (Linux
 * drivers/char/virtio_console.c), which the loop is built around:
 * - one process at a time may open the port: open() fails with EBUSY
 *   (EMFILE on old kernels) while another has it;
 * - while no host process is connected to the port's socket, a write blocks
 *   (EAGAIN with O_NONBLOCK), read() returns 0 and poll() reports POLLHUP at
 *   once, so poll() cannot wait for the host to come: the loop waits for the
 *   SIGIO the driver sends when the host connects (O_ASYNC), and at most
 *   HOST_WAIT_MSEC at a time in case no signal comes;
 * - bytes taken from the queue when the host side goes away are lost, so
 *   only an answer counts: no answer means resend, and the uuid makes a
 *   resend harmless (the host stores an event once per uuid). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "errmsg.h"
#include "channel.h"
#include "quote.h"
#include "time.h"

/* How long one send waits for its answer before it sends again. */
#define ANSWER_WAIT_MSEC        5000
/* The longest wait for the host to connect between two looks. */
#define HOST_WAIT_MSEC          250
/* Between two opens while another process has the port. */
#define BUSY_WAIT_MSEC          100
/* Before a resend after EOF or no answer. */
#define AGAIN_WAIT_MSEC         100
/* After ERR 429/5xx: the first pause, doubled up to the last. */
#define RETRY_FIRST_MSEC        500
#define RETRY_MAX_MSEC          8000
/* An answer line longer than this is not an answer; it is skipped. */
#define ANSWER_MAX              1024

static bool
needs_quotes(const char *v)
{
	return v[0] == '\0' || strpbrk(v, " \t\"\\") != NULL;
}

/* Writes " key=value" (no leading blank for the first word) with value
 * quoted as parse_words reads it back. */
static int
put_word(FILE *f, bool first, const char *key, const char *value)
{
	if (strpbrk(value, "\n\r") != NULL)
		return -EBADMSG;
	fprintf(f, "%s%s=", first ? "" : " ", key);
	if (!needs_quotes(value)) {
		fputs(value, f);
		return 0;
	}
	fputc('"', f);
	for (const char *p = value; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', f);
		fputc(*p, f);
	}
	fputc('"', f);
	return 0;
}

int
evc_channel_format_line(const struct event *e, const char *uuid,
			const char *time, char **ret, size_t *ret_len)
{
	_cleanup_(freep) char *buf = NULL;
	_cleanup_(fclosep) FILE *f = NULL;
	char type[16], idbuf[16];
	const char *name;
	size_t len = 0, i;
	int r;

	r = event_check_complete(e);
	if (r < 0)
		return r;
	name = event_type_name(e->type);
	if (name == NULL)
		return -EINVAL;
	/* "WARNING" -> "warning", as people write it. */
	for (i = 0; i < sizeof(type) - 1 && name[i] != '\0'; i++)
		type[i] = (char)tolower((unsigned char)name[i]);
	type[i] = '\0';
	snprintf(idbuf, sizeof(idbuf), "%u", e->id);
	f = open_memstream(&buf, &len);
	if (f == NULL)
		return -ENOMEM;
	r = put_word(f, true, "type", type);
	if (r == 0)
		r = put_word(f, false, "id", idbuf);
	if (r == 0 && e->source != NULL)
		r = put_word(f, false, "source", e->source);
	if (r == 0 && e->log != NULL)
		r = put_word(f, false, "log", e->log);
	if (r == 0)
		r = put_word(f, false, "description", e->description);
	if (r == 0)
		r = put_word(f, false, "uuid", uuid);
	if (r == 0)
		r = put_word(f, false, "time", time);
	for (i = 0; r == 0 && i < e->n_extra; i++)
		r = put_word(f, false, e->extra[i].name, e->extra[i].value);
	if (r < 0)
		return r;
	fputc('\n', f);
	if (fclose(TAKE_PTR(f)) != 0)
		return -ENOMEM;
	if (len > EVC_CHANNEL_LINE_MAX)
		return -EMSGSIZE;
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

int
evc_uuid_random(char ret[EVC_UUID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	size_t got = 0, o = 0;

	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		got += (size_t)n;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);   /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);   /* RFC 4122 variant */
	for (size_t i = 0; i < sizeof(b); i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			ret[o++] = '-';
		ret[o++] = hex[b[i] >> 4];
		ret[o++] = hex[b[i] & 0x0f];
	}
	ret[o] = '\0';
	return 0;
}

const char *
evc_format_time(uint64_t usec, char buf[EVC_TIME_MAX])
{
	time_t t = (time_t)(usec / 1000000);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999 ||
	    strftime(buf, EVC_TIME_MAX, "%Y-%m-%dT%H:%M:%S", &tm) != 19)
		return NULL;
	snprintf(buf + 19, EVC_TIME_MAX - 19, ".%06uZ",
		 (unsigned)(usec % 1000000));
	return buf;
}

enum evc_answer
evc_channel_parse_answer(char *line, const char *uuid, unsigned *ret_code,
			 const char **ret_reason)
{
	size_t len = strlen(line);
	char got[EVC_UUID_LEN + 1];
	unsigned code = 0;
	const char *p;

	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	if (len > 3 && strncmp(line, "OK ", 3) == 0) {
		char text[EVC_UUID_LEN + 1];

		if (len - 3 != EVC_UUID_LEN)
			return EVC_ANSWER_UNKNOWN;
		memcpy(text, line + 3, EVC_UUID_LEN);
		text[EVC_UUID_LEN] = '\0';
		if (evc_uuid_normalize(text, got) < 0)
			return EVC_ANSWER_UNKNOWN;
		return streq(got, uuid) ? EVC_ANSWER_OK : EVC_ANSWER_OTHER;
	}
	if (len < 7 || strncmp(line, "ERR ", 4) != 0)
		return EVC_ANSWER_UNKNOWN;
	p = line + 4;
	for (int i = 0; i < 3; i++, p++) {
		if (*p < '0' || *p > '9')
			return EVC_ANSWER_UNKNOWN;
		code = code * 10 + (unsigned)(*p - '0');
	}
	if (p < line + len && *p != ' ')
		return EVC_ANSWER_UNKNOWN;
	if (code < 100)
		return EVC_ANSWER_UNKNOWN;
	*ret_code = code;
	*ret_reason = p < line + len ? p + 1 : "";
	if (code == 429 || (code >= 500 && code <= 599))
		return EVC_ANSWER_RETRY;
	return EVC_ANSWER_REFUSED;
}

/* --- the send loop ------------------------------------------------------ */

/* Milliseconds until deadline (monotonic usec), at most cap, at least 0. */
static int
msec_left(uint64_t deadline, int cap)
{
	uint64_t now = now_usec(CLOCK_MONOTONIC);
	uint64_t ms = now >= deadline ? 0 : (deadline - now + 999) / 1000;

	return ms < (uint64_t)cap ? (int)ms : cap;
}

struct sender {
	const char *path;
	const char *line;
	size_t len;
	const char *uuid;
	uint64_t deadline;              /* CLOCK_MONOTONIC usec */
	uint64_t timeout_usec;
	int fd;                         /* the port, or -1 */
	int sigfd;                      /* signalfd for SIGIO, or -1 */
	/* The last reason the event is not acknowledged yet, for exit 7. */
	char last[160];
	/* The refusal, for exit 8. */
	unsigned code;
	char reason[ANSWER_MAX];
};

enum attempt {
	ATTEMPT_OK,             /* acknowledged */
	ATTEMPT_REFUSED,        /* ERR 4xx */
	ATTEMPT_RETRY,          /* ERR 429/5xx: pause, then resend */
	ATTEMPT_AGAIN,          /* EOF, no answer, write error: resend */
	ATTEMPT_TIMEOUT,        /* the deadline passed */
};

/* Whether the driver's SIGIO came; takes every queued one. */
static bool
take_sigio(struct sender *s)
{
	struct signalfd_siginfo si;
	bool got = false;

	if (s->sigfd < 0)
		return false;
	while (read(s->sigfd, &si, sizeof(si)) > 0)
		got = true;
	return got;
}

/* Waits up to HOST_WAIT_MSEC (and not past the deadline) for the driver's
 * SIGIO, which comes when the host connects. */
static void
wait_for_host(struct sender *s)
{
	int ms = msec_left(s->deadline, HOST_WAIT_MSEC);

	if (s->sigfd >= 0) {
		struct pollfd p = { .fd = s->sigfd, .events = POLLIN };

		if (poll(&p, 1, ms) > 0)
			(void)take_sigio(s);
	} else {
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
	}
}

static void
pause_msec(struct sender *s, int cap)
{
	int ms = msec_left(s->deadline, cap);
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Writes the whole line, waiting while the host is not connected. Returns
 * -1 when it is written, or the outcome of the attempt. */
static int
send_line(struct sender *s)
{
	size_t off = 0;

	while (off < s->len) {
		ssize_t n = write(s->fd, s->line + off, s->len - off);
		struct pollfd p = { .fd = s->fd, .events = POLLOUT };

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN) {
			snprintf(s->last, sizeof(s->last), "cannot write to "
				 "%s: %s", s->path, strerror(errno));
			pause_msec(s, HOST_WAIT_MSEC);
			return ATTEMPT_AGAIN;
		}
		if (msec_left(s->deadline, 1) == 0)
			return ATTEMPT_TIMEOUT;
		if (poll(&p, 1, msec_left(s->deadline, ANSWER_WAIT_MSEC)) < 0 &&
		    errno != EINTR)
			return ATTEMPT_AGAIN;
		if ((p.revents & POLLHUP) && !(p.revents & POLLOUT)) {
			snprintf(s->last, sizeof(s->last), "the host is not "
				 "connected to %s", s->path);
			wait_for_host(s);
		}
	}
	return -1;
}

/* Handles one answer line. Returns an attempt outcome, or -1 to read on. */
static int
take_answer(struct sender *s, char *line)
{
	const char *reason;
	unsigned code;

	switch (evc_channel_parse_answer(line, s->uuid, &code, &reason)) {
	case EVC_ANSWER_OK:
		return ATTEMPT_OK;
	case EVC_ANSWER_REFUSED:
		s->code = code;
		snprintf(s->reason, sizeof(s->reason), "%s", reason);
		return ATTEMPT_REFUSED;
	case EVC_ANSWER_RETRY:
		snprintf(s->last, sizeof(s->last), "the host answered "
			 "ERR %u %.100s", code, reason);
		return ATTEMPT_RETRY;
	case EVC_ANSWER_OTHER:          /* an answer to an earlier send */
	case EVC_ANSWER_UNKNOWN:
	default:
		return -1;
	}
}

/* Reads answer lines until ours comes, the host goes, or the wait ends.
 * A SIGIO with nothing to read means the host side went away and came back
 * between two looks (a listener restart): the line may be lost, so it is
 * sent again at once rather than after ANSWER_WAIT_MSEC. */
static enum attempt
read_answer(struct sender *s)
{
	uint64_t until = now_usec(CLOCK_MONOTONIC) + ANSWER_WAIT_MSEC * 1000ULL;
	char buf[ANSWER_MAX + 1];
	size_t have = 0;
	bool skipping = false;

	if (until > s->deadline)
		until = s->deadline;
	snprintf(s->last, sizeof(s->last), "no answer from the host on %s",
		 s->path);
	(void)take_sigio(s);            /* the host's connect, before the send */
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = s->fd, .events = POLLIN },
			{ .fd = s->sigfd, .events = POLLIN },
		};
		int ms = msec_left(until, ANSWER_WAIT_MSEC), r;
		bool sigio;
		ssize_t n;
		char *nl;

		if (ms == 0)
			return msec_left(s->deadline, 1) == 0 ? ATTEMPT_TIMEOUT
							       : ATTEMPT_AGAIN;
		r = poll(p, 2, ms);
		if (r < 0 && errno != EINTR)
			return ATTEMPT_AGAIN;
		if (r <= 0)
			continue;
		sigio = take_sigio(s);
		n = read(s->fd, buf + have, ANSWER_MAX - have);
		if (n < 0 && errno == EAGAIN && sigio) {
			snprintf(s->last, sizeof(s->last), "the host side of "
				 "%s went away and came back before it "
				 "answered", s->path);
			return ATTEMPT_AGAIN;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			snprintf(s->last, sizeof(s->last), "the host went "
				 "away before it answered on %s", s->path);
			return ATTEMPT_AGAIN;
		}
		have += (size_t)n;
		while ((nl = memchr(buf, '\n', have)) != NULL) {
			size_t used = (size_t)(nl - buf) + 1;

			*nl = '\0';
			if (!skipping && strlen(buf) == used - 1) {
				r = take_answer(s, buf);
				if (r >= 0)
					return r;
			}
			skipping = false;
			memmove(buf, buf + used, have - used);
			have -= used;
		}
		if (have == ANSWER_MAX) {       /* too long: skip to its end */
			skipping = true;
			have = 0;
		}
	}
}

static int
send_once(struct sender *s)
{
	int r = send_line(s);

	if (r >= 0)
		return r;
	return read_answer(s);
}

/* Opens the port; retries while another process has it. Returns 0, or
 * ATTEMPT_TIMEOUT, or -errno for a device that cannot be opened. */
static int
open_port(struct sender *s)
{
	for (;;) {
		int fd = open(s->path, O_RDWR | O_NONBLOCK | O_CLOEXEC |
				       O_NOCTTY);

		if (fd >= 0) {
			/* The driver signals host connects to O_ASYNC
			 * openers; without it the wait is a timed one. */
			if (fcntl(fd, F_SETOWN, getpid()) == 0)
				(void)fcntl(fd, F_SETFL, O_NONBLOCK | O_ASYNC);
			s->fd = fd;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno != EBUSY && errno != EMFILE)
			return -errno;
		snprintf(s->last, sizeof(s->last), "%s is busy: another "
			 "process has it open", s->path);
		if (msec_left(s->deadline, 1) == 0)
			return ATTEMPT_TIMEOUT;
		pause_msec(s, BUSY_WAIT_MSEC);
	}
}

static int
sigio_fd(void)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGIO);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -1;
	return signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
}

static int
send_loop(struct sender *s, char **ret_msg)
{
	int retry_ms = RETRY_FIRST_MSEC, r;

	for (;;) {
		r = open_port(s);
		if (r < 0)
			return failf(EVC_EXIT_UNAVAILABLE, ret_msg, "cannot open "
				    "channel %s: %s", s->path, strerror(-r));
		if (r == ATTEMPT_TIMEOUT)
			break;
		r = send_once(s);
		closep(&s->fd);
		s->fd = -1;
		if (r == ATTEMPT_OK)
			return EVC_EXIT_OK;
		if (r == ATTEMPT_REFUSED)
			return failf(EVC_EXIT_REFUSED, ret_msg, "the host refused "
				    "the event: ERR %u %s", s->code, s->reason);
		if (r == ATTEMPT_TIMEOUT || msec_left(s->deadline, 1) == 0)
			break;
		if (r == ATTEMPT_RETRY) {
			pause_msec(s, retry_ms);
			retry_ms = retry_ms * 2 > RETRY_MAX_MSEC ? RETRY_MAX_MSEC
								 : retry_ms * 2;
		} else          /* never a busy loop, whatever the device does */
			pause_msec(s, AGAIN_WAIT_MSEC);
	}
	return failf(EVC_EXIT_NOT_ACKED, ret_msg, "not acknowledged within "
		    "%" PRIu64 ".%03us (%s); the host may or may not have the "
		    "event: send it again with --uuid %s",
		    s->timeout_usec / 1000000,
		    (unsigned)(s->timeout_usec % 1000000 / 1000), s->last,
		    s->uuid);
}

int
evc_channel_send(const struct evc_args *a, char **ret_msg)
{
	_cleanup_(freep) char *line = NULL;
	char uuid[EVC_UUID_LEN + 1], tbuf[EVC_TIME_MAX];
	const char *time;
	struct sender s;
	size_t len;
	int r, code;

	if (a->uuid[0] != '\0')
		memcpy(uuid, a->uuid, sizeof(uuid));
	else if ((r = evc_uuid_random(uuid)) < 0)
		return failf(EVC_EXIT_WRITE, ret_msg, "cannot make a uuid: %s",
			    strerror(-r));
	time = evc_format_time(now_usec(CLOCK_REALTIME), tbuf);
	if (time == NULL)
		return failf(EVC_EXIT_WRITE, ret_msg, "the clock is past the "
			    "year 9999");
	r = evc_channel_format_line(a->event, uuid, time, &line, &len);
	if (r == -EBADMSG)
		return failf(EVC_EXIT_INVALID, ret_msg, "a value holds a line "
			    "break, which --channel cannot send");
	if (r == -EMSGSIZE)
		return failf(EVC_EXIT_INVALID, ret_msg, "the event is too large "
			    "for --channel: more than %d bytes as a line",
			    EVC_CHANNEL_LINE_MAX);
	if (r < 0)
		return failf(EVC_EXIT_WRITE, ret_msg, "cannot format the event: "
			    "%s", strerror(-r));
	s = (struct sender){
		.path = a->channel_path, .line = line, .len = len,
		.uuid = uuid, .fd = -1, .sigfd = sigio_fd(),
		.deadline = now_usec(CLOCK_MONOTONIC) + a->timeout_usec,
		.timeout_usec = a->timeout_usec,
	};
	snprintf(s.last, sizeof(s.last), "no answer from the host on %s",
		 s.path);
	code = send_loop(&s, ret_msg);
	closep(&s.sigfd);
	return code;
}
