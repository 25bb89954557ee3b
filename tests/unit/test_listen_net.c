/* Check suite for what network senders add to the listener's event path:
 * wire_parse_flags(WIRE_NETWORK) (HOSTNAME recorded, event lines refused),
 * a channel that fails on a framing error and its --max-frame, a token
 * bucket shared by a sender's connections, and listen/peers.c (sessions and
 * the refusal report budget per address). */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "../../listen/channel.h"
#include "../../listen/peers.h"
#include "../../listen/wire.h"

static const struct channel_limits net = {
	.rate = 1000000, .burst = 1000000, .max_event = WIRE_LINE_MAX,
	.max_frame = 1024, .wire_flags = WIRE_NETWORK,
	.fail_on_frame_error = true,
};

static int
parse(const char *s, struct wire_request *req, enum wire_code *code,
      char **reason)
{
	struct wire_item item = { .kind = WIRE_ITEM_LINE, .data = s,
				  .len = strlen(s) };

	return wire_parse_flags(&item, NULL, WIRE_LINE_MAX, WIRE_NETWORK, req,
				code, reason);
}

START_TEST(test_network_parse)
{
	struct wire_request req;
	enum wire_code code;
	char *reason = NULL;

	ck_assert_int_eq(parse("<13>1 - host.example.org John - 777 - hi",
			       &req, &code, &reason), 0);
	ck_assert_str_eq(req.hostname, "host.example.org");
	ck_assert_uint_eq(req.event->id, 777);
	wire_request_done(&req);
	ck_assert_ptr_null(req.hostname);

	ck_assert_int_eq(parse("<13>1 - - John - 777 - hi", &req, &code,
			       &reason), 0);
	ck_assert_ptr_null(req.hostname);
	wire_request_done(&req);

	/* event lines are for guests */
	ck_assert_int_eq(parse("type=warning id=777 description=x", &req, &code,
			       &reason), -EINVAL);
	ck_assert_int_eq(code, WIRE_BAD);
	ck_assert_str_eq(reason, "not an RFC 5424 message (<PRI>1 ...)");
	free(reason);
	/* an empty line is nothing */
	ck_assert_int_eq(parse("", &req, &code, &reason), 1);
	/* reserved fields are still refused */
	reason = NULL;
	ck_assert_int_eq(parse("<13>1 - - John - 777 [evtrigger@32473 "
			       "EVENT_SENDER=\"vdc\"] x", &req, &code, &reason),
			 -EPERM);
	ck_assert_int_eq(code, WIRE_REFUSED);
	free(reason);

	/* the channel refuses HOSTNAME, as before */
	{
		struct wire_item item = { .kind = WIRE_ITEM_LINE,
					  .data = "<13>1 - h John - 777 - x" };

		item.len = strlen(item.data);
		reason = NULL;
		ck_assert_int_eq(wire_parse(&item, NULL, WIRE_LINE_MAX, &req,
					    &code, &reason), -EPERM);
		free(reason);
	}
}
END_TEST

/* Feeds s to ch and steps it; returns the last step. */
static int
feed(struct channel *ch, const char *s, size_t len)
{
	size_t room;
	char *dst = channel_in_space(ch, &room);
	int r, last = CHANNEL_IDLE;

	ck_assert_uint_le(len, room);
	memcpy(dst, s, len);
	channel_in_added(ch, len);
	while ((r = channel_step(ch, 1)) != CHANNEL_IDLE) {
		ck_assert_int_ge(r, 0);
		if (r == CHANNEL_STORE)
			ck_assert_int_eq(channel_stored(ch, 0, NULL), 0);
		last = r;
	}
	return last;
}

static void
assert_out(struct channel *ch, const char *want)
{
	size_t len;
	const char *out = channel_out(ch, &len);

	ck_assert_msg(len == strlen(want) &&
		      (len == 0 || memcmp(out, want, len) == 0),
		      "out '%.*s', want '%s'", (int)len, out != NULL ? out : "",
		      want);
}

/* A framing error: one ERR, the channel fails (reads nothing more, steps
 * nothing more), whatever follows. */
