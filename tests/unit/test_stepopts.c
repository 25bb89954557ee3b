/* Check suite for evtrigger/rules/stepopts.c: a step's options as a module reads
 * them, from the rule or the module's defaults, and the check-time host. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "evtrigger-action.h"
#include "rules/rule.h"
#include "rules/stepopts.h"

static const struct evt_option opts[] = {
	{ "keep", EVT_OPT_INT, "4", NULL },
	{ "skip", EVT_OPT_LIST, "*swap* \"*wsus data*\"", NULL },
	{ "dirs", EVT_OPT_LIST, NULL, NULL },
	{ "dir", EVT_OPT_STRING, NULL, NULL },
	{ "quick", EVT_OPT_BOOL, "no", NULL },
	{ "limit", EVT_OPT_SIZE, "1G", NULL },
	{ "wait", EVT_OPT_DURATION, "5m", NULL },
	{ "timeout", EVT_OPT_DURATION, "1h", NULL },
	{ NULL },
};

static int
mod_run(const struct evt_host *host, struct evt_job *job)
{
	return 0;
}

static const struct evt_action mod = {
	.api_version = EVT_ACTION_API_VERSION,
	.name = "mod",
	.options = opts,
	.run = mod_run,
};

/* Loads text as rule `name` from a file of its own. */
static struct rule *
load_named(const char *name, const char *text)
{
	char dir[] = "/tmp/test_stepopts.XXXXXX";
	char path[128];
	struct rule_errors errors = { 0 };
	struct rule *r = NULL;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s.rule", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	/* No module checks: malformed values reach the parsers. */
	ck_assert_int_eq(rule_load_file(path, NULL, &r, &errors), 0);
	unlink(path);
	rmdir(dir);
	return r;
}

static struct rule *
load(const char *text)
{
	return load_named("step", text);
}

#define RULE_HEAD "[trigger]\nid = 1\n[job]\nvm = vdc\n" \
		  "connect = test:///default\nsteps = mod other\n"

START_TEST(test_get_and_defaults)
{
	_cleanup_(rule_freep) struct rule *r =
		load(RULE_HEAD "[mod]\nkeep = 7\ndir = /b\n");
	struct stepopts o;
	int64_t i = 0;
	int b = -1;
	uint64_t u = 0;

	stepopts_init(&o, r, "mod", &mod);
	ck_assert_str_eq(stepopts_get(&o, "keep"), "7");       /* the rule */
	ck_assert_str_eq(stepopts_get(&o, "dir"), "/b");
	ck_assert_str_eq(stepopts_get(&o, "quick"), "no");     /* default */
	ck_assert_ptr_null(stepopts_get(&o, "dirs"));          /* unset */
	ck_assert_ptr_null(stepopts_get(&o, "nosuch"));        /* undeclared */
	ck_assert_int_eq(stepopts_int(&o, "keep", &i), 0);
	ck_assert_int_eq(i, 7);
	ck_assert_int_eq(stepopts_bool(&o, "quick", &b), 0);
	ck_assert_int_eq(b, 0);
	ck_assert_int_eq(stepopts_size(&o, "limit", &u), 0);
	ck_assert_uint_eq(u, 1073741824ULL);
	ck_assert_int_eq(stepopts_duration(&o, "wait", &u), 0);
	ck_assert_uint_eq(u, 300000000ULL);
	u = 42;
	ck_assert_int_eq(stepopts_duration(&o, "nosuch", &u), -ENOENT);
	ck_assert_int_eq(stepopts_int(&o, "dirs", &i), -ENOENT);
	ck_assert_uint_eq(u, 42);                       /* untouched */
	stepopts_done(&o);
}
END_TEST

