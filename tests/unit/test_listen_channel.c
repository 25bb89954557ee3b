/* Check suite for listen/ratelimit.c and the states of listen/channel.c:
 * the token bucket, ERR 429 with a pause (backpressure), one event pending
 * at a time, answers for events the journal did not store, and a guest
 * that does not read its answers. */
#include <check.h>
#include <string.h>

#include "../../listen/channel.h"
#include "../../listen/ratelimit.h"

#define SEC 1000000ULL

/* Bucket steps: at time t (usec), take -> expect a wait of 0 or > 0. */
static const struct {
	uint64_t rate, burst;
	struct { uint64_t t; uint64_t wait; } steps[8];
	size_t n;
} bucket_cases[] = {
	/* A burst of 3, then one per 1/2 s. */
	{ 2, 3, { { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, SEC / 2 },
		  { SEC / 4, SEC / 4 }, { SEC / 2, 0 }, { SEC / 2, SEC / 2 } },
	  7 },
	/* A long pause refills only up to the burst. */
	{ 1, 2, { { 0, 0 }, { 0, 0 }, { 0, SEC }, { 100 * SEC, 0 },
		  { 100 * SEC, 0 }, { 100 * SEC, SEC } }, 6 },
	/* The clock going back counts as standing still. */
	{ 1, 1, { { 10 * SEC, 0 }, { 5 * SEC, SEC }, { 11 * SEC, 0 } }, 3 },
	/* Clamped: rate 0 is 1/s, burst 0 is 1. */
	{ 0, 0, { { 0, 0 }, { 0, SEC }, { SEC, 0 } }, 3 },
};

START_TEST(test_bucket)
{
	struct ratelimit rl;

	ratelimit_init(&rl, bucket_cases[_i].rate, bucket_cases[_i].burst,
		       bucket_cases[_i].steps[0].t);
	for (size_t k = 0; k < bucket_cases[_i].n; k++)
		ck_assert_msg(ratelimit_take(&rl, bucket_cases[_i].steps[k].t) ==
			      bucket_cases[_i].steps[k].wait,
			      "case %d step %zu", _i, k);
}
END_TEST

/* A huge rate and elapsed time do not overflow. */
START_TEST(test_bucket_extremes)
{
	struct ratelimit rl;

	ratelimit_init(&rl, 1000000, 1000000, 0);
	for (int i = 0; i < 1000000; i++)
		ck_assert_uint_eq(ratelimit_take(&rl, 0), 0);
	ck_assert_uint_eq(ratelimit_take(&rl, 0), 1);
	ck_assert_uint_eq(ratelimit_take(&rl, UINT64_MAX / 2), 0);
}
END_TEST

static void
feed(struct channel *ch, const char *s)
{
	size_t room;
	char *dst = channel_in_space(ch, &room);

	ck_assert_uint_le(strlen(s), room);
	memcpy(dst, s, strlen(s));
	channel_in_added(ch, strlen(s));
}

static void
expect_out(struct channel *ch, const char *want)
{
	size_t len;
	const char *out = channel_out(ch, &len);

	ck_assert_uint_eq(len, strlen(want));
	ck_assert(len == 0 || memcmp(out, want, len) == 0);
	channel_out_sent(ch, len);
}

#define LINE(n) "id=" #n " description=x uuid=00000000-0000-4000-8000-00000000000" #n "\n"
#define OK(n) "OK 00000000-0000-4000-8000-00000000000" #n "\n"
#define E429 "ERR 429 rate limited: retry later with the same uuid\n"

/* Two events a second, a burst of two: the third gets 429 and nothing more
 * is read or parsed until a token is there; then the rest is served. */
START_TEST(test_rate_limit_pauses)
{
	struct channel_limits l = { .rate = 2, .burst = 2,
				    .max_event = 65536 };
	_cleanup_(channel_freep) struct channel *ch = NULL;

	ch = channel_new(-1, "vdc", "u", &l, 0);
	ck_assert_ptr_nonnull(ch);
	feed(ch, LINE(1) LINE(2) LINE(3) LINE(4));
	ck_assert_int_eq(channel_step(ch, 0), CHANNEL_STORE);
	ck_assert(!channel_wants_read(ch, 0));         /* pending */
	ck_assert_int_eq(channel_step(ch, 0), CHANNEL_IDLE);
	ck_assert_int_eq(channel_stored(ch, 0, NULL), 0);
	ck_assert_int_eq(channel_step(ch, 0), CHANNEL_STORE);
	ck_assert_int_eq(channel_stored(ch, 0, NULL), 0);
	ck_assert_int_eq(channel_step(ch, 0), CHANNEL_LIMITED);
	ck_assert_uint_eq(ch->limited, 1);
	ck_assert_uint_eq(ch->resume_usec, SEC / 2);
	expect_out(ch, OK(1) OK(2) E429);
	/* Paused: no reading, no parsing. */
	ck_assert(!channel_wants_read(ch, SEC / 4));
	ck_assert_int_eq(channel_step(ch, SEC / 4), CHANNEL_IDLE);
	expect_out(ch, "");
	/* Resumed: event 3 was dropped (the guest resends it), 4 is next. */
	ck_assert(channel_wants_read(ch, SEC / 2));
	ck_assert_int_eq(channel_step(ch, SEC / 2), CHANNEL_STORE);
	ck_assert_int_eq(channel_stored(ch, 0, NULL), 0);
	expect_out(ch, OK(4));
	ck_assert_int_eq(channel_step(ch, SEC / 2), CHANNEL_IDLE);
}
END_TEST