static const struct frame_case {
	const char *in;
	const char *answer;
} frame_cases[] = {
	{ "999999999999 <13>1 - - J - 777 - x", "ERR 413 frame too long\n" },
	{ "1025 <13>1", "ERR 413 frame too long\n" },
	{ "12x <13>1 - - J - 777 - x", "ERR 400 bad octet count\n" },
	{ "0012 <13>1 - - J", "ERR 400 bad octet count\n" },
};

START_TEST(test_frame_errors_fail)
{
	const struct frame_case *c = &frame_cases[_i];
	_cleanup_(channel_freep) struct channel *ch =
		channel_new(-1, "web01", "", &net, 1);
	ck_assert_ptr_nonnull(ch);
	ck_assert_int_eq(feed(ch, c->in, strlen(c->in)), CHANNEL_REFUSED);
	ck_assert(ch->failed);
	ck_assert(!channel_wants_read(ch, 1));
	assert_out(ch, c->answer);
	ck_assert_int_eq(channel_step(ch, 1), CHANNEL_IDLE);
	ck_assert_uint_eq(ch->in_len, 0);
}
END_TEST

START_TEST(test_max_frame)
{
	_cleanup_(channel_freep) struct channel *ch =
		channel_new(-1, "web01", "", &net, 1);
	char buf[1100];
	int n;

	/* 1024 bytes of message: fits */
	n = snprintf(buf, sizeof(buf), "1024 <13>1 - - J - 777 - %01004d", 0);
	ck_assert_int_eq(n, 5 + 1024);
	ck_assert_int_eq(feed(ch, buf, (size_t)n), CHANNEL_STORE);
	ck_assert(!ch->failed);
}
END_TEST

START_TEST(test_shared_bucket)
{
	struct channel_limits l = net;
	struct ratelimit shared;
	_cleanup_(channel_freep) struct channel *a = NULL, *b = NULL;
	static const char ev[] = "23 <13>1 - - J - 777 - a b";

	l.rate = 1;
	l.burst = 2;
	ratelimit_init(&shared, 1, 2, 1);
	a = channel_new(-1, "web01", "", &l, 1);
	b = channel_new(-1, "web01", "", &l, 1);
	a->shared = b->shared = &shared;
	ck_assert_int_eq(feed(a, ev, strlen(ev)), CHANNEL_STORE);
	ck_assert_int_eq(feed(b, ev, strlen(ev)), CHANNEL_STORE);
	/* the third event of the sender, on either connection: 429 */
	ck_assert_int_eq(feed(a, ev, strlen(ev)), CHANNEL_LIMITED);
}
END_TEST

/* Pipelining: events written go on to the next; every answer waits for
 * the read-back of the events before it, in order. */
