/* `evtrigger cancel`: asks a job to stop, or cancels it before it starts. */
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
	rec->ended = now_usec(CLOCK_REALTIME);
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
		CMD_OPT_STATE_DIR,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_(job_record_freep) struct job_record *rec = NULL;
	_cleanup_(closep) int pidfd = -1;
	struct cmd_dirs dirs = { 0 };
	const char *state_dir, *id;
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
			if (cmd_dirs_option(&dirs, c, optarg))
				break;
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: evtrigger cancel [--wait] JOBID\n");
		return EXIT_USAGE;
	}
	id = argv[optind];
	if (cmd_dirs_resolve(&dirs, "cancel") < 0)
		return EXIT_RUNTIME;
	state_dir = dirs.state;
	if (!job_id_is_valid(id)) {
		report_error(0, "invalid job id '%s': want %d hex "
			     "digits (see 'evtrigger jobs')", id, JOB_ID_LEN);
		return EXIT_USAGE;
	}
	r = job_record_load(state_dir, id, &rec);
	if (r < 0) {
		report_error(0, "no job '%s'%s%s",
			     id, r == -ENOENT ? "" : ": ",
			     r == -ENOENT ? "" : strerror(-r));
		return r == -ENOENT ? EXIT_NOTFOUND : EXIT_RUNTIME;
	}
	if (job_state_is_final(rec->state)) {
		report_error(0, "job %s has already ended (%s)",
			     id, job_state_name(rec->state));
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
			report_errno(r, "job %s", id);
			return EXIT_RUNTIME;
		}
		pid = job_lock_holder(state_dir, id);   /* it just started */
	}
	if (pid <= 0) {
		report_error(0, "job %s has no running process "
			     "(interrupted; the daemon reports it when it "
			     "starts)", id);
		return EXIT_NOTFOUND;
	}
	/* The lock holder is the job process. Pin it with a pidfd, then make
	 * sure it still holds the lock: no signal reaches a reused pid. */
	pidfd = pidfd_open(pid, 0);
	if (pidfd < 0 || job_lock_holder(state_dir, id) != pid ||
	    (rec->pid == pid && rec->pid_start != 0 &&
	     (proc_start_time(pid, &start) < 0 || start != rec->pid_start))) {
		report_error(0, "job %s ended meanwhile", id);
		return EXIT_NOTFOUND;
	}
	if (pidfd_send_signal(pidfd, SIGTERM, NULL, 0) < 0) {
		report_errno(-errno, "cannot signal job %s (pid %d)",
			     id, (int)pid);
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
