/* `evtrigger job`: internal, the process of one recorded job, started by
 * the job manager (jobs/manager.c). */
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

/* --- job: the job process ------------------------------------------------- */

static int
job_fail_early(const char *state_dir, struct job_record *rec, const char *why)
{
	char ebuf[1100];
	const char *extra[1] = { ebuf };

	rec->state = JOB_FAILED;
	rec->pid = getpid();
	rec->ended = now_usec(CLOCK_REALTIME);
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
		CMD_OPT_STATE_DIR,
		CMD_OPT_ACTION_DIR,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_(job_record_freep) struct job_record *rec = NULL;
	_cleanup_(rule_freep) struct rule *rule = NULL;
	_cleanup_(freep) char *path = NULL;
	_cleanup_(closep) int lock = -1;
	struct rule_errors errors = { 0 };
	struct cmd_dirs dirs = { 0 };
	const char *state_dir, *id;
	enum job_state state;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			printf("usage: evtrigger job [--state-dir DIR] "
			       "[--action-dir DIR] JOBID\n"
			       "Internal: the job process the daemon starts "
			       "for a recorded job.\n");
			return 0;
		default:
			if (cmd_dirs_option(&dirs, c, optarg))
				break;
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc)
		return EXIT_USAGE;
	id = argv[optind];
	if (cmd_dirs_resolve(&dirs, "job") < 0)
		return EXIT_RUNTIME;
	state_dir = dirs.state;
	signal(SIGPIPE, SIG_IGN);

	/* Only the holder of the lock may run the job, and only once: a
	 * second process (a manager that restarted meanwhile) stops here. */
	lock = job_lock_take(state_dir, id);
	if (lock == -EBUSY)
		return 0;
	if (lock < 0) {
		report_errno(lock, "%s", id);
		return EXIT_NOTFOUND;
	}
	r = job_record_load(state_dir, id, &rec);
	if (r < 0) {
		report_errno(r, "%s: cannot read its record", id);
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

