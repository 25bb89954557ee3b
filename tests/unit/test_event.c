/* Check suite for lib/event.c: the event model's parsers and validators. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "event.h"

/* A string of n copies of c, in a static buffer big enough for every case. */
static const char *
repeat(char c, size_t n)
{
	static char buf[EVENT_DESCRIPTION_MAX + 16];

	ck_assert_uint_lt(n, sizeof(buf));
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

static const struct {
	const char *in;
	int r;
	unsigned id;
} id_cases[] = {
	{ "1", 0, 1 },
	{ "777", 0, 777 },
	{ "65535", 0, 65535 },
	{ "007", 0, 7 },
	{ "0", -EINVAL, 0 },
	{ "65536", -EINVAL, 0 },
	{ "70000", -EINVAL, 0 },
	{ "-1", -EINVAL, 0 },
	{ "+1", -EINVAL, 0 },
	{ " 1", -EINVAL, 0 },
	{ "1 ", -EINVAL, 0 },
	{ "", -EINVAL, 0 },
	{ "abc", -EINVAL, 0 },
	{ "0x10", -EINVAL, 0 },
	{ "1e3", -EINVAL, 0 },
	{ "99999999999999999999999", -EINVAL, 0 },
	{ "4294967297", -EINVAL, 0 },   /* 2^32 + 1: no wrap to 1 */
};

START_TEST(test_id)
{
	unsigned id = 12345;
	int r = event_parse_id(id_cases[_i].in, &id);

	ck_assert_msg(r == id_cases[_i].r, "'%s': r=%d", id_cases[_i].in, r);
	ck_assert_uint_eq(id, r == 0 ? id_cases[_i].id : 12345);
}
END_TEST

static const struct {
	const char *in;
	int r;
	enum event_type type;
} type_cases[] = {
	{ "ERROR", 0, EVENT_ERROR },
	{ "error", 0, EVENT_ERROR },
	{ "Warning", 0, EVENT_WARNING },
	{ "wArNiNg", 0, EVENT_WARNING },
	{ "INFORMATION", 0, EVENT_INFORMATION },
	{ "information", 0, EVENT_INFORMATION },
	{ "SUCCESS", 0, EVENT_SUCCESS },
	{ "success", 0, EVENT_SUCCESS },
	{ "warn", -EINVAL, 0 },
	{ "info", -EINVAL, 0 },
	{ "ERROR ", -EINVAL, 0 },
	{ "", -EINVAL, 0 },
	{ "CRITICAL", -EINVAL, 0 },
};

START_TEST(test_type)
{
	enum event_type t = _EVENT_TYPE_MAX;
	int r = event_parse_type(type_cases[_i].in, &t);

	ck_assert_msg(r == type_cases[_i].r, "'%s': r=%d", type_cases[_i].in,
		      r);
	if (r == 0)
		ck_assert_int_eq(t, type_cases[_i].type);
	else
		ck_assert_int_eq(t, _EVENT_TYPE_MAX);
}
END_TEST

static const struct {
	enum event_type type;
	const char *name;
	int priority;
} type_map[] = {
	{ EVENT_ERROR, "ERROR", 3 },
	{ EVENT_WARNING, "WARNING", 4 },
	{ EVENT_INFORMATION, "INFORMATION", 6 },
	{ EVENT_SUCCESS, "SUCCESS", 5 },
};

START_TEST(test_type_map)
{
	enum event_type back = _EVENT_TYPE_MAX;

	ck_assert_str_eq(event_type_name(type_map[_i].type), type_map[_i].name);
	ck_assert_int_eq(event_type_priority(type_map[_i].type),
			 type_map[_i].priority);
	ck_assert_int_eq(event_type_from_priority(type_map[_i].priority, &back),
			 0);
	ck_assert_int_eq(back, type_map[_i].type);
}
END_TEST

START_TEST(test_type_map_invalid)
{
	enum event_type t = EVENT_ERROR;

	ck_assert_ptr_null(event_type_name(_EVENT_TYPE_MAX));
	ck_assert_ptr_null(event_type_name((enum event_type)-1));
	ck_assert_int_eq(event_type_priority(_EVENT_TYPE_MAX), -EINVAL);
	for (int p = -1; p <= 8; p++)
		if (p < 3 || p > 6) {
			ck_assert_int_eq(event_type_from_priority(p, &t),
					 -EINVAL);
			ck_assert_int_eq(t, EVENT_ERROR);
		}
}
END_TEST

/* Validators of single values: which function, the input, the result. */
enum check_fn { SOURCE, LOG, DESCRIPTION, FIELD_VALUE, FIELD_NAME };

static int
run_check(enum check_fn fn, const char *s)
{
	switch (fn) {
	case SOURCE: return event_check_source(s);
	case LOG: return event_check_log(s);
	case DESCRIPTION: return event_check_description(s);
	case FIELD_VALUE: return event_check_field_value(s);
	case FIELD_NAME: return event_check_field_name(s);
	}
	return -999;
}

static const struct {
	enum check_fn fn;
	const char *in;         /* NULL: made of 'c' repeated n times */
	char c;
	size_t n;
	int r;
} check_cases[] = {
	{ SOURCE, "John", 0, 0, 0 },
	{ SOURCE, "my-app.sh", 0, 0, 0 },
	{ SOURCE, "", 0, 0, -EINVAL },
	{ SOURCE, "a b", 0, 0, 0 },
	{ SOURCE, "My App", 0, 0, 0 },
	{ SOURCE, " a", 0, 0, -EINVAL },
	{ SOURCE, "a ", 0, 0, -EINVAL },
	{ SOURCE, " ", 0, 0, -EINVAL },
	{ SOURCE, "a\tb", 0, 0, -EINVAL },
	{ SOURCE, "caf\xc3\xa9", 0, 0, -EINVAL },       /* ASCII only */
	{ SOURCE, "a\x7f", 0, 0, -EINVAL },
	{ SOURCE, NULL, 'a', EVENT_SOURCE_MAX, 0 },
	{ SOURCE, NULL, 'a', EVENT_SOURCE_MAX + 1, -E2BIG },
	{ LOG, "Application", 0, 0, 0 },
	{ LOG, "Security", 0, 0, 0 },
	{ LOG, "", 0, 0, -EINVAL },
	{ LOG, "a=b", 0, 0, -EINVAL },
	{ LOG, "a]b", 0, 0, -EINVAL },
	{ LOG, "a\"b", 0, 0, -EINVAL },
	{ LOG, "Windows PowerShell", 0, 0, 0 },
	{ LOG, "My Log ", 0, 0, -EINVAL },
	{ LOG, "a\tb", 0, 0, -EINVAL },
	{ LOG, NULL, 'L', EVENT_LOG_MAX, 0 },
	{ LOG, NULL, 'L', EVENT_LOG_MAX + 1, -E2BIG },
	{ DESCRIPTION, "VDC Ready for compaction", 0, 0, 0 },
	{ DESCRIPTION, "two\nlines", 0, 0, 0 },
	{ DESCRIPTION, "gr\xc3\xbc\xc3\x9f \xe2\x82\xac", 0, 0, 0 },
	{ DESCRIPTION, "", 0, 0, -EINVAL },
	{ DESCRIPTION, "bad \xff byte", 0, 0, -EILSEQ },
	{ DESCRIPTION, NULL, 'd', EVENT_DESCRIPTION_MAX, 0 },
	{ DESCRIPTION, NULL, 'd', EVENT_DESCRIPTION_MAX + 1, -E2BIG },
	{ FIELD_VALUE, "", 0, 0, 0 },
	{ FIELD_VALUE, "vdc", 0, 0, 0 },
	{ FIELD_VALUE, "\xed\xa0\x80", 0, 0, -EILSEQ },
	{ FIELD_VALUE, NULL, 'v', EVENT_FIELD_VALUE_MAX, 0 },
	{ FIELD_VALUE, NULL, 'v', EVENT_FIELD_VALUE_MAX + 1, -E2BIG },
	{ FIELD_NAME, "VM", 0, 0, 0 },
	{ FIELD_NAME, "A", 0, 0, 0 },
	{ FIELD_NAME, "DISK_2", 0, 0, 0 },
	{ FIELD_NAME, "A1_B2", 0, 0, 0 },
	{ FIELD_NAME, NULL, 'N', EVENT_FIELD_NAME_MAX, 0 },
	{ FIELD_NAME, NULL, 'N', EVENT_FIELD_NAME_MAX + 1, -EINVAL },
	{ FIELD_NAME, "", 0, 0, -EINVAL },
	{ FIELD_NAME, "_PID", 0, 0, -EINVAL },          /* trusted fields */
	{ FIELD_NAME, "__CURSOR", 0, 0, -EINVAL },
	{ FIELD_NAME, "1ST", 0, 0, -EINVAL },
	{ FIELD_NAME, "vm", 0, 0, -EINVAL },
	{ FIELD_NAME, "Vm", 0, 0, -EINVAL },
	{ FIELD_NAME, "VM-NAME", 0, 0, -EINVAL },
	{ FIELD_NAME, "VM NAME", 0, 0, -EINVAL },
	{ FIELD_NAME, "VM=X", 0, 0, -EINVAL },
	{ FIELD_NAME, "VM.X", 0, 0, -EINVAL },
	{ FIELD_NAME, "\xc3\x89T\xc3\x89", 0, 0, -EINVAL },
};

START_TEST(test_check)
{
	const char *in = check_cases[_i].in;
	int r;

	if (in == NULL)
		in = repeat(check_cases[_i].c, check_cases[_i].n);
	r = run_check(check_cases[_i].fn, in);
	ck_assert_msg(r == check_cases[_i].r, "case %d ('%.20s', %zu bytes): "
		      "r=%d, want %d", _i, in, strlen(in), r,
		      check_cases[_i].r);
}
END_TEST

static const struct {
	const char *in;
	bool valid;
} utf8_cases[] = {
	{ "", true },
	{ "plain ASCII ~", true },
	{ "\xc3\xa9", true },                   /* U+00E9 */
	{ "\xc2\x80", true },                   /* U+0080, smallest 2-byte */
	{ "\xdf\xbf", true },                   /* U+07FF */
	{ "\xe0\xa0\x80", true },               /* U+0800, smallest 3-byte */
	{ "\xe2\x82\xac", true },               /* U+20AC euro */
	{ "\xed\x9f\xbf", true },               /* U+D7FF, below surrogates */
	{ "\xee\x80\x80", true },               /* U+E000, above surrogates */
	{ "\xef\xbf\xbf", true },               /* U+FFFF */
	{ "\xf0\x90\x80\x80", true },           /* U+10000, smallest 4-byte */
	{ "\xf0\x9d\x84\x9e", true },           /* U+1D11E */
	{ "\xf4\x8f\xbf\xbf", true },           /* U+10FFFF, the last */
	{ "\x80", false },                      /* lone continuation */
	{ "a\xbf", false },
	{ "\xc0\x80", false },                  /* overlong NUL */
	{ "\xc0\xaf", false },                  /* overlong '/' */
	{ "\xc1\xbf", false },                  /* overlong U+007F */
	{ "\xe0\x80\x80", false },              /* overlong 3-byte */
	{ "\xe0\x9f\xbf", false },              /* overlong U+07FF */
	{ "\xf0\x80\x80\x80", false },          /* overlong 4-byte */
	{ "\xf0\x8f\xbf\xbf", false },          /* overlong U+FFFF */
	{ "\xed\xa0\x80", false },              /* U+D800, surrogate */
	{ "\xed\xbf\xbf", false },              /* U+DFFF, surrogate */
	{ "\xed\xa0\xbd\xed\xb8\x80", false },  /* CESU-8 surrogate pair */
	{ "\xf4\x90\x80\x80", false },          /* U+110000 */
	{ "\xf5\x80\x80\x80", false },
	{ "\xf8\x88\x80\x80\x80", false },      /* 5-byte form */
	{ "\xfc\x84\x80\x80\x80\x80", false },  /* 6-byte form */
	{ "\xfe", false },
	{ "\xff", false },
	{ "\xc3", false },                      /* truncated at the end */
	{ "\xe2\x82", false },
	{ "\xf0\x9d\x84", false },
	{ "\xc3" "a", false },                  /* continuation missing */
	{ "\xe2\x82" "a", false },
	{ "ok \xc3\xa9 then \xff", false },
};

START_TEST(test_utf8)
{
	const char *s = utf8_cases[_i].in;

	ck_assert_msg(utf8_is_valid(s, strlen(s)) == utf8_cases[_i].valid,
		      "case %d: want %s", _i,
		      utf8_cases[_i].valid ? "valid" : "invalid");
}
END_TEST

START_TEST(test_utf8_length)
{
	/* Only len bytes count: a sequence cut by len is invalid, the bytes
	 * after len are not looked at. */
	ck_assert(!utf8_is_valid("\xe2\x82\xac", 2));
	ck_assert(utf8_is_valid("ab\xff", 2));
	ck_assert(utf8_is_valid("\xe2\x82\xac", 3));
}
END_TEST

static const struct {
	const char *name;
	bool reserved;
} reserved_cases[] = {
	{ "EVENT_ID", true },
	{ "EVENT_TYPE", true },
	{ "EVENT_SOURCE", true },
	{ "EVENT_LOG", true },
	{ "MESSAGE", true },
	{ "PRIORITY", true },
	{ "SYSLOG_IDENTIFIER", true },
	{ "SYSLOG_FACILITY", true },
	{ "EVENT_SENDER", true },               /* only the listener */
	{ "EVENT_SENDER_ADDRESS", true },
	{ "EVENT_AUTH", true },
	{ "EVENT_HOSTNAME", true },
	{ "MESSAGE_ID", true },
	{ "VM", false },
	{ "EVENT_IDX", false },
	{ "MESSAGES", false },
	{ "DISK", false },
};

START_TEST(test_reserved)
{
	ck_assert_msg(event_field_is_reserved(reserved_cases[_i].name) ==
			      reserved_cases[_i].reserved,
		      "%s", reserved_cases[_i].name);
}
END_TEST

static const struct {
	const char *in;
	const char *canonical;
	int facility;
} log_cases[] = {
	{ "Application", "Application", EVENT_FACILITY_USER },
	{ "APPLICATION", "Application", EVENT_FACILITY_USER },
	{ "application", "Application", EVENT_FACILITY_USER },
	{ "System", "System", EVENT_FACILITY_DAEMON },
	{ "SYSTEM", "System", EVENT_FACILITY_DAEMON },
	{ "sYsTeM", "System", EVENT_FACILITY_DAEMON },
	{ "Security", "Security", EVENT_FACILITY_USER },
	{ "vdc", "vdc", EVENT_FACILITY_USER },
};

START_TEST(test_log)
{
	_cleanup_(event_freep) struct event *e = event_new();

	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(event_log_canonical(log_cases[_i].in),
			 log_cases[_i].canonical);
	ck_assert_int_eq(event_log_facility(log_cases[_i].in),
			 log_cases[_i].facility);
	ck_assert_int_eq(event_set_log(e, log_cases[_i].in), 0);
	ck_assert_str_eq(e->log, log_cases[_i].canonical);
}
END_TEST

START_TEST(test_new_defaults)
{
	_cleanup_(event_freep) struct event *e = event_new();

	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->type, EVENT_INFORMATION);
	ck_assert_uint_eq(e->id, 0);
	ck_assert_str_eq(e->log, "Application");
	ck_assert_ptr_null(e->source);
	ck_assert_ptr_null(e->description);
	ck_assert_uint_eq(e->n_extra, 0);
	ck_assert_int_eq(event_check_complete(e), -EDESTADDRREQ);
	e->id = 777;
	ck_assert_int_eq(event_check_complete(e), -ENODATA);
	ck_assert_int_eq(event_set_description(e, "x"), 0);
	ck_assert_int_eq(event_check_complete(e), 0);
	event_free(NULL);
}
END_TEST

