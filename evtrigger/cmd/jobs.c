/* `evtrigger jobs`: what runs and what ran, from the job records. */
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/pidfd.h>
#include <time.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "evt-ids.h"
#include "jobs/module.h"
#include "jobs/process.h"
#include "jobs/record.h"
#include "json-out.h"
#include "options.h"
#include "report.h"
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
		CMD_OPT_STATE_DIR,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_(strv_freep) char **ids = NULL;
	struct job_record **recs = NULL;
	struct cmd_dirs dirs = { 0 };
	const char *state_dir, *vm = NULL;
	bool all = false, json = false;
	uint64_t now = now_usec(CLOCK_REALTIME);
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
			if (cmd_dirs_option(&dirs, c, optarg))
				break;
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		report_error(0, "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (cmd_dirs_resolve(&dirs, "jobs") < 0)
		return EXIT_RUNTIME;
	state_dir = dirs.state;
	r = job_list_ids(state_dir, &ids, &n);
	if (r < 0) {
		report_errno(r, "cannot read %s/jobs", state_dir);
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

