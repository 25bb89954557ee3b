/* Check suite for evtrigger/watch/cursor.c: the stored journal position. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "watch/cursor.h"
#include "fileio.h"

static const char good[] =
	"s=0f1c2b3a4d5e6f708192a3b4c5d6e7f8;i=1a2;b=9a8b7c6d5e4f30211203f4e5d6c7b8a9;"
	"m=3b9aca0;t=5f1e2d3c4b5a6;x=1234567890abcdef";

static const struct {
	const char *text;
	int r;
} check_cases[] = {
	{ good, 0 },
	{ "", -EBADMSG },
	{ "hello", -EBADMSG },
	{ "s=abc", -EBADMSG },
	{ "s=abc;i=1 2", -EBADMSG },
	{ "s=abc;i=1\n", -EBADMSG },
	{ "s=abc;i=1", 0 },
};

START_TEST(test_check)
{
	ck_assert_int_eq(cursor_check(check_cases[_i].text), check_cases[_i].r);
}
END_TEST

START_TEST(test_store_load)
{
	char dir[] = "/tmp/test_cursor.XXXXXX", path[256];
	char *c = NULL;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(cursor_load(dir, &c), -ENOENT);
	ck_assert_int_eq(cursor_store(dir, "not a cursor"), -EINVAL);
	ck_assert_int_eq(cursor_store(dir, "s=1;i=1"), 0);
	ck_assert_int_eq(cursor_store(dir, good), 0);
	ck_assert_int_eq(cursor_load(dir, &c), 0);
	ck_assert_str_eq(c, good);
	free(c);
	c = NULL;

	/* a damaged file is reported, not used */
	snprintf(path, sizeof(path), "%s/%s", dir, CURSOR_FILE);
	ck_assert_int_eq(write_file_atomic(path, "garbage\n", 8, 0600), 0);
	ck_assert_int_eq(cursor_load(dir, &c), -EBADMSG);
	ck_assert_int_eq(write_file_atomic(path, "s=1;i=1\0x", 9, 0600), 0);
	ck_assert_int_eq(cursor_load(dir, &c), -EBADMSG);
	ck_assert_ptr_null(c);
	unlink(path);
	rmdir(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("cursor");
	TCase *tc = tcase_create("cursor");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_check, 0,
			    sizeof(check_cases) / sizeof(check_cases[0]));
	tcase_add_test(tc, test_store_load);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
