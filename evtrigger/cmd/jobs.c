/* `evtrigger jobs`: what runs and what ran, from the job records. */
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "evt-ids.h"
#include "jobs/module.h"
#include "jobs/process.h"
#include "jobs/record.h"
#include "json-out.h"
#include "options.h"
#include "report.h"
#include "strv.h"
#include "time.h"

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

/* --- progress: what `jobs` derives from a record ----------------------------- */

/* What a person reads of one job: step N of M, the step's and the job's
 * percent, the item, a rate and the time left in the step. Derived from
 * the record alone (step-started, percent, the item's size). */
struct job_view {
	char step[96];          /* "compact 2/5" */
	char pct[16];           /* the step's: "45%" */
	char job_pct[16];       /* the job's: "29%" */
	char item[96];          /* the item's file name */
	char rate[24];          /* "12.5MiB/s" */
	char left[72];          /* "~8s" */
	int job_percent;        /* -1: unknown */
	int step_percent;
};

static unsigned
count_words(const char *s)
{
	unsigned n = 0;
	bool in = false;

	for (; s != NULL && *s != '\0'; s++) {
		if (*s == ' ')
			in = false;
		else if (!in) {
			in = true;
			n++;
		}
	}
	return n;
}

static void
format_rate(double bytes_per_s, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	size_t u = 0;

	while (bytes_per_s >= 1024 && u + 1 < ELEMENTSOF(units)) {
		bytes_per_s /= 1024;
		u++;
	}
	snprintf(buf, size, "%.*f%s/s", bytes_per_s < 10 && u > 0 ? 1 : 0,
		 bytes_per_s, units[u]);
}

/* An estimate in whole seconds, "~8s", "~2m05s", "~1h02m": a person does
 * not read milliseconds of a guess. */
static void
format_left(uint64_t usec, char *buf, size_t size)
{
	uint64_t s = (usec + 999999) / 1000000;

	if (s < 60)
		snprintf(buf, size, "~%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, size, "~%" PRIu64 "m%02" PRIu64 "s", s / 60,
			 s % 60);
	else
		snprintf(buf, size, "~%" PRIu64 "h%02" PRIu64 "m", s / 3600,
			 s / 60 % 60);
}

static void
job_view_make(const struct job_record *rec, uint64_t now,
	      struct job_view *v)
{
	unsigned n_steps = count_words(rec->steps);
	uint64_t step_time = 0;
	const char *slash;
	struct stat st;
	bool running = rec->state == JOB_RUNNING;

	*v = (struct job_view){ .job_percent = -1, .step_percent = -1 };
	snprintf(v->rate, sizeof(v->rate), "-");
	snprintf(v->left, sizeof(v->left), "-");
	if (rec->step != NULL && n_steps > 0)
		snprintf(v->step, sizeof(v->step), "%s %u/%u", rec->step,
			 rec->step_index, n_steps);
	else if (rec->step != NULL)
		snprintf(v->step, sizeof(v->step), "%s", rec->step);
	else
		snprintf(v->step, sizeof(v->step), "-");
	v->step_percent = rec->percent;
	if (rec->percent >= 0)
		snprintf(v->pct, sizeof(v->pct), "%d%%", rec->percent);
	else
		snprintf(v->pct, sizeof(v->pct), "-");

	/* The job's percent: whole steps done, and this one's share. */
	if (rec->state == JOB_FINISHED)
		v->job_percent = 100;
	else if (n_steps > 0 && rec->step_index > 0 &&
		 rec->step_index <= n_steps)
		v->job_percent = (int)(((rec->step_index - 1) * 100 +
					(rec->percent > 0 ? rec->percent : 0)) /
				       n_steps);
	if (v->job_percent >= 0)
		snprintf(v->job_pct, sizeof(v->job_pct), "%d%%",
			 v->job_percent);
	else
		snprintf(v->job_pct, sizeof(v->job_pct), "-");

	slash = rec->item != NULL ? strrchr(rec->item, '/') : NULL;
	snprintf(v->item, sizeof(v->item), "%s",
		 rec->item == NULL ? "-" : slash != NULL && slash[1] != '\0' ?
					   slash + 1 : rec->item);