START_TEST(test_setters_unchanged_on_error)
{
	_cleanup_(event_freep) struct event *e = event_new();

	ck_assert_int_eq(event_set_source(e, "John"), 0);
	ck_assert_int_eq(event_set_source(e, "a\tb"), -EINVAL);
	ck_assert_str_eq(e->source, "John");
	ck_assert_int_eq(event_set_log(e, "system"), 0);
	ck_assert_int_eq(event_set_log(e, "a=b"), -EINVAL);
	ck_assert_str_eq(e->log, "System");
	ck_assert_int_eq(event_set_description(e, "ready"), 0);
	ck_assert_int_eq(event_set_description(e, "\xc0\x80"), -EILSEQ);
	ck_assert_int_eq(event_set_description(e, ""), -EINVAL);
	ck_assert_str_eq(e->description, "ready");
}
END_TEST

static const struct {
	const char *name;
	const char *value;
	int r;
} field_cases[] = {
	{ "VM", "vdc", 0 },
	{ "EMPTY", "", 0 },
	{ "VM", "again", -EEXIST },
	{ "EVENT_ID", "1", -EINVAL },
	{ "MESSAGE", "x", -EINVAL },
	{ "_UID", "0", -EINVAL },
	{ "vm", "x", -EINVAL },
	{ "BAD", "\xf4\x90\x80\x80", -EILSEQ },
	{ "LONG", NULL, -E2BIG },               /* value one byte too long */
};

