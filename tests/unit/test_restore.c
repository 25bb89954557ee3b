/* Check suite for actions/util/restore.c: archive member paths, backing
 * references, the image map and the rewritten definition. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/restore.h"

static const struct {
	const char *path;
	bool ok;
} member_cases[] = {
	{ "var/lib/libvirt/images/vdc.qcow2", true },
	{ "a", true },
	{ "/etc/passwd", false },
	{ "", false },
	{ "../etc/passwd", false },
	{ "var/../../etc/passwd", false },
	{ "var/./x", false },
	{ "var//x", false },
	{ "var/x/", false },
	{ "..hidden/x", true },
};

START_TEST(test_member_path)
{
	ck_assert_int_eq(restore_member_path_ok(member_cases[_i].path),
			 member_cases[_i].ok);
}
END_TEST

static const struct {
	const char *orig, *backing, *want;
} backing_cases[] = {
	{ "/img/top.qcow2", "base.qcow2", "/img/base.qcow2" },
	{ "/img/top.qcow2", "/other/base.qcow2", "/other/base.qcow2" },
	{ "/img/sub/top.qcow2", "../base.qcow2", "/img/sub/../base.qcow2" },
};

START_TEST(test_backing_orig)
{
	char *s = NULL;

	ck_assert_int_eq(restore_backing_orig(backing_cases[_i].orig,
					      backing_cases[_i].backing, &s), 0);
	ck_assert_str_eq(s, backing_cases[_i].want);
	free(s);
}
END_TEST

START_TEST(test_map)
{
	struct restore_map m = { 0 };
	char err[256];

	ck_assert_int_eq(restore_map_add(&m, "/r", "/img/top.qcow2", err,
					 sizeof(err)), 0);
	ck_assert_int_eq(restore_map_add(&m, "/r", "/img/top.qcow2", err,
					 sizeof(err)), 0);
	ck_assert_uint_eq(m.n, 1);
	ck_assert_str_eq(restore_map_dest(&m, "/img/top.qcow2"),
			 "/r/top.qcow2");
	/* Two images of one base name: refused, not renamed. */
	ck_assert_int_eq(restore_map_add(&m, "/r", "/other/top.qcow2", err,
					 sizeof(err)), -EEXIST);
	ck_assert_ptr_nonnull(strstr(err, "/r/top.qcow2"));
	ck_assert_int_eq(restore_map_add(&m, "/r", "/img/.x", err,
					 sizeof(err)), -EINVAL);
	ck_assert_ptr_null(restore_map_dest(&m, "/img/base.qcow2"));
	restore_map_done(&m);
}
END_TEST

static const char domain_xml[] =
	"<domain type='qemu'>\n"
	"  <name>vdc</name>\n"
	"  <uuid>0f8d4e36-4e80-4f5e-9a55-0f6b6e1c1a01</uuid>\n"
	"  <devices>\n"
	"    <disk type='file' device='disk'>\n"
	"      <driver name='qemu' type='qcow2'/>\n"
	"      <source file='/img/top.qcow2'/>\n"
	"      <backingStore type='file'>\n"
	"        <format type='qcow2'/>\n"
	"        <source file='/img/base.qcow2'/>\n"
	"      </backingStore>\n"
	"      <target dev='vda' bus='virtio'/>\n"
	"    </disk>\n"
	"    <disk type='file' device='cdrom'>\n"
	"      <source file='/iso/d.iso'/>\n"
	"      <target dev='sda' bus='sata'/>\n"
	"      <readonly/>\n"
	"    </disk>\n"
	"    <interface type='network'>\n"
	"      <mac address='52:54:00:12:34:56'/>\n"
	"      <source network='default'/>\n"
	"    </interface>\n"
	"  </devices>\n"
	"</domain>\n";

START_TEST(test_def_parse)
{
	struct restore_def d = { 0 };
	char err[256];

	ck_assert_int_eq(restore_def_parse(domain_xml, &d, err, sizeof(err)), 0);
	ck_assert_str_eq(d.name, "vdc");
	ck_assert_str_eq(d.uuid, "0f8d4e36-4e80-4f5e-9a55-0f6b6e1c1a01");
	ck_assert_uint_eq(d.n_files, 2);
	ck_assert_str_eq(d.files[0], "/img/top.qcow2");
	ck_assert(d.writable[0]);
	ck_assert_str_eq(d.files[1], "/iso/d.iso");
	ck_assert(!d.writable[1]);
	restore_def_done(&d);
	ck_assert_int_eq(restore_def_parse("<network/>", &d, err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(restore_def_parse("not xml", &d, err, sizeof(err)),
			 -EINVAL);
}
END_TEST

static const struct {
	const char *name;
	bool new_identity;
} rewrite_cases[] = {
	{ "vdc", false },
	{ "vdc-copy", true },
	{ "a<b&c", true },      /* escaped, not markup */
};

START_TEST(test_rewrite)
{
	struct restore_map m = { 0 };
	char err[256], *out = NULL, *want = NULL;

	ck_assert_int_eq(restore_map_add(&m, "/r", "/img/top.qcow2", err,
					 sizeof(err)), 0);
	ck_assert_int_eq(restore_map_add(&m, "/r", "/img/base.qcow2", err,
					 sizeof(err)), 0);
	ck_assert_int_eq(restore_rewrite_xml(domain_xml, rewrite_cases[_i].name,
					     rewrite_cases[_i].new_identity,
					     &m, &out, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(out, "<source file=\"/r/top.qcow2\"/>"));
	ck_assert_ptr_nonnull(strstr(out, "<source file=\"/r/base.qcow2\"/>"));
	ck_assert_ptr_nonnull(strstr(out, "<source file=\"/iso/d.iso\"/>"));
	ck_assert_ptr_null(strstr(out, "/img/"));
	if (strcmp(rewrite_cases[_i].name, "a<b&c") == 0)
		ck_assert_ptr_nonnull(strstr(out, "<name>a&lt;b&amp;c</name>"));
	else {
		ck_assert_int_ge(asprintf(&want, "<name>%s</name>",
					  rewrite_cases[_i].name), 0);
		ck_assert_ptr_nonnull(strstr(out, want));
	}
	ck_assert_int_eq(strstr(out, "<uuid>") == NULL,
			 rewrite_cases[_i].new_identity);
	ck_assert_int_eq(strstr(out, "<mac ") == NULL,
			 rewrite_cases[_i].new_identity);
	free(want);
	free(out);
	restore_map_done(&m);
}
END_TEST

static Suite *
restore_suite(void)
{
	Suite *s = suite_create("restore");
	TCase *tc = tcase_create("restore");

	tcase_add_loop_test(tc, test_member_path, 0, ELEMENTSOF(member_cases));
	tcase_add_loop_test(tc, test_backing_orig, 0,
			    ELEMENTSOF(backing_cases));
	tcase_add_test(tc, test_map);
	tcase_add_test(tc, test_def_parse);
	tcase_add_loop_test(tc, test_rewrite, 0, ELEMENTSOF(rewrite_cases));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(restore_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