	if (!running || rec->step_started == 0 || now <= rec->step_started ||
	    rec->percent <= 0)
		return;
	step_time = now - rec->step_started;
	if (rec->percent < 100)
		format_left(step_time / (uint64_t)rec->percent *
				    (uint64_t)(100 - rec->percent),
			    v->left, sizeof(v->left));
	/* The rate: the item's size times the share done, per second of the
	 * step (an estimate: a module reports percent, not bytes). */
	if (rec->item != NULL && rec->item[0] == '/' &&
	    stat(rec->item, &st) == 0 && S_ISREG(st.st_mode) &&
	    step_time >= 100000)
		format_rate((double)st.st_size * rec->percent / 100.0 /
				    ((double)step_time / 1e6),
			    v->rate, sizeof(v->rate));
}

/* ",KEY:VALUE" members of a JSON object after its first. */
static void
put_string(FILE *f, const char *key, const char *value)
{
	fputc(',', f);
	json_put_key_string(f, key, value);
}

static void
put_uint(FILE *f, const char *key, uint64_t value)
{
	fputc(',', f);
	json_put_key_uint(f, key, value);
}

/* A percentage, or null for one not known (negative). */
static void
put_percent(FILE *f, const char *key, int percent)
{
	fprintf(f, ",\"%s\":", key);
	if (percent >= 0)
		fprintf(f, "%d", percent);
	else
		fputs("null", f);
}

/* Where the trigger event entered the bus: "-" when it came over none. */
static const char *
job_entry_host(const struct job_record *rec)
{
	return rec->entry_host != NULL ? rec->entry_host : "-";
}

/* The host that recorded the job (older records: none, "-"). */
static const char *
job_run_host(const struct job_record *rec)
{
	return rec->run_host != NULL ? rec->run_host : "-";
}

static void
jobs_print_json(const char *state_dir, const struct job_record *rec,
		uint64_t now, bool first)
{
	FILE *f = stdout;
	struct job_view v;

	job_view_make(rec, now, &v);
	fputs(first ? "[" : ",\n", f);       /* one job a line */
	fputc('{', f);
	json_put_key_string(f, "id", rec->id);
	put_string(f, "kind", job_kind_name(rec->kind));
	put_string(f, "rule", rec->rule);
	put_string(f, "vm", rec->vm);
	put_string(f, "state", shown_state(state_dir, rec));
	put_string(f, "steps", rec->steps);
	put_string(f, "step", rec->step);
	put_uint(f, "step_index", rec->step_index);
	put_uint(f, "step_count", count_words(rec->steps));
	put_uint(f, "step_started_usec", rec->step_started);
	put_percent(f, "job_percent", v.job_percent);
	put_percent(f, "percent", rec->percent);
	put_string(f, "item", rec->item);
	put_uint(f, "created_usec", rec->created);
	put_uint(f, "started_usec", rec->started);
	put_uint(f, "ended_usec", rec->ended);
	put_uint(f, "elapsed_usec", elapsed(rec, now));
	put_uint(f, "pid", rec->pid > 0 ? (uint64_t)rec->pid : 0);
	put_string(f, "error", rec->error);
	put_string(f, "trigger_cursor", rec->cursor);
	put_string(f, "recovery_of", rec->recovery_of);
	put_string(f, "entry_host", rec->entry_host);
	put_string(f, "run_host", job_run_host(rec));
	fputs(",\"notes\":{", f);
	for (size_t i = 0; i < rec->notes->n; i++) {
		if (i > 0)
			fputc(',', f);
		json_put_key_string(f, rec->notes->names[i],
				    rec->notes->values[i]);
	}
	fputs("}}", f);
}

/* --- the table ----------------------------------------------------------------- */


enum {
	COL_JOB, COL_VM, COL_RULE, COL_STATE, COL_STEP, COL_PCT, COL_JOBPCT,
	COL_ITEM, COL_RATE, COL_LEFT, COL_STARTED, COL_ELAPSED, COL_ENTRY,
	COL_RUN, _COL_MAX
};

static const char *const col_names[_COL_MAX] = {
	"JOB", "VM", "RULE", "STATE", "STEP", "PCT", "JOB%", "ITEM", "RATE",
	"LEFT", "STARTED", "ELAPSED", "ENTRY", "RUN",
};

/* The least width of each column, so that successive listings of a job
 * line up (a longer entry widens its column). */
