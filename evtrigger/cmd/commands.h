/* The subcommands of evtrigger. Each parses its own options from argv, with
 * argv[0] the subcommand's name, prints its own errors, and returns the exit
 * code (see evtrigger(8), EXIT STATUS). */
#ifndef EVT_COMMANDS_H
#define EVT_COMMANDS_H

/* Exit codes shared by the subcommands. */
#define EXIT_USAGE      2       /* bad command line */
#define EXIT_RULES      3       /* invalid rules */
#define EXIT_NOTFOUND   4       /* no such rule or job */
#define EXIT_RUNTIME    5       /* journal, state directory, system error */
#define EXIT_EXISTS     6       /* create: the rule exists (no --force) */

int cmd_run(int argc, char *argv[]);     /* the daemon: watch */
int cmd_check(int argc, char *argv[]);   /* validate rules */
int cmd_test(int argc, char *argv[]);    /* dry run of one event */
int cmd_create(int argc, char *argv[]);  /* write a rule file */
int cmd_query(int argc, char *argv[]);   /* list rules */
int cmd_delete(int argc, char *argv[]);  /* remove a rule file */
int cmd_jobs(int argc, char *argv[]);    /* running and recent jobs */
int cmd_cancel(int argc, char *argv[]);  /* cancel a job */
int cmd_log(int argc, char *argv[]);     /* a job's story from the journal */
int cmd_job(int argc, char *argv[]);     /* internal: run one job process */
int cmd_action(int argc, char *argv[]);  /* run one action by hand */
int cmd_modules(int argc, char *argv[]); /* list action modules, options */
int cmd_restore(int argc, char *argv[]); /* restore an archive */

#endif
