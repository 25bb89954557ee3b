/* Check suite for evtrigger/rules/ (parse.c, keys.c, model.c, match.c):
 * loading rule files (every kind of error, all of them in one pass, no
 * half-loaded rule), matching and trust. */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "evtrigger-action.h"
#include "fields.h"
#include "rules/rule.h"

/* ---- a module for the loader to check options against ------------------- */

static const struct evt_option fake_options[] = {
	{ "keep", EVT_OPT_INT, "4", "archives kept" },
	{ "skip", EVT_OPT_LIST, NULL, "disks skipped" },
	{ "dir", EVT_OPT_STRING, NULL, "where" },
	{ "quick", EVT_OPT_BOOL, "no", "hurry" },
	{ "limit", EVT_OPT_SIZE, NULL, "at most" },
	{ "wait", EVT_OPT_DURATION, "5m", "how long" },
	{ NULL },
};

/* Refuses keep > 100, and a dir without the rule's VM in it when the rule
 * names one: check() sees the options and the rule through the host. */
static int
fake_check(const struct evt_host *host, struct evt_job *job, char *err,
	   size_t errlen)
{
	int64_t keep;
	const char *dir = host->option(job, "dir");
	const char *vm = host->vm(job);

	if (host->option_int(job, "keep", &keep) < 0 || keep > 100) {
		snprintf(err, errlen, "keep must be at most 100");
		return -EINVAL;
	}
	if (dir != NULL && vm != NULL && strstr(dir, vm) == NULL) {
		snprintf(err, errlen, "dir '%s' does not name vm %s", dir, vm);
		return -EINVAL;
	}
	if (host->event_field(job, "EVENT_ID") != NULL ||
	    host->job_id(job) != NULL)
		return -EBADE;  /* no event or job at check time */
	return 0;
}

static int
fake_run(const struct evt_host *host, struct evt_job *job)
{
	return 0;
}

static const struct evt_action fake_module = {
	.api_version = EVT_ACTION_API_VERSION,
	.name = "fake",
	.summary = "a module for tests",
	.options = fake_options,
	.check = fake_check,
	.run = fake_run,
};

static const struct evt_option plain_options[] = { { NULL } };

static const struct evt_action plain_module = {
	.api_version = EVT_ACTION_API_VERSION,
	.name = "plain",
	.summary = "no options",
	.options = plain_options,
	.run = fake_run,
};

static const struct evt_action *
lookup(void *userdata, const char *name, char *err, size_t errlen)
{
	if (strcmp(name, "fake") == 0)
		return &fake_module;
	if (strcmp(name, "plain") == 0)
		return &plain_module;
	snprintf(err, errlen, "unknown action '%s': no module", name);
	return NULL;
}

static const struct rule_modules mods = { lookup, NULL };

/* ---- files -------------------------------------------------------------- */

static char dir[64];

