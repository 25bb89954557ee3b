/* Check suite for lib/syslog.c: RFC 5424/3164 formatting, parsing, the
 * event mapping and local sending. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "syslog.h"

#define BOM "\xef\xbb\xbf"

/* 2023-11-14T22:13:20.123456 UTC; main() sets TZ=UTC. */
static const struct timespec ts = { 1700000000, 123456789 };

static struct event *
make_event(enum event_type type, unsigned id, const char *source,
	   const char *log, const char *description)
{
	struct event *e = event_new();

	ck_assert_ptr_nonnull(e);
	e->type = type;
	e->id = id;
	if (source != NULL)
		ck_assert_int_eq(event_set_source(e, source), 0);
	ck_assert_int_eq(event_set_log(e, log), 0);
	ck_assert_int_eq(event_set_description(e, description), 0);
	return e;
}

static struct syslog_msg *
parse_ok(const char *s)
{
	struct syslog_msg *m = NULL;
	int r = syslog_parse(s, strlen(s), &m);

	ck_assert_msg(r == 0, "parse '%s': r=%d", s, r);
	return m;
}

/* ---- formatting ---------------------------------------------------------- */

START_TEST(test_format_5424)
{
	_cleanup_(event_freep) struct event *e =
		make_event(EVENT_WARNING, 777, "John", "Application",
			   "VDC Ready for compaction");
	_cleanup_(freep) char *s = NULL;
	size_t len = 0;

	ck_assert_int_eq(event_add_field(e, "DISK", "a\"b]c\\d"), 0);
	ck_assert_int_eq(syslog_format_event(e, SYSLOG_RFC5424, "vdc", &ts,
					     4242, &s, &len), 0);
	ck_assert_str_eq(s, "<12>1 2023-11-14T22:13:20.123456+00:00 vdc John "
			    "4242 777 [evtrigger@32473 log=\"Application\" "
			    "DISK=\"a\\\"b\\]c\\\\d\"] " BOM
			    "VDC Ready for compaction");
	ck_assert_uint_eq(len, strlen(s));
}
END_TEST

START_TEST(test_format_5424_nil_and_system)
{
	_cleanup_(event_freep) struct event *e =
		make_event(EVENT_ERROR, 1, NULL, "system", "x");
	_cleanup_(freep) char *s = NULL;
	size_t len = 0;

	ck_assert_int_eq(syslog_format_event(e, SYSLOG_RFC5424, NULL, &ts, 0,
					     &s, &len), 0);
	/* daemon.err = 3*8+3 */
	ck_assert_str_eq(s, "<27>1 2023-11-14T22:13:20.123456+00:00 - - - 1 "
			    "[evtrigger@32473 log=\"System\"] " BOM "x");
}
END_TEST

START_TEST(test_format_offset)
{
	_cleanup_(event_freep) struct event *e =
		make_event(EVENT_SUCCESS, 9, "s", "Backup", "d");
	_cleanup_(freep) char *s = NULL;
	size_t len = 0;

	setenv("TZ", "America/St_Johns", 1); /* -03:30 in November */
	tzset();
	ck_assert_int_eq(syslog_format_event(e, SYSLOG_RFC5424, "h", &ts, 1,
					     &s, &len), 0);
	setenv("TZ", "UTC", 1);
	tzset();
	/* user.notice = 8+5; a custom log keeps the user facility */
	ck_assert_str_eq(s, "<13>1 2023-11-14T18:43:20.123456-03:30 h s 1 9 "
			    "[evtrigger@32473 log=\"Backup\"] " BOM "d");
}
END_TEST

START_TEST(test_format_3164)
{
	_cleanup_(event_freep) struct event *e =
		make_event(EVENT_INFORMATION, 777, "John", "Application",
			   "VDC Ready");
	_cleanup_(freep) char *s = NULL;
	_cleanup_(freep) char *s2 = NULL;
	struct timespec early = { 1700000000 - 12 * 86400, 0 };
	size_t len = 0;

	ck_assert_int_eq(event_add_field(e, "VM", "vdc"), 0);
	ck_assert_int_eq(syslog_format_event(e, SYSLOG_RFC3164, "vdc", &ts,
					     4242, &s, &len), 0);
	ck_assert_str_eq(s, "<14>Nov 14 22:13:20 vdc John[4242]: "
			    "[evtrigger@32473 id=\"777\" log=\"Application\" "
			    "VM=\"vdc\"] VDC Ready");
	ck_assert_int_eq(syslog_format_event(e, SYSLOG_RFC3164, NULL, &early,
					     0, &s2, &len), 0);
	ck_assert_str_eq(s2, "<14>Nov  2 22:13:20 John: "
			     "[evtrigger@32473 id=\"777\" log=\"Application\" "
			     "VM=\"vdc\"] VDC Ready");
}
END_TEST

