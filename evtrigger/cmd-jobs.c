/* `evtrigger job` (internal: the job process), `evtrigger jobs` (what runs
 * and what ran) and `evtrigger cancel`. */
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/pidfd.h>
#include <time.h>

#include "commands.h"
#include "evt-ids.h"
#include "jobrec.h"
#include "jobrun.h"
#include "json-out.h"
#include "module.h"
#include "options.h"

/* --- job: the job process ------------------------------------------------- */

static int
job_fail_early(const char *state_dir, struct job_record *rec, const char *why)
{
	char ebuf[1100];
	const char *extra[1] = { ebuf };

	rec->state = JOB_FAILED;
	rec->pid = getpid();
	rec->ended = now_realtime_usec();
	job_record_set(&rec->error, why);
	(void)job_record_save(state_dir, rec);
	snprintf(ebuf, sizeof(ebuf), EVT_FIELD_ERROR "=%s", why);
	(void)jobrun_log(rec, NULL, EVT_JOB_FAILED, extra, 1, why);
	return 1;
}

int
cmd_job(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "state-dir", required_argument, NULL, 'S' },
		{ "action-dir", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_(job_record_freep) struct job_record *rec = NULL;
	_cleanup_(rule_freep) struct rule *rule = NULL;
	_cleanup_(freep) char *path = NULL;
	_cleanup_(closep) int lock = -1;
	struct rule_errors errors = { 0 };
	const char *state_dir = NULL, *id;
	enum job_state state;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'S':
			state_dir = optarg;
			break;
		case 'A':
			if (module_set_dir(optarg) < 0)
				return EXIT_RUNTIME;
			break;
		case 'h':
			printf("usage: evtrigger job [--state-dir DIR] "
			       "[--action-dir DIR] JOBID\n"
			       "Internal: the job process the daemon starts "
			       "for a recorded job.\n");
			return 0;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc)
		return EXIT_USAGE;
	id = argv[optind];
	state_dir = jobrun_state_dir(state_dir);
	signal(SIGPIPE, SIG_IGN);

	/* Only the holder of the lock may run the job, and only once: a
	 * second process (a manager that restarted meanwhile) stops here. */
	lock = job_lock_take(state_dir, id);
	if (lock == -EBUSY)
		return 0;
	if (lock < 0) {
		fprintf(stderr, "evtrigger job %s: %s\n", id, strerror(-lock));
		return EXIT_NOTFOUND;
	}
	r = job_record_load(state_dir, id, &rec);
	if (r < 0) {
		fprintf(stderr, "evtrigger job %s: cannot read its record: %s\n",
			id, strerror(-r));
		return EXIT_RUNTIME;
	}
	if (rec->state != JOB_QUEUED)
		return 0;       /* it ran already, or was cancelled */

	if (rec->rule == NULL ||
	    asprintf(&path, "%s/jobs/%s/%s.rule", state_dir, id, rec->rule) < 0)
		return job_fail_early(state_dir, rec, "the job has no rule");
	r = rule_load_file(path, NULL, &rule, &errors);
	if (r < 0) {
		char why[1024];

		snprintf(why, sizeof(why), "cannot load the job's rule: %s",
			 errors.n > 0 ? errors.lines[0] : strerror(-r));
		rule_errors_clear(&errors);
		return job_fail_early(state_dir, rec, why);
	}
	r = jobrun_run(state_dir, rule, rec, 0, &state);
	if (r < 0) {
		char why[256];

		snprintf(why, sizeof(why), "cannot run the job: %s",
			 strerror(-r));
		return job_fail_early(state_dir, rec, why);
	}
	return state == JOB_FINISHED ? 0 : 1;
}

/* --- jobs ----------------------------------------------------------------- */

#define JOBS_RECENT_USEC (24ULL * 3600 * 1000000ULL)

/* The state to show: a record saying running whose process is gone is
 * "interrupted" before the daemon has noticed. */
