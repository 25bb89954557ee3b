/* Check suite for actions/util/diskfile.c: skip patterns, archive names,
 * zero-block runs, data maps and image locks. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/diskfile.h"

static const char *const skip_patterns[] = { "*swap*", "*wsus data*", "vdz" };

static const struct {
	const char *source, *target, *match;
} skip_cases[] = {
	{ "/vm/vdc-swap.qcow2", "vdb", "*swap*" },
	{ "/vm/wsus data.raw", "vdc", "*wsus data*" },
	{ "/vm/data.qcow2", "vdz", "vdz" },
	{ "/vm/data.qcow2", "vda", NULL },
	{ NULL, "vdz", "vdz" },
	{ NULL, "hdc", NULL },
	{ "/swapdir/root.qcow2", "vda", "*swap*" },     /* whole path */
};

START_TEST(test_skip)
{
	const char *m = disk_skip_match(skip_patterns, ELEMENTSOF(skip_patterns),
					skip_cases[_i].source,
					skip_cases[_i].target);

	if (skip_cases[_i].match == NULL)
		ck_assert_ptr_null(m);
	else
		ck_assert_str_eq(m, skip_cases[_i].match);
}
END_TEST

static const struct {
	const char *pattern, *vm;
	int r;
	const char *out;
} name_cases[] = {
	{ "%Y-%m-%d {vm}.tar.zst", "vdc", 0, "2026-03-07 vdc.tar.zst" },
	{ "{vm}-{vm}-%H%M.tar", "a", 0, "a-a-0405.tar" },
	{ "backup.tar", "vdc", 0, "backup.tar" },
	{ "%Y/{vm}.tar", "vdc", -EINVAL, NULL },
	{ "{vm}.tar", "a/b", -EINVAL, NULL },
	{ "{vm}.tar", "", -EINVAL, NULL },
	{ ".{vm}.tar", "vdc", -EINVAL, NULL },
	{ "", "vdc", -EINVAL, NULL },
	{ "{vm}", "..", -EINVAL, NULL },
	{ "x\ty", "vdc", -EINVAL, NULL },
};

START_TEST(test_name)
{
	struct tm tm = { .tm_year = 126, .tm_mon = 2, .tm_mday = 7,
			 .tm_hour = 4, .tm_min = 5 };
	char *out = NULL;
	int r = disk_expand_name(name_cases[_i].pattern, &tm, name_cases[_i].vm,
				 &out);

	ck_assert_msg(r == name_cases[_i].r, "'%s': r=%d",
		      name_cases[_i].pattern, r);
	if (r == 0)
		ck_assert_str_eq(out, name_cases[_i].out);
	else
		ck_assert_ptr_null(out);
	free(out);
}
END_TEST

static const struct {
	const char *pattern, *vm, *name;
	bool match;
} match_cases[] = {
	{ "%Y-%m-%d {vm}.tar.zst", "vdc", "2026-03-07 vdc.tar.zst", true },
	{ "%Y-%m-%d {vm}.tar.zst", "vdc", "2026-03-07 vdc2.tar.zst", false },
	{ "%Y-%m-%d {vm}.tar.zst", "vdc", "2026-03-07 vdc.tar.zst.sha256", false },
	{ "%Y-%m-%d {vm}.tar.zst", "vdc", "notes 2026-03-07 vdc.tar.zst", false },
	{ "%Y-%m-%d {vm}.tar.zst", "vdc", "20x6-03-07 vdc.tar.zst", false },
	{ "%Y-%m-%d {vm}.tar.zst", "v*", "2026-03-07 vdc.tar.zst", false },
	{ "%Y-%m-%d {vm}.tar.zst", "v*", "2026-03-07 v*.tar.zst", true },
	/* %a's output is not digits: such a pattern matches nothing. */
	{ "{vm}-%a.tar", "vdc", "vdc-Sat.tar", false },
	{ "{vm}-%e.tar", "vdc", "vdc- 7.tar", false },
	/* %F is %Y-%m-%d, not anything: VM web's keep never takes web-db's. */
	{ "{vm}-%F.tar.zst", "web", "web-2026-11-22.tar.zst", true },
	{ "{vm}-%F.tar.zst", "web", "web-db-2026-11-22.tar.zst", false },
	{ "{vm}-%F_%T.tar", "web", "web-2026-11-22_04:05:06.tar", true },
	{ "{vm}-%F_%T.tar", "web", "web-2026-11-22_db.tar", false },
	{ "{vm}-100%%.tar", "vdc", "vdc-100%.tar", true },
	{ "backup.tar", "vdc", "backup.tar", true },
	{ "backup.tar", "vdc", "backup2.tar", false },
};