START_TEST(test_format_errors)
{
	_cleanup_(event_freep) struct event *e =
		make_event(EVENT_INFORMATION, 777, "Jo:hn", "Application", "d");
	_cleanup_(event_freep) struct event *nodesc = event_new();
	char *s = NULL;
	size_t len = 0;

	/* 3164 cannot carry ':' or '[' in the tag. */
	ck_assert_int_eq(syslog_format_event(e, SYSLOG_RFC3164, NULL, &ts, 1,
					     &s, &len), -EINVAL);
	ck_assert_int_eq(syslog_format_event(e, SYSLOG_RFC5424, "bad host",
					     &ts, 1, &s, &len), -EINVAL);
	ck_assert_int_eq(event_set_source(e, "John"), 0);
	ck_assert_int_eq(syslog_format_event(e, SYSLOG_RFC3164, "host:",
					     &ts, 1, &s, &len), -EINVAL);
	/* "-" is the nil value of APP-NAME. */
	ck_assert_int_eq(event_set_source(e, "-"), 0);
	ck_assert_int_eq(syslog_format_event(e, SYSLOG_RFC5424, NULL, &ts, 1,
					     &s, &len), -EINVAL);
	ck_assert_int_eq(event_set_source(e, "John"), 0);
	/* SD-PARAM-NAME: at most 32 bytes. */
	ck_assert_int_eq(event_add_field(e, "A2345678901234567890123456789012",
					 "ok"), 0);
	ck_assert_int_eq(syslog_format_event(e, SYSLOG_RFC5424, NULL, &ts, 1,
					     &s, &len), 0);
	free(s);
	s = NULL;
	ck_assert_int_eq(event_add_field(e, "B23456789012345678901234567890123",
					 "no"), 0);
	ck_assert_int_eq(syslog_format_event(e, SYSLOG_RFC5424, NULL, &ts, 1,
					     &s, &len), -EINVAL);
	ck_assert_ptr_null(s);
	nodesc->id = 5;
	ck_assert_int_eq(syslog_format_event(nodesc, SYSLOG_RFC5424, NULL, &ts,
					     1, &s, &len), -ENODATA);
	nodesc->id = 0;
	ck_assert_int_eq(syslog_format_event(nodesc, SYSLOG_RFC5424, NULL, &ts,
					     1, &s, &len), -EDESTADDRREQ);
	ck_assert_ptr_null(s);
}
END_TEST

START_TEST(test_format_now)
{
	_cleanup_(event_freep) struct event *e =
		make_event(EVENT_INFORMATION, 7, "a", "Application", "d");
	_cleanup_(freep) char *s = NULL;
	_cleanup_(syslog_msg_freep) struct syslog_msg *m = NULL;
	size_t len = 0;

	ck_assert_int_eq(syslog_format_event(e, SYSLOG_RFC5424, NULL, NULL, 1,
					     &s, &len), 0);
	m = parse_ok(s);
	ck_assert_ptr_nonnull(m->timestamp);
}
END_TEST

/* ---- parsing ------------------------------------------------------------- */

/* RFC 5424 section 6.5, examples 1-4 (BOM written as the bytes), and the
 * logger and evcreate forms. sd lists "SD-ID/NAME", value pairs. */
