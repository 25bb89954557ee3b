/* `evtrigger delete` (and eventtriggers' `/Delete /TID id|*`): removes rule
 * files, durably. A name may be a trigger name as /Create /TR took it
 * ("Disk Cleanup": Disk_Cleanup.rule). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/winargs.h"
#include "fileio.h"
#include "strv.h"
#include "report.h"
#include "rules/rule.h"

static void
delete_usage(FILE *f)
{
	fprintf(f,
		"usage: evtrigger delete [OPTION]... NAME...\n"
		"Removes the rule files NAME.rule from the rules directory. A NAME\n"
		"with blanks is a trigger name as `evtrigger /Create /TR` took it.\n"
		"eventtriggers' form: evtrigger /Delete /TID ID|* [/TID ID]...\n"
		"(the trigger IDs that `evtrigger query -v` or /Query shows).\n\n"
		"  --rules-dir DIR   the rules directory (default $EVTRIGGER_RULES_DIR\n"
		"                    or " RULES_DIR_DEFAULT ")\n"
		"  -h, --help        this text\n\n"
		"Exit status: 0 removed, 4 no such rule, 5 cannot remove, 2 usage.\n");
}

enum { WD_TID, WD_S, WD_U, WD_P };
static const struct win_switch delete_switches[] = {
	[WD_TID] = { "TID", true, true }, [WD_S] = { "S", true, false },
	[WD_U] = { "U", true, false },    [WD_P] = { "P", true, false },
};

/* The rule names that /TID values name: "*" all, a number the rules with
 * that trigger ID. Returns 0 with *ret (a strv), or an exit code after
 * reporting: 4 an ID no rule has, 2 an ID two rules share or not a number. */
static int
names_of_tids(const char *dir, const char *const *tids, size_t n_tids,
	      char ***ret)
{
	struct rule_errors errors = { 0 };
	_cleanup_(strv_freep) char **files = NULL;
	_cleanup_(freep) char **names = NULL;
	_cleanup_(strv_freep) char **out = NULL;
	size_t n_files = 0, n = 0, n_out = 0;
	int exit_code = 0;

	if (rule_dir_list(dir, &files, &n_files, &errors) < 0) {
		cmd_print_rule_errors(&errors);
		rule_errors_clear(&errors);
		return EXIT_RUNTIME;
	}
	for (size_t i = 0; i < n_files; i++)
		files[i][strlen(files[i]) - strlen(".rule")] = '\0';
	names = calloc(n_files + 1, sizeof(*names));
	if (names == NULL)
		return EXIT_RUNTIME;
	for (size_t t = 0; t < n_tids && exit_code == 0; t++) {
		const char *tid = tids[t];
		char *end;
		unsigned long v;
		size_t hits = 0, first = 0;

		if (streq(tid, "*")) {
			for (size_t i = 0; i < n_files; i++)
				names[i] = files[i];
			n = n_files;
			continue;
		}
		errno = 0;
		v = strtoul(tid, &end, 10);
		if (errno != 0 || end == tid || *end != '\0') {
			report_error(0, "invalid trigger ID '%s': a number "
				     "from `evtrigger /Query`, or *", tid);
			return EXIT_USAGE;
		}
		for (size_t i = 0; i < n_files; i++)
			if (win_trigger_id(files[i]) == v && hits++ == 0)
				first = i;
		if (hits == 0) {
			report_error(0, "no trigger ID %s in %s", tid, dir);
			exit_code = EXIT_NOTFOUND;
		} else if (hits > 1) {
			report_error(0, "trigger ID %s is ambiguous (%zu rules "
				     "have it): delete them by name", tid, hits);
			exit_code = EXIT_USAGE;
		} else {
			bool dup = false;

			for (size_t k = 0; k < n; k++)
				dup = dup || names[k] == files[first];
			if (!dup)
				names[n++] = files[first];
		}
	}
	if (exit_code != 0)
		return exit_code;
	/* Copied: files is freed here. */
	for (size_t k = 0; k < n; k++)
		if (strv_extend(&out, &n_out, names[k]) < 0)
			return EXIT_RUNTIME;
	*ret = TAKE_PTR(out);
	return 0;
}

/* `evtrigger /Delete ...`: *ret the rule names. 1 after help. */
static int
delete_parse_windows(int argc, char *argv[], const char *dir, char ***ret)
{
	_cleanup_(freep) char *err = NULL;
	struct win_args w;
	int r;

	r = win_parse(argc - 1, argv + 1, delete_switches,
		      ELEMENTSOF(delete_switches), &w, &err);
	if (r < 0) {
		report_error(0, "%s", r == -ENOMEM ? "out of memory" : err);
		return r == -ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
	}
	if (w.help) {
		delete_usage(stdout);
		r = 1;
	} else if (w.value[WD_S] != NULL || w.value[WD_U] != NULL ||
		   w.value[WD_P] != NULL) {
		report_error(0, "remote systems (/S, /U, /P) are not "
			     "supported: run evtrigger on the host");
		r = EXIT_USAGE;
	} else if (w.n_more == 0) {
		report_error(0, "/TID ID|* is required");
		r = EXIT_USAGE;
	} else
		r = names_of_tids(dir, w.more, w.n_more, ret);
	win_args_done(&w);
	return r;
}

/* Removes dir/NAME.rule for each name (a trigger name is mapped to its
 * file name). Returns the exit code. */
static int
delete_names(const char *dir, char *const *names, size_t n)
{
	int r, exit_code = 0;
	bool removed = false;

	for (size_t i = 0; i < n; i++) {
		_cleanup_(freep) char *name = NULL, *path = NULL;
		size_t l;

		if (win_name_to_file(names[i], &name) < 0) {
			report_error(0, "invalid rule name '%s'", names[i]);
			return EXIT_USAGE;
		}
		l = strlen(name);
		if (l > 5 && strcmp(name + l - 5, ".rule") == 0)
			name[l - 5] = '\0';
		if (!rule_name_is_valid(name)) {
			report_error(0, "invalid rule name '%s'", names[i]);
			return EXIT_USAGE;
		}
		if (asprintf(&path, "%s/%s.rule", dir, name) < 0)
			return EXIT_RUNTIME;
		if (unlink(path) < 0) {
			r = -errno;
			if (r == -ENOENT) {
				report_error(0, "no rule '%s' in %s",
					     names[i], dir);
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

int
cmd_delete(int argc, char *argv[])
{
	static const struct option longopts[] = {
		CMD_OPT_RULES_DIR,
		CMD_OPT_ACTION_DIR,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_(strv_freep) char **tid_names = NULL;
	struct cmd_dirs dirs = { 0 };
	int c, r;

	if (win_form(argc, argv)) {
		if (cmd_dirs_resolve(&dirs, "delete") < 0)
			return EXIT_RUNTIME;
		r = delete_parse_windows(argc, argv, dirs.rules, &tid_names);
		if (r != 0)
			return r == 1 ? 0 : r;
		return delete_names(dirs.rules, tid_names,
				    strv_length(tid_names));
	}
	if (win_asks_help(argc, argv)) {	/* -?, as on Windows */
		delete_usage(stdout);
		return 0;
	}
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
	return delete_names(dirs.rules, argv + optind,
			    (size_t)(argc - optind));
}
