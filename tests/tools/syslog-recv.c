/* syslog-recv: a test receiver for scenarios. Binds a unix datagram socket
 * at PATH, receives COUNT messages and prints, for each, the parsed fields
 * and the event it carries as KEY=VALUE lines (or the error), so a scenario
 * can check what a real sender (logger, evcreate) wrote.
 *
 * Usage: syslog-recv [--count N] [--timeout SECONDS] [--stream | --framed]
 *                    PATH
 * --stream: a unix stream socket, messages framed as RFC 6587 says (octet
 * counting or LF-terminated), read with syslog_frame_next; --framed: the
 * same framing inside each datagram (logger --octet-count -u).
 *
 * Per message, a block ending with an empty line:
 *   N=1  RAW=...  FACILITY=  SEVERITY=  VERSION=  TIMESTAMP=  HOSTNAME=
 *   APP_NAME=  PROCID=  MSGID=  SD_<SD-ID>/<NAME>=  TEXT=
 *   PARSE_ERROR=<strerror>                      when syslog_parse failed
 *   FRAME_ERROR=<why>                           a bad frame (the block has
 *                                               only N and this)
 *   EVENT_ID=  EVENT_TYPE=  EVENT_SOURCE=  EVENT_LOG=  EVENT_DESCRIPTION=
 *   EXTRA_<NAME>=                               the mapped event, or
 *   EVENT_ERROR=<strerror>  EVENT_ERROR_WHAT=   why it is not one
 * Nil fields are left out. Bytes outside printable ASCII (but for UTF-8
 * text) and backslashes are written as \xNN, so each value is one line.
 * Exit: 0 when COUNT messages came, 2 on timeout, 1 on other errors. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "syslog.h"

#define RECV_MAX (256 * 1024)

static void
put_value(const char *key, const char *s, size_t len)
{
	bool utf8 = utf8_is_valid(s, len);

	printf("%s=", key);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\' || c < 32 || c == 127 || (c >= 128 && !utf8))
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	putchar('\n');
}

static void
put_str(const char *key, const char *s)
{
	if (s != NULL)
		put_value(key, s, strlen(s));
}

static void
print_message(unsigned n, const char *buf, size_t len)
{
	_cleanup_(syslog_msg_freep) struct syslog_msg *m = NULL;
	_cleanup_(event_freep) struct event *e = NULL;
	const char *what = NULL;
	char key[128];
	int r;

	printf("N=%u\n", n);
	put_value("RAW", buf, len);
	r = syslog_parse(buf, len, &m);
	if (r < 0) {
		printf("PARSE_ERROR=%s\n\n", strerror(-r));
		return;
	}
	printf("FACILITY=%d\nSEVERITY=%d\nVERSION=%d\n", m->facility,
	       m->severity, m->version);
	put_str("TIMESTAMP", m->timestamp);
	put_str("HOSTNAME", m->hostname);
	put_str("APP_NAME", m->app_name);
	put_str("PROCID", m->procid);
	put_str("MSGID", m->msgid);
	for (size_t i = 0; i < m->sd->n; i++) {
		snprintf(key, sizeof(key), "SD_%s", m->sd->names[i]);
		put_str(key, m->sd->values[i]);
	}
	put_str("TEXT", m->msg);

	r = syslog_msg_to_event(m, &e, &what);
	if (r < 0) {
		printf("EVENT_ERROR=%s\n", syslog_event_strerror(r));
		put_str("EVENT_ERROR_WHAT", what);
		putchar('\n');
		return;
	}
	printf("EVENT_ID=%u\nEVENT_TYPE=%s\n", e->id, event_type_name(e->type));
	put_str("EVENT_SOURCE", e->source);
	put_str("EVENT_LOG", e->log);
	put_str("EVENT_DESCRIPTION", e->description);
	for (size_t i = 0; i < e->n_extra; i++) {
		snprintf(key, sizeof(key), "EXTRA_%s", e->extra[i].name);
		put_str(key, e->extra[i].value);
	}
	putchar('\n');
}

static int
bind_socket(const char *path, bool stream)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "syslog-recv: socket path too long: '%s'\n",
			path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, (stream ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC,
		    0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    (stream && listen(fd, 16) < 0)) {
		fprintf(stderr, "syslog-recv: cannot bind '%s': %m\n", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Prints the RFC 6587 frames in buf; returns the bytes they took, or -1
 * after printing a FRAME_ERROR block. */
