/* Jobs: one process per job, running a rule's steps (action modules) in
 * order, with a durable record per job in the state directory. The watcher
 * hands matched entries to the job manager; `evtrigger jobs` and `cancel`
 * read and act on the same records. Never logs to stderr: every step and
 * outcome becomes a journal event (lib/evt-ids.h). */
#ifndef EVT_JOB_H
#define EVT_JOB_H

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "fields.h"
#include "rules/rule.h"

struct job_manager;

/* A manager keeping its records under state_dir/jobs and reaping job
 * processes on ev. Returns 0 with *ret, or -errno. */
int job_manager_new(sd_event *ev, const char *state_dir,
		    struct job_manager **ret);
void job_manager_free(struct job_manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct job_manager *, job_manager_free)

/* Replaces the rules that queued and future jobs use (after a reload). The
 * manager does not own rules; it must stay valid until replaced. */
void job_manager_set_rules(struct job_manager *m, const struct rule_set *rules);

/* A rule matched entry (all its fields) at cursor. Durably records job id
 * (the watcher's choice, watch/entry.h: by the cursor and the rule's name,
 * or for a remote event by its sender, uuid and rule), with a copy of the
 * rule file as it is now, before returning; then starts it, queues it or
 * ignores it (the rule's on-busy policy; JOB_QUEUED or JOB_BUSY logged).
 * Returns 1 if a job was started or queued, 0 if ignored (or failed at
 * once, e.g. the rule file is gone: JOB_FAILED logged), -EALREADY if job id
 * exists already (the entry, or another entry of the same remote event, was
 * seen before), -EINVAL for an id that is no job ID, other -errno when
 * nothing was recorded. entry_host: where the event entered (a believed
 * EVENT_ENTRY_HOST), run_host: this host's name; either may be NULL; both
 * are kept in the record. */
int job_manager_trigger(struct job_manager *m, const struct rule *r,
			const struct fields *entry, const char *cursor,
			const char *id, const char *entry_host,
			const char *run_host);

/* At daemon start: finds jobs whose records say running but whose process is
 * gone, logs JOB_INTERRUPTED (and VM_LEFT_DOWN where a step noted
 * EVT_NOTE_VM_DOWN) and queues a recovery job first in line for the VM (the
 * interrupted step's recover(), then the rule's recovery steps); adopts jobs
 * still running (pidfd); starts queued jobs whose VM is free. A job process
 * that dies while the daemon runs is handled the same way at once. */
int job_manager_recover(struct job_manager *m);

/* Tells the manager that the watcher stored its journal position at
 * realtime_usec: records of entries handled before that may be pruned;
 * later ones are kept (a replay after a crash needs them). */
void job_manager_cursor_stored(struct job_manager *m, uint64_t realtime_usec);

/* Jobs running now. */
size_t job_manager_running(const struct job_manager *m);

#endif
