/* Check suite for lib/strv.c: string vectors. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "strv.h"

START_TEST(test_grow)
{
	_cleanup_(strv_freep) char **v = NULL;
	size_t n = 0;

	ck_assert_uint_eq(strv_length(v), 0);
	ck_assert_int_eq(strv_extend(&v, &n, "one"), 0);
	ck_assert_int_eq(strv_push(&v, &n, strdup("two")), 0);
	ck_assert_int_eq(strv_extendf(&v, &n, "%s=%d", "N", 3), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(strv_length(v), 3);
	ck_assert_str_eq(v[0], "one");
	ck_assert_str_eq(v[1], "two");
	ck_assert_str_eq(v[2], "N=3");
	ck_assert_ptr_null(v[3]);
	ck_assert(strv_has(v, n, "two"));
	ck_assert(!strv_has(v, n, "tw"));
	/* Only the first n count: how a parser finds a duplicate so far. */
	ck_assert(!strv_has(v, 1, "two"));
	ck_assert(!strv_has(NULL, 0, "one"));
}
END_TEST

START_TEST(test_push_null)
{
	_cleanup_(strv_freep) char **v = NULL;
	size_t n = 0;

	/* A failed strdup()/asprintf() passed straight in. */
	ck_assert_int_eq(strv_push(&v, &n, NULL), -ENOMEM);
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(n, 0);
	strv_free(NULL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("strv");
	TCase *tc = tcase_create("strv");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_grow);
	tcase_add_test(tc, test_push_null);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
