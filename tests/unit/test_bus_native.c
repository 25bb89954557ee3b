/* Check suite for bus/native.c: journald's native datagram, parsed and made
 * as lib/journal-send.c makes it, binary-length fields, malformed input. */
#include <check.h>
#include <string.h>

#include "../../bus/native.h"
#include "event.h"
#include "journal-send.h"

/* A datagram with a binary field: "A=1\n", "B\n" len 3 "x\ny" "\n". */
static const char binary[] = "A=1\nB\n\x03\0\0\0\0\0\0\0x\ny\nC=\n";

START_TEST(test_text_and_binary)
{
	_cleanup_(native_msg_clear) struct native_msg m = { NULL, 0 };
	const char *why = NULL;

	ck_assert_int_eq(native_parse(binary, sizeof(binary) - 1, 16, &m,
				      &why), 0);
	ck_assert_uint_eq(m.n_fields, 3);
	ck_assert_str_eq(m.fields[0].name, "A");
	ck_assert_str_eq(m.fields[0].value, "1");
	ck_assert_str_eq(m.fields[1].name, "B");
	ck_assert_str_eq(m.fields[1].value, "x\ny");
	ck_assert_uint_eq(m.fields[1].value_len, 3);
	ck_assert_str_eq(native_get(&m, "C"), "");
	ck_assert_ptr_null(native_get(&m, "D"));
}
END_TEST

/* What journal_format_event makes, parsed back, made again: the same. */
START_TEST(test_round_trip_journal_format)
{
	_cleanup_(event_freep) struct event *e = event_new();
	_cleanup_(native_msg_clear) struct native_msg m = { NULL, 0 };
	_cleanup_(freep) char *data = NULL, *again = NULL;
	const char *more[] = { "EVENT_SENDER=backup", "EVENT_UUID=u-1" };
	size_t len, len2;
	const char *why;

	ck_assert_ptr_nonnull(e);
	e->type = EVENT_WARNING;
	e->id = 777;
	e->source = strdup("John");
	e->description = strdup("two\nlines");
	ck_assert_int_eq(event_add_field(e, "VM", "vdc"), 0);
	ck_assert_int_eq(journal_format_event(e, more, 2, &data, &len), 0);
	ck_assert_int_eq(native_parse(data, len, 64, &m, &why), 0);
	ck_assert_str_eq(native_get(&m, "MESSAGE"), "two\nlines");
	ck_assert_str_eq(native_get(&m, "VM"), "vdc");
	ck_assert_str_eq(native_get(&m, "EVENT_SENDER"), "backup");
	ck_assert_str_eq(native_get(&m, "EVENT_UUID"), "u-1");
	ck_assert_int_eq(native_format(&m, &again, &len2), 0);
	ck_assert_uint_eq(len2, len);
	ck_assert_mem_eq(again, data, len);
}
END_TEST

static const struct {
	const char *data;
	size_t len;
} bad[] = {
#define B(s) { s, sizeof(s) - 1 }
	B(""),                          /* empty */
	B("A=1"),                       /* no final newline */
	B("A"),                         /* neither '=' nor newline */
	B("=1\n"),                      /* empty name */
	B("\n"),                        /* empty name, binary form */
	B("A\n\x01\0\0"),               /* short length */
	B("A\n\x05\0\0\0\0\0\0\0ab\n"), /* longer than the message */
	B("A\n\x02\0\0\0\0\0\0\0abc"),  /* no newline after the value */
	B("A\n\xff\xff\xff\xff\xff\xff\xff\xff\n"), /* huge length */
	B("A=x\0y\n"),                  /* NUL in a value */
	B("A\0B=1\n"),                  /* NUL in a name */
	B("A\n\x03\0\0\0\0\0\0\0a\0b\n"), /* NUL in a binary value */
#undef B
};

START_TEST(test_malformed)
{
	struct native_msg m = { NULL, 0 };
	const char *why = NULL;

	ck_assert_int_eq(native_parse(bad[_i].data, bad[_i].len, 16, &m, &why),
			 -EBADMSG);
	ck_assert_ptr_nonnull(why);
	ck_assert_ptr_null(m.fields);   /* untouched */
}
END_TEST

START_TEST(test_too_many_fields)
{
	_cleanup_(native_msg_clear) struct native_msg m = { NULL, 0 };
	const char *why = NULL;

	ck_assert_int_eq(native_parse("A=1\nB=2\nC=3\n", 12, 2, &m, &why),
			 -EBADMSG);
	ck_assert_int_eq(native_parse("A=1\nB=2\nC=3\n", 12, 3, &m, &why), 0);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_int_eq(native_name_check("EVENT_UUID"), 0);
	ck_assert_int_eq(native_name_check("A1_B"), 0);
	ck_assert_int_eq(native_name_check(""), -EINVAL);
	ck_assert_int_eq(native_name_check("_UID"), -EINVAL);
	ck_assert_int_eq(native_name_check("1ABC"), -EINVAL);
	ck_assert_int_eq(native_name_check("lower"), -EINVAL);
	ck_assert_int_eq(native_name_check("A-B"), -EINVAL);
	ck_assert_int_eq(native_name_check(
		"A234567890123456789012345678901234567890123456789012345678901234"),
		0);
	ck_assert_int_eq(native_name_check(
		"A2345678901234567890123456789012345678901234567890123456789012345"),
		-EINVAL);
}
END_TEST

START_TEST(test_append)
{
	_cleanup_(freep) char *buf = NULL;
	size_t len = 0;

	ck_assert_int_eq(native_append(&buf, &len, "A", "1", 1), 0);
	ck_assert_int_eq(native_append(&buf, &len, "B", "x\ny", 3), 0);
	ck_assert_int_eq(native_append(&buf, &len, "C", "", 0), 0);
	ck_assert_uint_eq(len, sizeof(binary) - 1);
	ck_assert_mem_eq(buf, binary, len);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("bus_native");
	TCase *tc = tcase_create("bus_native");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_text_and_binary);
	tcase_add_test(tc, test_round_trip_journal_format);
	tcase_add_loop_test(tc, test_malformed, 0, (int)ELEMENTSOF(bad));
	tcase_add_test(tc, test_too_many_fields);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_append);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