START_TEST(test_malformed)
{
	_cleanup_(rule_freep) struct rule *r =
		load(RULE_HEAD "[mod]\nkeep = x\nquick = maybe\nlimit = 1.5G\n"
			       "wait = soon\nskip = \"open\n");
	struct stepopts o;
	const char *const *w = NULL;
	int64_t i = 5;
	int b = 5;
	uint64_t u = 5;
	size_t n = 5;

	stepopts_init(&o, r, "mod", &mod);
	ck_assert_int_eq(stepopts_int(&o, "keep", &i), -EINVAL);
	ck_assert_int_eq(stepopts_bool(&o, "quick", &b), -EINVAL);
	ck_assert_int_eq(stepopts_size(&o, "limit", &u), -EINVAL);
	ck_assert_int_eq(stepopts_duration(&o, "wait", &u), -EINVAL);
	ck_assert_int_eq(stepopts_list(&o, "skip", &w, &n), -EINVAL);
	ck_assert_int_eq(i, 5);
	ck_assert_int_eq(b, 5);
	ck_assert_uint_eq(u, 5);
	ck_assert_uint_eq(n, 5);
	ck_assert_ptr_null(w);
	stepopts_done(&o);
}
END_TEST

START_TEST(test_lists)
{
	_cleanup_(rule_freep) struct rule *r =
		load(RULE_HEAD "[mod]\ndirs = /a \"/b c\" /d\n");
	struct stepopts o;
	const char *const *skip = NULL, *const *dirs = NULL;
	size_t n = 0;

	stepopts_init(&o, r, "mod", &mod);
	ck_assert_int_eq(stepopts_list(&o, "skip", &skip, &n), 0); /* default */
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(stepopts_list(&o, "dirs", &dirs, NULL), 0);
	/* both stay valid until stepopts_done() */
	ck_assert_str_eq(skip[0], "*swap*");
	ck_assert_str_eq(skip[1], "*wsus data*");
	ck_assert_ptr_null(skip[2]);
	ck_assert_str_eq(dirs[0], "/a");
	ck_assert_str_eq(dirs[1], "/b c");
	ck_assert_str_eq(dirs[2], "/d");
	ck_assert_ptr_null(dirs[3]);
	ck_assert_int_eq(stepopts_list(&o, "nosuch", &dirs, &n), -ENOENT);
	stepopts_done(&o);
	stepopts_done(&o);      /* twice is harmless */
}
END_TEST

START_TEST(test_no_module)
{
	_cleanup_(rule_freep) struct rule *r =
		load(RULE_HEAD "[other]\nanything = 3\n");
	struct stepopts o;
	int64_t i;

	/* Without a module, the section's keys as written, no defaults. */
	stepopts_init(&o, r, "other", NULL);
	ck_assert_str_eq(stepopts_get(&o, "anything"), "3");
	ck_assert_int_eq(stepopts_int(&o, "anything", &i), 0);
	ck_assert_int_eq(i, 3);
	ck_assert_ptr_null(stepopts_get(&o, "keep"));
	stepopts_done(&o);

	/* Without a rule, only the module's defaults. */
	stepopts_init(&o, NULL, "mod", &mod);
	ck_assert_str_eq(stepopts_get(&o, "keep"), "4");
	stepopts_done(&o);
}
END_TEST

START_TEST(test_timeout)
{
	_cleanup_(rule_freep) struct rule *r =
		load(RULE_HEAD "[mod]\ntimeout = 90s\n[other]\ntimeout = 2m\n");
	_cleanup_(rule_freep) struct rule *plain = load(RULE_HEAD);
	struct stepopts o;
	uint64_t u = 0;

	stepopts_init(&o, r, "mod", &mod);
	ck_assert_int_eq(stepopts_timeout(&o, &u), 0);
	ck_assert_uint_eq(u, 90000000ULL);
	/* a module that declares timeout also reads it */
	ck_assert_str_eq(stepopts_get(&o, "timeout"), "90s");
	stepopts_done(&o);

	/* a module that does not declare it: the runner still sees it */
	stepopts_init(&o, r, "other", &(struct evt_action){
					      .api_version = 1,
					      .name = "other",
					      .options = opts + 8,
					      .run = mod_run });
	ck_assert_int_eq(stepopts_timeout(&o, &u), 0);
	ck_assert_uint_eq(u, 120000000ULL);
	ck_assert_ptr_null(stepopts_get(&o, "timeout"));
	stepopts_done(&o);

	/* the module's default, then none */
	stepopts_init(&o, plain, "mod", &mod);
	ck_assert_int_eq(stepopts_timeout(&o, &u), 0);
	ck_assert_uint_eq(u, 3600000000ULL);
	stepopts_done(&o);
	stepopts_init(&o, plain, "other", NULL);
	ck_assert_int_eq(stepopts_timeout(&o, &u), -ENOENT);
	stepopts_done(&o);
}
END_TEST