static const struct {
	const char *in;
	int facility, severity, version;
	const char *timestamp, *hostname, *app_name, *procid, *msgid, *msg;
	const char *sd[10];
} parse_cases[] = {
	{ "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - "
	  BOM "'su root' failed for lonvick on /dev/pts/8",
	  4, 2, 1, "2003-10-11T22:14:15.003Z", "mymachine.example.com", "su",
	  NULL, "ID47", "'su root' failed for lonvick on /dev/pts/8", { NULL } },
	{ "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - "
	  "%% It's time to make the do-nuts.",
	  20, 5, 1, "2003-08-24T05:14:15.000003-07:00", "192.0.2.1", "myproc",
	  "8710", NULL, "%% It's time to make the do-nuts.", { NULL } },
	{ "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - "
	  "ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" "
	  "eventID=\"1011\"] " BOM "An application event log entry...",
	  20, 5, 1, "2003-10-11T22:14:15.003Z", "mymachine.example.com",
	  "evntslog", NULL, "ID47", "An application event log entry...",
	  { "exampleSDID@32473/iut", "3", "exampleSDID@32473/eventSource",
	    "Application", "exampleSDID@32473/eventID", "1011", NULL } },
	{ "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - "
	  "ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" "
	  "eventID=\"1011\"][examplePriority@32473 class=\"high\"]",
	  20, 5, 1, "2003-10-11T22:14:15.003Z", "mymachine.example.com",
	  "evntslog", NULL, "ID47", NULL,
	  { "exampleSDID@32473/iut", "3", "exampleSDID@32473/eventSource",
	    "Application", "exampleSDID@32473/eventID", "1011",
	    "examplePriority@32473/class", "high", NULL } },
	/* 6.3.5: a space between elements ends STRUCTURED-DATA. */
	{ "<165>1 - - - - - [a@1 x=\"1\"] [b@1 y=\"2\"]",
	  20, 5, 1, NULL, NULL, NULL, NULL, NULL, "[b@1 y=\"2\"]",
	  { "a@1/x", "1", NULL } },
	/* Escapes; a backslash before another char stays. */
	{ "<14>1 - - - - - [a@1 v=\"q\\\"b\\\\r\\]\\n\"]",
	  1, 6, 1, NULL, NULL, NULL, NULL, NULL, NULL,
	  { "a@1/v", "q\"b\\r]\\n", NULL } },
	/* Empty value, element without params, empty MSG, trailing newline. */
	{ "<0>1 - - - - - [a@1 v=\"\"][b@1] \n",
	  0, 0, 1, NULL, NULL, NULL, NULL, NULL, "", { "a@1/v", "", NULL } },
	/* Leap day, lowest offset, one fraction digit. */
	{ "<14>1 2000-02-29T00:00:00.1-23:59 - - - - -", 1, 6, 1,
	  "2000-02-29T00:00:00.1-23:59", NULL, NULL, NULL, NULL, NULL,
	  { NULL } },
	/* Max PRI, unicode in values and MSG with BOM, CRLF, trailing NUL. */
	{ "<191>1 2026-02-28T23:59:59+14:00 h a p m [x@2 k=\"Zürich ✓\"] "
	  BOM "naïve ☃\r\n\0",
	  23, 7, 1, "2026-02-28T23:59:59+14:00", "h", "a", "p", "m",
	  "naïve ☃", { "x@2/k", "Zürich ✓", NULL } },
	/* MSG without BOM is any octets (here Latin-1). */
	{ "<14>1 - - - - - - caf\xe9", 1, 6, 1, NULL, NULL, NULL, NULL, NULL,
	  "caf\xe9", { NULL } },
	/* util-linux logger --rfc5424 (with its timeQuality element). */
	{ "<12>1 2026-11-22T02:30:00.123456+00:00 vdc John 123 777 "
	  "[timeQuality tzKnown=\"1\" isSynced=\"0\"]"
	  "[evtrigger@32473 DISK=\"sda\"] VDC Ready for compaction",
	  1, 4, 1, "2026-11-22T02:30:00.123456+00:00", "vdc", "John", "123",
	  "777", "VDC Ready for compaction",
	  { "timeQuality/tzKnown", "1", "timeQuality/isSynced", "0",
	    "evtrigger@32473/DISK", "sda", NULL } },
	/* RFC 3164, as glibc syslog(3) writes to /dev/log (no hostname). */
	{ "<13>Nov  2 03:04:05 John[12]: hello world",
	  1, 5, 0, "Nov  2 03:04:05", NULL, "John", "12", NULL, "hello world",
	  { NULL } },
	/* RFC 3164 with hostname, as sent on the network. */
	{ "<30>Oct 11 22:14:15 mymachine su: 'su root' failed",
	  3, 6, 0, "Oct 11 22:14:15", "mymachine", "su", NULL, NULL,
	  "'su root' failed", { NULL } },
	/* RFC 3164 with evcreate's element in front of the text. */
	{ "<12>Nov 14 22:13:20 vdc John[4242]: [evtrigger@32473 id=\"777\" "
	  "log=\"Backup\" VM=\"a b\"] VDC Ready",
	  1, 4, 0, "Nov 14 22:13:20", "vdc", "John", "4242", NULL, "VDC Ready",
	  { "evtrigger@32473/id", "777", "evtrigger@32473/log", "Backup",
	    "evtrigger@32473/VM", "a b", NULL } },
	/* ...and text that only looks like it stays text. */
	{ "<12>John: [evtrigger@32473 broken", 1, 4, 0, NULL, NULL, "John",
	  NULL, NULL, "[evtrigger@32473 broken", { NULL } },
	/* "-" is nil in RFC 3164 too (logger writes it for no hostname). */
	{ "<13>Nov 14 22:13:20 - -[-]: x", 1, 5, 0, "Nov 14 22:13:20", NULL,
	  NULL, NULL, NULL, "x", { NULL } },
	/* RFC 3164 without PRI (4.3.3: user.notice), and bare text. */
	{ "just text", 1, 5, 0, NULL, NULL, NULL, NULL, NULL, "just text",
	  { NULL } },
	{ "<4>Nov 14 22:13:20 host plain text", 0, 4, 0, "Nov 14 22:13:20",
	  "host", NULL, NULL, NULL, "plain text", { NULL } },
};

START_TEST(test_parse)
{
	_cleanup_(syslog_msg_freep) struct syslog_msg *m = NULL;
	const char *in = parse_cases[_i].in;
	size_t len = strlen(in), n = 0;

	if (strstr(in, "\r\n") != NULL)
		len += 1; /* the trailing NUL */
	ck_assert_msg(syslog_parse(in, len, &m) == 0, "parse '%s'", in);
	ck_assert_int_eq(m->facility, parse_cases[_i].facility);
	ck_assert_int_eq(m->severity, parse_cases[_i].severity);
	ck_assert_int_eq(m->version, parse_cases[_i].version);
	ck_assert_pstr_eq(m->timestamp, parse_cases[_i].timestamp);
	ck_assert_pstr_eq(m->hostname, parse_cases[_i].hostname);
	ck_assert_pstr_eq(m->app_name, parse_cases[_i].app_name);
	ck_assert_pstr_eq(m->procid, parse_cases[_i].procid);
	ck_assert_pstr_eq(m->msgid, parse_cases[_i].msgid);
	ck_assert_pstr_eq(m->msg, parse_cases[_i].msg);
	for (; parse_cases[_i].sd[n] != NULL; n += 2)
		ck_assert_pstr_eq(fields_get(m->sd, parse_cases[_i].sd[n]),
				  parse_cases[_i].sd[n + 1]);
	ck_assert_uint_eq(m->sd->n, n / 2);
}
END_TEST