START_TEST(test_add_field)
{
	_cleanup_(event_freep) struct event *e = event_new();
	const char *value;
	int r;

	/* Each case runs after the first ones, so duplicates show. */
	for (int i = 0; i <= _i; i++) {
		value = field_cases[i].value;
		if (value == NULL)
			value = repeat('v', EVENT_FIELD_VALUE_MAX + 1);
		r = event_add_field(e, field_cases[i].name, value);
		if (i == _i)
			ck_assert_msg(r == field_cases[i].r, "%s: r=%d",
				      field_cases[i].name, r);
	}
	/* Only the good ones were added, in order. */
	ck_assert_uint_eq(e->n_extra, _i >= 1 ? 2 : 1);
	ck_assert_str_eq(e->extra[0].name, "VM");
	ck_assert_str_eq(e->extra[0].value, "vdc");
}
END_TEST

START_TEST(test_too_many_fields)
{
	_cleanup_(event_freep) struct event *e = event_new();
	char name[16];

	for (int i = 0; i < EVENT_EXTRA_MAX; i++) {
		snprintf(name, sizeof(name), "F%d", i);
		ck_assert_int_eq(event_add_field(e, name, "x"), 0);
	}
	ck_assert_int_eq(event_add_field(e, "ONE_MORE", "x"), -E2BIG);
	ck_assert_uint_eq(e->n_extra, EVENT_EXTRA_MAX);
}
END_TEST