/* Refusals take tokens too: a flood of bad lines is limited like good. */
START_TEST(test_refusals_take_tokens)
{
	struct channel_limits l = { .rate = 1, .burst = 1,
				    .max_event = 65536 };
	_cleanup_(channel_freep) struct channel *ch = NULL;

	ch = channel_new(-1, "vdc", "u", &l, 0);
	feed(ch, "id=0 description=x\nid=0 description=x\n");
	ck_assert_int_eq(channel_step(ch, 0), CHANNEL_REFUSED);
	ck_assert_int_eq(ch->last_code, WIRE_BAD);
	ck_assert_str_eq(ch->last_reason, "invalid event id '0': must be 1..65535");
	ck_assert_int_eq(channel_step(ch, 0), CHANNEL_LIMITED);
	expect_out(ch, "ERR 400 invalid event id '0': must be 1..65535\n" E429);
}
END_TEST

/* An event the journal did not take is answered 503, and the next one is
 * served. */
START_TEST(test_store_failure)
{
	struct channel_limits l = { .rate = 100, .burst = 100,
				    .max_event = 65536 };
	_cleanup_(channel_freep) struct channel *ch = NULL;

	ch = channel_new(-1, "vdc", "u", &l, 0);
	feed(ch, LINE(1) LINE(2));
	ck_assert_int_eq(channel_step(ch, 0), CHANNEL_STORE);
	ck_assert_int_eq(channel_stored(ch, -ETIMEDOUT, "not stored: retry"), 0);
	ck_assert_int_eq(channel_step(ch, 0), CHANNEL_STORE);
	ck_assert_int_eq(channel_stored(ch, 0, NULL), 0);
	expect_out(ch, "ERR 503 not stored: retry\n" OK(2));
}
END_TEST

/* A guest that never reads its answers stops being read. */
START_TEST(test_unread_answers)
{
	struct channel_limits l = { .rate = 1000000, .burst = 1000000,
				    .max_event = 65536 };
	_cleanup_(channel_freep) struct channel *ch = NULL;
	size_t len, n = 0;

	ch = channel_new(-1, "vdc", "u", &l, 0);
	for (;;) {
		int r;

		if (!channel_wants_read(ch, 0))
			break;
		feed(ch, "id=1\n");
		while ((r = channel_step(ch, 0)) == CHANNEL_REFUSED)
			n++;
		ck_assert_int_eq(r, CHANNEL_IDLE);
	}
	channel_out(ch, &len);
	ck_assert_uint_ge(len, CHANNEL_OUT_MAX);
	ck_assert_uint_lt(len, CHANNEL_OUT_MAX + 100);
	ck_assert_uint_gt(n, 100);
	channel_out_sent(ch, len);
	ck_assert(channel_wants_read(ch, 0));
}
END_TEST

START_TEST(test_identity_limits)
{
	struct channel_limits l = { .rate = 1, .burst = 1, .max_event = 64 };
	char name[CHANNEL_NAME_MAX + 2];

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	ck_assert_ptr_null(channel_new(-1, name, "u", &l, 0));
	name[CHANNEL_NAME_MAX] = '\0';
	channel_free(channel_new(-1, name, "u", &l, 0));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("listen_channel");
	TCase *tc = tcase_create("channel");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_bucket, 0, ELEMENTSOF(bucket_cases));
	tcase_add_test(tc, test_bucket_extremes);
	tcase_add_test(tc, test_rate_limit_pauses);
	tcase_add_test(tc, test_refusals_take_tokens);
	tcase_add_test(tc, test_store_failure);
	tcase_add_test(tc, test_unread_answers);
	tcase_add_test(tc, test_identity_limits);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