static const char *const invalid_cases[] = {
	"",
	"\n",
	"<>1 - - - - - -",
	"<192>1 - - - - - -",
	"<1000>1 - - - - - -",
	"<012>1 - - - - - -",
	"<-1>1 - - - - - -",
	"<12",
	"<12>1",
	"<12>1 ",
	"<12>1 - - - - -",
	"<12>1 - - - - - ",
	"<12>1 - - - - -  -",
	"<12>1  - - - - - -",
	"<12>1 - - - - - -x",
	"<12>1 - - - - - [",
	"<12>1 - - - - - []",
	"<12>1 - - - - - [ a@1 x=\"1\"]",
	"<12>1 - - - - - [a@1 x=\"1\" ]",
	"<12>1 - - - - - [a@1 x=1]",
	"<12>1 - - - - - [a@1 x=\"1]",
	"<12>1 - - - - - [a@1 x=\"a]b\"]",
	"<12>1 - - - - - [a@1 x=\"1\"",
	"<12>1 - - - - - [a@1 x=\"1\"]x",
	"<12>1 - - - - - [a@1 =\"1\"]",
	"<12>1 - - - - - [a@1 x\"1\"]",
	"<12>1 - - - - - [a@1][a@1]",
	"<12>1 - - - - - [a@1 x=\"\xff\"]",
	"<12>1 - - - - - [a@1 A23456789012345678901234567890123=\"1\"]",
	"<12>1 - - - - - [A23456789012345678901234567890123]",
	"<12>1 - - - - - - " BOM "\xc3\x28",
	"<12>1 - - - - - - " BOM "\xed\xa0\x80",
	"<12>1 2003-10-11 - - - - -",
	"<12>1 2003-10-11T22:14:15 - - - - -",
	"<12>1 2003-10-11t22:14:15Z - - - - -",
	"<12>1 2003-10-11T22:14:15z - - - - -",
	"<12>1 2003-13-11T22:14:15Z - - - - -",
	"<12>1 2003-10-00T22:14:15Z - - - - -",
	"<12>1 2003-10-11T24:14:15Z - - - - -",
	"<12>1 2003-02-29T22:14:15Z - - - - -",
	"<12>1 1900-02-29T22:14:15Z - - - - -",
	"<12>1 2003-04-31T22:14:15Z - - - - -",
	"<12>1 2003-10-11T22:14:60Z - - - - -",
	"<12>1 2003-10-11T22:14:15.1234567Z - - - - -",
	"<12>1 2003-10-11T22:14:15.Z - - - - -",
	"<12>1 2003-10-11T22:14:15+0100 - - - - -",
	"<12>1 03-10-11T22:14:15Z - - - - -",
	"<12>1 -- - - - - -",
	"<12>1 - h\xc3\xa9 - - - -",
	"<12>1 - - a\tb - - -",
	"<12>1 - - - - 123456789012345678901234567890123 -",
	"<12>1 - - 1234567890123456789012345678901234567890123456789 - - -",
	"<12>2 - - - - - -",
	"<12>10 - - - - - -",
};

START_TEST(test_parse_invalid)
{
	struct syslog_msg *m = NULL;
	const char *in = invalid_cases[_i];

	ck_assert_msg(syslog_parse(in, strlen(in), &m) == -EBADMSG,
		      "accepted '%s'", in);
	ck_assert_ptr_null(m);
}
END_TEST

/* NUL bytes inside a message are refused; trailing ones are ignored. */
START_TEST(test_parse_nul)
{
	static const char in[] = "<12>1 - - - - - - a\0b";
	struct syslog_msg *m = NULL;

	ck_assert_int_eq(syslog_parse(in, sizeof(in) - 1, &m), -EBADMSG);
	ck_assert_int_eq(syslog_parse("<12>Nov  2 03:04:05 a\0b", 24, &m),
			 -EBADMSG);
	ck_assert_int_eq(syslog_parse(in, 20, &m), 0);
	ck_assert_str_eq(m->msg, "a");
	syslog_msg_free(m);
}
END_TEST

/* Fields exactly at the RFC limits parse; one byte more does not. */
START_TEST(test_parse_limits)
{
	static const size_t max[] = { SYSLOG_HOSTNAME_MAX, SYSLOG_APP_NAME_MAX,
				      SYSLOG_PROCID_MAX, SYSLOG_MSGID_MAX };
	char field[300], buf[1024];

	for (size_t k = 0; k < ELEMENTSOF(max); k++)
		for (size_t extra = 0; extra <= 1; extra++) {
			struct syslog_msg *m = NULL;
			const char *f[4] = { "-", "-", "-", "-" };
			int r;

			memset(field, 'x', max[k] + extra);
			field[max[k] + extra] = '\0';
			f[k] = field;
			snprintf(buf, sizeof(buf), "<12>1 - %s %s %s %s - m",
				 f[0], f[1], f[2], f[3]);
			r = syslog_parse(buf, strlen(buf), &m);
			ck_assert_int_eq(r, extra ? -EBADMSG : 0);
			if (r == 0) {
				const char *got[4] = { m->hostname,
						       m->app_name, m->procid,
						       m->msgid };
				ck_assert_str_eq(got[k], field);
			}
			syslog_msg_free(m);
		}
}
END_TEST

