/* Check suite for lib/fileio.c: reading whole files, the write-beside
 * commit, and what a failed write leaves (nothing). */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "macro.h"

static char dir[] = "/tmp/test_fileio.XXXXXX";

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(dir, "/tmp/test_fileio.XXXXXX");
}

/* The number of entries in dir other than . and .. */
static int
entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static char *
path_in(const char *name)
{
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
	return p;
}

START_TEST(test_beside_commit)
{
	_cleanup_(freep) char *path = path_in("disk.img"), *text = NULL;
	struct file_beside b = FILE_BESIDE_INIT;
	const char *base;

	ck_assert_int_eq(write_file_atomic(path, "old", 3, 0644), 0);
	ck_assert_int_eq(file_beside_open(path, "compact", &b), 0);
	ck_assert_int_ge(b.fd, 0);
	base = strrchr(b.path, '/') + 1;
	ck_assert(file_is_beside_name(base, "compact"));
	ck_assert(!file_is_beside_name(base, "archive"));
	ck_assert(!file_is_beside_name("disk.img", "compact"));
	ck_assert_int_eq(write_all(b.fd, "new!", 4), 0);
	ck_assert_int_eq(entries(), 2);
	ck_assert_int_eq(file_beside_commit(&b, path, true), 0);
	ck_assert_ptr_null(b.path);
	ck_assert_int_ge(b.fd, 0);
	file_beside_discard(&b);
	ck_assert_int_eq(b.fd, -1);
	ck_assert_int_eq(entries(), 1);
	ck_assert_int_eq(read_file(path, 100, &text, NULL), 0);
	ck_assert_str_eq(text, "new!");
}
END_TEST

/* The name the disk actions' crash recovery looks for, for a base name with
 * a space in it. */
START_TEST(test_beside_name)
{
	_cleanup_(freep) char *target = path_in("disk one.qcow2");
	struct file_beside b = FILE_BESIDE_INIT;
	const char *base;

	ck_assert_int_eq(file_beside_open(target, "compact", &b), 0);
	ck_assert_int_eq(strncmp(b.path, dir, strlen(dir)), 0);
	base = strrchr(b.path, '/') + 1;
	ck_assert_int_eq(strncmp(base, ".disk one.qcow2.evt-compact.", 28), 0);
	ck_assert_uint_eq(strlen(base), 28 + 6);
	ck_assert(file_is_beside_name(base, "compact"));
	ck_assert(!file_is_beside_name("disk one.qcow2", "compact"));
	ck_assert_int_eq(file_beside_commit(&b, target, true), 0);
	ck_assert_int_eq(access(target, F_OK), 0);
	ck_assert_int_eq(entries(), 1);
	file_beside_discard(&b);
	ck_assert_int_eq(access(target, F_OK), 0);
}
END_TEST

START_TEST(test_beside_discard)
{
	_cleanup_(freep) char *path = path_in("a");
	struct file_beside b = FILE_BESIDE_INIT;

	file_beside_discard(&b);        /* FILE_BESIDE_INIT is fine */
	file_beside_discard(NULL);
	ck_assert_int_eq(file_beside_open(path, "t", &b), 0);
	ck_assert_int_eq(entries(), 1);
	errno = EXDEV;
	file_beside_discard(&b);
	ck_assert_int_eq(errno, EXDEV);
	ck_assert_int_eq(entries(), 0);
	ck_assert_int_eq(file_beside_open("/nonexistent-dir/x", "t", &b),
			 -ENOENT);
	ck_assert_int_eq(b.fd, -1);
	ck_assert_int_eq(file_beside_open("x/", "t", &b), -EINVAL);
}
END_TEST

static int
fill_fails(int fd, const char *tmp, void *userdata)
{
	int *calls = userdata;

	(*calls)++;
	ck_assert_int_eq(access(tmp, F_OK), 0);
	ck_assert_int_eq(write_all(fd, "partial", 7), 0);
	return -EILSEQ;         /* the verification found a difference */
}

static int
fill_ok(int fd, const char *tmp, void *userdata)
{
	return write_all(fd, userdata, strlen(userdata));
}

START_TEST(test_commit_beside)
{
	_cleanup_(freep) char *path = path_in("sum"), *text = NULL;
	int calls = 0;

	ck_assert_int_eq(write_file_atomic(path, "before", 6, 0644), 0);
	ck_assert_int_eq(file_commit_beside(path, "archive", fill_fails,
					    &calls), -EILSEQ);
	ck_assert_int_eq(calls, 1);
	ck_assert_int_eq(entries(), 1);
	ck_assert_int_eq(read_file(path, 100, &text, NULL), 0);
	ck_assert_str_eq(text, "before");
	free(TAKE_PTR(text));
	ck_assert_int_eq(file_commit_beside(path, "archive", fill_ok,
					    (void *)"after"), 0);
	ck_assert_int_eq(entries(), 1);
	ck_assert_int_eq(read_file(path, 100, &text, NULL), 0);
	ck_assert_str_eq(text, "after");
}
END_TEST

START_TEST(test_atomic)
{
	_cleanup_(freep) char *path = path_in("rule"), *text = NULL;
	struct stat st;
	size_t len;

	ck_assert_int_eq(write_file_atomic_new(path, "one", 3, 0640), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0640);
	ck_assert_int_eq(write_file_atomic_new(path, "two", 3, 0640), -EEXIST);
	ck_assert_int_eq(entries(), 1);
	ck_assert_int_eq(write_file_atomic(path, "three", 5, 0600), 0);
	ck_assert_int_eq(read_file(path, 100, &text, &len), 0);
	ck_assert_str_eq(text, "three");
	ck_assert_uint_eq(len, 5);
	ck_assert_int_eq(entries(), 1);
}
END_TEST

START_TEST(test_read_refuses)
{
	_cleanup_(freep) char *fifo = path_in("fifo"), *big = path_in("big");
	char *text = NULL;

	ck_assert_int_eq(read_file(dir, 100, &text, NULL), -EISDIR);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(read_file(fifo, 100, &text, NULL), -EBADFD);
	ck_assert_int_eq(write_file_atomic(big, "12345", 5, 0600), 0);
	ck_assert_int_eq(read_file(big, 4, &text, NULL), -EFBIG);
	ck_assert_ptr_null(text);
	ck_assert_int_eq(read_file(big, 5, &text, NULL), 0);
	free(text);
	ck_assert_int_eq(fsync_dir(dir), 0);
	ck_assert_int_eq(fsync_parent_dir(big), 0);
	ck_assert_int_eq(fsync_dir(big), -ENOTDIR);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("fileio");
	TCase *tc = tcase_create("fileio");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_beside_commit);
	tcase_add_test(tc, test_beside_name);
	tcase_add_test(tc, test_beside_discard);
	tcase_add_test(tc, test_commit_beside);
	tcase_add_test(tc, test_atomic);
	tcase_add_test(tc, test_read_refuses);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
