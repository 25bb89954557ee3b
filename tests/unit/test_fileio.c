/* Check suite for lib/fileio.c: atomic replacement and whole-file reads. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"

static char dir[] = "/tmp/test_fileio.XXXXXX";

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static size_t
count_entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

START_TEST(test_write_replace_read)
{
	char path[256], *buf = NULL;
	size_t len = 0;
	struct stat st;

	snprintf(path, sizeof(path), "%s/state", dir);
	ck_assert_int_eq(read_file(path, 100, &buf, &len), -ENOENT);
	ck_assert_int_eq(write_file_atomic(path, "one\n", 4, 0600), 0);
	ck_assert_int_eq(write_file_atomic(path, "second\n", 7, 0644), 0);
	ck_assert_int_eq(read_file(path, 100, &buf, &len), 0);
	ck_assert_str_eq(buf, "second\n");
	ck_assert_uint_eq(len, 7);
	free(buf);
	buf = NULL;
	ck_assert_int_eq(stat(path, &st), 0);
	/* nothing left beside it */
	ck_assert_uint_eq(count_entries(), 1);
	ck_assert_int_eq(read_file(path, 3, &buf, &len), -EFBIG);
	ck_assert_ptr_null(buf);
	unlink(path);
}
END_TEST

START_TEST(test_write_into_missing_dir)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/nope/state", dir);
	ck_assert_int_eq(write_file_atomic(path, "x", 1, 0600), -ENOENT);
	ck_assert_uint_eq(count_entries(), 0);
}
END_TEST

START_TEST(test_read_empty_and_big)
{
	char path[256], *buf = NULL, *big;
	size_t len = 1;

	snprintf(path, sizeof(path), "%s/empty", dir);
	ck_assert_int_eq(write_file_atomic(path, "", 0, 0600), 0);
	ck_assert_int_eq(read_file(path, 10, &buf, &len), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_uint_eq(len, 0);
	free(buf);

	big = malloc(100000);
	ck_assert_ptr_nonnull(big);
	memset(big, 'a', 100000);
	ck_assert_int_eq(write_file_atomic(path, big, 100000, 0600), 0);
	ck_assert_int_eq(read_file(path, 100000, &buf, &len), 0);
	ck_assert_uint_eq(len, 100000);
	ck_assert(memcmp(buf, big, 100000) == 0);
	free(buf);
	free(big);
	unlink(path);
}
END_TEST

static void
teardown(void)
{
	rmdir(dir);
}

int
main(void)
{
	Suite *s = suite_create("fileio");
	TCase *tc = tcase_create("fileio");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_write_replace_read);
	tcase_add_test(tc, test_write_into_missing_dir);
	tcase_add_test(tc, test_read_empty_and_big);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