/* The parser's own limits on elements and params. */
START_TEST(test_parse_sd_limits)
{
	_cleanup_(freep) char *buf = malloc(64 * 1024);
	struct syslog_msg *m = NULL;
	size_t n;

	ck_assert_ptr_nonnull(buf);
	for (int over = 0; over <= 1; over++) {
		n = (size_t)sprintf(buf, "<12>1 - - - - - ");
		for (int i = 0; i < SYSLOG_SD_ELEMENTS_MAX + over; i++)
			n += (size_t)sprintf(buf + n, "[e%d@1]", i);
		ck_assert_int_eq(syslog_parse(buf, n, &m), over ? -EBADMSG : 0);
		syslog_msg_free(TAKE_PTR(m));

		n = (size_t)sprintf(buf, "<12>1 - - - - - [a@1");
		for (int i = 0; i < SYSLOG_SD_PARAMS_MAX + over; i++)
			n += (size_t)sprintf(buf + n, " p%d=\"v\"", i);
		n += (size_t)sprintf(buf + n, "]");
		ck_assert_int_eq(syslog_parse(buf, n, &m), over ? -EBADMSG : 0);
		if (!over)
			ck_assert_uint_eq(m->sd->n, SYSLOG_SD_PARAMS_MAX);
		syslog_msg_free(TAKE_PTR(m));
	}
}
END_TEST

/* ---- messages to events -------------------------------------------------- */

static const struct {
	const char *in;
	int r;
	const char *what;
	enum event_type type;
	unsigned id;
	const char *source, *log, *description;
	const char *extra[6];
} event_cases[] = {
	/* doc/ARCHITECTURE.md, "The event": a plain logger message is a
	 * whole event. */
	{ "<12>1 2026-11-22T02:30:00Z vdc John - 777 - VDC Ready for compaction",
	  0, NULL, EVENT_WARNING, 777, "John", "Application",
	  "VDC Ready for compaction", { NULL } },
	{ "<27>1 - - - - 65535 - " BOM "x", 0, NULL, EVENT_ERROR, 65535, NULL,
	  "System", "x", { NULL } },
	{ "<29>1 - - d - 1 [evtrigger@32473 log=\"Backup\" DISK=\"sda\" "
	  "VM=\"v\\]1\"][other@1 log=\"no\" X=\"y\"] ok",
	  0, NULL, EVENT_SUCCESS, 1, "d", "Backup", "ok",
	  { "DISK", "sda", "VM", "v]1", NULL } },
	{ "<8>1 - - - - 5 - m", 0, NULL, EVENT_ERROR, 5, NULL, "Application",
	  "m", { NULL } },
	/* uuid and time are the receiver's to read, not extra fields. */
	{ "<12>1 - - - - 7 [evtrigger@32473 uuid=\"6f1c2a3b-0d4e-4f5a-8b6c-"
	  "7d8e9f0a1b2c\" time=\"2026-12-01T15:31:37Z\" VM=\"a\"] m", 0, NULL,
	  EVENT_WARNING, 7, NULL, "Application", "m", { "VM", "a", NULL } },
	{ "<15>1 - - - - 5 - m", 0, NULL, EVENT_INFORMATION, 5, NULL,
	  "Application", "m", { NULL } },
	{ "<14>1 - - - - 5 [evtrigger@32473 log=\"system\"] m", 0, NULL,
	  EVENT_INFORMATION, 5, NULL, "System", "m", { NULL } },
	/* RFC 3164 with the element carrying the id. */
	{ "<12>Nov 14 22:13:20 vdc John[4242]: [evtrigger@32473 id=\"777\" "
	  "log=\"Application\" VM=\"vdc\"] VDC Ready",
	  0, NULL, EVENT_WARNING, 777, "John", "Application", "VDC Ready",
	  { "VM", "vdc", NULL } },
	{ "<28>John: [evtrigger@32473 id=\"9\"] m", 0, NULL, EVENT_WARNING, 9,
	  "John", "System", "m", { NULL } },
	/* Plain syslog, not events. */
	{ "<12>1 - - - - - - m", -EINVAL, NULL },
	{ "<12>1 - - - - ID47 - m", -EINVAL, NULL },
	{ "<12>1 - - - - 0 - m", -EINVAL, NULL },
	{ "<12>1 - - - - 65536 - m", -EINVAL, NULL },
	{ "<12>1 - - - - +7 - m", -EINVAL, NULL },
	{ "<12>John: hello", -EINVAL, NULL },
	{ "<12>John: [evtrigger@32473 id=\"0\"] m", -EINVAL, NULL },
	/* Events with a bad field. */
	{ "<12>1 - - - - 7 [evtrigger@32473 lower=\"x\"] m", -EBADMSG, "lower" },
	{ "<12>1 - - - - 7 [evtrigger@32473 id=\"7\"] m", -EBADMSG, "id" },
	{ "<12>1 - - - - 7 [evtrigger@32473 _UID=\"0\"] m", -EBADMSG, "_UID" },
	{ "<12>1 - - - - 7 [evtrigger@32473 EVENT_SENDER=\"x\"] m", -EBADMSG,
	  "EVENT_SENDER" },
	{ "<12>1 - - - - 7 [evtrigger@32473 MESSAGE=\"x\"] m", -EBADMSG,
	  "MESSAGE" },
	{ "<12>1 - - - - 7 [evtrigger@32473 log=\"a=b\"] m", -EBADMSG, "log" },
	{ "<12>1 - - - - 7 [evtrigger@32473 log=\"\"] m", -EBADMSG, "log" },
	{ "<12>1 - - - - 7 -", -ENODATA, "MSG" },
	{ "<12>1 - - - - 7 - ", -ENODATA, "MSG" },
	{ "<12>1 - - - - 7 - caf\xe9", -EILSEQ, "MSG" },
};

