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
	tcase_add_test(ts_send, test_send);
	suite_add_tcase(s, ts_send);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
