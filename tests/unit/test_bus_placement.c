/* Check suite for bus/placement.c (where a host writes an event from the
 * bus) and bus/subject.c (names on NATS): table-driven. */
#include <check.h>
#include <string.h>

#include "../../bus/placement.h"
#include "../../bus/subject.h"
#include "macro.h"

#define S (1000000ULL)

static const struct {
	const char *what;
	struct placement_input in;
	enum placement_action want;
} cases[] = {
	{ "no VM, entered here",
	  { false, false, NULL, "h1", "h1", 0, 1 }, PLACEMENT_WRITE_ENTRY },
	{ "no VM, entered elsewhere",
	  { false, false, NULL, "h1", "h2", 0, 1 }, PLACEMENT_SKIP },
	{ "no VM, entered elsewhere, old",
	  { false, false, NULL, "h1", "h2", 60 * S, 5 }, PLACEMENT_SKIP },
	{ "VM here",
	  { true, true, NULL, "h1", "h2", 0, 1 }, PLACEMENT_WRITE_LOCAL },
	{ "VM here though the KV still says another host (migrated)",
	  { true, true, "h2", "h1", "h2", 0, 1 }, PLACEMENT_WRITE_LOCAL },
	{ "VM on another host",
	  { true, false, "h2", "h1", "h1", 0, 1 }, PLACEMENT_SKIP },
	{ "VM on another host, old message",
	  { true, false, "h2", "h1", "h1", 100 * S, 3 }, PLACEMENT_SKIP },
	{ "VM nowhere, young, first delivery: wait",
	  { true, false, NULL, "h1", "h1", 1 * S, 1 }, PLACEMENT_DELAY },
	{ "VM nowhere, young, redelivered: write",
	  { true, false, NULL, "h1", "h1", 2 * S, 2 }, PLACEMENT_WRITE_NOWHERE },
	{ "VM nowhere, 3 s old: write",
	  { true, false, NULL, "h1", "h2", 3 * S, 1 }, PLACEMENT_WRITE_NOWHERE },
	{ "VM nowhere, entered elsewhere: every host writes",
	  { true, false, NULL, "h1", "h2", 10 * S, 1 },
	  PLACEMENT_WRITE_NOWHERE },
	{ "KV names this host but libvirt does not run it: stale, nowhere",
	  { true, false, "h1", "h1", "h2", 10 * S, 1 },
	  PLACEMENT_WRITE_NOWHERE },
	{ "stale own claim, young: wait",
	  { true, false, "h1", "h1", "h2", 0, 1 }, PLACEMENT_DELAY },
};

START_TEST(test_decide)
{
	ck_assert_msg(placement_decide(&cases[_i].in) == cases[_i].want,
		      "%s", cases[_i].what);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(placement_name(PLACEMENT_WRITE_ENTRY), "entry");
	ck_assert_str_eq(placement_name(PLACEMENT_WRITE_LOCAL), "local");
	ck_assert_str_eq(placement_name(PLACEMENT_WRITE_NOWHERE), "nowhere");
	ck_assert_ptr_null(placement_name(PLACEMENT_SKIP));
	ck_assert_ptr_null(placement_name(PLACEMENT_DELAY));
}
END_TEST

static const struct {
	const char *in, *pct, *eq;
} tokens[] = {
	{ "vdc", "vdc", "vdc" },
	{ "Web-01_a", "Web-01_a", "Web-01_a" },
	{ "a.b", "a%2Eb", "a=2Eb" },
	{ "a b*>", "a%20b%2A%3E", "a=20b=2A=3E" },
	{ "100%", "100%25", "100=25" },
	{ "x=y/z", "x%3Dy%2Fz", "x=3Dy=2Fz" },
	{ "\xc3\xa9t\xc3\xa9", "%C3%A9t%C3%A9", "=C3=A9t=C3=A9" },
	{ "", "%", "=" },
};

START_TEST(test_encode)
{
	_cleanup_(freep) char *p = NULL, *e = NULL;

	ck_assert_int_eq(subject_encode(tokens[_i].in, '%', &p), 0);
	ck_assert_str_eq(p, tokens[_i].pct);
	ck_assert_int_eq(subject_kv_key(tokens[_i].in, &e), 0);
	ck_assert_str_eq(e, tokens[_i].eq);
}
END_TEST

START_TEST(test_subjects)
{
	_cleanup_(freep) char *a = NULL, *b = NULL, *c = NULL;

	ck_assert_int_eq(subject_for_event("backup.example", "vdc", &a), 0);
	ck_assert_str_eq(a, "evtrigger.event.backup%2Eexample.vdc");
	ck_assert_int_eq(subject_for_event("nas", NULL, &b), 0);
	ck_assert_str_eq(b, "evtrigger.event.nas.%");
	ck_assert_int_eq(subject_consumer_name("hv1.lan", &c), 0);
	ck_assert_str_eq(c, "host-hv1%2Elan");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("bus_placement");
	TCase *tc = tcase_create("bus_placement");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_decide, 0, (int)ELEMENTSOF(cases));
	tcase_add_test(tc, test_names);
	tcase_add_loop_test(tc, test_encode, 0, (int)ELEMENTSOF(tokens));
	tcase_add_test(tc, test_subjects);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
