/* Check suite for what `evtrigger check` refuses in a step's section: the
 * real modules' check() (exec, archive) as the rule loader runs it, and a
 * second time under stepopts_probe_host, which asks the system (a missing
 * archive dir is a mistake; a libvirt that cannot be reached a warning).
 * The cases are data: a rule's [job] and step sections, and the mistakes
 * and warnings expected. Needs the built modules ($BUILD/actions). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/module.h"
#include "rules/rule.h"
#include "rules/stepopts.h"
#include "strv.h"

static const struct rule_modules mods = { module_lookup, NULL };

/* A libvirt that surely cannot be reached, whatever runs on this host. */
#define NOSOCK "connect = qemu+unix:///system?socket=/nonexistent/sock\n"

static const struct {
	const char *job;        /* [job] and step sections */
	const char *error;      /* a load error containing this, or NULL */
	const char *probe_error;        /* a probe mistake containing this */
	const char *probe_warning;      /* a probe warning containing this */
} cases[] = {
	{ "vm = vdc\nsteps = exec\n[exec]\ncommand = /bin/true\nuser = root\n",
	  NULL, NULL, NULL },
	{ "vm = vdc\nsteps = exec\n[exec]\ncommand = /bin/true\n"
	  "user = nosuchuser\n",
	  "action 'exec': unknown user 'nosuchuser'", NULL, NULL },
	{ "vm = vdc\n" NOSOCK "steps = archive\n[archive]\ndir = /tmp\n"
	  "name = {vm}-%Y.tar\nkeep = 2\n",
	  NULL, NULL, "cannot ask libvirt" },
	{ "vm = vdc\nsteps = archive\n[archive]\ndir = /tmp\nname = %Y.tar\n"
	  "keep = 2\n",
	  "archive name '%Y.tar' cannot be used with keep without {vm}", NULL,
	  NULL },
	{ "vm = vdc\n" NOSOCK "steps = archive\n[archive]\ndir = /tmp\n"
	  "name = %Y.tar\n",           /* without keep nothing is removed */
	  NULL, NULL, "cannot ask libvirt" },
	{ "vm = vdc\nsteps = archive\n[archive]\ndir = /tmp\n"
	  "name = {vm}-%a.tar\nkeep = 2\n",
	  "its conversion '%a' may match other VMs' archives", NULL, NULL },
	{ "vm = vdc\n" NOSOCK "steps = archive\n[archive]\ndir = /nonexistent/backups\n",
	  NULL, "archive dir '/nonexistent/backups': does not exist", NULL },
	{ "vm = vdc\n" NOSOCK "steps = wait-shutdown compact start\n",
	  NULL, NULL, "cannot ask libvirt (qemu+unix:///system?socket="
	  "/nonexistent/sock) whether vm 'vdc' exists" },
	{ "steps = start\n", NULL, NULL, NULL },        /* no vm: no probe */
};

struct found {
	char **errors, **warnings;
	size_t n_errors, n_warnings;
};

static void
on_error(void *userdata, unsigned line, const char *message)
{
	struct found *f = userdata;

	ck_assert_int_ge(strv_extend(&f->errors, &f->n_errors, message), 0);
}

static void
on_warning(void *userdata, unsigned line, const char *message)
{
	struct found *f = userdata;

	ck_assert_int_ge(strv_extend(&f->warnings, &f->n_warnings, message),
			 0);
}

static bool
has(char **v, size_t n, const char *text)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(v[i], text) != NULL)
			return true;
	return false;
}

static void
setup(void)
{
	char dir[4096];
	const char *build = getenv("BUILD");

	snprintf(dir, sizeof(dir), "%s/actions", build != NULL ? build : "build");
	ck_assert_int_eq(module_set_dir(dir), 0);
}

START_TEST(test_cases)
{
	_cleanup_(freep) char *text = NULL;
	struct rule_errors errors = { 0 };
	struct rule *r = NULL;
	struct found f = { 0 };
	int k;

	ck_assert_int_ge(asprintf(&text, "[trigger]\nid = 777\n[job]\n%s",
				  cases[_i].job), 0);
	k = rule_load_string("/x/case.rule", text, strlen(text), &mods, &r,
			     &errors);
	if (cases[_i].error != NULL) {
		ck_assert_int_eq(k, -EINVAL);
		ck_assert_msg(errors.n == 1 && strstr(errors.lines[0],
						      cases[_i].error) != NULL,
			      "case %d: %zu errors, first '%s'", _i, errors.n,
			      errors.n > 0 ? errors.lines[0] : "");
		rule_errors_clear(&errors);
		return;
	}
	ck_assert_msg(k == 0, "case %d: load: %s", _i,
		      errors.n > 0 ? errors.lines[0] : "?");
	for (size_t i = 0; i < r->n_steps; i++) {
		const struct evt_action *m;

		ck_assert_int_eq(module_get(r->steps[i], &m, NULL, 0), 0);
		ck_assert_int_ge(stepopts_probe(r, r->steps[i], m, on_error,
						on_warning, &f), 0);
	}
	if (cases[_i].probe_error != NULL)
		ck_assert_msg(has(f.errors, f.n_errors, cases[_i].probe_error),
			      "case %d: no probe error '%s' (%zu)", _i,
			      cases[_i].probe_error, f.n_errors);
	else
		ck_assert_msg(f.n_errors == 0, "case %d: probe error '%s'", _i,
			      f.errors[0]);
	if (cases[_i].probe_warning != NULL)
		ck_assert_msg(has(f.warnings, f.n_warnings,
				  cases[_i].probe_warning),
			      "case %d: no warning '%s'", _i,
			      cases[_i].probe_warning);
	else
		ck_assert_msg(f.n_warnings == 0, "case %d: warning '%s'", _i,
			      f.warnings[0]);
	strv_free(f.errors);
	strv_free(f.warnings);
	rule_free(r);
}
END_TEST

/* The rule loader's host has no warn(): loading never asks libvirt, so the
 * daemon's reload does not depend on it. */
START_TEST(test_loader_never_probes)
{
	static const char text[] =
		"[trigger]\nid = 777\n[job]\nvm = nosuchvm\n"
		"steps = wait-shutdown archive start\n"
		"[archive]\ndir = /nonexistent/backups\n";
	struct rule_errors errors = { 0 };
	struct rule *r = NULL;

	ck_assert_ptr_null(stepopts_check_host.warn);
	ck_assert_ptr_nonnull(stepopts_probe_host.warn);
	ck_assert_int_eq(rule_load_string("/x/l.rule", text, strlen(text),
					  &mods, &r, &errors), 0);
	rule_free(r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("check_probe");
	TCase *tc = tcase_create("cases");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test(tc, test_cases, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_loader_never_probes);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
