/* What the subcommands share: the --rules-dir, --state-dir and --action-dir
 * options, the one place that resolves them (option, else environment, else
 * the compiled-in default), and printing rule errors. Used by cmd/, and
 * by the watcher for printing rule errors on a reload. */
#ifndef EVT_CMD_COMMON_H
#define EVT_CMD_COMMON_H

#include <getopt.h>
#include <stdbool.h>

#include "rules/rule.h"

#define RULES_DIR_DEFAULT EVT_SYSCONFDIR "/evtrigger/rules.d"

/* The getopt values of the directory options (run also takes them as -r,
 * -s, -a). A subcommand lists the ones it takes in its struct option table
 * and hands every option to cmd_dirs_option(). */
#define CMD_OPT_RULES_DIR  { "rules-dir", required_argument, NULL, 'r' }
#define CMD_OPT_STATE_DIR  { "state-dir", required_argument, NULL, 's' }
#define CMD_OPT_ACTION_DIR { "action-dir", required_argument, NULL, 'a' }

/* Where a subcommand finds rules, keeps state and loads modules. NULL until
 * given; cmd_dirs_resolve() fills in the rest. */
struct cmd_dirs {
	const char *rules;      /* $EVTRIGGER_RULES_DIR, RULES_DIR_DEFAULT */
	const char *state;      /* $EVTRIGGER_STATE_DIR, EVT_STATEDIR */
	const char *action;     /* $EVTRIGGER_ACTION_DIR, EVT_ACTIONDIR */
};

/* Takes getopt's c and optarg if c is one of the directory options.
 * Returns true if it was. */
bool cmd_dirs_option(struct cmd_dirs *d, int c, const char *arg);

/* The directories not given on the command line, from the environment (set
 * and not empty) or the defaults; and the action directory for module
 * loading (module_set_dir). Returns 0, or -ENOMEM after printing an error
 * for subcommand cmd. */
int cmd_dirs_resolve(struct cmd_dirs *d, const char *cmd);

/* Prints each error line to stderr. */
void cmd_print_rule_errors(const struct rule_errors *e);

/* --listener-user USER (by_uid false) or --listener-uid UID (by_uid true)
 * into *t. Reports a bad value and returns -EINVAL, *t untouched. */
int cmd_listener_option(struct rule_trust *t, const char *arg, bool by_uid);

/* This host's name (gethostname(), in a static buffer), or NULL when it
 * has none: what `host =` of a rule is compared with. */
const char *cmd_this_host(void);

/* The real module lookup for rule loading (jobs/module.h). */
extern const struct rule_modules cmd_modules_real;

#endif