/* check() through the check-time host. */
static int
checking(const struct evt_host *host, struct evt_job *job, char *err,
	 size_t errlen)
{
	const char *const *w;
	size_t n;
	int64_t keep;

	ck_assert_uint_eq(host->api_version, EVT_ACTION_API_VERSION);
	ck_assert_str_eq(host->vm(job), "vdc");
	ck_assert_str_eq(host->connect(job), "test:///default");
	ck_assert_str_eq(host->rule(job), "check");
	ck_assert_ptr_null(host->job_id(job));
	ck_assert_ptr_null(host->event_field(job, "EVENT_ID"));
	ck_assert_int_eq(host->log(job, 600, NULL, "x %d", 1), -EOPNOTSUPP);
	ck_assert_int_eq(host->progress(job, NULL, 5), -EOPNOTSUPP);
	ck_assert_int_eq(host->cancelled(job), 0);
	ck_assert_int_lt(host->cancel_fd(job), 0);
	ck_assert_uint_eq(host->deadline(job), UINT64_MAX);
	ck_assert_int_eq(host->set_note(job, "a", "b"), -EOPNOTSUPP);
	ck_assert_ptr_null(host->get_note(job, "a"));
	ck_assert_int_eq(host->option_list(job, "skip", &w, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(host->option_int(job, "keep", &keep), 0);
	if (keep > 10) {
		snprintf(err, errlen, "keep %lld is too many",
			 (long long)keep);
		return -EINVAL;
	}
	if (keep == 9)
		return -ERANGE;         /* no reason given */
	if (keep == 7) {
		/* At check time each set_error() is one mistake. */
		host->set_error(job, "first %s", "mistake");
		host->set_error(job, "second mistake");
		return -EINVAL;
	}
	if (keep == 5)
		host->set_error(job, "not a mistake: check() said 0");
	return 0;
}

START_TEST(test_check)
{
	struct evt_action m = mod;
	struct stepopts o;
	char err[128];
	const char *texts[] = {
		RULE_HEAD "[mod]\nkeep = 3\n",
		RULE_HEAD "[mod]\nkeep = 30\n",
		RULE_HEAD "[mod]\nkeep = 9\n",
		RULE_HEAD "[mod]\nkeep = 7\n",
		RULE_HEAD "[mod]\nkeep = 5\n",
	};
	struct rule *rules[5];

	m.check = checking;
	for (int i = 0; i < 5; i++)
		rules[i] = load_named("check", texts[i]);

	stepopts_init(&o, rules[0], "mod", &m);
	ck_assert_int_eq(stepopts_check(&o, err, sizeof(err)), 0);
	stepopts_init(&o, rules[1], "mod", &m);
	ck_assert_int_eq(stepopts_check(&o, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "keep 30 is too many");
	stepopts_init(&o, rules[2], "mod", &m);
	ck_assert_int_eq(stepopts_check(&o, err, sizeof(err)), -ERANGE);
	ck_assert_str_eq(err, "options refused: Numerical result out of range");
	stepopts_init(&o, rules[3], "mod", &m);
	ck_assert_int_eq(stepopts_check(&o, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "first mistake");
	stepopts_init(&o, rules[4], "mod", &m);
	ck_assert_int_eq(stepopts_check(&o, err, sizeof(err)), 0);
	/* no check(): fine */
	stepopts_init(&o, rules[1], "mod", &mod);
	ck_assert_int_eq(stepopts_check(&o, err, sizeof(err)), 0);
	for (int i = 0; i < 5; i++)
		rule_free(rules[i]);
}
END_TEST

/* What stepopts_check_options() reports, one line per mistake. */
struct reports {
	char text[1024];
	int n;
};

static void
collect(void *userdata, unsigned line, const char *message)
{
	struct reports *rp = userdata;
	size_t len = strlen(rp->text);

	snprintf(rp->text + len, sizeof(rp->text) - len, "%u: %s\n", line,
		 message);
	rp->n++;
}

/* Checks the options "KEY=VALUE" (at lines 8, 9, ...) of step mod of a
 * rule built with rule_new(), as `evtrigger action` builds one. */
static int
check_options(const char *const *kv, const struct evt_action *m,
	      struct reports *rp)
{
	_cleanup_(rule_freep) struct rule *r = rule_new("check");
	int n;

	ck_assert_ptr_nonnull(r);
	r->vm = strdup("vdc");
	r->connect = strdup("test:///default");
	ck_assert_int_eq(rule_add_step(r, "mod"), 0);
	for (unsigned i = 0; kv[i] != NULL; i++) {
		const char *eq = strchr(kv[i], '=');
		char key[64];

		snprintf(key, sizeof(key), "%.*s", (int)(eq - kv[i]), kv[i]);
		ck_assert_int_eq(rule_add_option(r, "mod", key, eq + 1, 8 + i),
				 0);
	}
	memset(rp, 0, sizeof(*rp));
	n = stepopts_check_options(r, "mod", m, collect, rp);
	return n;
}

#define KV(...) ((const char *const[]){ __VA_ARGS__, NULL })

START_TEST(test_check_options)
{
	static const struct evt_option int_timeout[] = {
		{ "timeout", EVT_OPT_INT, "10", NULL },
		{ NULL },
	};
	struct evt_action m = mod, odd = mod;
	struct reports rp;

	m.check = checking;
	odd.options = int_timeout;

	/* Every malformed or unknown option, at its line; check() is not
	 * asked while the types are wrong. */
	ck_assert_int_eq(check_options(KV("keep=lots", "nosuch=1",
					  "quick=maybe", "timeout=soon",
					  "keep2=1"), &m, &rp),
			 5);
	ck_assert_str_eq(rp.text,
		"8: invalid keep 'lots' for action 'mod': expected an integer\n"
		"9: unknown option 'nosuch' for action 'mod'\n"
		"10: invalid quick 'maybe' for action 'mod': expected yes or no\n"
		"11: invalid timeout 'soon': expected a duration like 90s, 15m, 2h\n"
		"12: unknown option 'keep2' for action 'mod'\n");
	/* Every reason check() gives. */
	ck_assert_int_eq(check_options(KV("keep=7"), &m, &rp),
			 2);
	ck_assert_str_eq(rp.text, "0: action 'mod': first mistake\n"
				  "0: action 'mod': second mistake\n");
	ck_assert_int_eq(check_options(KV("keep=9"), &m, &rp),
			 1);
	ck_assert_str_eq(rp.text, "0: action 'mod': options refused: "
				  "Numerical result out of range\n");
	ck_assert_int_eq(check_options(KV("keep=5"), &m, &rp),
			 0);
	ck_assert_str_eq(rp.text, "");
	/* `timeout` is the runner's time limit of every step, a duration
	 * whatever the module declares: what the runner accepts passes,
	 * what it cannot read fails, here and in `evtrigger action`. */
	ck_assert_int_eq(check_options(KV("timeout=90s"), &odd, &rp), 0);
	ck_assert_int_eq(check_options(KV("timeout=12"), &odd, &rp), 0);
	ck_assert_int_eq(check_options(KV("timeout=soon"), &odd, &rp), 1);
	ck_assert_str_eq(rp.text, "8: invalid timeout 'soon': expected a "
				  "duration like 90s, 15m, 2h\n");
	/* No module known: only timeout is judged. */
	ck_assert_int_eq(check_options(KV("anything=x", "timeout=1x"), NULL, &rp), 1);
	ck_assert_str_eq(rp.text, "9: invalid timeout '1x': expected a "
				  "duration like 90s, 15m, 2h\n");
}
END_TEST

static Suite *
stepopts_suite(void)
{
	Suite *s = suite_create("stepopts");
	TCase *tc = tcase_create("options");

	tcase_add_test(tc, test_get_and_defaults);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_lists);
	tcase_add_test(tc, test_no_module);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_check);
	tcase_add_test(tc, test_check_options);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(stepopts_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