static void
setup(void)
{
	strcpy(dir, "/tmp/test_rule.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
teardown(void)
{
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void
write_rule(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* The errors, one per line, with the temporary directory cut off. */
static char *
joined(const struct rule_errors *e)
{
	size_t len = 0, dl = strlen(dir) + 1;
	char *s;

	for (size_t i = 0; i < e->n; i++)
		len += strlen(e->lines[i]) + 1;
	s = calloc(1, len + 1);
	ck_assert_ptr_nonnull(s);
	for (size_t i = 0; i < e->n; i++) {
		const char *l = e->lines[i];

		if (strncmp(l, dir, dl - 1) == 0 && l[dl - 1] == '/')
			l += dl;
		strcat(s, l);
		strcat(s, "\n");
	}
	return s;
}

/* ---- every kind of error ------------------------------------------------ */

#define GOOD_JOB "[job]\nsteps = fake\n"

static const struct {
	const char *name;       /* file name */
	const char *text;
	const char *errors;     /* expected, "" for none */
} load_cases[] = {
	{ "ok.rule", "[trigger]\nid = 777\n" GOOD_JOB, "" },
	{ "full.rule",
	  "# a comment\n"
	  "; another\n"
	  "[trigger]\n"
	  "id = 777 ; inline comment\n"
	  "type = Warning\n"
	  "source = John\n"
	  "log = application\n"
	  "sender = vdc \"two words\"\n"
	  "sender-auth = psk address psk\n"
	  "uid = 0 root 1000\n"
	  "unit = backup.service\n"
	  "max-age = 1h\n"
	  "EVENT_HOSTNAME = vdc*\n"
	  "  _HOSTNAME = host1\n"
	  "[job]\n"
	  "vm = vdc\n"
	  "connect = qemu:///system\n"
	  "steps = fake plain\n"
	  "recovery = plain\n"
	  "on-busy = QUEUE\n"
	  "timeout = 2h\n"
	  "[fake]\n"
	  "keep = 7\n"
	  "skip = *swap* \"*wsus data*\"\n"
	  "dir = /backup/vdc\n"
	  "quick = yes\n"
	  "limit = 20G\n"
	  "wait = 90s\n"
	  "timeout = 15m\n"
	  "[plain]\n"
	  "timeout = 1m\n",
	  "" },
	{ "noid.rule", "[trigger]\ntype = warning\n" GOOD_JOB,
	  "noid.rule:1: missing id in [trigger]\n" },
	{ "id0.rule", "[trigger]\nid = 0\n" GOOD_JOB,
	  "id0.rule:2: invalid id '0': must be 1..65535\n" },
	{ "idbig.rule", "[trigger]\nid = 65536\n" GOOD_JOB,
	  "idbig.rule:2: invalid id '65536': must be 1..65535\n" },
	{ "idtext.rule", "[trigger]\nid = 7x7\n" GOOD_JOB,
	  "idtext.rule:2: invalid id '7x7': must be 1..65535\n" },
	{ "type.rule", "[trigger]\nid = 1\ntype = fatal\n" GOOD_JOB,
	  "type.rule:3: invalid type 'fatal': must be error, warning, "
	  "information or success\n" },
	{ "source.rule", "[trigger]\nid = 1\nsource = a\x01z\n" GOOD_JOB,
	  "source.rule:3: invalid source 'a?z': printable ASCII (blanks "
	  "only between words), at most 48 bytes\n" },
	{ "log.rule", "[trigger]\nid = 1\nlog = a=b\n" GOOD_JOB,
	  "log.rule:3: invalid log 'a=b': printable ASCII without '=', ']' "
	  "or '\"' (blanks only between words), at most 32 bytes\n" },
	{ "notrigger.rule", GOOD_JOB, "notrigger.rule:1: missing [trigger] section\n" },
	{ "nojob.rule", "[trigger]\nid = 1\n",
	  "nojob.rule:1: missing [job] section\n" },
	{ "nosteps.rule", "[trigger]\nid = 1\n[job]\nvm = vdc\n",
	  "nosteps.rule:3: missing steps in [job]\n" },
	{ "emptysteps.rule", "[trigger]\nid = 1\n[job]\nsteps =\n",
	  "emptysteps.rule:4: missing value for 'steps'\n" },
	{ "quotesteps.rule", "[trigger]\nid = 1\n[job]\nsteps = \"\"\n",
	  "quotesteps.rule:4: invalid action name '' in steps: use a-z, 0-9, "
	  "'-' and '_'\n" },
	{ "section.rule", "[trigger]\nid = 1\n[Job]\nsteps = fake\n" GOOD_JOB,
	  "section.rule:3: unknown section [Job]\n" },
	{ "dupsection.rule",
	  "[trigger]\nid = 1\n" GOOD_JOB "[trigger]\nid = 2\n",
	  "dupsection.rule:5: duplicate section [trigger] (first at line 1)\n" },
	{ "dupkey.rule", "[trigger]\nid = 1\nid = 2\n" GOOD_JOB,
	  "dupkey.rule:3: duplicate key 'id' (first at line 2)\n" },
	{ "trigkey.rule", "[trigger]\nid = 1\nevent = 2\n" GOOD_JOB,
	  "trigkey.rule:3: unknown key 'event' in [trigger]\n" },
	{ "jobkey.rule", "[trigger]\nid = 1\n[job]\nsteps = fake\nvms = a\n",
	  "jobkey.rule:5: unknown key 'vms' in [job]\n" },
	{ "novalue.rule", "[trigger]\nid = 1\ntype =\n" GOOD_JOB,
	  "novalue.rule:3: missing value for 'type'\n" },
	{ "syntax.rule", "[trigger]\nid = 1\njust words\n" GOOD_JOB,
	  "syntax.rule:3: syntax error: expected 'key = value'\n" },
	{ "nokey.rule", "[trigger]\nid = 1\n= 5\n" GOOD_JOB,
	  "nokey.rule:3: syntax error: missing key before '='\n" },
	{ "bracket.rule", "[trigger]\nid = 1\n[job\nsteps = fake\n",
	  "bracket.rule:1: missing [job] section\n"
	  "bracket.rule:3: syntax error: '[' without ']'\n" },
	{ "after.rule", "[trigger] x\nid = 1\n" GOOD_JOB,
	  "after.rule:1: syntax error: text after section header\n" },
	{ "outside.rule", "id = 1\n[trigger]\nid = 1\n" GOOD_JOB,
	  "outside.rule:1: key 'id' outside of a section\n" },
	{ "vm.rule", "[trigger]\nid = 1\n[job]\nvm = ../etc/x\nsteps = fake\n",
	  "vm.rule:4: invalid vm '../etc/x': a libvirt domain name without "
	  "'/' or control characters\n" },
	{ "connect.rule", "[trigger]\nid = 1\n[job]\nconnect = system\n"
	  "steps = fake\n",
	  "connect.rule:4: invalid connect 'system': expected a libvirt URI "
	  "like qemu:///system\n" },
	{ "busy.rule", "[trigger]\nid = 1\n[job]\nsteps = fake\non-busy = wait\n",
	  "busy.rule:5: invalid on-busy 'wait': must be ignore or queue\n" },
	{ "timeout.rule", "[trigger]\nid = 1\n[job]\nsteps = fake\n"
	  "timeout = soon\n",
	  "timeout.rule:5: invalid timeout 'soon': expected a duration like "
	  "90s, 15m, 2h\n" },
	{ "maxage.rule", "[trigger]\nid = 1\nmax-age = -1h\n" GOOD_JOB,
	  "maxage.rule:3: invalid max-age '-1h': expected a duration like "
	  "90s, 15m, 2h\n" },
	{ "user.rule", "[trigger]\nid = 1\nuid = root nosuchuser_x\n" GOOD_JOB,
	  "user.rule:3: unknown user 'nosuchuser_x' in uid\n" },
	{ "uidneg.rule", "[trigger]\nid = 1\nuid = 4294967295\n" GOOD_JOB,
	  "uidneg.rule:3: invalid uid '4294967295'\n" },
	{ "unit.rule", "[trigger]\nid = 1\nunit = backup\n" GOOD_JOB,
	  "unit.rule:3: invalid unit 'backup': a unit name with its suffix, "
	  "e.g. backup.service\n" },
	{ "quote.rule", "[trigger]\nid = 1\nsender = \"vdc\n" GOOD_JOB,
	  "quote.rule:3: invalid sender '\"vdc': unterminated quote\n" },
	{ "sauth.rule", "[trigger]\nid = 1\nsender = nas\n"
	  "sender-auth = x509 tls\n" GOOD_JOB,
	  "sauth.rule:4: invalid sender-auth 'tls': must be channel, x509, "
	  "psk or address\n" },
	{ "sauthcase.rule", "[trigger]\nid = 1\nsender = nas\n"
	  "sender-auth = X509\n" GOOD_JOB,
	  "sauthcase.rule:4: invalid sender-auth 'X509': must be channel, "
	  "x509, psk or address\n" },
	{ "sauthnone.rule", "[trigger]\nid = 1\nsender = nas\n"
	  "sender-auth = \"\"\n" GOOD_JOB,
	  "sauthnone.rule:4: invalid sender-auth '': must be channel, x509, "
	  "psk or address\n" },
	{ "sauthalone.rule", "[trigger]\nid = 1\nuid = 0\n"
	  "sender-auth = address\n" GOOD_JOB,
	  "sauthalone.rule:4: sender-auth without sender: it says which "
	  "proofs of a sender count\n" },
	{ "fieldname.rule", "[trigger]\nid = 1\nEVENT-HOST = x\n" GOOD_JOB,
	  "fieldname.rule:3: invalid field name 'EVENT-HOST': A-Z, 0-9 and "
	  "'_', not starting with a digit, at most 64 bytes\n" },
	{ "forge.rule", "[trigger]\nid = 1\nEVENT_SENDER = vdc\n" GOOD_JOB,
	  "forge.rule:3: use 'sender' to match EVENT_SENDER: it is believed "
	  "only from the listener\n" },
	{ "evsource.rule", "[trigger]\nid = 1\nEVENT_SOURCE = x\n" GOOD_JOB,
	  "evsource.rule:3: use 'source' instead of 'EVENT_SOURCE'\n" },
	{ "module.rule", "[trigger]\nid = 1\n[job]\nsteps = fake nope\n",
	  "module.rule:4: unknown action 'nope': no module\n" },
	{ "stepname.rule", "[trigger]\nid = 1\n[job]\nsteps = fake Bad/x\n",
	  "stepname.rule:4: invalid action name 'Bad/x' in steps: use a-z, "
	  "0-9, '-' and '_'\n" },
	{ "recovery.rule",
	  "[trigger]\nid = 1\n[job]\nsteps = fake\nrecovery = gone\n",
	  "recovery.rule:5: unknown action 'gone': no module\n" },
	{ "onfailure.rule",
	  "[trigger]\nid = 1\n[job]\nsteps = fake\non-failure = gone\n",
	  "onfailure.rule:5: unknown action 'gone': no module\n" },
	{ "ownevents.rule",
	  "[trigger]\nid = 601\nevtrigger-events = maybe\n" GOOD_JOB,
	  "ownevents.rule:3: invalid evtrigger-events 'maybe': must be yes "
	  "or no\n" },
	{ "option.rule", GOOD_JOB "[trigger]\nid = 1\n[fake]\nkept = 3\n",
	  "option.rule:6: unknown option 'kept' for action 'fake'\n" },
	{ "optint.rule", GOOD_JOB "[trigger]\nid = 1\n[fake]\nkeep = many\n",
	  "optint.rule:6: invalid keep 'many' for action 'fake': expected an "
	  "integer\n" },
	{ "optbool.rule", GOOD_JOB "[trigger]\nid = 1\n[fake]\nquick = maybe\n",
	  "optbool.rule:6: invalid quick 'maybe' for action 'fake': expected "
	  "yes or no\n" },
	{ "optsize.rule", GOOD_JOB "[trigger]\nid = 1\n[fake]\nlimit = 1.5G\n",
	  "optsize.rule:6: invalid limit '1.5G' for action 'fake': expected "
	  "a size like 4096, 10K, 20M, 1G\n" },
	{ "optlist.rule", GOOD_JOB "[trigger]\nid = 1\n[fake]\nskip = \"a\n",
	  "optlist.rule:6: invalid skip '\"a' for action 'fake': expected "
	  "words, \"double quotes\" keeping spaces\n" },
	{ "steptimeout.rule",
	  "[trigger]\nid = 1\n[job]\nsteps = plain\n[plain]\ntimeout = x\n",
	  "steptimeout.rule:6: invalid timeout 'x': expected a duration like "
	  "90s, 15m, 2h\n" },
	{ "plainopt.rule",
	  "[trigger]\nid = 1\n[job]\nsteps = plain\n[plain]\nkeep = 1\n",
	  "plainopt.rule:6: unknown option 'keep' for action 'plain'\n" },
	{ "notstep.rule", "[trigger]\nid = 1\n" GOOD_JOB "[plain]\n[fake]\n",
	  "notstep.rule:5: section [plain] is not a step of this rule: it is "
	  "not in steps, recovery or on-failure\n" },
	{ "check.rule", "[trigger]\nid = 1\n" GOOD_JOB "[fake]\nkeep = 500\n",
	  "check.rule:5: action 'fake': keep must be at most 100\n" },
	{ "checkvm.rule",
	  "[trigger]\nid = 1\n[job]\nvm = vdc\nsteps = fake\n[fake]\n"
	  "dir = /backup/other\n",
	  "checkvm.rule:6: action 'fake': dir '/backup/other' does not name "
	  "vm vdc\n" },
	{ "bad name.rule", "[trigger]\nid = 1\n" GOOD_JOB,
	  "bad name.rule:1: invalid rule name 'bad name': use letters, digits, "
	  "'.', '_', '-', '@' and '+', not starting with '.'\n" },
	{ "empty.rule", "",
	  "empty.rule:1: missing [trigger] section\n"
	  "empty.rule:1: missing [job] section\n" },
	/* Every mistake of a file at once, sorted by line. */
	{ "many.rule",
	  "[trigger]\n"                 /* 1 */
	  "id = 0\n"                    /* 2 */
	  "type = loud\n"               /* 3 */
	  "colour = red\n"              /* 4 */
	  "type = error\n"              /* 5 */
	  "[job]\n"                     /* 6 */
	  "vm = a/b\n"                  /* 7 */
	  "steps = fake missing\n"      /* 8 */
	  "on-busy = maybe\n"           /* 9 */
	  "[fake]\n"                    /* 10 */
	  "keep = lots\n"               /* 11 */
	  "size = 3\n"                  /* 12 */
	  "broken line\n"               /* 13 */
	  "[extra]\n"                   /* 14 */
	  "a = b\n"                     /* 15 */
	  "[what ever]\n"               /* 16 */
	  "x = y\n",                    /* 17 */
	  "many.rule:2: invalid id '0': must be 1..65535\n"
	  "many.rule:3: invalid type 'loud': must be error, warning, "
	  "information or success\n"
	  "many.rule:4: unknown key 'colour' in [trigger]\n"
	  "many.rule:5: duplicate key 'type' (first at line 3)\n"
	  "many.rule:7: invalid vm 'a/b': a libvirt domain name without '/' "
	  "or control characters\n"
	  "many.rule:8: unknown action 'missing': no module\n"
	  "many.rule:9: invalid on-busy 'maybe': must be ignore or queue\n"
	  "many.rule:11: invalid keep 'lots' for action 'fake': expected an "
	  "integer\n"
	  "many.rule:12: unknown option 'size' for action 'fake'\n"
	  "many.rule:13: syntax error: expected 'key = value'\n"
	  "many.rule:14: section [extra] is not a step of this rule: it is "
	  "not in steps, recovery or on-failure\n"
	  "many.rule:16: unknown section [what ever]\n" },
};

START_TEST(test_load_errors)
{
	struct rule_errors errors = { 0 };
	struct rule *sentinel = (struct rule *)&errors;
	struct rule *r = sentinel;
	char path[256];
	_cleanup_(freep) char *got = NULL;
	int k;

	write_rule(load_cases[_i].name, load_cases[_i].text);
	snprintf(path, sizeof(path), "%s/%s", dir, load_cases[_i].name);
	k = rule_load_file(path, &mods, &r, &errors);
	got = joined(&errors);
	ck_assert_msg(strcmp(got, load_cases[_i].errors) == 0,
		      "%s: expected\n%sgot\n%s", load_cases[_i].name,
		      load_cases[_i].errors, got);
	if (load_cases[_i].errors[0] == '\0') {
		ck_assert_int_eq(k, 0);
		ck_assert_ptr_ne(r, sentinel);
		rule_free(r);
	} else {
		ck_assert_int_eq(k, -EINVAL);
		ck_assert_ptr_eq(r, sentinel);  /* never half-loaded */
	}
	rule_errors_clear(&errors);
}
END_TEST

START_TEST(test_load_values)
{
	struct rule_errors errors = { 0 };
	_cleanup_(rule_freep) struct rule *r = NULL;
	char path[256];

	write_rule("full.rule", load_cases[1].text);
	snprintf(path, sizeof(path), "%s/full.rule", dir);
	ck_assert_int_eq(rule_load_file(path, &mods, &r, &errors), 0);
	ck_assert_str_eq(r->name, "full");
	ck_assert_str_eq(r->path, path);
	ck_assert_uint_eq(r->id, 777);
	ck_assert_int_eq(r->type, EVENT_WARNING);
	ck_assert_str_eq(rule_match_pattern(r, "EVENT_SOURCE"), "John");
	ck_assert_str_eq(rule_match_pattern(r, "EVENT_LOG"), "Application");
	ck_assert_str_eq(rule_match_pattern(r, "EVENT_HOSTNAME"), "vdc*");
	ck_assert_str_eq(rule_match_pattern(r, "_HOSTNAME"), "host1");
	ck_assert_ptr_null(rule_match_pattern(r, "MESSAGE"));
	ck_assert_uint_eq(r->n_senders, 2);
	ck_assert_str_eq(r->senders[1], "two words");
	ck_assert_uint_eq(r->sender_auth, RULE_AUTH_PSK | RULE_AUTH_ADDRESS);
	ck_assert_uint_eq(rule_sender_auth(r), RULE_AUTH_PSK | RULE_AUTH_ADDRESS);
	ck_assert_uint_eq(r->n_uids, 3);
	ck_assert_uint_eq(r->uids[0], 0);
	ck_assert_uint_eq(r->uids[1], 0);
	ck_assert_uint_eq(r->uids[2], 1000);
	ck_assert_uint_eq(r->n_units, 1);
	ck_assert_uint_eq(r->max_age_usec, 3600000000ULL);
	ck_assert_str_eq(r->vm, "vdc");
	ck_assert_str_eq(r->connect, "qemu:///system");
	ck_assert_uint_eq(r->n_steps, 2);
	ck_assert_str_eq(r->steps[0], "fake");
	ck_assert_str_eq(r->steps[1], "plain");
	ck_assert_uint_eq(r->n_recovery, 1);
	ck_assert_int_eq(r->on_busy, RULE_ON_BUSY_QUEUE);
	ck_assert_uint_eq(r->timeout_usec, 7200000000ULL);
	ck_assert_str_eq(rule_option(r, "fake", "skip"),
			 "*swap* \"*wsus data*\"");
	ck_assert_str_eq(rule_option(r, "fake", "timeout"), "15m");
	ck_assert_str_eq(rule_option(r, "plain", "timeout"), "1m");
	ck_assert_ptr_null(rule_option(r, "plain", "keep"));
	ck_assert_uint_eq(errors.n, 0);
	/* One allocation, vectors NULL-terminated like parse_words()'. */
	ck_assert(r->packed);
	ck_assert_ptr_null(r->steps[2]);
	ck_assert_ptr_null(r->recovery[1]);
	ck_assert_ptr_null(r->senders[2]);
	ck_assert_ptr_null(r->units[1]);
}
END_TEST

START_TEST(test_load_defaults)
{
	struct rule_errors errors = { 0 };
	_cleanup_(rule_freep) struct rule *r = NULL;
	char path[256];

	write_rule("min.rule", "[trigger]\nid = 5\n[job]\nsteps = x y\n");
	snprintf(path, sizeof(path), "%s/min.rule", dir);
	/* No modules: steps are not looked up. */
	ck_assert_int_eq(rule_load_file(path, NULL, &r, &errors), 0);
	ck_assert_int_eq(r->type, -1);
	ck_assert_uint_eq(r->n_matches, 0);
	ck_assert_uint_eq(r->n_uids, 1);        /* root only */
	ck_assert_uint_eq(r->uids[0], 0);
	ck_assert_uint_eq(r->n_units, 0);
	ck_assert_uint_eq(r->n_senders, 0);
	ck_assert_uint_eq(r->sender_auth, 0);
	ck_assert_uint_eq(rule_sender_auth(r), RULE_AUTH_DEFAULT);
	ck_assert_ptr_null(r->vm);
	ck_assert_ptr_null(r->connect);
	ck_assert_int_eq(r->on_busy, RULE_ON_BUSY_IGNORE);
	ck_assert_uint_eq(r->timeout_usec, 0);
	ck_assert_uint_eq(r->max_age_usec, 0);
	ck_assert(!r->evtrigger_events);
	ck_assert(!r->on_failure_set);          /* default: start if down */
	ck_assert_uint_eq(r->n_on_failure, 0);
}
END_TEST

/* on-failure (a list, or none) and evtrigger-events survive packing. */
START_TEST(test_load_on_failure)
{
	struct rule_errors errors = { 0 };
	char path[256];

	{
		_cleanup_(rule_freep) struct rule *r = NULL;

		write_rule("of.rule", "[trigger]\nid = 602\nevtrigger-events "
			   "= yes\n[job]\nsteps = x\non-failure = y x\n[y]\n");
		snprintf(path, sizeof(path), "%s/of.rule", dir);
		ck_assert_int_eq(rule_load_file(path, NULL, &r, &errors), 0);
		ck_assert(r->evtrigger_events);
		ck_assert(r->on_failure_set);
		ck_assert_uint_eq(r->n_on_failure, 2);
		ck_assert_str_eq(r->on_failure[0], "y");
		ck_assert_str_eq(r->on_failure[1], "x");
		ck_assert_ptr_null(r->on_failure[2]);
	}
	{
		_cleanup_(rule_freep) struct rule *r = NULL;

		write_rule("none.rule", "[trigger]\nid = 5\n[job]\nsteps = x\n"
			   "on-failure = none\n");
		snprintf(path, sizeof(path), "%s/none.rule", dir);
		ck_assert_int_eq(rule_load_file(path, NULL, &r, &errors), 0);
		ck_assert(r->on_failure_set);
		ck_assert_uint_eq(r->n_on_failure, 0);
	}
	ck_assert_uint_eq(errors.n, 0);
}
END_TEST

START_TEST(test_long_lines)
{
	struct rule_errors errors = { 0 };
	_cleanup_(rule_freep) struct rule *r = NULL;
	_cleanup_(freep) char *text = NULL, *got = NULL;
	char path[256];
	char big[4087];

	/* A value longer than inih's own line buffer arrives whole, up to a
	 * line of exactly the limit: "MESSAGE = " and 4086 bytes. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_ge(asprintf(&text, "[trigger]\nid = 1\nMESSAGE = %s\n"
				  GOOD_JOB, big), 0);
	write_rule("long.rule", text);
	snprintf(path, sizeof(path), "%s/long.rule", dir);
	ck_assert_int_eq(rule_load_file(path, &mods, &r, &errors), 0);
	ck_assert_str_eq(rule_match_pattern(r, "MESSAGE"), big);
	free(text);

	/* A line over the limit is an error, and its tail is no key. */
	char huge[5000];
	memset(huge, 'y', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	ck_assert_int_ge(asprintf(&text, "[trigger]\nid = 1\nMESSAGE = %s"
				  "\nid = 2\n" GOOD_JOB, huge), 0);
	write_rule("huge.rule", text);
	snprintf(path, sizeof(path), "%s/huge.rule", dir);
	rule_free(TAKE_PTR(r));
	ck_assert_int_eq(rule_load_file(path, &mods, &r, &errors), -EINVAL);
	got = joined(&errors);
	ck_assert_str_eq(got, "huge.rule:3: line too long (more than 4096 "
			      "bytes)\nhuge.rule:4: duplicate key 'id' (first "
			      "at line 2)\n");
	rule_errors_clear(&errors);
}
END_TEST

START_TEST(test_unreadable)
{
	struct rule_errors errors = { 0 };
	struct rule *r = NULL;
	_cleanup_(freep) char *got = NULL;
	char path[256];

	snprintf(path, sizeof(path), "%s/none.rule", dir);
	ck_assert_int_eq(rule_load_file(path, &mods, &r, &errors), -ENOENT);
	ck_assert_ptr_null(r);
	got = joined(&errors);
	ck_assert_str_eq(got, "none.rule: cannot read: No such file or "
			      "directory\n");
	rule_errors_clear(&errors);
	free(got);

	/* Over 1 MiB: refused whole, not read in part. */
	_cleanup_(freep) char *big = malloc(1024 * 1024 + 2);
	ck_assert_ptr_nonnull(big);
	memset(big, '#', 1024 * 1024 + 1);
	for (size_t i = 63; i < 1024 * 1024 + 1; i += 64)
		big[i] = '\n';         /* comment lines of 63 bytes */
	big[1024 * 1024 + 1] = '\0';
	write_rule("big.rule", big);
	snprintf(path, sizeof(path), "%s/big.rule", dir);
	ck_assert_int_eq(rule_load_file(path, &mods, &r, &errors), -EFBIG);
	got = joined(&errors);
	ck_assert_str_eq(got, "big.rule: cannot read: file too large (more "
			      "than 1 MiB)\n");
	rule_errors_clear(&errors);
	free(got);

	/* Exactly 1 MiB of comments is read (and lacks its sections). */
	big[1024 * 1024] = '\0';
	write_rule("onemeg.rule", big);
	snprintf(path, sizeof(path), "%s/onemeg.rule", dir);
	ck_assert_int_eq(rule_load_file(path, &mods, &r, &errors), -EINVAL);
	got = joined(&errors);
	ck_assert_str_eq(got, "onemeg.rule:1: missing [trigger] section\n"
			      "onemeg.rule:1: missing [job] section\n");
	rule_errors_clear(&errors);
	free(got);

	ck_assert_int_eq(rule_load_file("/dev/null", &mods, &r, &errors),
			 -EBADFD);
	got = joined(&errors);
	ck_assert_str_eq(got, "/dev/null: cannot read: not a regular file\n");
	rule_errors_clear(&errors);
	ck_assert_ptr_null(r);
	free(got);

	/* A FIFO is refused at once: opening it never waits for a writer. */
	snprintf(path, sizeof(path), "%s/fifo.rule", dir);
	ck_assert_int_eq(mkfifo(path, 0644), 0);
	ck_assert_int_eq(rule_load_file(path, &mods, &r, &errors), -EBADFD);
	got = joined(&errors);
	ck_assert_str_eq(got, "fifo.rule: cannot read: not a regular file\n");
	rule_errors_clear(&errors);
	ck_assert_ptr_null(r);
	unlink(path);
}
END_TEST

/* Mangled rule text never crashes the loader, never half-loads, and every
 * error names the file. Deterministic: the same mutations every run. */
START_TEST(test_mangled)
{
	static const char base[] =
		"[trigger]\nid = 777\ntype = warning\nsource = Jo*\n"
		"sender = vdc \"a b\"\nEVENT_HOSTNAME = vdc*\n[job]\nvm = vdc\n"
		"steps = fake plain\non-busy = queue\n[fake]\nkeep = 7\n"
		"skip = *swap* \"x y\"\n; comment\n";
	static const char alphabet[] = "[]=:;#\"\\ \t\n\r\x01\x80\xff*?aZ0";
	unsigned seed = 12345;

	for (int iter = 0; iter < 3000; iter++) {
		struct rule_errors errors = { 0 };
		struct rule *r = NULL;
		char text[sizeof(base) + 16];
		size_t len = sizeof(base) - 1;
		int k;

		memcpy(text, base, sizeof(base));
		for (int m = 0; m < 1 + iter % 4; m++) {
			seed = seed * 1103515245 + 12345;
			size_t at = (seed >> 8) % len;
			seed = seed * 1103515245 + 12345;
			char c = alphabet[(seed >> 8) % (sizeof(alphabet) - 1)];

			seed = seed * 1103515245 + 12345;
			if ((seed >> 8) % 3 == 0 && len < sizeof(text) - 1) {
				memmove(text + at + 1, text + at, len - at);
				len++;
			}
			text[at] = c;
		}
		text[len] = '\0';
		k = rule_load_string("m.rule", text, len, &mods, &r, &errors);
		ck_assert_msg(k == 0 || k == -EINVAL, "iter %d: %d", iter, k);
		ck_assert((k == 0) == (r != NULL));
		ck_assert((k == 0) == (errors.n == 0));
		for (size_t i = 0; i < errors.n; i++)
			ck_assert_msg(strncmp(errors.lines[i], "m.rule:", 7) == 0,
				      "%s", errors.lines[i]);
		rule_free(r);
		rule_errors_clear(&errors);
	}
}
END_TEST

/* A rule keeps the text it was loaded from: a job's snapshot is the rule
 * that matched, not the file as it is when the job starts. */
START_TEST(test_load_keeps_text)
{
	static const char text[] =
		"[trigger]\nid = 777\n[job]\nvm = vdc\nsteps = plain\n";
	struct rule_errors errors = { 0 };
	_cleanup_(rule_freep) struct rule *r = NULL;

	ck_assert_int_eq(rule_load_string("t.rule", text, sizeof(text) - 1,
					  &mods, &r, &errors), 0);
	ck_assert_ptr_nonnull(r->text);
	ck_assert_str_eq(r->text, text);
}
END_TEST

/* ---- directories ---------------------------------------------------------- */

START_TEST(test_dir_all_errors)
{
	struct rule_errors errors = { 0 };
	struct rule_set *sentinel = (struct rule_set *)&errors;
	struct rule_set *set = sentinel;
	_cleanup_(freep) char *got = NULL;
	char sub[128];

	write_rule("b-good.rule", "[trigger]\nid = 2\n" GOOD_JOB);
	write_rule("c-bad.rule", "[trigger]\nid = x\n" GOOD_JOB);
	write_rule("a-bad.rule", "[trigger]\nid = 1\n[job]\nsteps = nope\n");
	write_rule("not-a-rule.txt", "garbage");
	write_rule(".hidden.rule", "garbage");
	snprintf(sub, sizeof(sub), "%s/dir.rule", dir);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	ck_assert_int_eq(rule_set_load_dir(dir, &mods, &set, &errors),
			 -EINVAL);
	ck_assert_ptr_eq(set, sentinel);
	got = joined(&errors);
	ck_assert_str_eq(got,
			 "a-bad.rule:4: unknown action 'nope': no module\n"
			 "c-bad.rule:2: invalid id 'x': must be 1..65535\n"
			 "dir.rule: cannot read: Is a directory\n");
	rule_errors_clear(&errors);
}
END_TEST

START_TEST(test_dir_ids)
{
	struct rule_errors errors = { 0 };
	_cleanup_(rule_set_freep) struct rule_set *set = NULL;
	_cleanup_(freep) unsigned *ids = NULL;
	size_t n = 0;

	write_rule("z.rule", "[trigger]\nid = 777\n" GOOD_JOB);
	write_rule("y.rule", "[trigger]\nid = 12\n" GOOD_JOB);
	write_rule("x.rule", "[trigger]\nid = 777\n" GOOD_JOB);
	write_rule("w.rule", "[trigger]\nid = 5\n" GOOD_JOB);
	ck_assert_int_eq(rule_set_load_dir(dir, &mods, &set, &errors), 0);
	ck_assert_uint_eq(set->n, 4);
	ck_assert_str_eq(set->rules[0]->name, "w");     /* sorted */
	ck_assert_str_eq(set->rules[3]->name, "z");
	ck_assert_int_eq(rule_set_ids(set, &ids, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(ids[0], 5);
	ck_assert_uint_eq(ids[1], 12);
	ck_assert_uint_eq(ids[2], 777);
}
END_TEST

START_TEST(test_dir_empty)
{
	struct rule_errors errors = { 0 };
	_cleanup_(rule_set_freep) struct rule_set *set = NULL;
	_cleanup_(freep) unsigned *ids = NULL;
	size_t n = 1;

	ck_assert_int_eq(rule_set_load_dir(dir, &mods, &set, &errors), 0);
	ck_assert_uint_eq(set->n, 0);
	ck_assert_int_eq(rule_set_ids(set, &ids, &n), 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST

/* ---- matching and trust --------------------------------------------------- */

#define LISTENER 990

static const struct {
	const char *rule;       /* the [trigger] section's keys */
	const char *entry;      /* NAME=VALUE lines */
	bool have_listener;
	bool fires;
	const char *reason;     /* expected when it does not fire for trust */
} match_cases[] = {
	/* ID */
	{ "id = 777", "EVENT_ID=777\n_UID=0", true, true, NULL },
	{ "id = 777", "EVENT_ID=778\n_UID=0", true, false, NULL },
	{ "id = 777", "_UID=0", true, false, NULL },
	{ "id = 777", "EVENT_ID=0777x\n_UID=0", true, false, NULL },
	/* type: EVENT_TYPE any case, else PRIORITY */
	{ "id = 1\ntype = warning", "EVENT_ID=1\nEVENT_TYPE=WARNING\n_UID=0",
	  true, true, NULL },
	{ "id = 1\ntype = warning", "EVENT_ID=1\nEVENT_TYPE=warning\n_UID=0",
	  true, true, NULL },
	{ "id = 1\ntype = warning", "EVENT_ID=1\nEVENT_TYPE=ERROR\n_UID=0",
	  true, false, NULL },
	{ "id = 1\ntype = warning", "EVENT_ID=1\nPRIORITY=4\n_UID=0", true,
	  true, NULL },
	{ "id = 1\ntype = success", "EVENT_ID=1\nPRIORITY=5\n_UID=0", true,
	  true, NULL },
	{ "id = 1\ntype = warning", "EVENT_ID=1\nPRIORITY=3\n_UID=0", true,
	  false, NULL },
	{ "id = 1\ntype = warning", "EVENT_ID=1\n_UID=0", true, false, NULL },
	/* source: EVENT_SOURCE, else SYSLOG_IDENTIFIER; exact or glob */
	{ "id = 1\nsource = John", "EVENT_ID=1\nEVENT_SOURCE=John\n_UID=0",
	  true, true, NULL },
	{ "id = 1\nsource = John", "EVENT_ID=1\nEVENT_SOURCE=john\n_UID=0",
	  true, false, NULL },
	{ "id = 1\nsource = John",
	  "EVENT_ID=1\nSYSLOG_IDENTIFIER=John\n_UID=0", true, true, NULL },
	{ "id = 1\nsource = John",
	  "EVENT_ID=1\nEVENT_SOURCE=Jane\nSYSLOG_IDENTIFIER=John\n_UID=0",
	  true, false, NULL },
	{ "id = 1\nsource = Jo*", "EVENT_ID=1\nEVENT_SOURCE=Johnny\n_UID=0",
	  true, true, NULL },
	{ "id = 1\nsource = J?hn", "EVENT_ID=1\nEVENT_SOURCE=Jahn\n_UID=0",
	  true, true, NULL },
	{ "id = 1\nsource = J[ao]hn", "EVENT_ID=1\nEVENT_SOURCE=Jehn\n_UID=0",
	  true, false, NULL },
	/* log: case-insensitive */
	{ "id = 1\nlog = application",
	  "EVENT_ID=1\nEVENT_LOG=Application\n_UID=0", true, true, NULL },
	{ "id = 1\nlog = Sys*", "EVENT_ID=1\nEVENT_LOG=system\n_UID=0", true,
	  true, NULL },
	{ "id = 1\nlog = System", "EVENT_ID=1\nEVENT_LOG=Application\n_UID=0",
	  true, false, NULL },
	{ "id = 1\nlog = System", "EVENT_ID=1\n_UID=0", true, false, NULL },
	/* any field, exact or glob */
	{ "id = 1\nDISK = vda", "EVENT_ID=1\nDISK=vda\n_UID=0", true, true,
	  NULL },
	{ "id = 1\nDISK = vda", "EVENT_ID=1\nDISK=vdab\n_UID=0", true, false,
	  NULL },
	{ "id = 1\nDISK = vd*\nMODE = full",
	  "EVENT_ID=1\nDISK=vdb\nMODE=full\n_UID=0", true, true, NULL },
	{ "id = 1\nDISK = vd*\nMODE = full",
	  "EVENT_ID=1\nDISK=vdb\nMODE=fast\n_UID=0", true, false, NULL },
	{ "id = 1\nDISK = *", "EVENT_ID=1\n_UID=0", true, false, NULL },
	/* trust: local writers, uid 0 by default */
	{ "id = 1", "EVENT_ID=1\n_UID=1000", true, false,
	  "written by a user or unit the rule does not allow" },
	{ "id = 1", "EVENT_ID=1", true, false,
	  "the entry has no trusted _UID" },
	{ "id = 1\nuid = 1000 1001", "EVENT_ID=1\n_UID=1001", true, true,
	  NULL },
	{ "id = 1\nuid = 1000", "EVENT_ID=1\n_UID=0", true, false,
	  "written by a user or unit the rule does not allow" },
	{ "id = 1\nunit = backup.service",
	  "EVENT_ID=1\n_UID=1000\n_SYSTEMD_UNIT=backup.service", true, true,
	  NULL },
	{ "id = 1\nunit = backup.service",
	  "EVENT_ID=1\n_UID=0\n_SYSTEMD_UNIT=other.service", true, false,
	  "written by a user or unit the rule does not allow" },
	/* trust: the sender, only from the listener */
	{ "id = 1\nsender = vdc",
	  "EVENT_ID=1\nEVENT_SENDER=vdc\nEVENT_AUTH=channel\n_UID=990", true,
	  true, NULL },
	{ "id = 1\nsender = vdc",
	  "EVENT_ID=1\nEVENT_SENDER=other\n_UID=990", true, false,
	  "the sender may not fire this rule" },
	{ "id = 1\nsender = vdc", "EVENT_ID=1\n_UID=990", true, false,
	  "a remote event without a proven sender" },
	{ "id = 1\nsender = vdc",               /* forged by a local user */
	  "EVENT_ID=1\nEVENT_SENDER=vdc\n_UID=1000", true, false,
	  "EVENT_SENDER is believed only on entries the listener wrote" },
	{ "id = 1\nsender = vdc",               /* even by root */
	  "EVENT_ID=1\nEVENT_SENDER=vdc\n_UID=0", true, false,
	  "EVENT_SENDER is believed only on entries the listener wrote" },
	{ "id = 1\nsender = vdc",               /* no listener configured */
	  "EVENT_ID=1\nEVENT_SENDER=vdc\n_UID=990", false, false,
	  "EVENT_SENDER is believed only on entries the listener wrote" },
	{ "id = 1\nsender = vdc\nuid = 1000",   /* uid admits, not sender */
	  "EVENT_ID=1\nEVENT_SENDER=xyz\n_UID=1000", true, true, NULL },
	{ "id = 1",                             /* remote, no sender named */
	  "EVENT_ID=1\nEVENT_SENDER=vdc\n_UID=990", true, false,
	  "a remote event, and the rule names no sender" },
	{ "id = 1\nuid = 990",                  /* the listener's uid is no pass */
	  "EVENT_ID=1\nEVENT_SENDER=vdc\n_UID=990", true, false,
	  "a remote event, and the rule names no sender" },
	{ "id = 1\nsender = vdc\nEVENT_HOSTNAME = vdc*",
	  "EVENT_ID=1\nEVENT_SENDER=vdc\nEVENT_HOSTNAME=vdc.lan\n"
	  "EVENT_AUTH=x509\n_UID=990", true, true, NULL },
	{ "id = 1\nsender = vdc\nEVENT_HOSTNAME = vdc*",
	  "EVENT_ID=1\nEVENT_SENDER=vdc\nEVENT_HOSTNAME=web.lan\n_UID=990",
	  true, false, NULL },
	{ "id = 1\nEVENT_HOSTNAME = vdc*",      /* forged listener field */
	  "EVENT_ID=1\nEVENT_HOSTNAME=vdc.lan\n_UID=0", true, false,
	  "the rule matches a field only the listener may write, and a local "
	  "process wrote it" },
	{ "id = 1\nEVENT_UUID = 6f1c*",        /* the listener's uuid, forged */
	  "EVENT_ID=1\nEVENT_UUID=6f1c-x\n_UID=0", true, false,
	  "the rule matches a field only the listener may write, and a local "
	  "process wrote it" },
	{ "id = 1\nEVENT_TIME = 1*",           /* and its sender's time */
	  "EVENT_ID=1\nEVENT_TIME=17\n_UID=0", true, false,
	  "the rule matches a field only the listener may write, and a local "
	  "process wrote it" },
	/* trust: which proofs of the sender count (sender-auth) */
#define NAS(auth) "EVENT_ID=1\nEVENT_SENDER=nas\n" auth "_UID=990"
	{ "id = 1\nsender = nas", NAS("EVENT_AUTH=channel\n"), true, true,
	  NULL },
	{ "id = 1\nsender = nas", NAS("EVENT_AUTH=x509\n"), true, true, NULL },
	{ "id = 1\nsender = nas", NAS("EVENT_AUTH=psk\n"), true, true, NULL },
	{ "id = 1\nsender = nas", NAS("EVENT_AUTH=address\n"), true, false,
	  "sender 'nas' proved by address; the rule accepts channel x509 psk" },
	{ "id = 1\nsender = nas\nsender-auth = address",
	  NAS("EVENT_AUTH=address\n"), true, true, NULL },
	{ "id = 1\nsender = nas\nsender-auth = address",
	  NAS("EVENT_AUTH=channel\n"), true, false,
	  "sender 'nas' proved by channel; the rule accepts address" },
	{ "id = 1\nsender = nas\nsender-auth = x509",
	  NAS("EVENT_AUTH=psk\n"), true, false,
	  "sender 'nas' proved by psk; the rule accepts x509" },
	{ "id = 1\nsender = nas\nsender-auth = x509", NAS("EVENT_AUTH=x509\n"),
	  true, true, NULL },
	{ "id = 1\nsender = nas\nsender-auth = address psk channel x509",
	  NAS("EVENT_AUTH=address\n"), true, true, NULL },
	{ "id = 1\nsender = nas", NAS(""), true, false,
	  "sender 'nas' has no EVENT_AUTH; the rule accepts channel x509 psk" },
	{ "id = 1\nsender = nas\nsender-auth = channel x509 psk address",
	  NAS("EVENT_AUTH=kerberos\n"), true, false,
	  "sender 'nas' proved by kerberos; the rule accepts channel x509 psk "
	  "address" },
	{ "id = 1\nsender = vdc\nsender-auth = address", /* other sender */
	  NAS("EVENT_AUTH=address\n"), true, false,
	  "the sender may not fire this rule" },
	/* a local writer is judged by uid and unit, never by EVENT_AUTH */
	{ "id = 1\nsender = nas\nsender-auth = address\nuid = 1000",
	  "EVENT_ID=1\nEVENT_SENDER=nas\nEVENT_AUTH=address\n_UID=0", true,
	  false, "EVENT_SENDER is believed only on entries the listener wrote" },
#undef NAS
	/* a mismatch is no trust failure: no reason */
	{ "id = 1\nsender = vdc", "EVENT_ID=2\nEVENT_SENDER=vdc\n_UID=1000",
	  true, false, NULL },
};

START_TEST(test_matches)
{
	struct rule_errors errors = { 0 };
	_cleanup_(rule_freep) struct rule *r = NULL;
	_cleanup_(fields_freep) struct fields *entry = fields_new();
	_cleanup_(freep) char *text = NULL, *lines = NULL;
	struct rule_trust trust = { LISTENER, match_cases[_i].have_listener };
	const char *reason = NULL;
	char path[256];
	bool fires;

	ck_assert_int_ge(asprintf(&text, "[trigger]\n%s\n" GOOD_JOB,
				  match_cases[_i].rule), 0);
	write_rule("m.rule", text);
	snprintf(path, sizeof(path), "%s/m.rule", dir);
	ck_assert_int_eq(rule_load_file(path, &mods, &r, &errors), 0);

	lines = strdup(match_cases[_i].entry);
	for (char *save = NULL, *l = strtok_r(lines, "\n", &save); l != NULL;
	     l = strtok_r(NULL, "\n", &save))
		ck_assert_int_eq(fields_add_data(entry, l, strlen(l)), 0);

	fires = rule_matches(r, entry, &trust, &reason);
	ck_assert_msg(fires == match_cases[_i].fires,
		      "case %d: rule '%s' entry '%s': fires=%d", _i,
		      match_cases[_i].rule, match_cases[_i].entry, fires);
	if (match_cases[_i].reason == NULL)
		ck_assert_msg(reason == NULL, "case %d: reason '%s'", _i,
			      reason);
	else
		ck_assert_msg(reason != NULL &&
				      strcmp(reason, match_cases[_i].reason) == 0,
			      "case %d: reason '%s'", _i,
			      reason != NULL ? reason : "(null)");
	/* ret_reason may be NULL */
	ck_assert(rule_matches(r, entry, &trust, NULL) == fires);
}
END_TEST

/* rule_explain(): `evtrigger test`'s verdicts, from the same code as
 * rule_matches(), and the reason it prints. */
static const struct {
	const char *rule;
	const char *entry;
	enum rule_verdict verdict;
	const char *reason;
} explain_cases[] = {
	{ "id = 777", "EVENT_ID=777\n_UID=0", RULE_FIRES, NULL },
	{ "id = 777", "EVENT_ID=778\n_UID=0", RULE_NO_MATCH,
	  "id 778, the rule wants 777" },
	{ "id = 777", "_UID=0", RULE_NO_MATCH, "the event has no EVENT_ID" },
	{ "id = 777", "EVENT_ID=x\n_UID=0", RULE_NO_MATCH,
	  "invalid EVENT_ID 'x'" },
	{ "id = 1\ntype = warning", "EVENT_ID=1\nEVENT_TYPE=ERROR\n_UID=0",
	  RULE_NO_MATCH, "type ERROR, the rule wants WARNING" },
	{ "id = 1\ntype = warning", "EVENT_ID=1\n_UID=0", RULE_NO_MATCH,
	  "type (none), the rule wants WARNING" },
	{ "id = 1\nsource = John", "EVENT_ID=1\nEVENT_SOURCE=Bob\n_UID=0",
	  RULE_NO_MATCH, "EVENT_SOURCE is 'Bob', the rule wants 'John'" },
	{ "id = 1\nsource = John", "EVENT_ID=1\nSYSLOG_IDENTIFIER=Bob\n_UID=0",
	  RULE_NO_MATCH, "EVENT_SOURCE is 'Bob', the rule wants 'John'" },
	{ "id = 1\nDISK = vd*", "EVENT_ID=1\n_UID=0", RULE_NO_MATCH,
	  "no DISK, the rule wants 'vd*'" },
	{ "id = 1\nDISK = vd*", "EVENT_ID=1\nDISK=sda\n_UID=0", RULE_NO_MATCH,
	  "DISK is 'sda', the rule wants 'vd*'" },
	{ "id = 1", "EVENT_ID=1\n_UID=1000", RULE_UNTRUSTED,
	  "written by a user or unit the rule does not allow" },
	{ "id = 1\nsender = vdc", "EVENT_ID=1\nEVENT_SENDER=web\n_UID=990",
	  RULE_UNTRUSTED, "the sender may not fire this rule" },
	{ "id = 1\nsender = vdc",
	  "EVENT_ID=1\nEVENT_SENDER=vdc\nEVENT_AUTH=channel\n_UID=990",
	  RULE_FIRES, NULL },
	{ "id = 1\nsender = nas",
	  "EVENT_ID=1\nEVENT_SENDER=nas\nEVENT_AUTH=address\n_UID=990",
	  RULE_UNTRUSTED,
	  "sender 'nas' proved by address; the rule accepts channel x509 psk" },
	/* the content is judged before the writer */
	{ "id = 1\nsource = John", "EVENT_ID=1\nEVENT_SOURCE=Bob\n_UID=1000",
	  RULE_NO_MATCH, "EVENT_SOURCE is 'Bob', the rule wants 'John'" },
};

START_TEST(test_explain)
{
	struct rule_errors errors = { 0 };
	_cleanup_(rule_freep) struct rule *r = NULL;
	_cleanup_(fields_freep) struct fields *entry = fields_new();
	_cleanup_(freep) char *text = NULL, *lines = NULL;
	struct rule_trust trust = { LISTENER, true };
	const char *reason = "unset";
	enum rule_verdict v;
	char path[256], buf[256];

	ck_assert_int_ge(asprintf(&text, "[trigger]\n%s\n" GOOD_JOB,
				  explain_cases[_i].rule), 0);
	write_rule("m.rule", text);
	snprintf(path, sizeof(path), "%s/m.rule", dir);
	ck_assert_int_eq(rule_load_file(path, &mods, &r, &errors), 0);
	lines = strdup(explain_cases[_i].entry);
	for (char *save = NULL, *l = strtok_r(lines, "\n", &save); l != NULL;
	     l = strtok_r(NULL, "\n", &save))
		ck_assert_int_eq(fields_add_data(entry, l, strlen(l)), 0);

	v = rule_explain(r, entry, &trust, buf, sizeof(buf), &reason);
	ck_assert_msg(v == explain_cases[_i].verdict, "case %d: verdict %d",
		      _i, (int)v);
	if (explain_cases[_i].reason == NULL)
		ck_assert_ptr_null(reason);
	else
		ck_assert_msg(reason != NULL &&
				      strcmp(reason, explain_cases[_i].reason) == 0,
			      "case %d: reason '%s'", _i,
			      reason != NULL ? reason : "(null)");
	/* the watcher's answer is the same */
	ck_assert(rule_matches(r, entry, &trust, NULL) == (v == RULE_FIRES));
}
END_TEST

static Suite *
rule_suite(void)
{
	Suite *s = suite_create("rule");
	TCase *tc = tcase_create("load");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_load_errors, 0, ELEMENTSOF(load_cases));
	tcase_add_loop_test(tc, test_explain, 0, ELEMENTSOF(explain_cases));
	tcase_add_test(tc, test_load_values);
	tcase_add_test(tc, test_load_defaults);
	tcase_add_test(tc, test_load_on_failure);
	tcase_add_test(tc, test_long_lines);
	tcase_add_test(tc, test_unreadable);
	tcase_add_test(tc, test_mangled);
	suite_add_tcase(s, tc);

	tc = tcase_create("dir");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_dir_all_errors);
	tcase_add_test(tc, test_dir_ids);
	tcase_add_test(tc, test_dir_empty);
	tcase_add_test(tc, test_load_keeps_text);
	suite_add_tcase(s, tc);

	tc = tcase_create("match");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_matches, 0, ELEMENTSOF(match_cases));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rule_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
