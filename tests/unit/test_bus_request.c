/* Check suite for bus/server.c's bus_handle_request: the reply to each
 * kind of request from the listener when no NATS connection is there (bad
 * requests are refused before NATS is asked; a good one gets RETRY). */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "../../bus/bus.h"
#include "evt-ids.h"

/* Stands in for report.c (the archive's copy is then not linked): counts
 * the bus's events instead of writing them to a journal. */
static unsigned reports_662;

void
bus_report(unsigned id, const char *message, const char *f1, const char *f2,
	   const char *f3)
{
	if (id == EVT_BUS_MESSAGE_REFUSED)
		reports_662++;
}

/* "EVB1" and fields; "\n" in a value is passed as is (text form). */
static size_t
request(char *buf, size_t size, const char *magic, const char *fields)
{
	return (size_t)snprintf(buf, size, "%s%s", magic, fields);
}

static const struct {
	const char *what, *magic, *fields, *reply;
} cases[] = {
	/* The first is no refusal; every other one is reported (662). */
	{ "good, no NATS", "EVB1", "MESSAGE=m\nEVENT_SENDER=s\nEVENT_UUID=u1\n",
	  "RETRY u1 no NATS connection" },
	{ "no magic", "EVB2", "EVENT_SENDER=s\nEVENT_UUID=u1\n",
	  "RETRY - bad request: no EVB1" },
	{ "empty", "EVB1", "", "RETRY - bad request: empty message" },
	{ "no uuid", "EVB1", "EVENT_SENDER=s\n",
	  "RETRY - bad request: no EVENT_UUID" },
	{ "uuid with a blank", "EVB1", "EVENT_SENDER=s\nEVENT_UUID=a b\n",
	  "RETRY - bad request: bad EVENT_UUID" },
	{ "no sender", "EVB1", "EVENT_UUID=u2\n",
	  "RETRY u2 bad request: no EVENT_SENDER" },
	{ "trusted field", "EVB1", "_UID=0\nEVENT_SENDER=s\nEVENT_UUID=u3\n",
	  "RETRY u3 bad request: field starting with '_'" },
	{ "entry host", "EVB1",
	  "EVENT_ENTRY_HOST=h\nEVENT_SENDER=s\nEVENT_UUID=u4\n",
	  "RETRY u4 bad request: reserved field" },
	{ "placement", "EVB1",
	  "EVENT_PLACEMENT=local\nEVENT_SENDER=s\nEVENT_UUID=u5\n",
	  "RETRY u5 bad request: reserved field" },
	{ "lower-case name", "EVB1", "vm=x\nEVENT_SENDER=s\nEVENT_UUID=u6\n",
	  "RETRY u6 bad request: bad field name" },
	{ "unterminated", "EVB1", "EVENT_SENDER=s\nEVENT_UUID=u7",
	  "RETRY - bad request: last field without newline" },
};

START_TEST(test_replies)
{
	struct bus b = { 0 };
	char buf[512], reply[512];
	size_t n = request(buf, sizeof(buf), cases[_i].magic, cases[_i].fields);

	natsMsg *msg = NULL;

	reports_662 = 0;
	bus_handle_request(&b, buf, n, reply, sizeof(reply), &msg);
	ck_assert_ptr_null(msg);
	ck_assert_msg(strcmp(reply, cases[_i].reply) == 0, "%s: got '%s'",
		      cases[_i].what, reply);
	ck_assert_uint_eq(reports_662, _i == 0 ? 0 : 1);
}
END_TEST

START_TEST(test_too_large)
{
	struct bus b = { 0 };
	char reply[512];
	char *big = calloc(1, BUS_REQUEST_MAX + 1);

	ck_assert_ptr_nonnull(big);
	memcpy(big, "EVB1", 4);
	natsMsg *msg = NULL;

	bus_handle_request(&b, big, BUS_REQUEST_MAX + 1, reply, sizeof(reply),
			   &msg);
	ck_assert_ptr_null(msg);
	ck_assert_str_eq(reply, "RETRY - bad request: too large");
	free(big);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("bus_request");
	TCase *tc = tcase_create("bus_request");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_replies, 0, (int)ELEMENTSOF(cases));
	tcase_add_test(tc, test_too_large);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