START_TEST(test_name_matches)
{
	ck_assert_msg(disk_name_matches(match_cases[_i].pattern,
					match_cases[_i].vm,
					match_cases[_i].name) ==
		      match_cases[_i].match, "%s / %s", match_cases[_i].pattern,
		      match_cases[_i].name);
}
END_TEST

struct runs {
	uint64_t off[8], len[8];
	size_t n;
};

static void
add_run(uint64_t off, uint64_t len, void *userdata)
{
	struct runs *r = userdata;

	ck_assert_uint_lt(r->n, 8);
	r->off[r->n] = off;
	r->len[r->n++] = len;
}

static const struct {
	const char *pattern;
	int at;         /* offset of the conversion reported, -1 for none */
} unmatchable_cases[] = {
	{ "%Y-%m-%d {vm}.tar.zst", -1 },
	{ "{vm}-%F_%T-%y%H%M%S.tar", -1 },
	{ "{vm}-100%%.tar", -1 },
	{ "{vm}-%%a.tar", -1 },
	{ "backup.tar%", -1 },
	{ "{vm}-%a.tar", 5 },
	{ "%Y-%-m {vm}", 3 },
	{ "%F %j {vm}", 3 },
};

START_TEST(test_name_unmatchable)
{
	const char *pat = unmatchable_cases[_i].pattern;
	const char *bad = disk_name_unmatchable(pat);

	if (unmatchable_cases[_i].at < 0)
		ck_assert_msg(bad == NULL, "%s: %s", pat, bad);
	else
		ck_assert_msg(bad == pat + unmatchable_cases[_i].at, "%s: %s",
			      pat, bad != NULL ? bad : "(null)");
}
END_TEST

START_TEST(test_zero_runs)
{
	static unsigned char buf[8 * 4096];
	struct runs r = {};

	memset(buf, 0, sizeof(buf));
	buf[4096 + 17] = 1;              /* block 1 has data */
	buf[5 * 4096 + 4095] = 0xff;     /* block 5 too, last byte */
	ck_assert_uint_eq(disk_zero_runs(buf, sizeof(buf), 4096, 1 << 20,
					 add_run, &r), 6 * 4096);
	ck_assert_uint_eq(r.n, 3);
	ck_assert_uint_eq(r.off[0], 1 << 20);
	ck_assert_uint_eq(r.len[0], 4096);
	ck_assert_uint_eq(r.off[1], (1 << 20) + 2 * 4096);
	ck_assert_uint_eq(r.len[1], 3 * 4096);
	ck_assert_uint_eq(r.off[2], (1 << 20) + 6 * 4096);
	ck_assert_uint_eq(r.len[2], 2 * 4096);

	memset(buf, 7, sizeof(buf));
	r.n = 0;
	ck_assert_uint_eq(disk_zero_runs(buf, sizeof(buf), 4096, 0, add_run,
					 &r), 0);
	ck_assert_uint_eq(r.n, 0);
}
END_TEST

/* A real sparse file on /tmp: data at 1 MiB and 5..6 MiB of 8 MiB. */
START_TEST(test_data_map)
{
	char path[] = "/tmp/evt-map.XXXXXX";
	static char data[1 << 20];
	struct disk_extent *map = NULL;
	size_t n = 0;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	unlink(path);
	memset(data, 0x5a, sizeof(data));
	ck_assert_int_eq(ftruncate(fd, 8 << 20), 0);
	ck_assert_int_eq(pwrite(fd, data, 4096, 1 << 20), 4096);
	ck_assert_int_eq(pwrite(fd, data, sizeof(data), 5 << 20), sizeof(data));
	ck_assert_int_eq(disk_data_map(fd, 8 << 20, &map, &n), 0);
	ck_assert_uint_ge(n, 1);
	/* File systems may round to their block size; the data is covered. */
	ck_assert_uint_le(map[0].offset, 1 << 20);
	ck_assert_uint_ge(map[0].offset + map[0].length, (1 << 20) + 4096);
	ck_assert_uint_le(map[n - 1].offset, 5 << 20);
	ck_assert_uint_ge(map[n - 1].offset + map[n - 1].length, 6 << 20);
	free(map);
	map = NULL;
	ck_assert_int_eq(ftruncate(fd, 0), 0);
	ck_assert_int_eq(ftruncate(fd, 1 << 20), 0);
	ck_assert_int_eq(disk_data_map(fd, 1 << 20, &map, &n), 0);
	ck_assert_uint_eq(n, 0);
	close(fd);
}
END_TEST

