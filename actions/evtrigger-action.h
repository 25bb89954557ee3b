/* The interface between evtrigger and its action modules, version 1.
 *
 * A module is a shared object that exports one symbol,
 *
 *	const struct evt_action evt_action_module = { ... };
 *
 * and is built against this header alone (and <evtrigger/evt-ids.h> for the
 * event IDs it logs):
 *
 *	cc -shared -fPIC -fvisibility=hidden -o hello.so hello.c
 *
 * evtrigger loads NAME.so from its action directory for a rule step named
 * NAME. The module calls back into evtrigger only through the struct
 * evt_host it is given; it links against nothing of evtrigger's.
 *
 * Every step runs inside a job process of its own, so a module that crashes
 * fails its job, not the daemon. Modules never print: they report through
 * host->log() and host->progress(), which become journal events. */
#ifndef EVTRIGGER_ACTION_H
#define EVTRIGGER_ACTION_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define EVT_ACTION_API_VERSION 1

enum evt_option_type {
	EVT_OPT_STRING,         /* any text */
	EVT_OPT_BOOL,           /* yes/no, true/false, on/off, 1/0 */
	EVT_OPT_INT,            /* a decimal integer */
	EVT_OPT_DURATION,       /* "90", "90s", "15m", "2h", "1d" (seconds if bare) */
	EVT_OPT_SIZE,           /* "4096", "10K", "20M", "1G", "2T" (IEC) */
	EVT_OPT_LIST,           /* words; "double quotes" keep spaces */
};

/* One option a module takes, in the rule section named like the module. */
struct evt_option {
	const char *name;
	enum evt_option_type type;
	const char *default_value;      /* NULL: unset unless the rule sets it */
	const char *help;               /* one line, for evtrigger.rules(5) */
};

/* The job a step runs in; opaque to modules. */
struct evt_job;

/* What evtrigger offers a module. Functions returning int return >= 0, or a
 * negative errno. Strings returned stay valid until the step returns. */
struct evt_host {
	unsigned api_version;

	/* The option's text from the rule, else its default, else NULL.
	 * Unknown names (not declared by the module) return NULL. */
	const char *(*option)(struct evt_job *job, const char *name);
	/* Parsed forms of option(). -ENOENT if unset, -EINVAL if malformed
	 * (which evtrigger check has already refused). */
	int (*option_bool)(struct evt_job *job, const char *name, int *ret);
	int (*option_int)(struct evt_job *job, const char *name, int64_t *ret);
	int (*option_duration)(struct evt_job *job, const char *name,
			       uint64_t *ret_usec);
	int (*option_size)(struct evt_job *job, const char *name,
			   uint64_t *ret_bytes);
	/* The words of a list option, NULL-terminated, valid until the step
	 * returns; *ret_n counts them. */
	int (*option_list)(struct evt_job *job, const char *name,
			   const char *const **ret_words, size_t *ret_n);

	/* A field of the event that fired the job (EVENT_ID, MESSAGE, …), or
	 * NULL. Never use one as a path, a VM name or a shell word. */
	const char *(*event_field)(struct evt_job *job, const char *name);
	/* Every field of that event, for passing on (exec's environment):
	 * calls fn once per field. */
	void (*event_fields)(struct evt_job *job,
			     void (*fn)(const char *name, const char *value,
					void *userdata),
			     void *userdata);

	/* What the rule's [job] section names: the VM and the libvirt URI
	 * (NULL if the rule names none), the job's ID and the rule's name. */
	const char *(*vm)(struct evt_job *job);
	const char *(*connect)(struct evt_job *job);
	const char *(*job_id)(struct evt_job *job);
	const char *(*rule)(struct evt_job *job);

	/* Logs an event of this job: id from evt-ids.h, fields as a NULL-
	 * terminated array of "NAME=value" strings (may be NULL), then the
	 * message. JOB_ID, RULE, VM and STEP are added. */
	int (*log)(struct evt_job *job, unsigned id, const char *const *fields,
		   const char *format, ...)
		__attribute__((format(printf, 4, 5)));
	/* Reports progress of item (a disk name, or NULL) as 0..100. Cheap to
	 * call often: evtrigger records every call for `evtrigger jobs` and
	 * logs a STEP_PROGRESS event only every few percent. */
	int (*progress)(struct evt_job *job, const char *item, unsigned percent);
	/* Sets the error text that the STEP_FAILED and JOB_FAILED events carry;
	 * call it before returning a failure. */
	void (*set_error)(struct evt_job *job, const char *format, ...)
		__attribute__((format(printf, 2, 3)));

