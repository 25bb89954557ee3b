/* `evtrigger delete`: removes rule files, durably. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "fileio.h"
#include "report.h"
#include "rules/rule.h"

static void
delete_usage(FILE *f)
{
	fprintf(f,
		"usage: evtrigger delete [OPTION]... NAME...\n"
		"Removes the rule files NAME.rule from the rules directory.\n\n"
		"  --rules-dir DIR   the rules directory (default $EVTRIGGER_RULES_DIR\n"
		"                    or " RULES_DIR_DEFAULT ")\n"
		"  -h, --help        this text\n\n"
		"Exit status: 0 removed, 4 no such rule, 5 cannot remove, 2 usage.\n");
}

int
cmd_delete(int argc, char *argv[])
{
	static const struct option longopts[] = {
		CMD_OPT_RULES_DIR,
		CMD_OPT_ACTION_DIR,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cmd_dirs dirs = { 0 };
	const char *dir;
	int c, r, exit_code = 0;
	bool removed = false;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			delete_usage(stdout);
			return 0;
		default:
			if (cmd_dirs_option(&dirs, c, optarg))
				break;
			delete_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		delete_usage(stderr);
		return EXIT_USAGE;
	}
	if (cmd_dirs_resolve(&dirs, "delete") < 0)
		return EXIT_RUNTIME;
	dir = dirs.rules;
	for (int i = optind; i < argc; i++) {
		_cleanup_(freep) char *name = strdup(argv[i]), *path = NULL;
		size_t l;

		if (name == NULL)
			return EXIT_RUNTIME;
		l = strlen(name);
		if (l > 5 && strcmp(name + l - 5, ".rule") == 0)
			name[l - 5] = '\0';
		if (!rule_name_is_valid(name)) {
			report_error(0, "invalid rule name '%s'", argv[i]);
			return EXIT_USAGE;
		}
		if (asprintf(&path, "%s/%s.rule", dir, name) < 0)
			return EXIT_RUNTIME;
		if (unlink(path) < 0) {
			r = -errno;
			if (r == -ENOENT) {
				report_error(0, "no rule '%s' in %s",
					     name, dir);
				if (exit_code == 0)
					exit_code = EXIT_NOTFOUND;
			} else {
				report_errno(r, "cannot remove %s", path);
				exit_code = EXIT_RUNTIME;
			}
			continue;
		}
		removed = true;
		printf("removed %s\n", path);
	}
	if (removed) {
		r = fsync_dir(dir);
		if (r < 0) {
			report_errno(r, "cannot fsync %s", dir);
			exit_code = EXIT_RUNTIME;
		}
	}
	return exit_code;
}
