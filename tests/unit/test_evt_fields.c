/* Check suite for lib/evt-fields.h: the table of field names and its
 * #defines agree, one for one. */
#include <check.h>
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

int
main(void)
{
	Suite *s = suite_create("evt_fields");
	TCase *tc = tcase_create("fields");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_rows, 0, ELEMENTSOF(rows));
	tcase_add_test(tc, test_no_define_without_row);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
