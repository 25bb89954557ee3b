/* The watcher: follows the journal, matches each new entry against the
 * rules (rules/match.c) and hands matches to the job manager
 * (jobs/manager.c), storing its position (cursor.c) only after the jobs
 * are recorded. Logs its own events to the journal and its errors to
 * stderr; `evtrigger run` (cmd/run.c) is its command line. */
#ifndef EVT_WATCH_H
#define EVT_WATCH_H

#include <stdint.h>

#include "rules/rule.h"

#define WATCH_DEFAULT_MAX_AGE   (3600ULL * 1000000ULL)  /* 1h */
/* journald tells readers about new entries at most every 250 ms (its
 * post-change timer), so a watcher that waits for inotify sees an event up to
 * 250 ms late. The entries are in the shared mapping of the file at once:
 * looking at what is new every few milliseconds (an unfiltered
 * sd_journal_next and a field lookup per new entry) cuts that to the poll
 * interval. --poll=0 turns it off. */
#define WATCH_DEFAULT_POLL_USEC (2ULL * 1000ULL)

struct watch_options {
	const char *rules_dir;
	const char *state_dir;
	uint64_t max_age_usec;          /* 0: no limit */
	uint64_t poll_usec;             /* 0: journald's notifications only */
	struct rule_trust trust;
};

/* Runs the watcher until SIGTERM or SIGINT (SIGHUP reloads the rules).
 * The action directory is set already (module_set_dir). Returns the exit
 * code of `evtrigger run`: 0, EXIT_RULES or EXIT_RUNTIME (cmd/commands.h). */
int watch_run(const struct watch_options *o);

#endif
