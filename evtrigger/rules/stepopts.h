/* The options of one step of a rule as a module reads them through struct
 * evt_host: the text of the rule's [STEP] section, else the module's declared
 * default, parsed with lib/options.h. The loader uses it to run a module's
 * check(), the job process to serve run(); it needs neither a journal nor a
 * job. Never logs. */
#ifndef EVT_STEPOPTS_H
#define EVT_STEPOPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evtrigger-action.h"

struct rule;

struct stepopts {
	const struct rule *rule;
	const char *step;                       /* the section: "compact" */
	const struct evt_action *module;        /* NULL: no declarations known */
	char ***lists;          /* word vectors handed out by stepopts_list() */
	size_t n_lists;
	char **reasons;         /* check time: each host->set_error() */
	size_t n_reasons;
	char **warnings;        /* probe time: each host->warn() */
	size_t n_warnings;
	bool oom;
};

/* Points o at a step. Nothing is copied: rule, step and module must outlive
 * o. Call stepopts_done() when the step returns. */
void stepopts_init(struct stepopts *o, const struct rule *rule,
		   const char *step, const struct evt_action *module);
/* Frees what stepopts_list() handed out. o may be initialized again. */
void stepopts_done(struct stepopts *o);

/* The option's text from the rule, else the module's default, else NULL.
 * NULL too for a name the module does not declare (with module NULL, any
 * name the section sets). */
const char *stepopts_get(struct stepopts *o, const char *name);

/* Parsed forms of stepopts_get(): 0, -ENOENT if unset (or undeclared),
 * -EINVAL/-ERANGE if malformed; *ret is untouched on error. */
int stepopts_bool(struct stepopts *o, const char *name, int *ret);
int stepopts_int(struct stepopts *o, const char *name, int64_t *ret);
int stepopts_duration(struct stepopts *o, const char *name,
		      uint64_t *ret_usec);
int stepopts_size(struct stepopts *o, const char *name, uint64_t *ret_bytes);
/* The words of a list option, NULL-terminated, valid until
 * stepopts_done(); *ret_n (if not NULL) counts them. -ENOMEM too. */
int stepopts_list(struct stepopts *o, const char *name,
		  const char *const **ret_words, size_t *ret_n);

/* The step's time limit, which the job runner enforces: the section's
 * `timeout` (whether or not the module declares one), else the module's
 * declared default for `timeout`. 0, -ENOENT if none, -EINVAL. */
int stepopts_timeout(struct stepopts *o, uint64_t *ret_usec);

/* Runs the module's check() with stepopts_check_host; 0 if the module has
 * none. On failure returns the module's negative errno with its (first)
 * reason in err (a generic one if the module gave none). Ends with
 * stepopts_done(o). */
int stepopts_check(struct stepopts *o, char *err, size_t errlen);

/* Receives one mistake: line is the option's line in the rule file (0 for
 * a mistake of the section as a whole, e.g. from the module's check()). */
typedef void (*stepopts_report_fn)(void *userdata, unsigned line,
				   const char *message);

/* The one check of a step's options, used by the rule loader and by
 * `evtrigger action`: every option rule r sets for step `step` against
 * module m (NULL: no module known, only `timeout` is checked). `timeout` is
 * a duration for every step, whatever m declares (the runner reads it so);
 * any other key must be declared by m and fit its type. Only if all are
 * well-formed, m's check() runs, and every reason it gives (each
 * host->set_error() call, and its err text) is reported. Every mistake goes
 * to fn. Returns the number of mistakes, or -ENOMEM. */
int stepopts_check_options(const struct rule *r, const char *step,
			   const struct evt_action *m, stepopts_report_fn fn,
			   void *userdata);

/* A host for check time: its struct evt_job pointers are struct stepopts.
 * It serves the options, and vm(), connect() and rule() from the rule;
 * set_error() collects one mistake per call; the calls that need a job
 * (event fields, log, progress, notes, ...) return NULL, -EOPNOTSUPP, 0
 * (cancelled) or UINT64_MAX (deadline). */
extern const struct evt_host stepopts_check_host;

/* The check host of `evtrigger check` when it asks the system too: the
 * same, and warn() collects one warning per call (a module's check() then
 * asks libvirt and the file system what it can: actions/util/vm.h,
 * vm_check_probe). */
extern const struct evt_host stepopts_probe_host;

/* Runs m's check() for step `step` of rule r (loaded, its options valid)
 * with stepopts_probe_host. Every mistake it finds goes to err_fn, every
 * warning to warn_fn, each once per text. Returns the number of mistakes,
 * or -ENOMEM. */
int stepopts_probe(const struct rule *r, const char *step,
		   const struct evt_action *m, stepopts_report_fn err_fn,
		   stepopts_report_fn warn_fn, void *userdata);

#endif
