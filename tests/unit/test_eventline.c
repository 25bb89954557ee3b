/* Check suite for lib/eventline.c (the event line of evcreate --batch and the
 * guest channel) and the uuid and time parsers of lib/event.c it uses. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "eventline.h"

static const struct {
	const char *in;
	int r;
	const char *out;
} uuid_cases[] = {
	{ "6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c", 0,
	  "6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c" },
	{ "6F1C2A3B-0D4E-4F5A-8B6C-7D8E9F0A1B2C", 0,
	  "6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c" },
	{ "6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2", -EINVAL, NULL },
	{ "6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2cc", -EINVAL, NULL },
	{ "6f1c2a3b0d4e-4f5a-8b6c-7d8e9f0a1b2c-", -EINVAL, NULL },
	{ "6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2g", -EINVAL, NULL },
	{ "{6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b}", -EINVAL, NULL },
	{ "", -EINVAL, NULL },
};

START_TEST(test_uuid)
{
	char out[EVENT_UUID_LEN + 1] = "untouched";
	int r = event_parse_uuid(uuid_cases[_i].in, out);

	ck_assert_int_eq(r, uuid_cases[_i].r);
	ck_assert_str_eq(out, r == 0 ? uuid_cases[_i].out : "untouched");
}
END_TEST

static const struct {
	const char *in;
	int r;
	uint64_t usec;
} time_cases[] = {
	{ "1970-01-01T00:00:00Z", 0, 0 },
	{ "2026-12-01T15:31:37.123456Z", 0, 1796139097123456ULL },
	{ "2026-12-01T16:31:37.123456+01:00", 0, 1796139097123456ULL },
	{ "2026-12-01T14:01:37.5-01:30", 0, 1796139097500000ULL },
	{ "2024-02-29T00:00:00Z", 0, 1709164800000000ULL },
	{ "2016-12-31T23:59:60Z", 0, 1483228799999999ULL },
	{ "2023-02-29T00:00:00Z", -EINVAL, 0 },
	{ "2026-13-01T00:00:00Z", -EINVAL, 0 },
	{ "2026-12-01T24:00:00Z", -EINVAL, 0 },
	{ "2026-12-01T15:31:37", -EINVAL, 0 },
	{ "2026-12-01 15:31:37Z", -EINVAL, 0 },
	{ "2026-12-01T15:31:37.Z", -EINVAL, 0 },
	{ "2026-12-01T15:31:37.1234567Z", -EINVAL, 0 },
	{ "2026-12-01T15:31:37Zjunk", -EINVAL, 0 },
	{ "2026-12-01T15:31:37+0100", -EINVAL, 0 },
	{ "1969-12-31T23:59:59Z", -EINVAL, 0 },
	{ "1970-01-01T00:30:00+01:00", -EINVAL, 0 },
	{ "-", -EINVAL, 0 },
	{ "", -EINVAL, 0 },
};

START_TEST(test_time)
{
	uint64_t usec = 42;
	int r = event_parse_time(time_cases[_i].in, &usec);

	ck_assert_msg(r == time_cases[_i].r, "'%s': r=%d", time_cases[_i].in,
		      r);
	ck_assert_uint_eq(usec, r == 0 ? time_cases[_i].usec : 42);
}
END_TEST

/* Lines against defaults NULL (event_new's values, no source). */
static const struct {
	const char *line;
	int r;
	const char *msg;
	unsigned id;
	const char *source;
	const char *uuid;
	uint64_t time;          /* 0: none */
	size_t n_extra;
} line_cases[] = {
	{ "", 1, NULL },
	{ " # id=0", 1, NULL },
	{ "type=warning id=777 source=John description=\"VDC Ready for "
	  "compaction\"", 0, NULL, 777, "John", "", 0, 0 },
	{ "id=7 description=x uuid=6F1C2A3B-0D4E-4F5A-8B6C-7D8E9F0A1B2C "
	  "time=1970-01-01T00:00:01Z VM=a", 0, NULL, 7, NULL,
	  "6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c", 1000000, 1 },
	{ "id=7 description=x uuid=nope", -EINVAL,
	  "invalid uuid 'nope': must be 8-4-4-4-12 hex digits" },
	{ "id=7 description=x time=yesterday", -EINVAL,
	  "invalid time 'yesterday': must be RFC 3339, e.g. "
	  "2026-12-01T15:31:37.123456Z" },
	{ "id=7 description=x uuid=6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c "
	  "uuid=6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c", -EINVAL,
	  "key uuid given twice" },
	{ "id=7 description=x EVENT_SENDER=vdc", -EPERM,
	  "reserved field name 'EVENT_SENDER': not allowed as an extra field" },
	{ "id=7 description=x EVENT_AUTH=channel", -EPERM,
	  "reserved field name 'EVENT_AUTH': not allowed as an extra field" },
	{ "id=7 description=x EVENT_UUID=x", -EPERM,
	  "reserved field name 'EVENT_UUID': not allowed as an extra field" },
	{ "id=7 description=x _UID=0", -EINVAL,
	  "invalid field name '_UID': must be 1..64 of A-Z, 0-9 and '_', not "
	  "starting with a digit or '_'" },
	{ "id=7 description=x hostname=vdc", -ENOKEY,
	  "unknown key 'hostname': must be type, id, source, log, description "
	  "or an upper-case field name" },
	{ "id=0 description=x", -EINVAL,
	  "invalid event id '0': must be 1..65535" },
	{ "id=7 description=\"caf\xe9\"", -EINVAL,
	  "invalid description 'caf\\xe9': not valid UTF-8" },
	{ "id=7 description=x VM=\"\x01\"", 0, NULL, 7, NULL, "", 0, 1 },
	{ "id=7", -EINVAL, "no description given (description=TEXT)" },
	{ "description=x", -EINVAL, "no event id given (id=N)" },
	{ "id=7 description=\"open", -EINVAL, "unterminated double quote" },
	{ "\x01\x02\x03", -EINVAL, "invalid word '\\x01\\x02\\x03': must be "
	  "KEY=VALUE" },
};

