/* evtrigger: watch the journal and run jobs when rules match. Dispatches to
 * the subcommands of cmd/commands.h, one file each in cmd/. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "macro.h"
#include "report.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char *argv[]);
	const char *summary;
} commands[] = {
	/* Subcommands are added here as they are built. */
	{ "run", cmd_run, "watch the journal and run jobs (the daemon)" },
	{ "check", cmd_check, "check rule files, reporting every error" },
	{ "test", cmd_test, "dry run: which rules an event would fire, and why" },
	{ "create", cmd_create, "write a rule file" },
	{ "query", cmd_query, "list the rules" },
	{ "delete", cmd_delete, "remove a rule file" },
	{ "jobs", cmd_jobs, "show running and recent jobs" },
	{ "cancel", cmd_cancel, "cancel a job" },
	{ "job", cmd_job, "internal: the process of one job" },
	{ "action", cmd_action, "run one action module by hand" },
	{ "modules", cmd_modules, "list action modules and their options" },
	{ NULL, NULL, NULL },
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: evtrigger COMMAND [OPTION]...\n\ncommands:\n");
	for (size_t i = 0; commands[i].name != NULL; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f, "\n'evtrigger COMMAND --help' for a command's options; "
		   "see evtrigger(8).\n");
}

int
main(int argc, char *argv[])
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (streq(argv[1], "--help") || streq(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (streq(argv[1], "--version")) {
		printf("evtrigger " EVT_VERSION "\n");
		return 0;
	}
	for (size_t i = 0; commands[i].name != NULL; i++)
		if (streq(argv[1], commands[i].name)) {
			/* What lib/report.h prefixes every error with:
			 * "evtrigger run: cannot open the journal: ...". */
			static char name[32];

			snprintf(name, sizeof(name), "evtrigger %s",
				 commands[i].name);
			program_invocation_short_name = name;
			return commands[i].fn(argc - 1, argv + 1);
		}
	report_error(0, "unknown command '%s'", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
