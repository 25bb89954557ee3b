/* Check suite for evtrigger/jobs/record.c: the job record format, job IDs, the
 * no-two-jobs-per-entry creation and the job lock. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fileio.h"
#include "jobs/record.h"
#include "options.h"

static char *
tmpdir(void)
{
	char *d = strdup("/tmp/test_jobrec.XXXXXX");

	ck_assert_ptr_nonnull(mkdtemp(d));
	return d;
}

static void
rmrf(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct job_record *
sample(void)
{
	struct job_record *j = job_record_new();

	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(job_record_set(&j->id, "0123456789abcdef"), 0);
	j->kind = JOB_KIND_TRIGGER;
	j->state = JOB_RUNNING;
	job_record_set(&j->rule, "777-vdc");
	job_record_set(&j->rule_path, "/etc/evtrigger/rules.d/777-vdc.rule");
	job_record_set(&j->vm, "vdc");
	job_record_set(&j->cursor, "s=abc;i=1f;b=de;m=1;t=2;x=3");
	job_record_set(&j->steps, "wait-shutdown compact start");
	job_record_set(&j->step, "compact");
	j->step_index = 2;
	j->percent = 45;
	job_record_set(&j->item, "vda");
	j->pid = 4242;
	j->pid_start = 987654;
	j->created = 1700000000000000ULL;
	j->started = 1700000000100000ULL;
	j->step_started = 1700000000200000ULL;
	ck_assert_int_eq(fields_add(j->fields, "EVENT_ID", "777"), 0);
	ck_assert_int_eq(fields_add(j->fields, "MESSAGE",
				    "line1\nline2\\n \"q\" 'x' ;rm -rf / = =="), 0);
	ck_assert_int_eq(fields_add(j->fields, "CTRL", "a\tb\x01" "c\x7f"), 0);
	ck_assert_int_eq(fields_add(j->fields, "EMPTY", ""), 0);
	ck_assert_int_eq(job_record_set_note(j, "vm-down", "1"), 0);
	return j;
}

START_TEST(test_roundtrip)
{
	_cleanup_(job_record_freep) struct job_record *j = sample();
	_cleanup_(job_record_freep) struct job_record *k = NULL;
	_cleanup_(freep) char *text = NULL;
	_cleanup_(freep) char *text2 = NULL;

	ck_assert_int_eq(job_record_format(j, &text), 0);
	/* One record line per key: no value breaks a line. */
	ck_assert_ptr_null(strstr(text, "\nline2"));
	ck_assert_int_eq(job_record_parse(text, &k), 0);
	ck_assert_str_eq(k->id, j->id);
	ck_assert_int_eq(k->state, JOB_RUNNING);
	ck_assert_int_eq(k->kind, JOB_KIND_TRIGGER);
	ck_assert_str_eq(k->rule, "777-vdc");
	ck_assert_str_eq(k->vm, "vdc");
	ck_assert_ptr_null(k->connect);
	ck_assert_str_eq(k->cursor, j->cursor);
	ck_assert_str_eq(k->step, "compact");
	ck_assert_uint_eq(k->step_index, 2);
	ck_assert_int_eq(k->percent, 45);
	ck_assert_str_eq(k->item, "vda");
	ck_assert_int_eq(k->pid, 4242);
	ck_assert_uint_eq(k->pid_start, 987654);
	ck_assert_uint_eq(k->created, j->created);
	ck_assert_uint_eq(k->started, j->started);
	ck_assert_uint_eq(k->step_started, j->step_started);
	ck_assert_uint_eq(k->ended, 0);
	ck_assert_uint_eq(k->fields->n, 4);
	ck_assert_str_eq(fields_get(k->fields, "MESSAGE"),
			 fields_get(j->fields, "MESSAGE"));
	ck_assert_str_eq(fields_get(k->fields, "CTRL"), "a\tb\x01" "c\x7f");
	ck_assert_str_eq(fields_get(k->fields, "EMPTY"), "");
	ck_assert_str_eq(fields_get(k->notes, "vm-down"), "1");
	/* Formatting what was parsed gives the same text. */
	ck_assert_int_eq(job_record_format(k, &text2), 0);
	ck_assert_str_eq(text, text2);
}
END_TEST

