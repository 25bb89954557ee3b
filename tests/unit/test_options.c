/* Check suite for lib/options.c: typed rule option values. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "options.h"

static const struct {
	const char *in;
	int r;
	uint64_t usec;
} duration_cases[] = {
	{ "90", 0, 90000000ULL },
	{ "90s", 0, 90000000ULL },
	{ "15m", 0, 900000000ULL },
	{ "2h", 0, 7200000000ULL },
	{ "1d", 0, 86400000000ULL },
	{ "500ms", 0, 500000ULL },
	{ "1h 30m", 0, 5400000000ULL },
	{ "", -EINVAL, 0 },
	{ "m", -EINVAL, 0 },
	{ "5x", -EINVAL, 0 },
	{ "-5s", -EINVAL, 0 },
	{ "99999999999999999999", -ERANGE, 0 },
};

START_TEST(test_duration)
{
	uint64_t v = 0;
	int r = parse_duration(duration_cases[_i].in, &v);

	ck_assert_msg(r == duration_cases[_i].r, "'%s': r=%d",
		      duration_cases[_i].in, r);
	if (r == 0)
		ck_assert_uint_eq(v, duration_cases[_i].usec);
}
END_TEST

static const struct {
	const char *in;
	int r;
	uint64_t bytes;
} size_cases[] = {
	{ "4096", 0, 4096 },
	{ "10K", 0, 10240 },
	{ "20M", 0, 20971520 },
	{ "1G", 0, 1073741824ULL },
	{ "1GiB", 0, 1073741824ULL },
	{ "2T", 0, 2199023255552ULL },
	{ "1.5G", -EINVAL, 0 },
	{ "G", -EINVAL, 0 },
};

START_TEST(test_size)
{
	uint64_t v = 0;
	int r = parse_size(size_cases[_i].in, &v);

	ck_assert_msg(r == size_cases[_i].r, "'%s': r=%d", size_cases[_i].in, r);
	if (r == 0)
		ck_assert_uint_eq(v, size_cases[_i].bytes);
}
END_TEST

START_TEST(test_bool_int)
{
	int b = -1;
	int64_t i = 0;

	ck_assert_int_eq(parse_bool("Yes", &b), 0);
	ck_assert_int_eq(b, 1);
	ck_assert_int_eq(parse_bool("off", &b), 0);
	ck_assert_int_eq(b, 0);
	ck_assert_int_eq(parse_bool("maybe", &b), -EINVAL);
	ck_assert_int_eq(parse_int("-42", &i), 0);
	ck_assert_int_eq(i, -42);
	ck_assert_int_eq(parse_int("4x", &i), -EINVAL);
	ck_assert_int_eq(parse_int(" 4", &i), -EINVAL);
	ck_assert_int_eq(parse_int("9223372036854775808", &i), -ERANGE);
}
END_TEST

START_TEST(test_words)
{
	_cleanup_(strv_freep) char **w = NULL;
	size_t n = 0;

	ck_assert_int_eq(parse_words("*swap*  \"*wsus data*\" a\\\"b", &w, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(w[0], "*swap*");
	ck_assert_str_eq(w[1], "*wsus data*");
	ck_assert_str_eq(w[2], "a\"b");
	ck_assert_ptr_null(w[3]);
	strv_free(TAKE_PTR(w));
	ck_assert_int_eq(parse_words("   ", &w, &n), 0);
	ck_assert_uint_eq(n, 0);
	strv_free(TAKE_PTR(w));
	ck_assert_int_eq(parse_words("\"open", &w, &n), -EINVAL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("parse");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_duration, 0, ELEMENTSOF(duration_cases));
	tcase_add_loop_test(tc, test_size, 0, ELEMENTSOF(size_cases));
	tcase_add_test(tc, test_bool_int);
	tcase_add_test(tc, test_words);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