static const int col_min[_COL_MAX] = {
	16, 4, 8, 11, 17, 4, 4, 14, 9, 6, 19, 7, 5, 0,
};

/* Columns that align right (numbers). */
static bool
col_right(int c)
{
	return c == COL_PCT || c == COL_JOBPCT || c == COL_RATE;
}

struct row {
	char cells[_COL_MAX][128];
};

static void
row_make(const char *state_dir, const struct job_record *rec, uint64_t now,
	 struct row *row)
{
	struct job_view v;
	char (*c)[128] = row->cells;

	job_view_make(rec, now, &v);
	snprintf(c[COL_JOB], 128, "%s", rec->id);
	snprintf(c[COL_VM], 128, "%s", rec->vm != NULL ? rec->vm : "-");
	snprintf(c[COL_RULE], 128, "%s", rec->rule != NULL ? rec->rule : "-");
	snprintf(c[COL_STATE], 128, "%s", shown_state(state_dir, rec));
	snprintf(c[COL_STEP], 128, "%s", v.step);
	snprintf(c[COL_PCT], 128, "%s", v.pct);
	snprintf(c[COL_JOBPCT], 128, "%s", v.job_pct);
	snprintf(c[COL_ITEM], 128, "%s", v.item);
	snprintf(c[COL_RATE], 128, "%s", v.rate);
	snprintf(c[COL_LEFT], 128, "%s", v.left);
	format_time(rec->started != 0 ? rec->started : rec->created,
		    c[COL_STARTED], 128);
	if (rec->started != 0)
		format_duration(elapsed(rec, now), c[COL_ELAPSED], 128);
	else
		snprintf(c[COL_ELAPSED], 128, "-");
	snprintf(c[COL_ENTRY], 128, "%s", job_entry_host(rec));
	snprintf(c[COL_RUN], 128, "%s", job_run_host(rec));
}

/* Prints rows (n of them) as a table whose columns fit their widest cell:
 * a long rule name or item shifts nothing out of line. */
static void
print_table(const struct row *rows, size_t n)
{
	int width[_COL_MAX];

	for (int c = 0; c < _COL_MAX; c++) {
		width[c] = (int)strlen(col_names[c]);
		if (width[c] < col_min[c])
			width[c] = col_min[c];
		for (size_t i = 0; i < n; i++)
			if ((int)strlen(rows[i].cells[c]) > width[c])
				width[c] = (int)strlen(rows[i].cells[c]);
	}
	for (size_t i = 0; i <= n; i++) {
		for (int c = 0; c < _COL_MAX; c++) {
			const char *cell = i == 0 ? col_names[c] :
						    rows[i - 1].cells[c];

			if (c == _COL_MAX - 1)
				printf("%s\n", cell);
			else
				printf(col_right(c) ? "%*s  " : "%-*s  ",
				       width[c], cell);
		}
	}
}

static int
cmp_created(const void *a, const void *b)
{
	const struct job_record *x = *(struct job_record *const *)a;
	const struct job_record *y = *(struct job_record *const *)b;

	return x->created < y->created ? -1 : x->created > y->created;
}

/* The records to show, oldest first: with id, that job; else those of vm
 * (NULL: all) that are not final or ended in the last day (all: every
 * one). *ret is a NULL-terminated array. */
static int
jobs_load(const char *state_dir, const char *id, const char *vm, bool all,
	  uint64_t now, struct job_record ***ret, size_t *ret_n)
{
	_cleanup_(strv_freep) char **ids = NULL;
	struct job_record **recs;
	size_t n = 0, k = 0;
	int r;

	if (id != NULL) {
		ids = calloc(2, sizeof(char *));
		if (ids == NULL || (ids[0] = strdup(id)) == NULL)
			return -ENOMEM;
		n = 1;
	} else {
		r = job_list_ids(state_dir, &ids, &n);
		if (r < 0)
			return r;
	}
	recs = calloc(n + 1, sizeof(*recs));
	if (recs == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct job_record *rec;

		if (job_record_load(state_dir, ids[i], &rec) < 0)
			continue;       /* being created or removed */
		if (id == NULL &&
		    ((vm != NULL && (rec->vm == NULL || !streq(rec->vm, vm))) ||
		     (!all && job_state_is_final(rec->state) &&
		      rec->ended + JOBS_RECENT_USEC < now))) {
			job_record_free(rec);
			continue;
		}
		recs[k++] = rec;
	}
	qsort(recs, k, sizeof(*recs), cmp_created);
	*ret = recs;
	*ret_n = k;
	return 0;
}

