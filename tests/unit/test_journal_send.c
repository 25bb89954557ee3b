/* Check suite for lib/journal-send.c: the native-protocol datagram. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "journal-send.h"

static struct event *
make_event(const char *description)
{
	struct event *e = event_new();

	ck_assert_ptr_nonnull(e);
	e->type = EVENT_WARNING;
	e->id = 777;
	ck_assert_int_eq(event_set_source(e, "John"), 0);
	ck_assert_int_eq(event_set_description(e, description), 0);
	return e;
}

START_TEST(test_format_plain)
{
	_cleanup_(event_freep) struct event *e = make_event("VDC Ready");
	static const char *const more[] = { "JOB_ID=42", "NOTE=a=b" };
	static const char want[] =
		"MESSAGE=VDC Ready\n"
		"PRIORITY=4\n"
		"SYSLOG_FACILITY=1\n"
		"SYSLOG_IDENTIFIER=John\n"
		"EVENT_ID=777\n"
		"EVENT_TYPE=WARNING\n"
		"EVENT_SOURCE=John\n"
		"EVENT_LOG=Application\n"
		"VM=vdc\n"
		"EMPTY=\n"
		"JOB_ID=42\n"
		"NOTE=a=b\n";
	_cleanup_(freep) char *buf = NULL;
	size_t len = 0;

	ck_assert_int_eq(event_add_field(e, "VM", "vdc"), 0);
	ck_assert_int_eq(event_add_field(e, "EMPTY", ""), 0);
	ck_assert_int_eq(journal_format_event(e, more, 2, &buf, &len), 0);
	ck_assert_uint_eq(len, strlen(want));
	ck_assert(memcmp(buf, want, len) == 0);
}
END_TEST

START_TEST(test_format_newline_is_binary)
{
	_cleanup_(event_freep) struct event *e = make_event("two\nlines");
	static const char head[] = "MESSAGE\n\x09\0\0\0\0\0\0\0two\nlines\n";
	_cleanup_(freep) char *buf = NULL;
	size_t len = 0;

	ck_assert_int_eq(event_set_log(e, "system"), 0);
	ck_assert_int_eq(journal_format_event(e, NULL, 0, &buf, &len), 0);
	ck_assert(len > sizeof(head) - 1);
	ck_assert(memcmp(buf, head, sizeof(head) - 1) == 0);
	/* The fields after it are plain again; System is facility 3. */
	ck_assert(memcmp(buf + sizeof(head) - 1, "PRIORITY=4\nSYSLOG_FACILITY=3\n",
			 29) == 0);
	ck_assert(memcmp(buf + len - 17, "EVENT_LOG=System\n", 17) == 0);
}
END_TEST

START_TEST(test_format_no_source)
{
	_cleanup_(event_freep) struct event *e = make_event("x");
	_cleanup_(freep) char *buf = NULL;
	size_t len = 0;

	free(e->source);
	e->source = NULL;
	ck_assert_int_eq(journal_format_event(e, NULL, 0, &buf, &len), 0);
	ck_assert_ptr_null(memmem(buf, len, "SYSLOG_IDENTIFIER=", 18));
	ck_assert_ptr_null(memmem(buf, len, "EVENT_SOURCE=", 13));
}
END_TEST

START_TEST(test_format_errors)
{
	_cleanup_(event_freep) struct event *e = make_event("x");
	static const char *const bad[] = { "NOEQUALS" };
	static const char *const empty_name[] = { "=v" };
	char *buf = (char *)"untouched";
	size_t len = 12345;

	ck_assert_int_eq(journal_format_event(e, bad, 1, &buf, &len), -EINVAL);
	ck_assert_int_eq(journal_format_event(e, empty_name, 1, &buf, &len),
			 -EINVAL);
	e->id = 0;
	ck_assert_int_eq(journal_format_event(e, NULL, 0, &buf, &len),
			 -EDESTADDRREQ);
	e->id = 1;
	free(e->description);
	e->description = NULL;
	ck_assert_int_eq(journal_format_event(e, NULL, 0, &buf, &len),
			 -ENODATA);
	ck_assert_str_eq(buf, "untouched");
	ck_assert_uint_eq(len, 12345);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("journal_send");
	TCase *tc = tcase_create("format");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_format_plain);
	tcase_add_test(tc, test_format_newline_is_binary);
	tcase_add_test(tc, test_format_no_source);
	tcase_add_test(tc, test_format_errors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