	/* Whether `evtrigger cancel` (or a time limit) asked the job to stop.
	 * A module checks it between units of work and, once it has left
	 * things usable, returns -ECANCELED. */
	int (*cancelled)(struct evt_job *job);
	/* A file descriptor that becomes readable when cancelled() turns
	 * true, for modules that poll(). */
	int (*cancel_fd)(struct evt_job *job);
	/* CLOCK_MONOTONIC microseconds at which the step's time limit ends,
	 * or UINT64_MAX for none. */
	uint64_t (*deadline)(struct evt_job *job);

	/* A small durable key/value note kept with the job, for recovery after
	 * a crash: e.g. set_note(job, "vm-was-running", "1"). value NULL
	 * removes it. Written atomically before it returns. */
	int (*set_note)(struct evt_job *job, const char *key, const char *value);
	const char *(*get_note)(struct evt_job *job, const char *key);

	/* Set only while `evtrigger check` runs a module's check() a second
	 * time to ask the system what it can (does the VM exist, can its
	 * disks be read, is the directory there); NULL when rules are loaded
	 * and when a step runs. A check() that finds warn NULL does not
	 * probe. A mistake found is set_error() as ever; warn() reports what
	 * could not be checked (libvirt not reachable), which is no error.
	 * Added at the end of version 1: a module must not read it under an
	 * evtrigger older than this header. */
	void (*warn)(struct evt_job *job, const char *format, ...)
		__attribute__((format(printf, 2, 3)));
};

struct evt_action {
	unsigned api_version;           /* EVT_ACTION_API_VERSION */
	const char *name;               /* as in rules: "compact" */
	const char *summary;            /* one line */
	const struct evt_option *options;       /* ends with { NULL } */

	/* Optional: checks option values beyond their types when rules are
	 * loaded (host->option() works; no VM is touched). Returns 0, or
	 * -EINVAL with a one-line reason in err, or after one
	 * host->set_error() call per mistake (at check time each call is one
	 * mistake, and `evtrigger check` reports them all). */
	int (*check)(const struct evt_host *host, struct evt_job *job,
		     char *err, size_t errlen);
	/* Runs the step. Returns 0; -ECANCELED when cancelled; or another
	 * negative errno after host->set_error(). */
	int (*run)(const struct evt_host *host, struct evt_job *job);
	/* Optional: a previous run of this step was cut short (crash, kill,
	 * reboot); put things back into a usable state and report it. Called
	 * with the notes that run left. */
	int (*recover)(const struct evt_host *host, struct evt_job *job);
};

#define EVT_ACTION_SYMBOL "evt_action_module"

/* The one symbol a module exports. Declared here with default visibility,
 * so that a module built with -fvisibility=hidden (as evtrigger's own are)
 * exports it and nothing else. */
#define EVT_ACTION_EXPORT __attribute__((visibility("default")))
EVT_ACTION_EXPORT extern const struct evt_action evt_action_module;

/* Note keys (host->set_note) that evtrigger itself reads. A module may keep
 * notes of its own under other names ([A-Za-z0-9._-], up to 64 bytes).
 *
 * EVT_NOTE_VM_DOWN: set (to any value, e.g. "1") by a step that shut the VM
 * down or found it down on purpose for the job (wait-shutdown, shutdown),
 * and removed (value NULL) by the step that starts it again (start). A job
 * that ends in any way but success, or is interrupted, while the note is
 * set logs VM_LEFT_DOWN, an ERROR event. */
#define EVT_NOTE_VM_DOWN "vm-down"

/* EVT_NOTE_VM_NAME: set by a step that found the rule's VM under another
 * text than its name (a rule may name it by UUID) to the domain's name;
 * evtrigger names the job's VM so from then on (its record, its events). */
#define EVT_NOTE_VM_NAME "vm-name"

#endif
