/* Check suite for evtrigger/watch/entry.c: the job ID of a matched entry
 * (by cursor, or for a remote event by sender, uuid and rule) and its age
 * (the older of the journal's time and the sender's EVENT_TIME). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "strv.h"
#include "jobs/record.h"
#include "rules/rule.h"
#include "watch/entry.h"

#define LISTENER_UID 990
#define SEC 1000000ULL

static const struct rule_trust trust = { LISTENER_UID, true };
static const struct rule_trust no_listener = { 0, false };

static const char *const cursor_a =
	"s=0123;i=1;b=ab;m=1;t=5f0;x=aa";
static const char *const cursor_b =
	"s=0123;i=2;b=ab;m=2;t=5f1;x=bb";

/* An entry as the watcher reads it; fields: "NAME=value", NULL-ended. */
static struct fields *
entry(const char *uid, const char *const *kv)
{
	struct fields *f = fields_new();

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fields_add(f, "_UID", uid), 0);
	ck_assert_int_eq(fields_add(f, "EVENT_ID", "777"), 0);
	for (size_t i = 0; kv != NULL && kv[i] != NULL; i++)
		ck_assert_int_eq(fields_add_data(f, kv[i], strlen(kv[i])), 0);
	return f;
}

#define KV(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void
job_id(const struct fields *f, const char *cursor, const char *rule,
       const struct rule_trust *t, char buf[static JOB_ID_LEN + 1])
{
	_cleanup_(rule_freep) struct rule *r = rule_new(rule);

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(entry_job_id(f, cursor, r, t, buf), 0);
	ck_assert(job_id_is_valid(buf));
}

START_TEST(test_remote_job_id)
{
	_cleanup_(fields_freep) struct fields *first = entry("990",
		KV("EVENT_SENDER=vdc",
		   "EVENT_UUID=6f1c3c8e-9d7b-4d4e-9a43-7b0c1b2f6d11"));
	_cleanup_(fields_freep) struct fields *resend = entry("990",
		KV("EVENT_SENDER=vdc",
		   "EVENT_UUID=6f1c3c8e-9d7b-4d4e-9a43-7b0c1b2f6d11",
		   "N=2"));
	_cleanup_(fields_freep) struct fields *other_vm = entry("990",
		KV("EVENT_SENDER=vdd",
		   "EVENT_UUID=6f1c3c8e-9d7b-4d4e-9a43-7b0c1b2f6d11"));
	_cleanup_(fields_freep) struct fields *other_uuid = entry("990",
		KV("EVENT_SENDER=vdc",
		   "EVENT_UUID=00000000-9d7b-4d4e-9a43-7b0c1b2f6d11"));
	char a[JOB_ID_LEN + 1], b[JOB_ID_LEN + 1], c[JOB_ID_LEN + 1];
	char want[JOB_ID_LEN + 1];

	/* The same sender, uuid and rule at two cursors: one job. */
	job_id(first, cursor_a, "777-vdc", &trust, a);
	job_id(resend, cursor_b, "777-vdc", &trust, b);
	ck_assert_str_eq(a, b);
	ck_assert_int_eq(job_id_remote("vdc",
		"6f1c3c8e-9d7b-4d4e-9a43-7b0c1b2f6d11", "777-vdc", want), 0);
	ck_assert_str_eq(a, want);
	/* Another sender, another uuid, another rule: other jobs. */
	job_id(other_vm, cursor_a, "777-vdc", &trust, c);
	ck_assert_str_ne(a, c);
	job_id(other_uuid, cursor_a, "777-vdc", &trust, c);
	ck_assert_str_ne(a, c);
	job_id(first, cursor_a, "777-other", &trust, c);
	ck_assert_str_ne(a, c);
}
END_TEST