static const char *
shown_state(const char *state_dir, const struct job_record *rec)
{
	if (rec->state == JOB_RUNNING &&
	    job_lock_holder(state_dir, rec->id) <= 0)
		return "interrupted";
	return job_state_name(rec->state);
}

static void
format_time(uint64_t usec, char *buf, size_t size)
{
	time_t t = (time_t)(usec / 1000000ULL);
	struct tm tm;

	if (usec == 0 || localtime_r(&t, &tm) == NULL)
		snprintf(buf, size, "-");
	else
		strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

static uint64_t
elapsed(const struct job_record *rec, uint64_t now)
{
	if (rec->started == 0)
		return 0;
	if (rec->ended != 0)
		return rec->ended > rec->started ? rec->ended - rec->started : 0;
	return now > rec->started ? now - rec->started : 0;
}

static void
jobs_print_json(const char *state_dir, const struct job_record *rec,
		uint64_t now, bool first)
{
	FILE *f = stdout;

	fputs(first ? "[" : ",\n", f);       /* one job a line */
	fputc('{', f);
	json_put_key_string(f, "id", rec->id);
	fputc(',', f);
	json_put_key_string(f, "kind", job_kind_name(rec->kind));
	fputc(',', f);
	json_put_key_string(f, "rule", rec->rule);
	fputc(',', f);
	json_put_key_string(f, "vm", rec->vm);
	fputc(',', f);
	json_put_key_string(f, "state", shown_state(state_dir, rec));
	fputc(',', f);
	json_put_key_string(f, "steps", rec->steps);
	fputc(',', f);
	json_put_key_string(f, "step", rec->step);
	fputc(',', f);
	json_put_key_uint(f, "step_index", rec->step_index);
	fputs(",\"percent\":", f);
	if (rec->percent >= 0)
		fprintf(f, "%d", rec->percent);
	else
		fputs("null", f);
	fputc(',', f);
	json_put_key_string(f, "item", rec->item);
	fputc(',', f);
	json_put_key_uint(f, "created_usec", rec->created);
	fputc(',', f);
	json_put_key_uint(f, "started_usec", rec->started);
	fputc(',', f);
	json_put_key_uint(f, "ended_usec", rec->ended);
	fputc(',', f);
	json_put_key_uint(f, "elapsed_usec", elapsed(rec, now));
	fputc(',', f);
	json_put_key_uint(f, "pid", rec->pid > 0 ? (uint64_t)rec->pid : 0);
	fputc(',', f);
	json_put_key_string(f, "error", rec->error);
	fputc(',', f);
	json_put_key_string(f, "trigger_cursor", rec->cursor);
	fputc(',', f);
	json_put_key_string(f, "recovery_of", rec->recovery_of);
	fputs(",\"notes\":{", f);
	for (size_t i = 0; i < rec->notes->n; i++) {
		if (i > 0)
			fputc(',', f);
		json_put_key_string(f, rec->notes->names[i],
				    rec->notes->values[i]);
	}
	fputs("}}", f);
}

static void
jobs_print_text(const char *state_dir, const struct job_record *rec,
		uint64_t now)
{
	char started[32], took[64], pct[16], step[80];

	format_time(rec->started != 0 ? rec->started : rec->created, started,
		    sizeof(started));
	format_duration(elapsed(rec, now), took, sizeof(took));
	if (rec->percent >= 0)
		snprintf(pct, sizeof(pct), "%d%%", rec->percent);
	else
		snprintf(pct, sizeof(pct), "-");
	if (rec->step != NULL)
		snprintf(step, sizeof(step), "%s (%u)", rec->step,
			 rec->step_index);
	else
		snprintf(step, sizeof(step), "-");
	printf("%-16s  %-12s  %-16s  %-11s  %-18s  %4s  %-10s  %-19s  %s\n",
	       rec->id, rec->vm != NULL ? rec->vm : "-",
	       rec->rule != NULL ? rec->rule : "-",
	       shown_state(state_dir, rec), step, pct,
	       rec->item != NULL ? rec->item : "-", started,
	       rec->started != 0 ? took : "-");
}

static int
cmp_created(const void *a, const void *b)
{
	const struct job_record *x = *(struct job_record *const *)a;
	const struct job_record *y = *(struct job_record *const *)b;

	return x->created < y->created ? -1 : x->created > y->created;
}

int
cmd_jobs(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "vm", required_argument, NULL, 'V' },
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_(strv_freep) char **ids = NULL;
	struct job_record **recs = NULL;
	const char *state_dir = NULL, *vm = NULL;
	bool all = false, json = false;
	uint64_t now = now_realtime_usec();
	size_t n = 0, k = 0, shown = 0;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ah", longopts, NULL)) != -1) {
		switch (c) {
		case 'V':
			vm = optarg;
			break;
		case 'a':
			all = true;
			break;
		case 'j':
			json = true;
			break;
		case 'S':
			state_dir = optarg;
			break;
		case 'h':
			printf("usage: evtrigger jobs [--vm NAME] [--all] [--json] "
			       "[--state-dir DIR]\n"
			       "Shows running and queued jobs and those that "
			       "ended in the last 24 hours\n(--all: every job "
			       "kept), oldest first: job ID, VM, rule, state, "
			       "step,\npercent, item, start time and elapsed "
			       "time.\n");
			return 0;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "evtrigger: jobs: unexpected argument '%s'\n",
			argv[optind]);
		return EXIT_USAGE;
	}
	state_dir = jobrun_state_dir(state_dir);
	r = job_list_ids(state_dir, &ids, &n);
	if (r < 0) {
		fprintf(stderr, "evtrigger: jobs: cannot read %s/jobs: %s\n",
			state_dir, strerror(-r));
		return EXIT_RUNTIME;
	}
	recs = calloc(n + 1, sizeof(*recs));
	if (recs == NULL)
		return EXIT_RUNTIME;
	for (size_t i = 0; i < n; i++) {
		struct job_record *rec;

		if (job_record_load(state_dir, ids[i], &rec) < 0)
			continue;       /* being created or removed */
		if ((vm != NULL && (rec->vm == NULL || !streq(rec->vm, vm))) ||
		    (!all && job_state_is_final(rec->state) &&
		     rec->ended + JOBS_RECENT_USEC < now)) {
			job_record_free(rec);
			continue;
		}
		recs[k++] = rec;
	}
	qsort(recs, k, sizeof(*recs), cmp_created);
	if (!json && k > 0)
		printf("%-16s  %-12s  %-16s  %-11s  %-18s  %4s  %-10s  %-19s  %s\n",
		       "JOB", "VM", "RULE", "STATE", "STEP", "PCT", "ITEM",
		       "STARTED", "ELAPSED");
	for (size_t i = 0; i < k; i++) {
		if (json)
			jobs_print_json(state_dir, recs[i], now, shown == 0);
		else
			jobs_print_text(state_dir, recs[i], now);
		shown++;
		job_record_free(recs[i]);
	}
	free(recs);
	if (json)
		fputs(shown == 0 ? "[]\n" : "]\n", stdout);
	return 0;
}

