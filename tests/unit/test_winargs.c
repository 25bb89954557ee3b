/* Check suite for evtrigger/cmd/winargs.c: eventtriggers' switches, trigger
 * names as file names, trigger IDs. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/winargs.h"
#include "macro.h"

enum { S_TR, S_EID, S_V, S_TID };
static const struct win_switch table[] = {
	[S_TR] = { "TR", true, false },
	[S_EID] = { "EID", true, false },
	[S_V] = { "V", false, false },
	[S_TID] = { "TID", true, true },
};

/* argv (NULL-ended, at most 8), then what each switch holds ("" for a flag,
 * NULL if not given), or the error text. */
static const struct {
	const char *argv[8];
	int ret;
	const char *tr, *eid, *v;
	size_t n_tid;
	bool help;
	const char *error;
} cases[] = {
	{ { "/TR", "Disk Cleanup", "/EID", "777", NULL }, 0,
	  "Disk Cleanup", "777", NULL, 0, false, NULL },
	/* Any case, any order. */
	{ { "/eid", "1", "/tr", "x", "/v", NULL }, 0, "x", "1", "", 0, false,
	  NULL },
	{ { "/Tr", "x", "/eId", "2", "/V", NULL }, 0, "x", "2", "", 0, false,
	  NULL },
	/* A value may start with '/' when it is not a switch's shape. */
	{ { "/TR", "/usr/bin/x", NULL }, 0, "/usr/bin/x", NULL, NULL, 0,
	  false, NULL },
	/* /TID repeats. */
	{ { "/TID", "1", "/tid", "*", NULL }, 0, NULL, NULL, NULL, 2, false,
	  NULL },
	{ { "/?", NULL }, 0, NULL, NULL, NULL, 0, true, NULL },
	{ { "-?", NULL }, 0, NULL, NULL, NULL, 0, true, NULL },
	{ { "/XY", "1", NULL }, -EINVAL, .error = "unknown switch '/XY'" },
	{ { "/TR", NULL }, -EINVAL, .error = "switch '/TR' needs a value" },
	{ { "/TR", "a", "/tr", "b", NULL }, -EINVAL,
	  .error = "switch '/tr' given twice" },
	{ { "extra", NULL }, -EINVAL,
	  .error = "unexpected argument 'extra' (a value goes after its "
		   "switch)" },
	{ { "--field", "X=1", NULL }, -EINVAL,
	  .error = "unexpected argument '--field' (a value goes after its "
		   "switch)" },
};

START_TEST(test_parse)
{
	int argc = 0;
	struct win_args a;
	char *err = NULL;

	while (cases[_i].argv[argc] != NULL)
		argc++;
	ck_assert_int_eq(win_parse(argc, (char *const *)cases[_i].argv, table,
				   ELEMENTSOF(table), &a, &err), cases[_i].ret);
	if (cases[_i].ret < 0) {
		ck_assert_str_eq(err, cases[_i].error);
		free(err);
		return;
	}
	ck_assert_pstr_eq(a.value[S_TR], cases[_i].tr);
	ck_assert_pstr_eq(a.value[S_EID], cases[_i].eid);
	ck_assert_pstr_eq(a.value[S_V], cases[_i].v);
	ck_assert_uint_eq(a.n_more, cases[_i].n_tid);
	ck_assert_int_eq(a.help, cases[_i].help);
	win_args_done(&a);
}
END_TEST

static const struct {
	const char *arg;
	bool is;
} switch_cases[] = {
	{ "/Create", true }, { "/TR", true }, { "/?", true }, { "-?", true },
	{ "/usr/bin/x", false }, { "/", false }, { "/a1", false },
	{ "Disk", false }, { "-V", false },
};

START_TEST(test_is_switch)
{
	ck_assert_int_eq(win_is_switch(switch_cases[_i].arg),
			 switch_cases[_i].is);
}
END_TEST

static const struct {
	const char *name, *file;        /* file NULL: refused */
} name_cases[] = {
	{ "Disk Cleanup", "Disk_Cleanup" },
	{ "notify", "notify" },
	{ "a.b_c@d+e-f", "a.b_c@d+e-f" },
	{ "Disk Cleanup (daily)", "Disk_Cleanup__daily_" },
	{ "a/b", "a_b" },
	{ "caf\xc3\xa9", "caf__" },
	{ "", NULL },
	{ ".hidden", NULL },
};

START_TEST(test_name_to_file)
{
	char *f = NULL;
	int r = win_name_to_file(name_cases[_i].name, &f);

	if (name_cases[_i].file == NULL) {
		ck_assert_int_eq(r, -EINVAL);
		return;
	}
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(f, name_cases[_i].file);
	free(f);
}
END_TEST

START_TEST(test_name_from_text)
{
	char *s = NULL;

	ck_assert_int_eq(win_name_from_text("# Disk_Cleanup.rule\n"
					    WIN_NAME_COMMENT "Disk Cleanup\n"
					    "# Written ...\n\n[trigger]\n", &s),
			 1);
	ck_assert_str_eq(s, "Disk Cleanup");
	free(s);
	/* Only the leading comment block counts. */
	ck_assert_int_eq(win_name_from_text("# x\n\n" WIN_NAME_COMMENT "y\n",
					    &s), 0);
	ck_assert_int_eq(win_name_from_text("[trigger]\n", &s), 0);
}
END_TEST

START_TEST(test_trigger_id)
{
	/* Stable: from the name alone, in 10000..99999. */
	unsigned a = win_trigger_id("Disk_Cleanup");

	ck_assert_uint_eq(a, win_trigger_id("Disk_Cleanup"));
	ck_assert_uint_ge(a, 10000);
	ck_assert_uint_le(a, 99999);
	ck_assert_uint_ne(a, win_trigger_id("notify"));
	/* FNV-1a 32 of "a" is 0xe40c292c: 10000 + 3826002220 % 90000. */
	ck_assert_uint_eq(win_trigger_id("a"), 10000 + 3826002220u % 90000);
}
END_TEST

static const struct {
	const char *argv[4];
	bool form, help;
} form_cases[] = {
	{ { "/Query", NULL }, true, false },
	{ { "query", "/FO", "LIST", NULL }, true, false },
	{ { "query", "--format", "list", NULL }, false, false },
	{ { "delete", "/usr/x", NULL }, false, false },
	{ { "query", "-?", NULL }, false, true },
	{ { "create", "--run", "-?", NULL }, false, true },
	{ { "create", "--", "-?", NULL }, false, false },
};

START_TEST(test_form)
{
	int argc = 0;

	while (form_cases[_i].argv[argc] != NULL)
		argc++;
	ck_assert_int_eq(win_form(argc, (char *const *)form_cases[_i].argv),
			 form_cases[_i].form);
	ck_assert_int_eq(win_asks_help(argc,
				       (char *const *)form_cases[_i].argv),
			 form_cases[_i].help);
}
END_TEST

static Suite *
winargs_suite(void)
{
	Suite *s = suite_create("winargs");
	TCase *tc = tcase_create("winargs");

	tcase_add_loop_test(tc, test_parse, 0, ELEMENTSOF(cases));
	tcase_add_loop_test(tc, test_is_switch, 0, ELEMENTSOF(switch_cases));
	tcase_add_loop_test(tc, test_name_to_file, 0, ELEMENTSOF(name_cases));
	tcase_add_test(tc, test_name_from_text);
	tcase_add_test(tc, test_trigger_id);
	tcase_add_loop_test(tc, test_form, 0, ELEMENTSOF(form_cases));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(winargs_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
