/* evtrigger: watch the journal and run jobs when rules match. Dispatches to
 * the subcommands of cmd/commands.h, one file each in cmd/; also takes
 * eventtriggers' verbs (/Create, /Query, /Delete, in any case: the
 * subcommand sees its argv[0] starting with '/' and parses eventtriggers'
 * switches, cmd/winargs.h), -V, `help [COMMAND]`, -? and /?. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

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
	{ "log", cmd_log, "a job's story: only the entries evtrigger wrote" },
	{ "job", cmd_job, "internal: the process of one job" },
	{ "action", cmd_action, "run one action module by hand" },
	{ "modules", cmd_modules, "list action modules and their options" },
	{ "restore", cmd_restore, "verify an archive and define its VM again" },
	{ NULL, NULL, NULL },
};

/* eventtriggers' verbs and the subcommand each is. */
static const struct {
	const char *verb, *command;
} windows_verbs[] = {
	{ "/Create", "create" },
	{ "/Query", "query" },
	{ "/Delete", "delete" },
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: evtrigger COMMAND [OPTION]...\n\ncommands:\n");
	for (size_t i = 0; commands[i].name != NULL; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f, "  %-10s %s\n", "help", "this text, or a command's help");
	fprintf(f, "\neventtriggers' syntax: evtrigger /Create | /Query | "
		   "/Delete [/SWITCH [VALUE]]...\n(switches in any case; "
		   "'evtrigger /Create /?' for each).\n");
	fprintf(f, "\n'evtrigger COMMAND --help' for a command's options; "
		   "-V, --version the version;\nsee evtrigger(8).\n");
}

static bool
is_help(const char *a)
{
	return streq(a, "--help") || streq(a, "-h") || streq(a, "-?") ||
	       streq(a, "/?");
}

/* The command argv[1] names (a Windows verb in any case counts), or -1. */
static int
find_command(const char *arg)
{
	const char *name = arg;

	for (size_t i = 0; i < ELEMENTSOF(windows_verbs); i++)
		if (strcasecmp(arg, windows_verbs[i].verb) == 0)
			name = windows_verbs[i].command;
	for (size_t i = 0; commands[i].name != NULL; i++)
		if (streq(name, commands[i].name))
			return (int)i;
	return -1;
}

static int
run_command(int i, int argc, char *argv[])
{
	/* What lib/report.h prefixes every error with:
	 * "evtrigger run: cannot open the journal: ...". */
	static char name[32];

	snprintf(name, sizeof(name), "evtrigger %s", commands[i].name);
	program_invocation_short_name = name;
	return commands[i].fn(argc, argv);
}

/* `evtrigger help [COMMAND]`: the command's own --help (or /? for a
 * Windows verb). */
static int
help(int argc, char *argv[])
{
	char *args[3];
	int i;

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	i = find_command(argv[1]);
	if (i < 0 || argc > 2) {
		report_error(0, "unknown command '%s'", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	args[0] = argv[1];
	args[1] = (char *)(argv[1][0] == '/' ? "/?" : "--help");
	args[2] = NULL;
	return run_command(i, 2, args);
}

int
main(int argc, char *argv[])
{
	int i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	if (streq(argv[1], "--version") || streq(argv[1], "-V")) {
		printf("evtrigger " EVT_VERSION "\n");
		return 0;
	}
	if (streq(argv[1], "help"))
		return help(argc - 1, argv + 1);
	i = find_command(argv[1]);
	if (i >= 0)
		return run_command(i, argc - 1, argv + 1);
	report_error(0, "unknown command '%s'", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
