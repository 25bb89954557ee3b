/* Check suite for evtrigger/jobs/progress-limit.c: which progress reports
 * become STEP_PROGRESS events. The cases are data: a sequence of reports
 * (item, percent, time in seconds) and whether each is logged. */
#include <check.h>
#include <stdio.h>

#include "jobs/progress-limit.h"

#define S 1000000ULL

struct report {
	const char *item;
	unsigned percent;
	uint64_t at_s;
	bool logged;
};

struct seq {
	const char *what;
	struct report r[16];
	size_t n;
};

static const struct seq seqs[] = {
	{ "the first report is logged, the same percent again is not",
	  { { NULL, 0, 0, true }, { NULL, 0, 9, false } }, 2 },
	{ "every percent of a fast disk: first, then only 100",
	  { { "a", 0, 0, true }, { "a", 1, 0, false }, { "a", 9, 0, false },
	    { "a", 10, 1, false }, { "a", 50, 2, false }, { "a", 99, 3, false },
	    { "a", 100, 3, true } }, 7 },
	{ "a slow disk: every 10 % once 5 s have passed",
	  { { "a", 0, 0, true }, { "a", 5, 5, false }, { "a", 10, 6, true },
	    { "a", 15, 20, false }, { "a", 20, 21, true },
	    { "a", 30, 22, false }, { "a", 31, 27, true } }, 7 },
	{ "a big jump after 5 s is one event",
	  { { "a", 0, 0, true }, { "a", 80, 10, true }, { "a", 89, 20, false },
	    { "a", 90, 30, true } }, 4 },
	{ "100 % is logged once",
	  { { "a", 0, 0, true }, { "a", 100, 0, true }, { "a", 100, 9, false } },
	  3 },
	{ "another item is a first report",
	  { { "a", 0, 0, true }, { "a", 100, 1, true }, { "b", 0, 1, true },
	    { "b", 3, 1, false }, { "b", 100, 2, true } }, 5 },
	{ "an item after none, and none after an item",
	  { { NULL, 40, 0, true }, { "a", 40, 0, true }, { NULL, 40, 0, true } },
	  3 },
	{ "percent over 100 counts as 100",
	  { { NULL, 0, 0, true }, { NULL, 250, 0, true },
	    { NULL, 100, 1, false } }, 3 },
};

START_TEST(test_sequences)
{
	const struct seq *q = &seqs[_i];
	struct progress_limit l;

	progress_limit_reset(&l);
	for (size_t k = 0; k < q->n; k++) {
		const struct report *r = &q->r[k];
		bool got = progress_limit_want(&l, r->item, r->percent,
					       1000 * S + r->at_s * S);

		ck_assert_msg(got == r->logged, "%s: report %zu (%u%% at %llus)"
			      ": %s", q->what, k, r->percent,
			      (unsigned long long)r->at_s,
			      got ? "logged" : "not logged");
	}
}
END_TEST

START_TEST(test_reset_starts_a_new_step)
{
	struct progress_limit l;

	progress_limit_reset(&l);
	ck_assert(progress_limit_want(&l, "a", 50, 0));
	ck_assert(!progress_limit_want(&l, "a", 60, 1));
	progress_limit_reset(&l);
	ck_assert(progress_limit_want(&l, "a", 60, 1));
}
END_TEST

/* A 64 MiB disk reported at every percent within a second gives two
 * events, not one per percent. */
START_TEST(test_every_percent_is_two_events)
{
	struct progress_limit l;
	unsigned n = 0;

	progress_limit_reset(&l);
	for (unsigned p = 0; p <= 100; p++)
		n += progress_limit_want(&l, "disk", p, p * 10000ULL);
	ck_assert_uint_eq(n, 2);
}
END_TEST

/* A long job, one percent every 2 s: one event per 10 %, 12 in all. */
START_TEST(test_slow_job_every_ten_percent)
{
	struct progress_limit l;
	unsigned n = 0;

	progress_limit_reset(&l);
	for (unsigned p = 0; p <= 100; p++)
		n += progress_limit_want(&l, "disk", p, p * 2 * S);
	ck_assert_uint_eq(n, 11);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("progress_limit");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_sequences, 0,
			    sizeof(seqs) / sizeof(seqs[0]));
	tcase_add_test(tc, test_reset_starts_a_new_step);
	tcase_add_test(tc, test_every_percent_is_two_events);
	tcase_add_test(tc, test_slow_job_every_ten_percent);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
