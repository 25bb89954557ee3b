/* Check suite for lib/report.c: one line on stderr, the error handed back. */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "report.h"

/* Calls report_errno or report_error with stderr into a file; returns what
 * was printed. */
static char *
captured(bool with_errno, int r, int *ret)
{
	char path[] = "/tmp/test_report.XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	char *text = calloc(1, 512);

	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	dup2(fd, 2);
	errno = EXDEV;
	*ret = with_errno ? report_errno(r, "cannot open '%s'", "x.rule") :
			    report_error(r, "invalid event id '%d'", 0);
	ck_assert_int_eq(errno, EXDEV);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	ck_assert_int_ge(pread(fd, text, 511, 0), 0);
	close(fd);
	unlink(path);
	return text;
}

START_TEST(test_report)
{
	char *t;
	int r;

	t = captured(true, -ENOENT, &r);
	ck_assert_int_eq(r, -ENOENT);
	ck_assert_str_eq(t, "test_report: cannot open 'x.rule': "
			    "No such file or directory\n");
	free(t);
	t = captured(true, 0, &r);
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(t, "test_report: cannot open 'x.rule'\n");
	free(t);
	t = captured(false, 3, &r);
	ck_assert_int_eq(r, 3);
	ck_assert_str_eq(t, "test_report: invalid event id '0'\n");
	free(t);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("report");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_report);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
