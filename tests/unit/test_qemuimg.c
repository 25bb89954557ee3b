/* Check suite for actions/util/json.c and qemuimg.c: the JSON reader, the
 * progress parser, and running the real qemu-img. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/jsonv.h"
#include "util/qemuimg.h"

static const struct {
	const char *in;
	int r;
} json_cases[] = {
	{ "{}", 0 },
	{ "[]", 0 },
	{ " [1, 2.5, -3e2, true, false, null, \"x\"] ", 0 },
	{ "{\"a\": {\"b\": [ {} ]}}", 0 },
	{ "\"\\u00e9\\ud83d\\ude00\\n\"", 0 },
	{ "", -EINVAL },
	{ "{", -EINVAL },
	{ "[1,]", -EINVAL },
	{ "{\"a\" 1}", -EINVAL },
	{ "{\"a\": 1} x", -EINVAL },
	{ "\"\\u0000\"", -EINVAL },
	{ "\"\\ud800\"", -EINVAL },
	{ "\"tab\there\"", -EINVAL },
	{ "01", -EINVAL },
	{ "1.", -EINVAL },
	{ "tru", -EINVAL },
	{ "\"abc", -EINVAL },
	{ "\"abc\\", -EINVAL },
	{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	  "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
	  -E2BIG },
};

START_TEST(test_json_parse)
{
	struct jsonv *j = NULL;
	int r = jsonv_parse(json_cases[_i].in, &j);

	ck_assert_msg(r == json_cases[_i].r, "'%s': r=%d", json_cases[_i].in, r);
	ck_assert(r == 0 ? j != NULL : j == NULL);
	jsonv_free(j);
}
END_TEST

START_TEST(test_json_values)
{
	_cleanup_(jsonv_freep) struct jsonv *j = NULL;
	int64_t v = 7;

	ck_assert_int_eq(jsonv_parse("{\"s\": \"a\\\"b\\u00e9\", \"n\": "
				    "9007199254740993, \"f\": 1.5, \"big\": "
				    "99999999999999999999}", &j), 0);
	ck_assert_str_eq(jsonv_get_string(j, "s"), "a\"b\xc3\xa9");
	ck_assert_int_eq(jsonv_get_int(j, "n", &v), 0);
	ck_assert(v == 9007199254740993LL);
	ck_assert_int_eq(jsonv_get_int(j, "f", &v), -EINVAL);
	ck_assert_int_eq(jsonv_get_int(j, "big", &v), -EINVAL);
	ck_assert_int_eq(jsonv_get_int(j, "none", &v), -ENOENT);
	ck_assert(v == 9007199254740993LL);
	ck_assert_ptr_null(jsonv_get_string(j, "n"));
	ck_assert_ptr_null(jsonv_get(NULL, "s"));
}
END_TEST

static const struct {
	const char *in;
	int r;
	unsigned pct;
} progress_cases[] = {
	{ "    (0.00/100%)\r", 0, 0 },
	{ "    (45.00/100%)\r    (50.01/100%)\r", 0, 50 },
	{ "    (100.00/100%)\r\n", 0, 100 },
	{ "    (45.00/100%)\r    (50.0", 0, 45 },
	{ "(/100%)", -ENOENT, 0 },
	{ "(x5.00/100%)", -ENOENT, 0 },
	{ "(250.00/100%)", -ENOENT, 0 },
	{ "Image committed.\n", -ENOENT, 0 },
	{ "", -ENOENT, 0 },
};

START_TEST(test_progress)
{
	unsigned pct = 999;
	const char *in = progress_cases[_i].in;
	int r = qemuimg_parse_progress(in, strlen(in), &pct);

	ck_assert_msg(r == progress_cases[_i].r, "'%s': r=%d", in, r);
	if (r == 0)
		ck_assert_uint_eq(pct, progress_cases[_i].pct);
	else
		ck_assert_uint_eq(pct, 999);
}
END_TEST

/* What qemu-img 7.2 prints for an overlay, trimmed. */
static const char chain_json[] =
	"[\n"
	"    {\n"
	"        \"virtual-size\": 67108864,\n"
	"        \"filename\": \"/vm/top.qcow2\",\n"
	"        \"cluster-size\": 65536,\n"
	"        \"format\": \"qcow2\",\n"
	"        \"actual-size\": 200704,\n"
	"        \"format-specific\": {\n"
	"            \"type\": \"qcow2\",\n"
	"            \"data\": { \"compat\": \"1.1\", \"corrupt\": false }\n"
	"        },\n"
	"        \"full-backing-filename\": \"/vm/base.qcow2\",\n"
	"        \"backing-filename\": \"base.qcow2\",\n"
	"        \"backing-filename-format\": \"qcow2\",\n"
	"        \"dirty-flag\": false\n"
	"    },\n"
	"    {\n"
	"        \"virtual-size\": 67108864,\n"
	"        \"filename\": \"/vm/base.qcow2\",\n"
	"        \"format\": \"qcow2\",\n"
	"        \"actual-size\": 8654848,\n"
	"        \"snapshots\": [ { \"id\": \"1\", \"name\": \"s\" } ],\n"
	"        \"dirty-flag\": false\n"
	"    }\n"
	"]\n";

