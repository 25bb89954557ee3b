/* Check suite for lib/evt-fields.h: the table of field names and its
 * #defines agree, one for one. */
#include <check.h>
#include <glob.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "evt-fields.h"
#include "macro.h"

/* Every row's EVT_FIELD_NAME must exist (this fails to compile otherwise)
 * and spell NAME. */
static const struct {
	const char *define, *name, *what;
} rows[] = {
#define ROW(name, what) { EVT_FIELD_##name, #name, what },
	EVT_FIELDS(ROW)
#undef ROW
};

START_TEST(test_rows)
{
	ck_assert_str_eq(rows[_i].define, rows[_i].name);
	ck_assert(rows[_i].what[0] != '\0');
	for (int k = 0; k < _i; k++)
		ck_assert_str_ne(rows[k].name, rows[_i].name);
}
END_TEST

/* And every #define has its row: count them in the header itself. */
START_TEST(test_no_define_without_row)
{
	char path[4096], line[512];
	size_t defines = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/lib/evt-fields.h",
		 getenv("TOP") != NULL ? getenv("TOP") : ".");
	f = fopen(path, "re");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		char name[128];

		if (sscanf(line, "#define EVT_FIELD_%127s", name) != 1 ||
		    strcmp(name, "S(X)") == 0)
			continue;
		defines++;
		bool found = false;
		for (size_t i = 0; i < ELEMENTSOF(rows); i++)
			if (strcmp(rows[i].name, name) == 0)
				found = true;
		ck_assert_msg(found, "EVT_FIELD_%s has no row in EVT_FIELDS",
			      name);
	}
	fclose(f);
	ck_assert_uint_eq(defines, ELEMENTSOF(rows));
}
END_TEST

/* journald's own fields, which are not ours to name. */
static bool
is_journald_field(const char *name)
{
	return strcmp(name, "MESSAGE") == 0 || strcmp(name, "MESSAGE_ID") == 0 ||
	       strcmp(name, "PRIORITY") == 0 ||
	       strncmp(name, "SYSLOG_", 7) == 0 || strncmp(name, "CODE_", 5) == 0;
}

/* lib/ and actions/ write a field as EVT_FIELD_NAME "=...", never as a
 * literal "NAME=...": a literal is a name that escaped the table. */
START_TEST(test_no_field_literals)
{
	static const char *const patterns[] = {
		"lib/*.[ch]", "actions/*.[ch]", "actions/*/*.[ch]",
	};
	const char *top = getenv("TOP") != NULL ? getenv("TOP") : ".";
	regex_t re;
	size_t files = 0;

	ck_assert_int_eq(regcomp(&re, "\"([A-Z][A-Z0-9_]+)=", REG_EXTENDED), 0);
	for (size_t p = 0; p < ELEMENTSOF(patterns); p++) {
		char pattern[4096];
		glob_t g;

		snprintf(pattern, sizeof(pattern), "%s/%s", top, patterns[p]);
		if (glob(pattern, 0, NULL, &g) != 0)
			continue;
		for (size_t i = 0; i < g.gl_pathc; i++) {
			FILE *f = fopen(g.gl_pathv[i], "re");
			char line[1024];
			unsigned n = 0;

			ck_assert_ptr_nonnull(f);
			files++;
			while (fgets(line, sizeof(line), f) != NULL) {
				const char *code = line + strspn(line, " \t");
				regmatch_t m[2];
				char name[128];
				int len;

				n++;
				/* Comments quote "NAME=value" as examples. */
				if (strncmp(code, "/*", 2) == 0 || *code == '*' ||
				    regexec(&re, line, 2, m, 0) != 0)
					continue;
				len = (int)(m[1].rm_eo - m[1].rm_so);
				snprintf(name, sizeof(name), "%.*s", len,
					 line + m[1].rm_so);
				ck_assert_msg(is_journald_field(name),
					      "%s:%u: field literal \"%s=\": use "
					      "EVT_FIELD_%s (lib/evt-fields.h)",
					      g.gl_pathv[i], n, name, name);
			}
			fclose(f);
		}
		globfree(&g);
	}
	regfree(&re);
	ck_assert_uint_gt(files, 10);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("evt_fields");
	TCase *tc = tcase_create("fields");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_rows, 0, ELEMENTSOF(rows));
	tcase_add_test(tc, test_no_define_without_row);
	tcase_add_test(tc, test_no_field_literals);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
