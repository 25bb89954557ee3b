/* syslog-recv: a test receiver for scenarios. Binds a unix datagram socket
 * at PATH, receives COUNT messages and prints, for each, the parsed fields
 * and the event it carries as KEY=VALUE lines (or the error), so a scenario
 * can check what a real sender (logger, evcreate) wrote.
 *
 * Usage: syslog-recv [--count N] [--timeout SECONDS] PATH
 *
 * Per message, a block ending with an empty line:
 *   N=1  RAW=...  FACILITY=  SEVERITY=  VERSION=  TIMESTAMP=  HOSTNAME=
 *   APP_NAME=  PROCID=  MSGID=  SD_<SD-ID>/<NAME>=  TEXT=
 *   PARSE_ERROR=<strerror>                      when syslog_parse failed
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
bind_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "syslog-recv: socket path too long: '%s'\n",
			path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "syslog-recv: cannot bind '%s': %m\n", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static _noreturn_ void
usage(int code)
{
	fprintf(code ? stderr : stdout,
		"usage: syslog-recv [--count N] [--timeout SECONDS] PATH\n");
	exit(code);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	unsigned long count = 1, timeout = 30;
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
		case 'h':
			usage(0);
		default:
			usage(1);
		}
	}
	if (optind != argc - 1 || count == 0 || timeout == 0)
		usage(1);
	buf = malloc(RECV_MAX);
	if (buf == NULL)
		return 1;
	fd = bind_socket(argv[optind]);
	if (fd < 0)
		return 1;
	for (unsigned long n = 1; n <= count; n++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t len;

		c = poll(&p, 1, (int)(timeout * 1000));
		if (c == 0) {
			fprintf(stderr, "syslog-recv: timed out waiting for "
				"message %lu of %lu\n", n, count);
			return 2;
		}
		len = c < 0 ? -1 : recv(fd, buf, RECV_MAX, 0);
		if (len < 0) {
			if (errno == EINTR) {
				n--;
				continue;
			}
			fprintf(stderr, "syslog-recv: recv: %m\n");
			return 1;
		}
		print_message((unsigned)n, buf, (size_t)len);
		fflush(stdout);
	}
	return 0;
}