START_TEST(test_local_job_id)
{
	/* A local writer's EVENT_UUID is not believed: keyed by cursor. */
	_cleanup_(fields_freep) struct fields *local = entry("0",
		KV("EVENT_SENDER=vdc",
		   "EVENT_UUID=6f1c3c8e-9d7b-4d4e-9a43-7b0c1b2f6d11"));
	_cleanup_(fields_freep) struct fields *no_uuid = entry("990",
		KV("EVENT_SENDER=vdc"));
	char a[JOB_ID_LEN + 1], b[JOB_ID_LEN + 1], want[JOB_ID_LEN + 1];

	job_id(local, cursor_a, "777-vdc", &trust, a);
	job_id(local, cursor_b, "777-vdc", &trust, b);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(job_id_from_cursor(cursor_a, "777-vdc", want), 0);
	ck_assert_str_eq(a, want);
	/* The listener's entry without a uuid: by cursor too. */
	job_id(no_uuid, cursor_a, "777-vdc", &trust, a);
	ck_assert_str_eq(a, want);
	/* No listener configured: nobody's EVENT_UUID counts. */
	_cleanup_(fields_freep) struct fields *remote = entry("990",
		KV("EVENT_SENDER=vdc", "EVENT_UUID=x"));
	job_id(remote, cursor_a, "777-vdc", &no_listener, a);
	ck_assert_str_eq(a, want);
}
END_TEST

START_TEST(test_max_age)
{
	const uint64_t now = 1800000000ULL * SEC, hour = 3600 * SEC;
	char t_old[32], t_new[32], t_future[32], buf[256];
	const char *why;

	snprintf(t_old, sizeof(t_old), "EVENT_TIME=%llu",
		 (unsigned long long)(now - 2 * hour));
	snprintf(t_new, sizeof(t_new), "EVENT_TIME=%llu",
		 (unsigned long long)(now - 60 * SEC));
	snprintf(t_future, sizeof(t_future), "EVENT_TIME=%llu",
		 (unsigned long long)(now + hour));
	_cleanup_(fields_freep) struct fields *held = entry("990",
		KV("EVENT_SENDER=vdc", t_old));
	_cleanup_(fields_freep) struct fields *fresh = entry("990",
		KV("EVENT_SENDER=vdc", t_new));
	_cleanup_(fields_freep) struct fields *future = entry("990",
		KV("EVENT_SENDER=vdc", t_future));
	_cleanup_(fields_freep) struct fields *local = entry("0",
		KV(t_old));
	_cleanup_(fields_freep) struct fields *bad = entry("990",
		KV("EVENT_SENDER=vdc", "EVENT_TIME=yesterday"));

	/* Sent 2h ago, in the journal just now: too old, and says why. */
	why = entry_too_old(held, &trust, now - SEC, now, hour, buf,
			    sizeof(buf));
	ck_assert_ptr_nonnull(why);
	ck_assert_str_eq(why, "the event is 2h 0m 0s old by the sender's time, "
			      "older than the maximum age 1h 0m 0s");
	/* No limit, or a longer one: fine. */
	ck_assert_ptr_null(entry_too_old(held, &trust, now - SEC, now, 0, buf,
					 sizeof(buf)));
	ck_assert_ptr_null(entry_too_old(held, &trust, now - SEC, now,
					 3 * hour, buf, sizeof(buf)));
	/* Sent a minute ago: fine; but old in the journal: too old. */
	ck_assert_ptr_null(entry_too_old(fresh, &trust, now - SEC, now, hour,
					 buf, sizeof(buf)));
	why = entry_too_old(fresh, &trust, now - 3 * hour, now, hour, buf,
			    sizeof(buf));
	ck_assert_ptr_nonnull(why);
	ck_assert_str_eq(why, "the event is 3h 0m 0s old, older than the "
			      "maximum age 1h 0m 0s");
	/* A sender's clock ahead does not make an old entry young. */
	ck_assert_ptr_nonnull(entry_too_old(future, &trust, now - 3 * hour,
					    now, hour, buf, sizeof(buf)));
	ck_assert_ptr_null(entry_too_old(future, &trust, now - SEC, now, hour,
					 buf, sizeof(buf)));
	/* EVENT_TIME from anyone but the listener is not believed. */
	ck_assert_ptr_null(entry_too_old(local, &trust, now - SEC, now, hour,
					 buf, sizeof(buf)));
	ck_assert_ptr_null(entry_too_old(held, &no_listener, now - SEC, now,
					 hour, buf, sizeof(buf)));
	/* Not a number: ignored, the journal's time counts. */
	ck_assert_ptr_null(entry_too_old(bad, &trust, now - SEC, now, hour,
					 buf, sizeof(buf)));
}
END_TEST


