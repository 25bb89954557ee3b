/* Job records: what evtrigger knows durably about one job, in
 * STATE_DIR/jobs/JOBID/record, read by `evtrigger jobs`, written by the job
 * manager before a job starts and by the job process while it runs. Never
 * logs.
 *
 * A job directory holds:
 *   record       the record (format below), replaced atomically
 *   lock         a POSIX record lock (fcntl F_SETLK) held by whoever may
 *                write the record: the job process for its whole life, or
 *                the manager while it changes a job no process runs
 *   NAME.rule    a copy of the rule file as it was when the job was
 *                triggered; the job runs that, not whatever the file says
 *                later
 *
 * The record is text, one KEY=VALUE per line, in any order; unknown keys are
 * ignored. Values escape backslash as \\, newline as \n and other control
 * bytes as \xHH. Keys: version id kind rule rule-path vm connect cursor state
 * step step-index step-started steps percent item pid pid-start created started ended
 * error recovery-of recover-step entry-host run-host, and repeated ones
 * field.NAME (the
 * triggering entry's fields) and note.KEY (host->set_note). */
#ifndef EVT_JOBREC_H
#define EVT_JOBREC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "fields.h"
#include "macro.h"

#define JOB_ID_LEN 16                   /* hex digits */
#define JOB_RECORD_VERSION 1
#define JOB_RECORD_MAX (1024 * 1024)    /* bytes; larger files are refused */

enum job_state {
	JOB_QUEUED,             /* waiting: another job of its VM runs */
	JOB_RUNNING,            /* a job process runs it */
	JOB_FINISHED,
	JOB_FAILED,
	JOB_CANCELLED,
	JOB_TIMEOUT,
	JOB_INTERRUPTED,        /* its process died mid-run (crash, kill -9) */
	JOB_IGNORED,            /* triggered while busy, on-busy = ignore */
	_JOB_STATE_MAX,
};

enum job_kind {
	JOB_KIND_TRIGGER,       /* a journal entry fired a rule */
	JOB_KIND_MANUAL,        /* evtrigger action */
	JOB_KIND_RECOVERY,      /* recovery of an interrupted job */
	_JOB_KIND_MAX,
};

struct job_record {
	char *id;
	enum job_kind kind;
	char *rule;             /* the rule's name */
	char *rule_path;        /* the rule file it was loaded from */
	char *vm;               /* NULL: none */
	char *connect;
	char *cursor;           /* of the triggering entry; NULL if none */
	enum job_state state;
	char *steps;            /* space-separated step names, for display */
	char *step;             /* the step running or last run, or NULL */
	unsigned step_index;    /* 1-based; 0 before the first step */
	uint64_t step_started;  /* CLOCK_REALTIME usec the step began; 0 */
	int percent;            /* -1: none reported */
	char *item;
	pid_t pid;              /* 0: no process yet */
	uint64_t pid_start;     /* field 22 of /proc/PID/stat */
	uint64_t created;       /* CLOCK_REALTIME usec */
	uint64_t started;
	uint64_t ended;
	char *error;
	char *recovery_of;      /* JOB_KIND_RECOVERY: the interrupted job */
	char *recover_step;     /* and the step it was cut short in */
	/* Several hosts: where the trigger event entered (EVENT_ENTRY_HOST of
	 * an entry the listener's uid wrote; NULL: it came over no bus), and
	 * the host that recorded the job (gethostname()). */
	char *entry_host;
	char *run_host;
	struct fields *fields;  /* the triggering entry */
	struct fields *notes;
};

const char *job_state_name(enum job_state s);
int job_state_from_name(const char *s, enum job_state *ret);
const char *job_kind_name(enum job_kind k);
/* Whether the job has ended for good (finished, failed, ...). */
bool job_state_is_final(enum job_state s);

/* A new empty record (state queued, percent -1); NULL on ENOMEM. */
struct job_record *job_record_new(void);
void job_record_free(struct job_record *j);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct job_record *, job_record_free)

/* Sets *field to a copy of value (NULL clears it). 0 or -ENOMEM. */
int job_record_set(char **field, const char *value);

/* The record as text (the format above), malloc'd into *ret. */
int job_record_format(const struct job_record *j, char **ret);
/* Parses text. -EBADMSG if it is not a record (no id or state, or a line
 * without '='), -ENOMEM. */
int job_record_parse(const char *text, struct job_record **ret);

/* Sets (value NULL: removes) a note. -EINVAL for a key not made of
 * [A-Za-z0-9._-] (1..64 bytes). */
int job_record_set_note(struct job_record *j, const char *key,
			const char *value);

/* The job ID for rule `rule` fired by the entry at a journal cursor: the
 * first JOB_ID_LEN hex digits of the SHA-256 of "CURSOR\nRULE", so an entry
 * always maps to one job per rule (two rules matching one entry are two
 * jobs; the same entry seen twice is the same job). buf holds JOB_ID_LEN + 1
 * bytes. */
int job_id_from_cursor(const char *cursor, const char *rule,
		       char buf[static JOB_ID_LEN + 1]);
/* The job ID for rule `rule` fired by a remote event: the first JOB_ID_LEN
 * hex digits of the SHA-256 of "remote\nSENDER\nUUID\nRULE" (EVENT_SENDER
 * and EVENT_UUID of an entry the listener wrote). Two journal entries of one
 * event (a resend) are one job per rule, whatever their cursors. */
int job_id_remote(const char *sender, const char *uuid, const char *rule,
		  char buf[static JOB_ID_LEN + 1]);
/* The ID of the recovery job of job id. */
int job_id_recovery(const char *id, char buf[static JOB_ID_LEN + 1]);
/* A random job ID (manual runs). */
int job_id_random(char buf[static JOB_ID_LEN + 1]);
/* Whether s looks like a job ID (JOB_ID_LEN lower-case hex digits). */
bool job_id_is_valid(const char *s);

/* Paths in the state directory. malloc'd; NULL on ENOMEM. */
char *job_dir_path(const char *state_dir, const char *id);

/* Reads STATE_DIR/jobs/ID/record. -ENOENT if there is no such job. */
int job_record_load(const char *state_dir, const char *id,
		    struct job_record **ret);
/* Replaces STATE_DIR/jobs/ID/record atomically. The caller holds the lock. */
int job_record_save(const char *state_dir, const struct job_record *j);

/* Creates STATE_DIR/jobs/ID/ with its record, lock file and, when rule_text
 * is not NULL, rule_text as RULE.rule, all fsynced under a temporary name and
 * then renamed into place (never replacing anything). Returns 0, -EALREADY
 * when the job exists already, or -errno. Nothing is left under the final
 * name on error. */
int job_record_create(const char *state_dir, const struct job_record *j,
		      const char *rule_text);

/* The job's lock: job_lock_take() returns an fd holding a write lock on
 * STATE_DIR/jobs/ID/lock (closing it releases it), or -EBUSY if a process
 * holds it, -ENOENT. job_lock_holder() returns the pid holding the lock, 0
 * when nobody does, or -errno. */
int job_lock_take(const char *state_dir, const char *id);
pid_t job_lock_holder(const char *state_dir, const char *id);

/* The start time (field 22 of /proc/PID/stat) of pid, against pid reuse.
 * -ESRCH if there is no such process. */
int proc_start_time(pid_t pid, uint64_t *ret);

/* Removes the job directory (record, lock, rule copy). */
int job_record_remove(const char *state_dir, const char *id);

/* The IDs of every job directory under STATE_DIR/jobs, sorted. */
int job_list_ids(const char *state_dir, char ***ret, size_t *ret_n);


#endif
