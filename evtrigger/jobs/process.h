/* Running one job's steps in the current process: the struct evt_host that
 * action modules call, step and job events, progress kept in the job
 * record, cancel (SIGTERM, SIGINT) and time limits. Used by the job process
 * (`evtrigger job`, started by the job manager) and by `evtrigger action`.
 * Never prints, except progress lines with JOBRUN_FOREGROUND. */
#ifndef EVT_JOBRUN_H
#define EVT_JOBRUN_H

#include "jobs/record.h"
#include "rules/rule.h"

/* How long a step may take to return after being asked to stop (cancel or
 * time limit) before the job process kills itself. The job then counts as
 * interrupted, and the manager runs the step's recover(). */
#define JOBRUN_GRACE_USEC (30ULL * 1000000ULL)

enum {
	JOBRUN_FOREGROUND = 1 << 0,     /* also print events to stderr */
};

/* Runs the steps of rec (rule r; for a recovery job the recover() of
 * rec->recover_step, then r's recovery steps) in order, logging every step as
 * journal events and keeping rec and its file STATE_DIR/jobs/ID/record up
 * to date. The caller holds the job's lock. rec->state must be queued.
 * Returns 0 with the final state in *ret_state (finished, failed,
 * cancelled, timeout), or -errno if the job could not run at all (the
 * record then says failed and why). */
int jobrun_run(const char *state_dir, const struct rule *r,
	       struct job_record *rec, unsigned flags,
	       enum job_state *ret_state);

/* The journal fields every event of the job carries: JOB_ID, RULE, VM,
 * TRIGGER_CURSOR (those that are set) and, if step is not NULL, STEP. *ret
 * is a NULL-terminated malloc'd vector (strv_free). */
int jobrun_common_fields(const struct job_record *rec, const char *step,
			 char ***ret, size_t *ret_n);

/* Logs event id for job rec: the common fields, then extra (n_extra
 * "NAME=value"), and message prefixed by "VM: " (or "RULE: "). */
int jobrun_log(const struct job_record *rec, const char *step, unsigned id,
	       const char *const *extra, size_t n_extra, const char *message);

#endif
