/* Check suite for listen/wire.c and listen/channel.c together: byte streams
 * a guest may send, and the exact answers it gets back (framing, parsing,
 * refusals, order), with a journal stand-in that stores everything. */
#include <check.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "../../listen/channel.h"
#include "../../listen/wire.h"

#define U1 "6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c"
#define NEW "OK <new>\n"    /* an OK with a uuid the listener made */

static const struct channel_limits limits = {
	.rate = 1000000, .burst = 1000000, .max_event = WIRE_LINE_MAX,
};

/* Feeds in (len bytes) to a channel chunk bytes at a time, storing every
 * event; returns the answers, with each made uuid replaced by <new>. */
static char *
run(const char *in, size_t len, size_t chunk, const struct channel_limits *l)
{
	_cleanup_(channel_freep) struct channel *ch = NULL;
	regex_t re;
	size_t off = 0, out_len, res_len;
	const char *out;
	char *res = NULL;
	FILE *f;

	ch = channel_new(-1, "vdc", U1, l, 1);
	ck_assert_ptr_nonnull(ch);
	for (;;) {
		size_t room, n;
		char *dst;
		int r;

		while ((r = channel_step(ch, 1)) != CHANNEL_IDLE) {
			ck_assert_int_ge(r, 0);
			if (r == CHANNEL_STORE) {
				ck_assert_ptr_nonnull(ch->req.event);
				ck_assert_uint_eq(strlen(ch->req.uuid), 36);
				ck_assert_int_eq(channel_stored(ch, 0, NULL), 0);
			}
		}
		if (off == len)
			break;
		ck_assert(channel_wants_read(ch, 1));
		dst = channel_in_space(ch, &room);
		n = len - off < chunk ? len - off : chunk;
		n = n < room ? n : room;
		memcpy(dst, in + off, n);
		channel_in_added(ch, n);
		off += n;
	}
	out = channel_out(ch, &out_len);
	f = open_memstream(&res, &res_len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(regcomp(&re, "^OK [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-"
				 "[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
				 REG_EXTENDED | REG_NOSUB), 0);
	while (out_len > 0) {
		const char *nl = memchr(out, '\n', out_len);
		_cleanup_(freep) char *line = NULL;

		ck_assert_ptr_nonnull(nl);
		line = strndup(out, (size_t)(nl - out));
		if (regexec(&re, line, 0, NULL, 0) == 0 &&
		    strcmp(line + 3, U1) != 0)
			fputs(NEW, f);
		else
			fprintf(f, "%s\n", line);
		out_len -= (size_t)(nl + 1 - out);
		out = nl + 1;
	}
	regfree(&re);
	fclose(f);
	return res;
}

static const struct {
	const char *in;
	const char *out;
	size_t len;             /* 0: strlen(in) */
} stream_cases[] = {
	/* The forms of an event. */
	{ "id=777 description=ready uuid=" U1 "\n", "OK " U1 "\n" },
	{ "id=777 description=ready uuid=" U1 "\r\n", "OK " U1 "\n" },
	{ "id=777 description=ready\n", NEW },
	{ "<12>1 2026-12-01T15:31:37Z - John - 777 [evtrigger@32473 uuid=\""
	  U1 "\"] ready\n", "OK " U1 "\n" },
	{ "88 <12>1 - - John - 777 [evtrigger@32473 uuid=\"" U1 "\"] "
	  "ready", "OK " U1 "\n" },
	{ "88 <12>1 - - John - 777 [evtrigger@32473 uuid=\"" U1 "\"] "
	  "ready\n", "OK " U1 "\n" },
	{ "28 <12>1 - - John - 777 - ready28 <12>1 - - John - 778 - again",
	  NEW NEW },
	/* No event, no answer. */
	{ "\n\n# a comment\n   \n", "" },
	{ "id=777 description=ready", "" },             /* no LF yet */
	/* Bad events: answered in order, nothing stops the stream. */
	{ "id=0 description=x\nid=1 description=y\n",
	  "ERR 400 invalid event id '0': must be 1..65535\n" NEW },
	{ "id=7\n", "ERR 400 no description given (description=TEXT)\n" },
	{ "id=7 description=\"caf\xe9\"\n",
	  "ERR 400 invalid description 'caf\\xe9': not valid UTF-8\n" },
	{ "\x7f" "ELF\x02\x01\x01\n", "ERR 400 invalid word '\\x7fELF\\x02\\x01\\x01': "
	  "must be KEY=VALUE\n" },
	{ "id=7 description=a\0b\n", "ERR 400 line contains a NUL byte\n",
	  sizeof("id=7 description=a\0b\n") - 1 },
	{ "id=7 description=x color=red\n", "ERR 400 unknown key 'color': "
	  "must be type, id, source, log, description or an upper-case field "
	  "name\n" },
	{ "<12>John: hello\n", "ERR 400 not an RFC 5424 message (<PRI>1 ...)\n" },
	{ "<12>1 - - - - - - not an event\n",
	  "ERR 400 not an event: MSGID is not an event id 1..65535\n" },
	{ "12x <12>1\nid=1 description=y\n", "ERR 400 bad octet count\n" NEW },
	/* Claimed identity: refused. */
	{ "id=7 description=x EVENT_SENDER=vdc\n", "ERR 403 reserved field "
	  "name 'EVENT_SENDER': not allowed as an extra field\n" },
	{ "id=7 description=x EVENT_AUTH=channel\n", "ERR 403 reserved field "
	  "name 'EVENT_AUTH': not allowed as an extra field\n" },
	{ "id=7 description=x EVENT_SENDER_UUID=x\n", "ERR 403 reserved field "
	  "name 'EVENT_SENDER_UUID': not allowed as an extra field\n" },
	{ "<12>1 - vdc John - 777 - ready\n", "ERR 403 HOSTNAME refused: the "
	  "host names the sender; send -\n" },
	{ "<12>1 - - John - 777 [evtrigger@32473 EVENT_SENDER=\"vdc\"] r\n",
	  "ERR 403 reserved field name 'EVENT_SENDER': not allowed as an "
	  "extra field\n" },
	/* uuid and time checked. */
	{ "id=7 description=x uuid=123\n", "ERR 400 invalid uuid '123': must "
	  "be 8-4-4-4-12 hex digits\n" },
	{ "<12>1 - - John - 777 [evtrigger@32473 uuid=\"x\"] r\n",
	  "ERR 400 invalid uuid param: must be 8-4-4-4-12 hex digits\n" },
	{ "<12>1 1969-12-31T23:59:59Z - John - 777 - r\n", "ERR 400 invalid "
	  "time: must be RFC 3339 with a zone, from 1970\n" },
	/* Too large. */
	{ "99999 <12>1\nid=1 description=y\n", "ERR 413 frame too long\n" NEW },
};

START_TEST(test_stream)
{
	size_t len = stream_cases[_i].len != 0 ? stream_cases[_i].len
					       : strlen(stream_cases[_i].in);
	_cleanup_(freep) char *whole = NULL, *bytewise = NULL;

	whole = run(stream_cases[_i].in, len, len + 1, &limits);
	ck_assert_msg(streq(whole, stream_cases[_i].out),
		      "case %d: got '%s'", _i, whole);
	/* The same answers when the bytes come one at a time. */
	bytewise = run(stream_cases[_i].in, len, 1, &limits);
	ck_assert_str_eq(bytewise, whole);
}
END_TEST

/* A line over 64 KiB gets 413 as soon as that much is seen; the rest of it
 * is dropped, and the next line is served. */
START_TEST(test_long_line)
{
	size_t n = WIRE_LINE_MAX + 10000;
	_cleanup_(freep) char *in = malloc(n + 128), *out = NULL;
	size_t len;

	memset(in, 'A', n);
	strcpy(in + n, "\nid=5 description=after uuid=" U1 "\n");
	len = strlen(in);
	out = run(in, len, 4096, &limits);
	ck_assert_str_eq(out, "ERR 413 line too long\nOK " U1 "\n");
	free(out);
	out = run(in, len, 1 << 20, &limits);
	ck_assert_str_eq(out, "ERR 413 line too long\nOK " U1 "\n");
}
END_TEST

/* Exactly 64 KiB of line (with a CR) is still a line. */
START_TEST(test_line_at_limit)
{
	_cleanup_(freep) char *in = malloc(WIRE_LINE_MAX + 3), *out = NULL;
	const char *head = "id=5 description=";
	size_t n = strlen(head);

	memcpy(in, head, n);
	memset(in + n, 'x', WIRE_LINE_MAX - n);
	memcpy(in + WIRE_LINE_MAX, "\r\n", 3);
	out = run(in, WIRE_LINE_MAX + 2, 7000, &limits);
	/* The description alone is over EVENT_DESCRIPTION_MAX. */
	ck_assert_msg(strncmp(out, "ERR 400 invalid description '", 29) == 0,
		      "got '%.80s'", out);
}
END_TEST

START_TEST(test_max_event)
{
	struct channel_limits small = limits;
	_cleanup_(freep) char *out = NULL;
	const char *in = "id=5 description=0123456789012345678901234567890123456789"
			 "0123456789012345678901234567890123456789\n";

	small.max_event = 64;
	out = run(in, strlen(in), 1000, &small);
	ck_assert_str_eq(out, "ERR 413 event too large: 91 bytes of fields, at "
			 "most 64\n");
}
END_TEST

static const struct {
	const char *in;
	const char *out;
} format_cases[] = {
	{ "plain", "ERR 400 plain\n" },
	{ "new\nline\ttab\x7f\xc3\xa9", "ERR 400 new?line?tab???\n" },
	{ "", "ERR 400 refused\n" },
};

START_TEST(test_format_err)
{
	_cleanup_(freep) char *s = channel_format_err(WIRE_BAD,
						      format_cases[_i].in);

	ck_assert_str_eq(s, format_cases[_i].out);
}
END_TEST

START_TEST(test_format_err_cut)
{
	char reason[400];
	_cleanup_(freep) char *s = NULL;

	memset(reason, 'r', sizeof(reason) - 1);
	reason[sizeof(reason) - 1] = '\0';
	s = channel_format_err(WIRE_BAD, reason);
	ck_assert_uint_eq(strlen(s), strlen("ERR 400 \n") + 200);
}
END_TEST

START_TEST(test_new_uuid)
{
	char a[EVENT_UUID_LEN + 1], b[EVENT_UUID_LEN + 1], c[EVENT_UUID_LEN + 1];

	ck_assert_int_eq(channel_new_uuid(a), 0);
	ck_assert_int_eq(channel_new_uuid(b), 0);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(event_parse_uuid(a, c), 0);
	ck_assert_str_eq(a, c);
	ck_assert_int_eq(a[14], '4');
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("listen_wire");
	TCase *tc = tcase_create("wire");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_stream, 0, ELEMENTSOF(stream_cases));
	tcase_add_test(tc, test_long_line);
	tcase_add_test(tc, test_line_at_limit);
	tcase_add_test(tc, test_max_event);
	tcase_add_loop_test(tc, test_format_err, 0, ELEMENTSOF(format_cases));
	tcase_add_test(tc, test_format_err_cut);
	tcase_add_test(tc, test_new_uuid);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