START_TEST(test_line)
{
	static struct event sentinel;
	_cleanup_(event_freep) struct event *e = NULL;
	_cleanup_(freep) char *msg = NULL;
	struct eventline_meta meta = { .uuid = "untouched" };
	struct event *out = &sentinel;
	int r;

	r = eventline_parse(line_cases[_i].line, NULL, &out, &meta, &msg);
	ck_assert_msg(r == line_cases[_i].r, "'%s': r=%d (%s)",
		      line_cases[_i].line, r, msg ? msg : "");
	if (r != 0) {
		ck_assert_ptr_eq(out, &sentinel);
		ck_assert_str_eq(meta.uuid, "untouched");
		ck_assert_pstr_eq(msg, line_cases[_i].msg);
		return;
	}
	e = out;
	ck_assert_uint_eq(e->id, line_cases[_i].id);
	ck_assert_pstr_eq(e->source, line_cases[_i].source);
	ck_assert_str_eq(meta.uuid, line_cases[_i].uuid);
	ck_assert_int_eq(meta.has_time, line_cases[_i].time != 0);
	if (meta.has_time)
		ck_assert_uint_eq(meta.time_usec, line_cases[_i].time);
	ck_assert_uint_eq(e->n_extra, line_cases[_i].n_extra);
}
END_TEST

/* The defaults' values and fields carry over; the line's own win. */
START_TEST(test_defaults)
{
	_cleanup_(event_freep) struct event *d = event_new();
	_cleanup_(event_freep) struct event *e = NULL;
	_cleanup_(freep) char *msg = NULL;
	struct eventline_meta meta;

	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(event_set_source(d, "evcreate"), 0);
	ck_assert_int_eq(event_add_field(d, "HOST", "h1"), 0);
	ck_assert_int_eq(event_add_field(d, "VM", "v1"), 0);
	ck_assert_int_eq(eventline_parse("id=1 description=x VM=v2", d, &e,
					 &meta, &msg), 0);
	ck_assert_str_eq(e->source, "evcreate");
	ck_assert_uint_eq(e->n_extra, 2);
	ck_assert_str_eq(e->extra[0].name, "VM");
	ck_assert_str_eq(e->extra[0].value, "v2");
	ck_assert_str_eq(e->extra[1].name, "HOST");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("eventline");
	TCase *tc = tcase_create("eventline");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_uuid, 0, ELEMENTSOF(uuid_cases));
	tcase_add_loop_test(tc, test_time, 0, ELEMENTSOF(time_cases));
	tcase_add_loop_test(tc, test_line, 0, ELEMENTSOF(line_cases));
	tcase_add_test(tc, test_defaults);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