START_TEST(test_pipeline)
{
	struct channel_limits l = net;
	_cleanup_(channel_freep) struct channel *ch = NULL;
	char in[1024];
	size_t room, n = 0;
	char *dst;
	int r, stored = 0;

	l.max_inflight = 3;
	ch = channel_new(-1, "web01", "", &l, 1);
	for (int i = 1; i <= 4; i++) {
		char m[200];
		int k = snprintf(m, sizeof(m), "<13>1 - - J - 777 [evtrigger@32473 "
				 "uuid=\"00000000-0000-4000-8000-00000000000%d\"] e",
				 i);

		n += (size_t)snprintf(in + n, sizeof(in) - n, "%d %s", k, m);
		if (i == 2)     /* a bad event between */
			n += (size_t)snprintf(in + n, sizeof(in) - n,
					      "18 <13>1 - - J - x - ");
	}
	dst = channel_in_space(ch, &room);
	memcpy(dst, in, n);
	channel_in_added(ch, n);
	while ((r = channel_step(ch, 1)) != CHANNEL_IDLE) {
		ck_assert_int_ge(r, 0);
		if (r == CHANNEL_STORE) {
			ck_assert_int_eq(channel_written(ch, 100), 0);
			stored++;
		}
	}
	/* full: events 1 and 2 in flight, the ERR of the bad one behind */
	ck_assert_int_eq(stored, 2);
	ck_assert_uint_eq(ch->n_flights, 3);
	ck_assert(!channel_wants_read(ch, 1));
	assert_out(ch, "");
	ck_assert_str_eq(channel_awaited(ch)->uuid,
			 "00000000-0000-4000-8000-000000000001");
	ck_assert_int_eq(channel_confirm(ch, 0, NULL), 0);
	assert_out(ch, "OK 00000000-0000-4000-8000-000000000001\n");
	channel_out_sent(ch, 40);
	/* room again: event 3 goes in flight behind the ERR */
	while ((r = channel_step(ch, 1)) != CHANNEL_IDLE)
		if (r == CHANNEL_STORE) {
			ck_assert_int_eq(channel_written(ch, 100), 0);
			stored++;
		}
	ck_assert_int_eq(stored, 3);
	ck_assert_int_eq(channel_confirm(ch, -ETIMEDOUT, "slow"), 0);
	assert_out(ch, "ERR 503 slow\nERR 400 not an event: MSGID is not an "
		   "event id 1..65535\n");
	channel_out_sent(ch, ch->out_len);
	ck_assert_int_eq(channel_confirm(ch, 0, NULL), 0);
	while ((r = channel_step(ch, 1)) != CHANNEL_IDLE)
		if (r == CHANNEL_STORE) {
			ck_assert_int_eq(channel_written(ch, 100), 0);
			stored++;
		}
	ck_assert_int_eq(stored, 4);
	ck_assert_int_eq(channel_confirm(ch, 0, NULL), 0);
	assert_out(ch, "OK 00000000-0000-4000-8000-000000000003\n"
		   "OK 00000000-0000-4000-8000-000000000004\n");
	ck_assert_uint_eq(ch->n_flights, 0);
	ck_assert_ptr_null(channel_awaited(ch));
}
END_TEST

START_TEST(test_peers)
{
	struct peers p = { 0 };
	struct peer *e;
	unsigned count = 99;
	int allowed = 0;

	e = peers_get(&p, "192.0.2.7", 1);
	ck_assert_ptr_nonnull(e);
	e->sessions = 3;
	ck_assert_ptr_eq(peers_get(&p, "192.0.2.7", 2), e);
	ck_assert_uint_eq(e->sessions, 3);
	for (int i = 0; i < 100; i++)
		allowed += peers_may_report(e, 10, &count);
	ck_assert_int_eq(allowed, PEERS_REPORT_BURST);
	ck_assert_uint_eq(count, 0);
	/* a second later, one more report, carrying the 80 left out */
	ck_assert(peers_may_report(e, 10 + PEERS_REPORT_USEC, &count));
	ck_assert_uint_eq(count, 100 - PEERS_REPORT_BURST);
	ck_assert(!peers_may_report(e, 10 + PEERS_REPORT_USEC, &count));
	/* another address has its own budget */
	e = peers_get(&p, "2001:db8::7", 20);
	ck_assert(peers_may_report(e, 20, &count));
	ck_assert_uint_eq(p.n, 2);
	peers_done(&p);
}
END_TEST

START_TEST(test_peers_full)
{
	struct peers p = { 0 };
	char ip[PEER_IP_MAX];

	for (unsigned i = 0; i < PEERS_MAX; i++) {
		snprintf(ip, sizeof(ip), "10.0.%u.%u", i / 256, i % 256);
		struct peer *e = peers_get(&p, ip, i + 1);

		ck_assert_ptr_nonnull(e);
		e->sessions = 1;
	}
	/* every entry has a session: nothing to forget */
	ck_assert_ptr_null(peers_get(&p, "192.0.2.1", 10000));
	p.v[5].sessions = 0;
	ck_assert_ptr_eq(peers_get(&p, "192.0.2.1", 10001), &p.v[5]);
	ck_assert_str_eq(p.v[5].ip, "192.0.2.1");
	ck_assert_uint_eq(p.v[5].sessions, 0);
	peers_done(&p);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("listen_net");
	TCase *tc = tcase_create("net");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_network_parse);
	tcase_add_loop_test(tc, test_frame_errors_fail, 0,
			    ELEMENTSOF(frame_cases));
	tcase_add_test(tc, test_max_frame);
	tcase_add_test(tc, test_shared_bucket);
	tcase_add_test(tc, test_pipeline);
	tcase_add_test(tc, test_peers);
	tcase_add_test(tc, test_peers_full);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