static ssize_t
print_frames(const char *buf, size_t len, unsigned long *n,
	     unsigned long count)
{
	size_t off = 0;

	while (*n <= count) {
		const char *msg;
		size_t msg_len, used;
		int r = syslog_frame_next(buf + off, len - off, RECV_MAX, &msg,
					  &msg_len, &used);

		if (r == 0)
			break;
		if (r < 0) {
			printf("N=%lu\nFRAME_ERROR=%s\n\n", *n, strerror(-r));
			(*n)++;
			return -1;
		}
		print_message((unsigned)(*n)++, msg, msg_len);
		off += used;
	}
	return (ssize_t)off;
}

/* Waits up to timeout seconds for fd to be readable; 0 on timeout. */
static int
wait_readable(int fd, unsigned long timeout)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;

	do
		r = poll(&p, 1, (int)(timeout * 1000));
	while (r < 0 && errno == EINTR);
	return r;
}

/* Reads RFC 6587 framed messages from connections on a stream socket. */
static int
recv_stream(int lfd, char *buf, unsigned long count, unsigned long timeout)
{
	unsigned long n = 1;

	while (n <= count) {
		_cleanup_(closep) int fd = -1;
		size_t have = 0;

		if (wait_readable(lfd, timeout) == 0)
			return 2;
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "syslog-recv: accept: %m\n");
			return 1;
		}
		while (n <= count) {
			ssize_t got, used;

			if (wait_readable(fd, timeout) == 0)
				return 2;
			got = read(fd, buf + have, RECV_MAX - have);
			if (got < 0) {
				fprintf(stderr, "syslog-recv: read: %m\n");
				return 1;
			}
			if (got == 0) {
				if (have > 0)
					printf("N=%lu\nFRAME_ERROR=truncated "
					       "frame at end of stream\n\n",
					       n++);
				break;
			}
			have += (size_t)got;
			used = print_frames(buf, have, &n, count);
			fflush(stdout);
			if (used < 0)
				break;
			memmove(buf, buf + used, have - (size_t)used);
			have -= (size_t)used;
		}
	}
	return 0;
}

static int
recv_dgram(int fd, char *buf, unsigned long count, unsigned long timeout,
	   bool framed)
{
	unsigned long n = 1;

	while (n <= count) {
		ssize_t len;

		if (wait_readable(fd, timeout) == 0)
			return 2;
		len = recv(fd, buf, RECV_MAX, 0);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "syslog-recv: recv: %m\n");
			return 1;
		}
		if (framed) {
			ssize_t used = print_frames(buf, (size_t)len, &n, count);

			if (used >= 0 && (size_t)used < (size_t)len)
				printf("N=%lu\nFRAME_ERROR=truncated frame "
				       "in datagram\n\n", n++);
		} else
			print_message((unsigned)n++, buf, (size_t)len);
		fflush(stdout);
	}
	return 0;
}

static _noreturn_ void
usage(int code)
{
	fprintf(code ? stderr : stdout,
		"usage: syslog-recv [--count N] [--timeout SECONDS] "
		"[--stream | --framed] PATH\n");
	exit(code);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "stream", no_argument, NULL, 's' },
		{ "framed", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	unsigned long count = 1, timeout = 30;
	bool stream = false, framed = false;
	_cleanup_(freep) char *buf = NULL;
	_cleanup_(closep) int fd = -1;
	int c;

	while ((c = getopt_long(argc, argv, "c:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			count = strtoul(optarg, NULL, 10);
			break;
		case 't':
			timeout = strtoul(optarg, NULL, 10);
			break;
		case 's':
			stream = true;
			break;
		case 'f':
			framed = true;
			break;
		case 'h':
			usage(0);
		default:
			usage(1);
		}
	}
	if (optind != argc - 1 || count == 0 || timeout == 0 ||
	    (stream && framed))
		usage(1);
	buf = malloc(RECV_MAX);
	if (buf == NULL)
		return 1;
	fd = bind_socket(argv[optind], stream);
	if (fd < 0)
		return 1;
	c = stream ? recv_stream(fd, buf, count, timeout)
		   : recv_dgram(fd, buf, count, timeout, framed);
	if (c == 2)
		fprintf(stderr, "syslog-recv: timed out after %lus\n", timeout);
	return c;
}