START_TEST(test_to_event)
{
	_cleanup_(syslog_msg_freep) struct syslog_msg *m = NULL;
	_cleanup_(event_freep) struct event *e = NULL;
	const char *what = NULL;
	size_t n = 0;
	int r;

	m = parse_ok(event_cases[_i].in);
	r = syslog_msg_to_event(m, &e, &what);
	ck_assert_msg(r == event_cases[_i].r, "'%s': r=%d",
		      event_cases[_i].in, r);
	ck_assert_pstr_eq(what, event_cases[_i].what);
	if (r < 0) {
		ck_assert_ptr_null(e);
		return;
	}
	ck_assert_int_eq(e->type, event_cases[_i].type);
	ck_assert_uint_eq(e->id, event_cases[_i].id);
	ck_assert_pstr_eq(e->source, event_cases[_i].source);
	ck_assert_str_eq(e->log, event_cases[_i].log);
	ck_assert_str_eq(e->description, event_cases[_i].description);
	for (; event_cases[_i].extra[n] != NULL; n += 2) {
		ck_assert_str_eq(e->extra[n / 2].name, event_cases[_i].extra[n]);
		ck_assert_str_eq(e->extra[n / 2].value,
				 event_cases[_i].extra[n + 1]);
	}
	ck_assert_uint_eq(e->n_extra, n / 2);
}
END_TEST

START_TEST(test_to_event_too_long)
{
	_cleanup_(freep) char *buf = malloc(EVENT_DESCRIPTION_MAX + 100);
	_cleanup_(syslog_msg_freep) struct syslog_msg *m = NULL;
	struct event *e = NULL;
	const char *what = NULL;
	int n;

	ck_assert_ptr_nonnull(buf);
	n = sprintf(buf, "<12>1 - - - - 7 [evtrigger@32473 BIG=\"");
	memset(buf + n, 'v', EVENT_FIELD_VALUE_MAX + 1);
	strcpy(buf + n + EVENT_FIELD_VALUE_MAX + 1, "\"] m");
	m = parse_ok(buf);
	ck_assert_int_eq(syslog_msg_to_event(m, &e, &what), -E2BIG);
	ck_assert_str_eq(what, "BIG");
	ck_assert_ptr_null(e);
	syslog_msg_free(TAKE_PTR(m));

	n = sprintf(buf, "<12>1 - - - - 7 - ");
	memset(buf + n, 'd', EVENT_DESCRIPTION_MAX + 1);
	buf[n + EVENT_DESCRIPTION_MAX + 1] = '\0';
	m = parse_ok(buf);
	ck_assert_int_eq(syslog_msg_to_event(m, &e, &what), -E2BIG);
	ck_assert_str_eq(what, "MSG");
}
END_TEST

/* ---- round trips ----------------------------------------------------------- */

static const struct {
	enum event_type type;
	unsigned id;
	const char *source, *log, *description;
	const char *extra[10];
} round_cases[] = {
	{ EVENT_WARNING, 777, "John", "Application", "VDC Ready for compaction",
	  { NULL } },
	{ EVENT_ERROR, 1, NULL, "System", "down", { "VM", "vdc", NULL } },
	{ EVENT_SUCCESS, 65535, "evtrigger", "Backup-Log", "done ✓ über",
	  { "ESCAPES", "\"q\" \\ ]x[ \\\" \\]", "EMPTY", "",
	    "UNICODE", "Zürich ☃ 日本", "NEWLINE", "a\nb", NULL } },
	{ EVENT_INFORMATION, 42, "a.b-c_d", "L", "multi\nline\ttext",
	  { "A2345678901234567890123456789012", "at the name limit", NULL } },
};

static void
round_trip(enum syslog_format fmt, int i)
{
	_cleanup_(event_freep) struct event *e =
		make_event(round_cases[i].type, round_cases[i].id,
			   round_cases[i].source, round_cases[i].log,
			   round_cases[i].description);
	_cleanup_(event_freep) struct event *back = NULL;
	_cleanup_(syslog_msg_freep) struct syslog_msg *m = NULL;
	_cleanup_(freep) char *s = NULL;
	size_t len = 0;

	for (size_t k = 0; round_cases[i].extra[k] != NULL; k += 2)
		ck_assert_int_eq(event_add_field(e, round_cases[i].extra[k],
						 round_cases[i].extra[k + 1]),
				 0);
	ck_assert_int_eq(syslog_format_event(e, fmt, "host.example", &ts,
					     1234, &s, &len), 0);
	ck_assert_int_eq(syslog_parse(s, len, &m), 0);
	ck_assert_pstr_eq(m->hostname, "host.example");
	/* RFC 3164 has no place for a PID without a tag. */
	ck_assert_pstr_eq(m->procid, fmt == SYSLOG_RFC5424 ||
					     round_cases[i].source != NULL
				     ? "1234"
				     : NULL);
	ck_assert_int_eq(syslog_msg_to_event(m, &back, NULL), 0);
	ck_assert_int_eq(back->type, e->type);
	ck_assert_uint_eq(back->id, e->id);
	ck_assert_pstr_eq(back->source, e->source);
	ck_assert_str_eq(back->log, e->log);
	ck_assert_str_eq(back->description, e->description);
	ck_assert_uint_eq(back->n_extra, e->n_extra);
	for (size_t k = 0; k < e->n_extra; k++) {
		ck_assert_str_eq(back->extra[k].name, e->extra[k].name);
		ck_assert_str_eq(back->extra[k].value, e->extra[k].value);
	}
}

