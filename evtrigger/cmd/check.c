/* `evtrigger check`: loads rule files as the daemon would and prints every
 * error as FILE:LINE: MESSAGE. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "jobs/module.h"
#include "report.h"
#include "rules/rule.h"
#include "watch/entry.h"

/* Rules on evtrigger's own IDs are valid, but worth a word. */
static void
check_warn(const struct rule *r)
{
	char buf[512];

	if (entry_rule_warning(r, buf, sizeof(buf)) != NULL)
		fprintf(stderr, "%s: %s\n", r->path, buf);
}

static void
check_usage(FILE *f)
{
	fprintf(f,
		"usage: evtrigger check [OPTION]... [FILE]...\n"
		"Checks rule files: every rules.d/*.rule, or the FILEs given.\n"
		"Prints every error as FILE:LINE: MESSAGE.\n\n"
		"  --rules-dir DIR   the rules directory (default $EVTRIGGER_RULES_DIR\n"
		"                    or " RULES_DIR_DEFAULT ")\n"
		"  --action-dir DIR  where action modules are found\n"
		"  --no-modules      do not load modules: skip checking steps'\n"
		"                    modules and options\n"
		"  -h, --help        this text\n\n"
		"Exit status: 0 all valid, 3 errors in rules, 5 a file or the\n"
		"directory cannot be read, 2 usage.\n");
}

int
cmd_check(int argc, char *argv[])
{
	enum { OPT_NO_MODULES = 0x100 };
	static const struct option longopts[] = {
		CMD_OPT_RULES_DIR,
		CMD_OPT_ACTION_DIR,
		{ "no-modules", no_argument, NULL, OPT_NO_MODULES },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct rule_modules *mods = &cmd_modules_real;
	struct cmd_dirs dirs = { 0 };
	struct rule_errors errors = { 0 };
	size_t n_rules = 0;
	int c, r, exit_code = 0;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_NO_MODULES:
			mods = NULL;
			break;
		case 'h':
			check_usage(stdout);
			return 0;
		default:
			if (cmd_dirs_option(&dirs, c, optarg))
				break;
			check_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (cmd_dirs_resolve(&dirs, "check") < 0)
		return EXIT_RUNTIME;

	if (optind < argc) {
		for (int i = optind; i < argc; i++) {
			struct rule *rule = NULL;

			r = rule_load_file(argv[i], mods, &rule, &errors);
			if (r == 0) {
				check_warn(rule);
				rule_free(rule);
				n_rules++;
			} else if (r == -EINVAL)
				exit_code = EXIT_RULES;
			else if (exit_code == 0)
				exit_code = EXIT_RUNTIME;
		}
	} else {
		_cleanup_(rule_set_freep) struct rule_set *set = NULL;

		r = rule_set_load_dir(dirs.rules, mods, &set, &errors);
		if (r == 0) {
			n_rules = set->n;
			for (size_t i = 0; i < set->n; i++)
				check_warn(set->rules[i]);
		}
		else
			exit_code = r == -EINVAL ? EXIT_RULES : EXIT_RUNTIME;
	}
	cmd_print_rule_errors(&errors);
	if (exit_code == 0) {
		if (optind < argc)
			printf("%zu rule file%s valid\n", n_rules,
			       n_rules == 1 ? "" : "s");
		else
			printf("%s: %zu rule%s valid\n", dirs.rules, n_rules,
			       n_rules == 1 ? "" : "s");
	} else if (errors.n > 0)
		report_error(0, "%zu error%s",
			     errors.n, errors.n == 1 ? "" : "s");
	rule_errors_clear(&errors);
	return exit_code;
}
