/* syslog-send: a test sender for scenarios. Formats one event with
 * syslog_format_event and sends it with syslog_open/syslog_send, so a
 * scenario can hand lib/syslog.c's output to an independent receiver
 * (rsyslog) without depending on evcreate.
 *
 * Usage: syslog-send [--rfc3164] [--hostname H] [--pid N] [--print]
 *                    SOCKET TYPE ID SOURCE LOG DESCRIPTION [NAME=VALUE...]
 * SOURCE "" means none. --print also writes the message to stdout.
 * Exit: 0 sent, 1 an error (printed). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syslog.h"

static _noreturn_ void
usage(int code)
{
	fprintf(code ? stderr : stdout,
		"usage: syslog-send [--rfc3164] [--hostname H] [--pid N] "
		"[--print]\n"
		"                   SOCKET TYPE ID SOURCE LOG DESCRIPTION "
		"[NAME=VALUE...]\n");
	exit(code);
}

static int
fail(const char *what, const char *value, int r)
{
	fprintf(stderr, "syslog-send: %s '%s': %s\n", what, value,
		event_strerror(r));
	return 1;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rfc3164", no_argument, NULL, '3' },
		{ "hostname", required_argument, NULL, 'H' },
		{ "pid", required_argument, NULL, 'p' },
		{ "print", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	enum syslog_format fmt = SYSLOG_RFC5424;
	_cleanup_(event_freep) struct event *e = NULL;
	_cleanup_(freep) char *msg = NULL;
	_cleanup_(closep) int fd = -1;
	const char *hostname = NULL;
	bool print = false;
	pid_t pid = getpid();
	size_t len = 0;
	int c, r;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case '3':
			fmt = SYSLOG_RFC3164;
			break;
		case 'H':
			hostname = optarg;
			break;
		case 'p':
			pid = (pid_t)atoi(optarg);
			break;
		case 'P':
			print = true;
			break;
		case 'h':
			usage(0);
		default:
			usage(1);
		}
	}
	if (argc - optind < 6)
		usage(1);
	argv += optind;
	argc -= optind;

	e = event_new();
	if (e == NULL)
		return 1;
	if (event_parse_type(argv[1], &e->type) < 0)
		return fail("type", argv[1], -EINVAL);
	if ((r = event_parse_id(argv[2], &e->id)) < 0)
		return fail("id", argv[2], r);
	if (argv[3][0] != '\0' && (r = event_set_source(e, argv[3])) < 0)
		return fail("source", argv[3], r);
	if ((r = event_set_log(e, argv[4])) < 0)
		return fail("log", argv[4], r);
	if ((r = event_set_description(e, argv[5])) < 0)
		return fail("description", argv[5], r);
	for (int i = 6; i < argc; i++)
		if ((r = event_add_assignment(e, argv[i])) < 0)
			return fail("field", argv[i], r);

	r = syslog_format_event(e, fmt, hostname, NULL, pid, &msg, &len);
	if (r < 0)
		return fail("format", argv[2], r);
	if (print)
		printf("%s\n", msg);
	r = syslog_open(argv[0], &fd);
	if (r < 0)
		return fail("socket", argv[0], r);
	r = syslog_send(fd, msg, len);
	if (r < 0)
		return fail("send to", argv[0], r);
	return 0;
}