static const struct {
	const char *in;
	int r;
	const char *name, *value;
} assignment_cases[] = {
	{ "VM=vdc", 0, "VM", "vdc" },
	{ "PATH=a=b", 0, "PATH", "a=b" },
	{ "EMPTY=", 0, "EMPTY", "" },
	{ "=x", -EINVAL, NULL, NULL },
	{ "NOVALUE", -EINVAL, NULL, NULL },
	{ "lower=x", -EINVAL, NULL, NULL },
	{ "PRIORITY=1", -EINVAL, NULL, NULL },
};

START_TEST(test_assignment)
{
	_cleanup_(event_freep) struct event *e = event_new();
	int r = event_add_assignment(e, assignment_cases[_i].in);

	ck_assert_msg(r == assignment_cases[_i].r, "'%s': r=%d",
		      assignment_cases[_i].in, r);
	if (r == 0) {
		ck_assert_uint_eq(e->n_extra, 1);
		ck_assert_str_eq(e->extra[0].name, assignment_cases[_i].name);
		ck_assert_str_eq(e->extra[0].value, assignment_cases[_i].value);
	} else
		ck_assert_uint_eq(e->n_extra, 0);
}
END_TEST

START_TEST(test_strerror)
{
	ck_assert_str_eq(event_strerror(-EILSEQ), "not valid UTF-8");
	ck_assert_str_eq(event_strerror(-E2BIG), "too long");
	ck_assert_str_eq(event_strerror(-EDESTADDRREQ), "no event id given");
	ck_assert_str_eq(event_strerror(-ENODATA), "no description given");
	ck_assert_ptr_nonnull(event_strerror(-EPERM));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("event");
	TCase *tc = tcase_create("event");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_id, 0, ELEMENTSOF(id_cases));
	tcase_add_loop_test(tc, test_type, 0, ELEMENTSOF(type_cases));
	tcase_add_loop_test(tc, test_type_map, 0, ELEMENTSOF(type_map));
	tcase_add_test(tc, test_type_map_invalid);
	tcase_add_loop_test(tc, test_check, 0, ELEMENTSOF(check_cases));
	tcase_add_loop_test(tc, test_utf8, 0, ELEMENTSOF(utf8_cases));
	tcase_add_test(tc, test_utf8_length);
	tcase_add_loop_test(tc, test_reserved, 0, ELEMENTSOF(reserved_cases));
	tcase_add_loop_test(tc, test_log, 0, ELEMENTSOF(log_cases));
	tcase_add_test(tc, test_new_defaults);
	tcase_add_test(tc, test_setters_unchanged_on_error);
	tcase_add_loop_test(tc, test_add_field, 0, ELEMENTSOF(field_cases));
	tcase_add_test(tc, test_too_many_fields);
	tcase_add_loop_test(tc, test_assignment, 0,
			    ELEMENTSOF(assignment_cases));
	tcase_add_test(tc, test_strerror);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