static void
jobs_free(struct job_record **recs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		job_record_free(recs[i]);
	free(recs);
}

/* --- --watch ------------------------------------------------------------------- */

#define WATCH_BAR_WIDTH 30
#define WATCH_INTERVAL_USEC (500 * 1000ULL)

/* Whether the job has ended, as `jobs` shows it (a dead process too). */
static bool
watch_ended(const char *state_dir, const struct job_record *rec)
{
	return job_state_is_final(rec->state) ||
	       streq(shown_state(state_dir, rec), "interrupted");
}

/* Two lines for a terminal: what runs, and a bar of the step with the
 * job's percent, rate and time left. */
static void
watch_draw_tty(const char *state_dir, const struct job_record *rec,
	       uint64_t now)
{
	struct job_view v;
	char bar[WATCH_BAR_WIDTH + 1], took[64];
	int fill;

	job_view_make(rec, now, &v);
	fill = v.step_percent > 0 ? v.step_percent * WATCH_BAR_WIDTH / 100 : 0;
	for (int i = 0; i < WATCH_BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : '-';
	bar[WATCH_BAR_WIDTH] = '\0';
	format_duration(elapsed(rec, now), took, sizeof(took));
	printf("\033[2K%s  %s  %s  %s  step %s  %s\n", rec->id,
	       rec->vm != NULL ? rec->vm : "-", rec->rule ? rec->rule : "-",
	       shown_state(state_dir, rec), v.step, v.item);
	printf("\033[2K  [%s] %4s  job %s  %s  %s left  elapsed %s\n", bar,
	       v.pct, v.job_pct, v.rate, v.left, took);
}

/* One line for a pipe or a file, printed when what it says changes. */
static void
watch_line(const char *state_dir, const struct job_record *rec, uint64_t now,
	   char *last, size_t size)
{
	struct job_view v;
	char key[512], when[32], took[64];
	time_t t = (time_t)(now / 1000000ULL);
	struct tm tm;

	job_view_make(rec, now, &v);
	snprintf(key, sizeof(key), "%s %s step %s %s (job %s) %s",
		 rec->id, shown_state(state_dir, rec), v.step, v.pct, v.job_pct,
		 v.item);
	if (streq(key, last))
		return;
	snprintf(last, size, "%s", key);
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%H:%M:%S", &tm) == 0)
		snprintf(when, sizeof(when), "-");
	format_duration(elapsed(rec, now), took, sizeof(took));
	printf("%s %s rate %s left %s elapsed %s\n", when, key, v.rate, v.left,
	       took);
	fflush(stdout);
}

/* Redraws the jobs of ids (n) until each has ended. Returns the exit code:
 * 0 if every one finished, 1 if one ended otherwise. */
static int
jobs_watch(const char *state_dir, char **ids, size_t n)
{
	_cleanup_(freep) char *last = calloc(n, 512);
	bool tty = isatty(STDOUT_FILENO) == 1, all_finished = true;
	unsigned drawn = 0;

	if (last == NULL)
		return EXIT_RUNTIME;
	for (;;) {
		uint64_t now = now_usec(CLOCK_REALTIME);
		size_t ended = 0;

		if (tty && drawn > 0)
			printf("\033[%uA", drawn);
		drawn = 0;
		for (size_t i = 0; i < n; i++) {
			_cleanup_(job_record_freep) struct job_record *rec = NULL;

			if (job_record_load(state_dir, ids[i], &rec) < 0) {
				ended++;        /* removed (a manual job) */
				continue;
			}
			if (tty) {
				watch_draw_tty(state_dir, rec, now);
				drawn += 2;
			} else
				watch_line(state_dir, rec, now, last + i * 512,
					   512);
			if (watch_ended(state_dir, rec)) {
				ended++;
				if (rec->state != JOB_FINISHED)
					all_finished = false;
			}
		}
		fflush(stdout);
		if (ended == n)
			break;
		(void)poll(NULL, 0, (int)(WATCH_INTERVAL_USEC / 1000));
	}
	return all_finished ? 0 : 1;
}

int
cmd_jobs(int argc, char *argv[])
{
	enum { OPT_WATCH = 0x100 };
	static const struct option longopts[] = {
		{ "vm", required_argument, NULL, 'V' },
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "watch", no_argument, NULL, 'w' },
		CMD_OPT_STATE_DIR,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct job_record **recs = NULL;
	struct cmd_dirs dirs = { 0 };
	const char *state_dir, *vm = NULL, *id = NULL;
	bool all = false, json = false, watch = false;
	uint64_t now = now_usec(CLOCK_REALTIME);
	size_t k = 0;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ahw", longopts, NULL)) != -1) {
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
		case 'w':
			watch = true;
			break;
		case 'h':
			printf("usage: evtrigger jobs [--vm NAME] [--all] [--json] "
			       "[--state-dir DIR] [JOB]\n"
			       "       evtrigger jobs --watch [--vm NAME] [JOB]\n"
			       "Shows running and queued jobs and those that "
			       "ended in the last 24 hours\n(--all: every job "
			       "kept), oldest first: job ID, VM, rule, state, "
			       "step N/M,\nthe step's and the job's percent, "
			       "item, rate, time left in the step,\nstart time, "
			       "elapsed time, the host where the trigger event "
			       "entered\n(several hosts; - when it came over "
			       "no bus) and the host the job runs on.\n"
			       "JOB: only that job, whatever its age.\n"
			       "--watch redraws the running and queued jobs "
			       "(or JOB) until they end: a\nprogress bar on a "
			       "terminal, a line per change otherwise. Exit "
			       "status 0\nif they finished, 1 if one did not.\n");
			return 0;
		default:
			if (cmd_dirs_option(&dirs, c, optarg))
				break;
			return EXIT_USAGE;
		}
	}
	if (optind + 1 == argc)
		id = argv[optind++];
	if (optind != argc) {
		report_error(0, "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (id != NULL && !job_id_is_valid(id)) {
		report_error(0, "invalid job ID '%s'", id);
		return EXIT_USAGE;
	}
	if (watch && json) {
		report_error(0, "--watch and --json: choose one");
		return EXIT_USAGE;
	}
	if (cmd_dirs_resolve(&dirs, "jobs") < 0)
		return EXIT_RUNTIME;
	state_dir = dirs.state;
	if (access(state_dir, F_OK) < 0) {
		/* A wrong --state-dir must not look like "no jobs". */
		report_errno(-errno, "cannot read the state directory %s",
			     state_dir);
		return EXIT_RUNTIME;
	}
	r = jobs_load(state_dir, id, vm, all, now, &recs, &k);
	if (r < 0) {
		report_errno(r, "cannot read %s/jobs", state_dir);
		return EXIT_RUNTIME;
	}
	if (!watch && id != NULL && k == 0) {
		report_error(0, "no job %s in %s", id, state_dir);
		return EXIT_NOTFOUND;
	}
	if (watch) {
		_cleanup_(strv_freep) char **ids = calloc(k + 1, sizeof(char *));
		size_t n = 0;

		if (ids == NULL)
			return EXIT_RUNTIME;
		for (size_t i = 0; i < k; i++)
			if (id != NULL || !watch_ended(state_dir, recs[i]))
				if ((ids[n++] = strdup(recs[i]->id)) == NULL)
					return EXIT_RUNTIME;
		jobs_free(recs, k);
		if (id != NULL && n == 0) {
			report_error(0, "no job %s in %s", id, state_dir);
			return EXIT_NOTFOUND;
		}
		if (n == 0) {
			printf("no job is running or queued\n");
			return 0;
		}
		return jobs_watch(state_dir, ids, n);
	}
	if (json) {
		for (size_t i = 0; i < k; i++)
			jobs_print_json(state_dir, recs[i], now, i == 0);
		fputs(k == 0 ? "[]\n" : "]\n", stdout);
	} else if (k > 0) {
		struct row *rows = calloc(k, sizeof(*rows));

		if (rows == NULL) {
			jobs_free(recs, k);
			return EXIT_RUNTIME;
		}
		for (size_t i = 0; i < k; i++)
			row_make(state_dir, recs[i], now, &rows[i]);
		print_table(rows, k);
		free(rows);
	}
	jobs_free(recs, k);
	return 0;
}