START_TEST(test_round_trip_5424)
{
	round_trip(SYSLOG_RFC5424, _i);
}
END_TEST

START_TEST(test_round_trip_3164)
{
	round_trip(SYSLOG_RFC3164, _i);
}
END_TEST

/* The longest description and values an event allows survive. */
START_TEST(test_round_trip_long)
{
	_cleanup_(event_freep) struct event *e = event_new();
	_cleanup_(event_freep) struct event *back = NULL;
	_cleanup_(syslog_msg_freep) struct syslog_msg *m = NULL;
	_cleanup_(freep) char *s = NULL;
	_cleanup_(freep) char *desc = malloc(EVENT_DESCRIPTION_MAX + 1);
	_cleanup_(freep) char *val = malloc(EVENT_FIELD_VALUE_MAX + 1);
	char src[EVENT_SOURCE_MAX + 1];
	size_t len = 0;

	ck_assert_ptr_nonnull(desc);
	ck_assert_ptr_nonnull(val);
	memset(desc, 'd', EVENT_DESCRIPTION_MAX);
	desc[EVENT_DESCRIPTION_MAX] = '\0';
	memset(val, ']', EVENT_FIELD_VALUE_MAX); /* all escaped */
	val[EVENT_FIELD_VALUE_MAX] = '\0';
	memset(src, 's', EVENT_SOURCE_MAX);
	src[EVENT_SOURCE_MAX] = '\0';
	e->id = 3;
	ck_assert_int_eq(event_set_description(e, desc), 0);
	ck_assert_int_eq(event_set_source(e, src), 0);
	ck_assert_int_eq(event_add_field(e, "V", val), 0);
	ck_assert_int_eq(syslog_format_event(e, SYSLOG_RFC5424, NULL, &ts, 1,
					     &s, &len), 0);
	ck_assert_int_eq(syslog_parse(s, len, &m), 0);
	ck_assert_int_eq(syslog_msg_to_event(m, &back, NULL), 0);
	ck_assert_str_eq(back->description, desc);
	ck_assert_str_eq(back->source, src);
	ck_assert_str_eq(back->extra[0].value, val);
}
END_TEST

/* ---- RFC 6587 framing ---------------------------------------------------- */

static const struct {
	const char *in;
	size_t max;
	int r;
	const char *msg;
	size_t used;
} frame_cases[] = {
	{ "5 <1>ab", 100, 1, "<1>ab", 7 },
	{ "5 <1>ab6 <1>abc", 100, 1, "<1>ab", 7 },
	{ "5 <1>a", 100, 0, NULL, 0 },
	{ "5", 100, 0, NULL, 0 },
	{ "12", 100, 0, NULL, 0 },
	{ "", 100, 0, NULL, 0 },
	{ "05 <1>ab", 100, -EBADMSG, NULL, 0 },
	{ "5x<1>ab", 100, -EBADMSG, NULL, 0 },
	{ "101 <1>", 100, -EMSGSIZE, NULL, 0 },
	{ "100 <1>", 100, 0, NULL, 0 },
	{ "99999999999999999999999 <1>", 100, -EMSGSIZE, NULL, 0 },
	{ "<1>ab\n<2>cd\n", 100, 1, "<1>ab", 6 },
	{ "<1>ab\r\n", 100, 1, "<1>ab\r", 7 },
	{ "<1>ab", 100, 0, NULL, 0 },
	{ "<1>abcd\n", 7, 1, "<1>abcd", 8 },
	{ "<1>abcde\n", 7, -EMSGSIZE, NULL, 0 },
	{ "<1>abcde", 7, -EMSGSIZE, NULL, 0 },
	{ "x<1>", 100, -EBADMSG, NULL, 0 },
	{ " 5 <1>ab", 100, -EBADMSG, NULL, 0 },
};

START_TEST(test_frame)
{
	const char *in = frame_cases[_i].in, *msg = NULL;
	size_t msg_len = 0, used = 0;
	int r;

	r = syslog_frame_next(in, strlen(in), frame_cases[_i].max, &msg,
			      &msg_len, &used);
	ck_assert_msg(r == frame_cases[_i].r, "'%s': r=%d", in, r);
	if (r == 1) {
		ck_assert_uint_eq(msg_len, strlen(frame_cases[_i].msg));
		ck_assert(memcmp(msg, frame_cases[_i].msg, msg_len) == 0);
		ck_assert_uint_eq(used, frame_cases[_i].used);
	} else {
		ck_assert_ptr_null(msg);
		ck_assert_uint_eq(used, 0);
	}
}
END_TEST