/* --- cancel --------------------------------------------------------------- */

/* A job queued, with no process: cancelled in its record. */
static int
cancel_queued(const char *state_dir, const char *id)
{
	_cleanup_(job_record_freep) struct job_record *rec = NULL;
	_cleanup_(closep) int lock = -1;
	int r;

	lock = job_lock_take(state_dir, id);
	if (lock < 0)
		return lock;
	r = job_record_load(state_dir, id, &rec);
	if (r < 0)
		return r;
	if (rec->state != JOB_QUEUED)
		return -ESTALE;
	rec->state = JOB_CANCELLED;
	rec->ended = now_realtime_usec();
	r = job_record_save(state_dir, rec);
	if (r < 0)
		return r;
	(void)jobrun_log(rec, NULL, EVT_JOB_CANCELLED, NULL, 0,
			 "job cancelled before it started");
	return 0;
}

static int
wait_pidfd(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	while (poll(&p, 1, -1) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int
cmd_cancel(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "wait", no_argument, NULL, 'w' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_(job_record_freep) struct job_record *rec = NULL;
	_cleanup_(closep) int pidfd = -1;
	const char *state_dir = NULL, *id;
	bool wait = false;
	uint64_t start;
	pid_t pid;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "wh", longopts, NULL)) != -1) {
		switch (c) {
		case 'w':
			wait = true;
			break;
		case 'S':
			state_dir = optarg;
			break;
		case 'h':
			printf("usage: evtrigger cancel [--wait] [--state-dir DIR] "
			       "JOBID\n"
			       "Asks job JOBID to stop (SIGTERM to its process); "
			       "the running step stops\nat a point that leaves "
			       "things usable and the job logs JOB_CANCELLED.\n"
			       "A queued job is cancelled before it starts. "
			       "--wait: until it has ended.\n");
			return 0;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: evtrigger cancel [--wait] JOBID\n");
		return EXIT_USAGE;
	}
	id = argv[optind];
	state_dir = jobrun_state_dir(state_dir);
	if (!job_id_is_valid(id)) {
		fprintf(stderr, "evtrigger: cancel: invalid job id '%s': want "
			"%d hex digits (see 'evtrigger jobs')\n", id, JOB_ID_LEN);
		return EXIT_USAGE;
	}
	r = job_record_load(state_dir, id, &rec);
	if (r < 0) {
		fprintf(stderr, "evtrigger: cancel: no job '%s'%s%s\n", id,
			r == -ENOENT ? "" : ": ", r == -ENOENT ? "" : strerror(-r));
		return r == -ENOENT ? EXIT_NOTFOUND : EXIT_RUNTIME;
	}
	if (job_state_is_final(rec->state)) {
		fprintf(stderr, "evtrigger: cancel: job %s has already ended "
			"(%s)\n", id, job_state_name(rec->state));
		return EXIT_NOTFOUND;
	}

	pid = job_lock_holder(state_dir, id);
	if (pid == 0 && rec->state == JOB_QUEUED) {
		r = cancel_queued(state_dir, id);
		if (r >= 0) {
			printf("job %s cancelled before it started\n", id);
			return 0;
		}
		if (r != -EBUSY && r != -ESTALE) {
			fprintf(stderr, "evtrigger: cancel: job %s: %s\n", id,
				strerror(-r));
			return EXIT_RUNTIME;
		}
		pid = job_lock_holder(state_dir, id);   /* it just started */
	}
	if (pid <= 0) {
		fprintf(stderr, "evtrigger: cancel: job %s has no running "
			"process (interrupted; the daemon reports it when it "
			"starts)\n", id);
		return EXIT_NOTFOUND;
	}
	/* The lock holder is the job process. Pin it with a pidfd, then make
	 * sure it still holds the lock: no signal reaches a reused pid. */
	pidfd = pidfd_open(pid, 0);
	if (pidfd < 0 || job_lock_holder(state_dir, id) != pid ||
	    (rec->pid == pid && rec->pid_start != 0 &&
	     (proc_start_time(pid, &start) < 0 || start != rec->pid_start))) {
		fprintf(stderr, "evtrigger: cancel: job %s ended meanwhile\n",
			id);
		return EXIT_NOTFOUND;
	}
	if (pidfd_send_signal(pidfd, SIGTERM, NULL, 0) < 0) {
		fprintf(stderr, "evtrigger: cancel: cannot signal job %s "
			"(pid %d): %m\n", id, (int)pid);
		return EXIT_RUNTIME;
	}
	printf("job %s (pid %d): cancel requested\n", id, (int)pid);
	if (wait && wait_pidfd(pidfd) >= 0) {
		job_record_free(rec);
		rec = NULL;
		if (job_record_load(state_dir, id, &rec) >= 0)
			printf("job %s: %s\n", id, job_state_name(rec->state));
	}
	return 0;
}