static const struct {
	const char *text;
	int r;
} parse_cases[] = {
	{ "id=0123456789abcdef\nstate=queued\n", 0 },
	{ "# comment\n\nid=0123456789abcdef\nstate=done\n", -EBADMSG },
	{ "id=0123456789abcdef\n", -EBADMSG },                  /* no state */
	{ "state=queued\n", -EBADMSG },                         /* no id */
	{ "id=0123456789abcdef\nstate=queued\nnoequals\n", -EBADMSG },
	{ "id=0123456789abcdef\nstate=queued\nerror=bad\\q\n", -EBADMSG },
	{ "id=0123456789abcdef\nstate=queued\nerror=nul\\x00\n", -EBADMSG },
	{ "id=0123456789abcdef\nstate=queued\nerror=cut\\x4\n", -EBADMSG },
	{ "id=0123456789abcdef\nstate=queued\npid=-1\n", -EBADMSG },
	{ "id=0123456789abcdef\nstate=queued\nversion=2\n", -EPROTO },
	{ "id=0123456789abcdef\nstate=queued\nnote.bad key=1\n", -EBADMSG },
	/* Keys of a newer version are ignored. */
	{ "id=0123456789abcdef\nstate=queued\nfuture-key=x\n", 0 },
	{ "id=0123456789abcdef\nstate=queued", 0 },             /* no final \n */
};

START_TEST(test_parse_cases)
{
	struct job_record *j = NULL;
	int r = job_record_parse(parse_cases[_i].text, &j);

	ck_assert_msg(r == parse_cases[_i].r, "case %d: r=%d", _i, r);
	if (r == 0)
		job_record_free(j);
	else
		ck_assert_ptr_null(j);
}
END_TEST

START_TEST(test_notes)
{
	_cleanup_(job_record_freep) struct job_record *j = job_record_new();

	ck_assert_int_eq(job_record_set_note(j, "a", "1"), 0);
	ck_assert_int_eq(job_record_set_note(j, "b", "2"), 0);
	ck_assert_int_eq(job_record_set_note(j, "a", "3"), 0);
	ck_assert_str_eq(fields_get(j->notes, "a"), "3");
	ck_assert_int_eq(job_record_set_note(j, "a", NULL), 0);
	ck_assert_ptr_null(fields_get(j->notes, "a"));
	ck_assert_str_eq(fields_get(j->notes, "b"), "2");
	ck_assert_int_eq(job_record_set_note(j, "nope", NULL), 0);
	ck_assert_int_eq(job_record_set_note(j, "", "x"), -EINVAL);
	ck_assert_int_eq(job_record_set_note(j, "a=b", "x"), -EINVAL);
	ck_assert_int_eq(job_record_set_note(j, "a\nb", "x"), -EINVAL);
}
END_TEST

START_TEST(test_ids)
{
	char a[JOB_ID_LEN + 1], b[JOB_ID_LEN + 1], c[JOB_ID_LEN + 1];
	char r1[JOB_ID_LEN + 1], r2[JOB_ID_LEN + 1];

	ck_assert_int_eq(job_id_from_cursor("s=1;i=2", "rule-a", a), 0);
	ck_assert_int_eq(job_id_from_cursor("s=1;i=2", "rule-a", b), 0);
	ck_assert_int_eq(job_id_from_cursor("s=1;i=2", "rule-b", c), 0);
	ck_assert_str_eq(a, b);         /* one entry, one rule: one job */
	ck_assert_str_ne(a, c);         /* two rules: two jobs */
	ck_assert(job_id_is_valid(a));
	/* sha256("s=1;i=2\nrule-a"), first 8 bytes. */
	ck_assert_str_eq(a, "d71a17c44564801c");
	ck_assert_int_eq(job_id_random(r1), 0);
	ck_assert_int_eq(job_id_random(r2), 0);
	ck_assert(job_id_is_valid(r1));
	ck_assert_str_ne(r1, r2);
	ck_assert_int_eq(job_id_recovery(a, r1), 0);
	ck_assert_str_ne(r1, a);
	ck_assert(!job_id_is_valid("0123456789ABCDEF"));
	ck_assert(!job_id_is_valid("0123456789abcde"));
	ck_assert(!job_id_is_valid("../../etc/passwd"));
	ck_assert(!job_id_is_valid(""));
}
END_TEST