/* A stream of formatted events, octet-counted, split into frames again. */
START_TEST(test_frame_stream)
{
	_cleanup_(event_freep) struct event *e =
		make_event(EVENT_WARNING, 777, "John", "Application",
			   "line one\nline two");
	char stream[4096];
	size_t n = 0, off = 0, count = 0;

	for (int i = 0; i < 3; i++) {
		_cleanup_(freep) char *s = NULL;
		size_t len = 0;

		ck_assert_int_eq(syslog_format_event(e, SYSLOG_RFC5424, NULL,
						     &ts, 1, &s, &len), 0);
		n += (size_t)snprintf(stream + n, sizeof(stream) - n, "%zu %s",
				      len, s);
	}
	for (;;) {
		_cleanup_(syslog_msg_freep) struct syslog_msg *m = NULL;
		const char *msg;
		size_t msg_len, used;
		int r = syslog_frame_next(stream + off, n - off, SYSLOG_MSG_MAX,
					  &msg, &msg_len, &used);

		if (r == 0)
			break;
		ck_assert_int_eq(r, 1);
		ck_assert_int_eq(syslog_parse(msg, msg_len, &m), 0);
		ck_assert_str_eq(m->msg, "line one\nline two");
		off += used;
		count++;
	}
	ck_assert_uint_eq(off, n);
	ck_assert_uint_eq(count, 3);
}
END_TEST

/* ---- sending ------------------------------------------------------------- */

static int
bind_dgram(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	strcpy(sa.sun_path, path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

START_TEST(test_send)
{
	char dir[] = "/tmp/test-syslog.XXXXXX", path[128], gone[128];
	char buf[512];
	_cleanup_(closep) int srv = -1;
	_cleanup_(closep) int fd = -1;
	_cleanup_(freep) char *big = NULL;
	int fd2 = -1, dead;
	ssize_t n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/log", dir);
	snprintf(gone, sizeof(gone), "%s/gone", dir);
	srv = bind_dgram(path);
	ck_assert_int_eq(syslog_open(path, &fd), 0);
	ck_assert_int_eq(syslog_send(fd, "<14>hello", 9), 0);
	n = recv(srv, buf, sizeof(buf), 0);
	ck_assert_int_eq(n, 9);
	ck_assert(memcmp(buf, "<14>hello", 9) == 0);

	/* Far larger than any unix datagram the kernel takes. */
	big = malloc(4 << 20);
	ck_assert_ptr_nonnull(big);
	memset(big, 'x', 4 << 20);
	ck_assert_int_eq(syslog_send(fd, big, 4 << 20), -EMSGSIZE);

	ck_assert_int_eq(syslog_open("/nonexistent/dir/log", &fd2), -ENOENT);
	dead = bind_dgram(gone);
	close(dead);
	ck_assert_int_eq(syslog_open(gone, &fd2), -ECONNREFUSED);
	ck_assert_int_eq(fd2, -1);
	memset(big, 'a', 200);
	big[200] = '\0';
	ck_assert_int_eq(syslog_open(big, &fd2), -ENAMETOOLONG);

	/* A stream socket where a datagram one was expected. */
	{
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int st = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/stream", dir);
		ck_assert_int_eq(bind(st, (struct sockaddr *)&sa, sizeof(sa)),
				 0);
		ck_assert_int_eq(listen(st, 1), 0);
		ck_assert_int_eq(syslog_open(sa.sun_path, &fd2), -EPROTOTYPE);
		close(st);
		unlink(sa.sun_path);
	}

	/* The receiver going away is an error on the next send. */
	close(TAKE_FD(srv));
	ck_assert_int_eq(syslog_send(fd, "x", 1), -ECONNREFUSED);
	unlink(path);
	unlink(gone);
	rmdir(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("syslog");
	TCase *tf = tcase_create("format");
	TCase *tp = tcase_create("parse");
	TCase *te = tcase_create("event");
	TCase *tfr = tcase_create("frame");
	TCase *ts_send = tcase_create("send");
	SRunner *sr;
	int failed;

	setenv("TZ", "UTC", 1);
	tzset();
	tcase_add_test(tf, test_format_5424);
	tcase_add_test(tf, test_format_5424_nil_and_system);
	tcase_add_test(tf, test_format_offset);
	tcase_add_test(tf, test_format_3164);
	tcase_add_test(tf, test_format_errors);
	tcase_add_test(tf, test_format_now);
	suite_add_tcase(s, tf);
	tcase_add_loop_test(tp, test_parse, 0, ELEMENTSOF(parse_cases));
	tcase_add_loop_test(tp, test_parse_invalid, 0,
			    ELEMENTSOF(invalid_cases));
	tcase_add_test(tp, test_parse_nul);
	tcase_add_test(tp, test_parse_limits);
	tcase_add_test(tp, test_parse_sd_limits);
	suite_add_tcase(s, tp);
	tcase_add_loop_test(te, test_to_event, 0, ELEMENTSOF(event_cases));
	tcase_add_test(te, test_to_event_too_long);
	tcase_add_loop_test(te, test_round_trip_5424, 0,
			    ELEMENTSOF(round_cases));
	tcase_add_loop_test(te, test_round_trip_3164, 0,
			    ELEMENTSOF(round_cases));
	tcase_add_test(te, test_round_trip_long);
	suite_add_tcase(s, te);
	tcase_add_loop_test(tfr, test_frame, 0, ELEMENTSOF(frame_cases));
	tcase_add_test(tfr, test_frame_stream);
	suite_add_tcase(s, tfr);
	tcase_add_test(ts_send, test_send);
	suite_add_tcase(s, ts_send);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
