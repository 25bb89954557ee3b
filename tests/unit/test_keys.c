/* Check suite for evtrigger/rules/keys.c: the one table of [trigger] and
 * [job] keys, and evtrigger.rules(5) documenting exactly those keys (as
 * tests/scenario/docs_list_every_event_id.sh does for event IDs). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/keys.h"
#include "rules/rule.h"

START_TEST(test_find)
{
	for (size_t i = 0; i < _RULE_KEY_MAX; i++) {
		ck_assert_ptr_nonnull(rule_keys[i].name);
		ck_assert_ptr_nonnull(rule_keys[i].parse);
		ck_assert_ptr_nonnull(rule_keys[i].help);
		ck_assert_ptr_eq(rule_key_find(rule_keys[i].section,
					       rule_keys[i].name),
				 &rule_keys[i]);
	}
	ck_assert_ptr_null(rule_key_find(RULE_SECTION_JOB, "id"));
	ck_assert_ptr_null(rule_key_find(RULE_SECTION_TRIGGER, "steps"));
	ck_assert_ptr_null(rule_key_find(RULE_SECTION_TRIGGER, "ID"));
	ck_assert(rule_keys[RULE_KEY_ID].required);
	ck_assert(rule_keys[RULE_KEY_STEPS].required);
}
END_TEST

/* `host =`: a host name, kept in the rule (also once packed by the
 * loader); anything else is refused naming the key. */
START_TEST(test_host)
{
	static const struct {
		const char *value;
		bool ok;
	} cases[] = {
		{ "hostA", true },
		{ "kvm-02.example.org", true },
		{ "a_b", true },
		{ "two words", false },
		{ "a/b", false },
		{ "x\x01", false },
		{ "0123456789012345678901234567890123456789012345678901234567890123456789", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_(rule_freep) struct rule *r = NULL;
		struct rule_errors errors = { 0 };
		char text[512];
		int n, k;

		n = snprintf(text, sizeof(text), "[trigger]\nid = 777\nhost = %s\n"
			     "[job]\nsteps = exec\n[exec]\ncommand = /bin/true\n",
			     cases[i].value);
		k = rule_load_string("h.rule", text, (size_t)n, NULL, &r, &errors);
		if (cases[i].ok) {
			ck_assert_msg(k == 0, "host = %s: %s", cases[i].value,
				      errors.n > 0 ? errors.lines[0] : "?");
			ck_assert_str_eq(r->host, cases[i].value);
		} else {
			ck_assert_int_eq(k, -EINVAL);
			ck_assert_msg(errors.n > 0 &&
				      strstr(errors.lines[0], "invalid host") != NULL,
				      "host = %s: %s", cases[i].value,
				      errors.n > 0 ? errors.lines[0] : "(none)");
		}
		rule_errors_clear(&errors);
	}
}
END_TEST

/* The keys the man page documents in the section of s: lines
 * `.BI name " = " ...` between its `.SH "[trigger]: ...` (or [job]) and
 * the next .SH. */
static size_t
man_keys(enum rule_section s, char keys[][64], size_t max)
{
	const char *top = getenv("TOP");
	char path[4096], line[1024], head[64];
	bool in = false;
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/man/evtrigger.rules.5",
		 top != NULL ? top : ".");
	f = fopen(path, "re");
	ck_assert_msg(f != NULL, "cannot open %s (set TOP)", path);
	snprintf(head, sizeof(head), ".SH \"[%s]:", rule_section_name(s));
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, ".SH", 3) == 0)
			in = strncmp(line, head, strlen(head)) == 0;
		else if (in && strncmp(line, ".BI ", 4) == 0 &&
			 strstr(line, " \" = \" ") != NULL && n < max) {
			sscanf(line + 4, "%63s", keys[n]);
			n++;
		}
	}
	fclose(f);
	return n;
}

START_TEST(test_man_page_lists_every_key)
{
	for (int s = RULE_SECTION_TRIGGER; s <= RULE_SECTION_JOB; s++) {
		char keys[64][64];
		size_t n = man_keys(s, keys, 64), in_table = 0;

		for (size_t i = 0; i < _RULE_KEY_MAX; i++) {
			bool found = false;

			if (rule_keys[i].section != (enum rule_section)s)
				continue;
			in_table++;
			for (size_t j = 0; j < n && !found; j++)
				found = strcmp(keys[j], rule_keys[i].name) == 0;
			ck_assert_msg(found, "evtrigger.rules(5) lacks key '%s' "
				      "in [%s]", rule_keys[i].name,
				      rule_section_name(s));
		}
		/* Nothing documented that the table lacks. */
		for (size_t j = 0; j < n; j++)
			ck_assert_msg(rule_key_find(s, keys[j]) != NULL,
				      "evtrigger.rules(5) documents '%s' in "
				      "[%s], which is no key of rules/keys.c",
				      keys[j], rule_section_name(s));
		ck_assert_uint_eq(n, in_table);
	}
}
END_TEST

static Suite *
keys_suite(void)
{
	Suite *s = suite_create("keys");
	TCase *tc = tcase_create("keys");

	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_man_page_lists_every_key);
	tcase_add_test(tc, test_host);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(keys_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
