/* Check suite for lib/time.c: clocks, saturating deadlines, durations. */
#include <check.h>
#include <string.h>

#include "macro.h"
#include "time.h"

static const struct {
	uint64_t usec;
	const char *duration, *seconds;
} format_cases[] = {
	{ 0, "0ms", "0.000s" },
	{ 250000, "250ms", "0.250s" },
	{ 1500000, "1.500s", "1.500s" },
	{ 59999000, "59.999s", "59.999s" },
	{ 125000000, "2m 5s", "125.000s" },
	{ 3723000000ULL, "1h 2m 3s", "3723.000s" },
};

START_TEST(test_format)
{
	char buf[64];

	ck_assert_str_eq(format_duration(format_cases[_i].usec, buf,
					 sizeof(buf)),
			 format_cases[_i].duration);
	ck_assert_str_eq(format_seconds(format_cases[_i].usec, buf,
					sizeof(buf)),
			 format_cases[_i].seconds);
}
END_TEST

START_TEST(test_clocks)
{
	uint64_t a = now_usec(CLOCK_MONOTONIC), b = now_usec(CLOCK_MONOTONIC);
	uint64_t rt = now_usec(CLOCK_REALTIME);

	ck_assert_uint_gt(a, 0);
	ck_assert_uint_ge(b, a);
	/* After 2020-01-01: the realtime clock is in microseconds. */
	ck_assert_uint_gt(rt, 1577836800ULL * USEC_PER_SEC);
	ck_assert_uint_lt(rt, 4102444800ULL * USEC_PER_SEC);
	ck_assert_uint_eq(now_usec((clockid_t)-42), 0);
}
END_TEST

START_TEST(test_saturating)
{
	uint64_t now = now_usec(CLOCK_MONOTONIC);

	ck_assert_uint_eq(usec_add(1, 2), 3);
	ck_assert_uint_eq(usec_add(UINT64_MAX - 1, 5), USEC_INFINITY);
	ck_assert_uint_eq(usec_add(5, UINT64_MAX), USEC_INFINITY);
	ck_assert_uint_eq(deadline_after(USEC_INFINITY), USEC_INFINITY);
	ck_assert_uint_eq(deadline_after(UINT64_MAX - 1), USEC_INFINITY);
	ck_assert_uint_ge(deadline_after(10 * USEC_PER_SEC),
			  now + 10 * USEC_PER_SEC);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("time");
	TCase *tc = tcase_create("time");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_format, 0, ELEMENTSOF(format_cases));
	tcase_add_test(tc, test_clocks);
	tcase_add_test(tc, test_saturating);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