START_TEST(test_chain_json)
{
	struct qemuimg_info *c = NULL;
	size_t n = 0;

	ck_assert_int_eq(qemuimg_chain_from_json(chain_json, &c, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(c[0].format, "qcow2");
	ck_assert_str_eq(c[0].backing_filename, "base.qcow2");
	ck_assert_str_eq(c[0].full_backing_filename, "/vm/base.qcow2");
	ck_assert_str_eq(c[0].backing_format, "qcow2");
	ck_assert_str_eq(c[0].compat, "1.1");
	ck_assert(c[0].virtual_size == 67108864);
	ck_assert(c[0].cluster_size == 65536);
	ck_assert(!c[0].has_snapshots);
	ck_assert(c[1].has_snapshots);
	ck_assert_ptr_null(c[1].backing_filename);
	ck_assert(c[1].actual_size == 8654848);
	qemuimg_chain_free(c, n);

	ck_assert_int_eq(qemuimg_chain_from_json("[]", &c, &n), -EINVAL);
	ck_assert_int_eq(qemuimg_chain_from_json("[{\"format\": \"raw\"}]",
						 &c, &n), -EINVAL);
}
END_TEST

START_TEST(test_chain_check)
{
	struct qemuimg_info *c = NULL;
	size_t n = 0;
	char *err = NULL;

	ck_assert_int_eq(qemuimg_chain_from_json(chain_json, &c, &n), 0);
	ck_assert_int_eq(qemuimg_chain_check(c, n, &err), 0);
	ck_assert_ptr_null(err);
	/* An overlay that does not say what its backing file is. */
	free(c[0].backing_format);
	c[0].backing_format = NULL;
	ck_assert_int_eq(qemuimg_chain_check(c, n, &err), -EMEDIUMTYPE);
	ck_assert_msg(strstr(err, "/vm/top.qcow2 does not record the format "
			     "of its backing file base.qcow2") != NULL, "%s", err);
	free(err);
	qemuimg_chain_free(c, n);
}
END_TEST

START_TEST(test_measure_json)
{
	uint64_t req = 1;

	ck_assert_int_eq(qemuimg_measure_from_json(
		"{ \"bitmaps\": 0, \"required\": 8716288, "
		"\"fully-allocated\": 67436544 }", &req), 0);
	ck_assert(req == 8716288);
	ck_assert_int_eq(qemuimg_measure_from_json("{}", &req), -EINVAL);
	ck_assert(req == 8716288);
}
END_TEST

static void
record(unsigned pct, void *userdata)
{
	unsigned *last = userdata;

	ck_assert_uint_ge(pct, *last == 999 ? 0 : *last);
	*last = pct;
}

/* The real qemu-img: create, info, convert with progress, errors. */
START_TEST(test_run_real)
{
	char dir[] = "/tmp/evt-qemuimg.XXXXXX", a[64], b[64];
	const char *create[] = { "create", "-q", "-f", "qcow2", a, "4M", NULL };
	const char *convert[] = { "convert", "-p", "-O", "qcow2", a, b, NULL };
	const char *bad[] = { "info", "/nonexistent/x.qcow2", NULL };
	_cleanup_(qemuimg_info_donep) struct qemuimg_info info = {};
	struct qemuimg_opts o = { .progress = record, .cancel_fd = -1 };
	unsigned last = 999;
	char *out = NULL, *err = NULL;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/a.qcow2", dir);
	snprintf(b, sizeof(b), "%s/b.qcow2", dir);
	ck_assert_int_eq(qemuimg_run(create, NULL, NULL, &err), 0);
	free(err);
	ck_assert_int_eq(qemuimg_info(a, &info, &err), 0);
	ck_assert_str_eq(info.format, "qcow2");
	ck_assert(info.virtual_size == 4 << 20);
	o.userdata = &last;
	ck_assert_int_eq(qemuimg_run(convert, &o, &out, &err), 0);
	ck_assert_uint_eq(last, 100);
	free(out);
	free(err);
	ck_assert_int_eq(qemuimg_run(bad, NULL, NULL, &err), 1);
	ck_assert_msg(strstr(err, "No such file") != NULL, "%s", err);
	ck_assert(err[strlen(err) - 1] != '\n');
	free(err);
	unlink(a);
	unlink(b);
	rmdir(dir);
}
END_TEST

/* Cancelling kills qemu-img: a cancel fd that is readable from the start. */
START_TEST(test_run_cancel)
{
	const char *args[] = { "bench", "-c", "100000000", "-f", "raw",
			       "-s", "512", "/dev/zero", NULL };
	struct qemuimg_opts o = { .cancel_fd = -1 };
	int p[2];
	char *out = (char *)"untouched", *err = (char *)"untouched";

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	o.cancel_fd = p[0];
	ck_assert_int_eq(qemuimg_run(args, &o, &out, &err), -ECANCELED);
	ck_assert_str_eq(out, "untouched");
	ck_assert_str_eq(err, "untouched");
	close(p[0]);
	close(p[1]);
}
END_TEST

/* qemu-img's status cannot be had (SIGCHLD ignored: the kernel reaps it and
 * waitpid() fails with ECHILD): an error, never a success. */
START_TEST(test_run_unwaitable)
{
	const char *args[] = { "--version", NULL };
	char *out = (char *)"untouched", *err = (char *)"untouched";

	ck_assert(signal(SIGCHLD, SIG_IGN) != SIG_ERR);
	ck_assert_int_eq(qemuimg_run(args, NULL, &out, &err), -ECHILD);
	ck_assert_str_eq(out, "untouched");
	ck_assert_str_eq(err, "untouched");
	signal(SIGCHLD, SIG_DFL);
}
END_TEST

static Suite *
qemuimg_suite(void)
{
	Suite *s = suite_create("qemuimg");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_json_parse, 0, ELEMENTSOF(json_cases));
	tcase_add_test(tc, test_json_values);
	tcase_add_loop_test(tc, test_progress, 0, ELEMENTSOF(progress_cases));
	tcase_add_test(tc, test_chain_json);
	tcase_add_test(tc, test_chain_check);
	tcase_add_test(tc, test_measure_json);
	tcase_add_test(tc, test_run_real);
	tcase_add_test(tc, test_run_cancel);
	tcase_add_test(tc, test_run_unwaitable);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(qemuimg_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