START_TEST(test_create_once)
{
	_cleanup_(freep) char *dir = tmpdir();
	_cleanup_(job_record_freep) struct job_record *j = sample();
	_cleanup_(job_record_freep) struct job_record *k = NULL;
	_cleanup_(freep) char *rule = NULL;
	_cleanup_(freep) char *path = NULL;
	_cleanup_(strv_freep) char **ids = NULL;
	size_t n = 0;

	j->state = JOB_QUEUED;
	ck_assert_int_eq(job_record_create(dir, j, "[trigger]\nid = 777\n"), 0);
	/* The same entry again: refused, the first record untouched. */
	j->state = JOB_IGNORED;
	ck_assert_int_eq(job_record_create(dir, j, "other"), -EALREADY);
	ck_assert_int_eq(job_record_load(dir, j->id, &k), 0);
	ck_assert_int_eq(k->state, JOB_QUEUED);
	ck_assert_int_ge(asprintf(&path, "%s/jobs/%s/777-vdc.rule", dir, j->id),
			 0);
	ck_assert_int_eq(read_file(path, 4096, &rule, NULL), 0);
	ck_assert_str_eq(rule, "[trigger]\nid = 777\n");
	ck_assert_int_eq(job_list_ids(dir, &ids, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(ids[0], j->id);
	ck_assert_int_eq(job_record_load(dir, "ffffffffffffffff", &k), -ENOENT);
	ck_assert_int_eq(job_record_load(dir, "../x", &k), -ENOENT);
	/* A rule name that would leave the job directory is refused. */
	job_record_set(&j->id, "1111111111111111");
	job_record_set(&j->rule, "../evil");
	ck_assert_int_eq(job_record_create(dir, j, "x"), -EINVAL);
	ck_assert_int_eq(job_record_remove(dir, "0123456789abcdef"), 0);
	strv_free(TAKE_PTR(ids));
	ck_assert_int_eq(job_list_ids(dir, &ids, &n), 0);
	ck_assert_uint_eq(n, 0);    /* and no .new-* leftovers listed */
	rmrf(dir);
}
END_TEST

START_TEST(test_lock)
{
	_cleanup_(freep) char *dir = tmpdir();
	_cleanup_(job_record_freep) struct job_record *j = sample();
	int p[2], fd, status;
	uint64_t st = 0, st2 = 0;
	pid_t pid;
	char c;

	j->state = JOB_QUEUED;
	ck_assert_int_eq(job_record_create(dir, j, NULL), 0);
	ck_assert_int_eq(job_lock_holder(dir, j->id), 0);
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int l = job_lock_take(dir, j->id);

		(void)!write(p[1], l >= 0 ? "y" : "n", 1);
		pause();
		_exit(0);
	}
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	ck_assert_int_eq(c, 'y');
	/* Another process holds it: we see who, and cannot take it. */
	ck_assert_int_eq(job_lock_holder(dir, j->id), pid);
	ck_assert_int_eq(job_lock_take(dir, j->id), -EBUSY);
	ck_assert_int_eq(proc_start_time(pid, &st), 0);
	ck_assert_int_eq(proc_start_time(pid, &st2), 0);
	ck_assert_uint_eq(st, st2);
	ck_assert_uint_gt(st, 0);
	/* It dies (as kill -9 would): the lock is free. */
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(job_lock_holder(dir, j->id), 0);
	ck_assert_int_eq(proc_start_time(pid, &st), -ESRCH);
	fd = job_lock_take(dir, j->id);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(job_lock_take(dir, "ffffffffffffffff"), -ENOENT);
	rmrf(dir);
}
END_TEST

START_TEST(test_states)
{
	enum job_state s;

	for (unsigned i = 0; i < _JOB_STATE_MAX; i++) {
		ck_assert_int_eq(job_state_from_name(job_state_name(i), &s), 0);
		ck_assert_int_eq(s, i);
	}
	ck_assert_int_eq(job_state_from_name("bogus", &s), -EINVAL);
	ck_assert(!job_state_is_final(JOB_QUEUED));
	ck_assert(!job_state_is_final(JOB_RUNNING));
	ck_assert(job_state_is_final(JOB_INTERRUPTED));
	ck_assert(job_state_is_final(JOB_IGNORED));
}
END_TEST

START_TEST(test_write_atomic)
{
	_cleanup_(freep) char *dir = tmpdir();
	_cleanup_(freep) char *path = NULL;
	_cleanup_(freep) char *text = NULL;
	struct stat st;
	size_t len;

	ck_assert_int_ge(asprintf(&path, "%s/f", dir), 0);
	ck_assert_int_eq(write_file_atomic(path, "one", 3, 0640), 0);
	ck_assert_int_eq(write_file_atomic(path, "two!", 4, 0600), 0);
	ck_assert_int_eq(read_file(path, 100, &text, &len), 0);
	ck_assert_str_eq(text, "two!");
	ck_assert_uint_eq(len, 4);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	free(TAKE_PTR(text));
	ck_assert_int_eq(read_file(path, 2, &text, NULL), -EFBIG);
	free(path);
	ck_assert_int_ge(asprintf(&path, "%s/nodir/f", dir), 0);
	ck_assert_int_eq(write_file_atomic(path, "x", 1, 0600), -ENOENT);
	rmrf(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("jobrec");
	TCase *tc = tcase_create("jobrec");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_roundtrip);
	tcase_add_loop_test(tc, test_parse_cases, 0, ELEMENTSOF(parse_cases));
	tcase_add_test(tc, test_notes);
	tcase_add_test(tc, test_ids);
	tcase_add_test(tc, test_create_once);
	tcase_add_test(tc, test_lock);
	tcase_add_test(tc, test_states);
	tcase_add_test(tc, test_write_atomic);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
