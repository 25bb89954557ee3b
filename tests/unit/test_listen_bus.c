/* Check suite for the listener's side of the bus protocol
 * (listen/busclient.c: the replies and the FIFO of requests in flight) and
 * for the request it sends (listen/store.c store_format: "EVB1" and the very
 * datagram store_write gives journald). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../../listen/busclient.h"
#include "../../listen/store.h"
#include "journal-send.h"

#define U "0b1c2d3e-4f50-4617-8899-aabbccddeeff"

START_TEST(test_replies)
{
	static const struct {
		const char *reply;
		int r;
		const char *reason;
	} cases[] = {
		{ "OK " U, 1, "" },
		{ "RETRY " U " no NATS connection", 0, "no NATS connection" },
		{ "RETRY " U, 0, "" },
		{ "RETRY " U "   timeout\x01", 0, "timeout?" },
		{ "OK " U "\n", -EBADMSG, NULL },       /* no newline */
		{ "OK " U " extra", -EBADMSG, NULL },
		{ "OK 11111111-1111-4111-8111-111111111111", -EBADMSG, NULL },
		{ "RETRY - bad request: no uuid", -EBADMSG, NULL },
		{ "RETRY " U "x", -EBADMSG, NULL },
		{ "ok " U, -EBADMSG, NULL },
		{ "", -EBADMSG, NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char reason[64];
		int r = bus_parse_reply(cases[i].reply, strlen(cases[i].reply),
					U, reason, sizeof(reason));

		ck_assert_msg(r == cases[i].r, "'%s': %d", cases[i].reply, r);
		if (cases[i].reason != NULL)
			ck_assert_str_eq(reason, cases[i].reason);
	}
}
END_TEST

START_TEST(test_queue)
{
	struct bus_queue q;
	struct bus_pending e, got;
	int owner_a, owner_b;

	bus_queue_init(&q, 40);
	/* Wraps around the ring and grows it. */
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 40; i++) {
			e = (struct bus_pending){ .owner = i % 2 ? &owner_a
								 : &owner_b,
						  .deadline = (uint64_t)i };
			snprintf(e.uuid, sizeof(e.uuid), "%d", i);
			ck_assert_int_eq(bus_queue_push(&q, &e), 0);
		}
		ck_assert(bus_queue_full(&q));
		ck_assert_int_eq(bus_queue_push(&q, &e), -ENOBUFS);
		ck_assert_str_eq(bus_queue_back(&q)->uuid, "39");
		bus_queue_drop_last(&q);
		ck_assert_str_eq(bus_queue_back(&q)->uuid, "38");
		bus_queue_forget(&q, &owner_a);
		for (int i = 0; i < 39; i++) {
			char want[8];

			snprintf(want, sizeof(want), "%d", i);
			ck_assert_str_eq(bus_queue_front(&q)->uuid, want);
			ck_assert(bus_queue_pop(&q, &got));
			ck_assert_str_eq(got.uuid, want);
			ck_assert_ptr_eq(got.owner, i % 2 ? NULL : &owner_b);
		}
		ck_assert(!bus_queue_pop(&q, &got));
		ck_assert_ptr_null(bus_queue_front(&q));
	}
	/* data is freed with the queue. */
	e = (struct bus_pending){ .data = malloc(10) };
	ck_assert_int_eq(bus_queue_push(&q, &e), 0);
	bus_queue_done(&q);
}
END_TEST

/* The request: "EVB1" and exactly the datagram store_write sends. */
START_TEST(test_request)
{
	struct wire_request req = { .event = event_new(), .uuid = U,
				    .has_time = true, .time_usec = 42 };
	struct store_sender s = { "backup01", "", "x509", "10.0.0.9:4711" };
	const char *more[] = { "EVENT_SENDER=backup01", "EVENT_AUTH=x509",
			       "EVENT_SENDER_ADDRESS=10.0.0.9:4711",
			       "EVENT_UUID=" U, "EVENT_TIME=42" };
	_cleanup_(freep) char *d = NULL, *j = NULL;
	size_t len, jlen;

	ck_assert_ptr_nonnull(req.event);
	req.event->id = 777;
	ck_assert_int_eq(event_set_source(req.event, "John"), 0);
	ck_assert_int_eq(event_set_description(req.event, "two\nlines"), 0);
	ck_assert_int_eq(event_add_field(req.event, "VM", "vdc"), 0);
	ck_assert_int_eq(store_format(&req, &s, BUS_REQUEST_MAGIC, &d, &len), 0);
	ck_assert_int_eq(journal_format_event(req.event, more, 5, &j, &jlen), 0);
	ck_assert_uint_eq(len, jlen + 4);
	ck_assert(memcmp(d, "EVB1", 4) == 0);
	ck_assert(memcmp(d + 4, j, jlen) == 0);
	ck_assert_ptr_nonnull(memmem(d, len, "\nVM=vdc\n", 8));
	wire_request_done(&req);
}
END_TEST

static Suite *
bus_suite(void)
{
	Suite *s = suite_create("listen_bus");
	TCase *tc = tcase_create("bus");

	tcase_add_test(tc, test_replies);
	tcase_add_test(tc, test_queue);
	tcase_add_test(tc, test_request);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(bus_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