/* Runs a shell command made of a literal format and the image path. */
#define sh(fmt, img)                                      \
	({                                                \
		char _cmd[512];                           \
		snprintf(_cmd, sizeof(_cmd), fmt, img);   \
		system(_cmd);                             \
	})

/* The exclusive lock keeps the real qemu-img out, and qemu-img's keeps
 * ours out. */
START_TEST(test_lock_exclusive)
{
	char dir[] = "/tmp/evt-lock.XXXXXX", img[64];
	int fd, fd2, fd3;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(img, sizeof(img), "%s/a.qcow2", dir);
	ck_assert_int_eq(sh("qemu-img create -q -f qcow2 %s 1M", img), 0);
	fd = open(img, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(disk_lock_image(fd, true), 0);
	ck_assert_int_ne(sh("qemu-img info %s >/dev/null 2>&1", img), 0);
	/* Another open file description sees it held, even to read. */
	fd2 = open(img, O_RDWR);
	ck_assert_int_eq(disk_lock_image(fd2, true), -EBUSY);
	ck_assert_int_eq(disk_lock_image(fd2, false), -EBUSY);
	/* The failed attempts left nothing behind: once fd is closed, a third
	 * one locks it while fd2 is still open. */
	fd3 = open(img, O_RDONLY);
	ck_assert_int_ge(fd3, 0);
	close(fd);
	ck_assert_int_eq(disk_lock_image(fd3, true), 0);
	close(fd3);
	ck_assert_int_eq(disk_lock_image(fd2, true), 0);
	close(fd2);
	ck_assert_int_eq(sh("qemu-img info %s >/dev/null 2>&1", img), 0);
	unlink(img);
	rmdir(dir);
}
END_TEST

/* The shared lock lets readers in (qemu-img info, another reader) and keeps
 * writers out (qemu-io opening it read-write, an exclusive lock). */
START_TEST(test_lock_shared)
{
	char dir[] = "/tmp/evt-lock.XXXXXX", img[64];
	int fd, fd2;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(img, sizeof(img), "%s/a.qcow2", dir);
	ck_assert_int_eq(sh("qemu-img create -q -f qcow2 %s 1M", img), 0);
	fd = open(img, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(disk_lock_image(fd, false), 0);
	ck_assert_int_eq(sh("qemu-img info %s >/dev/null 2>&1", img), 0);
	ck_assert_int_ne(sh("qemu-io -c 'write 0 4k' %s >/dev/null 2>&1", img), 0);
	fd2 = open(img, O_RDONLY);
	ck_assert_int_eq(disk_lock_image(fd2, false), 0);
	close(fd2);
	fd2 = open(img, O_RDONLY);
	ck_assert_int_eq(disk_lock_image(fd2, true), -EBUSY);
	close(fd2);
	close(fd);
	ck_assert_int_eq(sh("qemu-io -c 'write 0 4k' %s >/dev/null 2>&1", img), 0);
	unlink(img);
	rmdir(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("diskfile");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_skip, 0, ELEMENTSOF(skip_cases));
	tcase_add_loop_test(tc, test_name, 0, ELEMENTSOF(name_cases));
	tcase_add_loop_test(tc, test_name_matches, 0, ELEMENTSOF(match_cases));
	tcase_add_loop_test(tc, test_name_unmatchable, 0,
			    ELEMENTSOF(unmatchable_cases));
	tcase_add_test(tc, test_zero_runs);
	tcase_add_test(tc, test_data_map);
	tcase_add_test(tc, test_lock_exclusive);
	tcase_add_test(tc, test_lock_shared);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