/* evtrigger's own entries: the trusted _UID and the identifier, both. */
START_TEST(test_own_entries)
{
	struct fields *own = entry("0", KV("SYSLOG_IDENTIFIER=evtrigger",
					   "CHAIN_DEPTH=2", "JOB_ID=abc",
					   "TRIGGER_UID=65534",
					   "TRIGGER_COMM=logger"));
	struct fields *forged = entry("65534", KV("SYSLOG_IDENTIFIER=evtrigger",
						  "CHAIN_DEPTH=1",
						  "TRIGGER_UID=0"));
	struct fields *outside = entry("0", KV("SYSLOG_IDENTIFIER=logger",
					       "_PID=42", "_COMM=logger"));
	struct fields *bare = entry("0", KV("SYSLOG_IDENTIFIER=evtrigger"));
	struct fields *deep = entry("0", KV("SYSLOG_IDENTIFIER=evtrigger",
					    "CHAIN_DEPTH=99999999999"));
	struct fields *as = NULL;
	struct entry_writer w;
	char **v = calloc(1, sizeof(char *));
	size_t n = 0;

	ck_assert(entry_is_own(own, 0));
	ck_assert(!entry_is_own(own, 1000));    /* another daemon uid */
	ck_assert(!entry_is_own(forged, 0));    /* nobody wrote it */
	ck_assert(!entry_is_own(outside, 0));
	ck_assert_uint_eq(entry_chain_depth(own, 0), 2);
	ck_assert_uint_eq(entry_chain_depth(forged, 0), 0);
	ck_assert_uint_eq(entry_chain_depth(outside, 0), 0);
	ck_assert_uint_eq(entry_chain_depth(bare, 0), 1);
	ck_assert_uint_eq(entry_chain_depth(deep, 0), ENTRY_CHAIN_MAX + 1);

	/* The writer of an own entry is the one it recorded ... */
	entry_get_writer(own, 0, &w);
	ck_assert_str_eq(w.uid, "65534");
	ck_assert_str_eq(w.comm, "logger");
	ck_assert_str_eq(w.job_id, "abc");
	/* ... a forged TRIGGER_UID is not believed ... */
	entry_get_writer(forged, 0, &w);
	ck_assert_str_eq(w.uid, "65534");
	ck_assert_ptr_null(w.job_id);
	/* ... and without one, evtrigger itself. */
	entry_get_writer(bare, 0, &w);
	ck_assert_str_eq(w.uid, "0");

	/* What a rule's trust check sees. */
	ck_assert_int_eq(entry_as_writer(own, 0, &as), 0);
	ck_assert_str_eq(fields_get(as, "_UID"), "65534");
	ck_assert_str_eq(fields_get(as, "EVENT_ID"), "777");
	fields_free(as);

	/* The fields an event about the outside entry carries. */
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(entry_origin_fields(outside, 0, &v, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(v[0], "CHAIN_DEPTH=1");
	ck_assert_str_eq(v[1], "TRIGGER_UID=0");
	ck_assert_str_eq(v[2], "TRIGGER_PID=42");
	ck_assert_str_eq(v[3], "TRIGGER_COMM=logger");
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	n = 0;
	v[0] = NULL;
	ck_assert_int_eq(entry_origin_fields(own, 0, &v, &n), 0);
	ck_assert_str_eq(v[0], "CHAIN_DEPTH=3");
	ck_assert_str_eq(v[1], "TRIGGER_UID=65534");
	ck_assert_str_eq(v[n - 1], "TRIGGER_JOB_ID=abc");
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	fields_free(own);
	fields_free(forged);
	fields_free(outside);
	fields_free(bare);
	fields_free(deep);
}
END_TEST

/* Several hosts: an entry the bus wrote because its VM runs nowhere fires
 * only a rule whose host is this host; other entries fire whatever host
 * says; the entry host reports it when rules match and none names a host.
 * Placement is believed only from the listener's uid. */
START_TEST(test_placement)
{
	static const struct {
		const char *uid, *placement, *entry_host, *rule_host;
		enum rule_verdict verdict;
		bool unowned;           /* with this rule alone */
	} cases[] = {
		/* nowhere: only the owner fires */
		{ "990", "nowhere", "hostA", "hostA", RULE_FIRES, false },
		{ "990", "nowhere", "hostA", "hostB", RULE_ELSEWHERE, false },
		{ "990", "nowhere", "hostA", NULL, RULE_ELSEWHERE, true },
		/* entered on another host: that one reports it */
		{ "990", "nowhere", "hostB", NULL, RULE_ELSEWHERE, false },
		/* local, entry, or no bus at all: as today */
		{ "990", "local", "hostB", "hostB", RULE_FIRES, false },
		{ "990", "entry", "hostA", NULL, RULE_FIRES, false },
		{ "990", NULL, NULL, "hostB", RULE_FIRES, false },
		/* not the listener's uid: EVENT_PLACEMENT is not believed, and
		 * EVENT_SENDER neither (refused as today) */
		{ "1000", "nowhere", "hostA", "hostB", RULE_UNTRUSTED, false },
	};
	const struct rule_trust here = { LISTENER_UID, true, "hostA" };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_(fields_freep) struct fields *f = NULL;
		_cleanup_(rule_freep) struct rule *r = rule_new("p");
		struct entry_placement p = { 0 };
		char buf[256];
		const char *reason;
		enum rule_verdict v;

		ck_assert_ptr_nonnull(r);
		r->id = 777;
		ck_assert_int_eq(strv_extend(&r->senders, &r->n_senders,
					     "backup"), 0);
		if (cases[i].rule_host != NULL)
			r->host = strdup(cases[i].rule_host);
		f = entry(cases[i].uid, KV("EVENT_SENDER=backup",
					  "EVENT_AUTH=x509",
					  "EVENT_UUID=11111111-1111-4111-8111-111111111111",
					  "VM=vdc"));
		if (cases[i].placement != NULL)
			ck_assert_int_eq(fields_add(f, "EVENT_PLACEMENT",
						    cases[i].placement), 0);
		if (cases[i].entry_host != NULL)
			ck_assert_int_eq(fields_add(f, "EVENT_ENTRY_HOST",
						    cases[i].entry_host), 0);
		v = rule_explain(r, f, &here, buf, sizeof(buf), &reason);
		ck_assert_msg(v == cases[i].verdict, "case %zu: verdict %d (%s)",
			      i, (int)v, reason != NULL ? reason : "-");
		ck_assert_int_eq(rule_matches(r, f, &here, NULL),
				 v == RULE_FIRES);
		entry_placement_add(&p, r, v);
		ck_assert_msg(entry_placement_unowned(&p, f, &here) ==
			      cases[i].unowned, "case %zu: unowned", i);
	}
}
END_TEST

/* Two rules, one naming another host: the event has an owner, no report;
 * a rule whose trigger does not match does not count. */
START_TEST(test_placement_owner_elsewhere)
{
	_cleanup_(fields_freep) struct fields *f = NULL;
	_cleanup_(rule_freep) struct rule *a = rule_new("a"), *b = rule_new("b");
	const struct rule_trust here = { LISTENER_UID, true, "hostA" };
	struct entry_placement p = { 0 };
	char buf[256];
	const char *reason;

	ck_assert(a != NULL && b != NULL);
	a->id = 777;
	b->id = 778;
	ck_assert_int_eq(strv_extend(&a->senders, &a->n_senders, "backup"), 0);
	ck_assert_int_eq(strv_extend(&b->senders, &b->n_senders, "backup"), 0);
	b->host = strdup("hostB");
	f = entry("990", KV("EVENT_SENDER=backup", "EVENT_AUTH=x509",
			    "EVENT_PLACEMENT=nowhere", "EVENT_ENTRY_HOST=hostA"));
	entry_placement_add(&p, a, rule_explain(a, f, &here, buf, sizeof(buf),
						&reason));
	entry_placement_add(&p, b, rule_explain(b, f, &here, buf, sizeof(buf),
						&reason));
	ck_assert(entry_placement_unowned(&p, f, &here));
	b->id = 777;
	entry_placement_add(&p, b, rule_explain(b, f, &here, buf, sizeof(buf),
						&reason));
	ck_assert(!entry_placement_unowned(&p, f, &here));
}
END_TEST

static Suite *
entry_suite(void)
{
	Suite *s = suite_create("entry");
	TCase *tc = tcase_create("entry");

	tcase_add_test(tc, test_remote_job_id);
	tcase_add_test(tc, test_local_job_id);
	tcase_add_test(tc, test_max_age);
	tcase_add_test(tc, test_own_entries);
	tcase_add_test(tc, test_placement);
	tcase_add_test(tc, test_placement_owner_elsewhere);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(entry_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
