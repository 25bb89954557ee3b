/* `evtrigger check`: loads rule files as the daemon would and prints every
 * error as FILE:LINE: MESSAGE; then asks the system what the daemon's load
 * does not (the VMs exist, their disks and the archive dirs can be used:
 * each module's check() under stepopts_probe_host), a warning for what
 * cannot be asked (libvirt not reachable). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "jobs/module.h"
#include "report.h"
#include "rules/rule.h"
#include "rules/stepopts.h"
#include "strv.h"
#include "watch/entry.h"

/* Rules on evtrigger's own IDs are valid, but worth a word. */
static void
check_warn(const struct rule *r)
{
	char buf[512];

	if (entry_rule_warning(r, buf, sizeof(buf)) != NULL)
		fprintf(stderr, "%s: %s\n", r->path, buf);
}

/* What the probe of one rule found: each text once per rule (wait-shutdown,
 * compact and start all find a missing VM). */
struct probe_report {
	const struct rule *rule;
	const char *step;
	char **seen;
	size_t n_seen;
	size_t n_errors;
	bool oom;
};

static bool
probe_first(struct probe_report *p, const char *message)
{
	if (strv_has(p->seen, p->n_seen, message))
		return false;
	if (strv_extend(&p->seen, &p->n_seen, message) < 0)
		p->oom = true;
	return true;
}

static void
probe_error(void *userdata, unsigned line, const char *message)
{
	struct probe_report *p = userdata;

	if (!probe_first(p, message))
		return;
	fprintf(stderr, "%s: action '%s': %s\n", p->rule->path, p->step,
		message);
	p->n_errors++;
}

static void
probe_warning(void *userdata, unsigned line, const char *message)
{
	struct probe_report *p = userdata;

	if (probe_first(p, message))
		fprintf(stderr, "%s: warning: %s\n", p->rule->path, message);
}

/* Every step of r through its module's check() with the probe host.
 * Returns the number of mistakes found, or -ENOMEM. */
static int
check_probe_rule(const struct rule *r)
{
	struct probe_report p = { .rule = r };
	const struct evt_action *m;
	char err[512];
	int k = 0;

	for (size_t i = 0; i < r->n_steps && k >= 0; i++) {
		if (strv_has(r->steps, i, r->steps[i]) ||
		    module_get(r->steps[i], &m, err, sizeof(err)) < 0)
			continue;       /* the load reported it */
		/* The steps after a restore work on the VM it defines, which
		 * libvirt cannot know of yet. */
		if (strv_has(r->steps, i, "restore"))
			break;
		p.step = r->steps[i];
		k = stepopts_probe(r, r->steps[i], m, probe_error,
				   probe_warning, &p);
	}
	strv_free(p.seen);
	if (k < 0 || p.oom)
		return -ENOMEM;
	return (int)p.n_errors;
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
		"  --no-probe        do not ask libvirt and the file system\n"
		"                    whether the VMs, their disks and the\n"
		"                    archive dirs exist and can be used\n"
		"  -h, --help        this text\n\n"
		"Exit status: 0 all valid, 3 errors in rules, 5 a file or the\n"
		"directory cannot be read, 2 usage.\n");
}

static int
check_probe_all(struct rule **rules, size_t n)
{
	int bad = 0, k;

	for (size_t i = 0; i < n; i++) {
		k = check_probe_rule(rules[i]);
		if (k < 0)
			return k;
		bad += k;
	}
	return bad;
}

int
cmd_check(int argc, char *argv[])
{
	enum { OPT_NO_MODULES = 0x100, OPT_NO_PROBE };
	static const struct option longopts[] = {
		CMD_OPT_RULES_DIR,
		CMD_OPT_ACTION_DIR,
		{ "no-modules", no_argument, NULL, OPT_NO_MODULES },
		{ "no-probe", no_argument, NULL, OPT_NO_PROBE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_(rule_set_freep) struct rule_set *set = NULL;
	const struct rule_modules *mods = &cmd_modules_real;
	struct rule **files = NULL;
	struct cmd_dirs dirs = { 0 };
	struct rule_errors errors = { 0 };
	size_t n_rules = 0, n_files = 0;
	bool probe = true;
	int c, r, exit_code = 0, bad = 0;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_NO_MODULES:
			mods = NULL;
			break;
		case OPT_NO_PROBE:
			probe = false;
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
		files = calloc((size_t)(argc - optind), sizeof(*files));
		if (files == NULL)
			return EXIT_RUNTIME;
		for (int i = optind; i < argc; i++) {
			struct rule *rule = NULL;

			r = rule_load_file(argv[i], mods, &rule, &errors);
			if (r == 0) {
				check_warn(rule);
				files[n_files++] = rule;
				n_rules++;
			} else if (r == -EINVAL)
				exit_code = EXIT_RULES;
			else if (exit_code == 0)
				exit_code = EXIT_RUNTIME;
		}
	} else {
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
	/* The system is asked only about rules that are valid as written. */
	if (probe && mods != NULL) {
		bad = files != NULL ? check_probe_all(files, n_files) :
		      set != NULL   ? check_probe_all(set->rules, set->n) : 0;
		if (bad < 0) {
			report_errno(bad, "cannot check the rules");
			exit_code = EXIT_RUNTIME;
		} else if (bad > 0 && exit_code == 0)
			exit_code = EXIT_RULES;
	}
	for (size_t i = 0; i < n_files; i++)
		rule_free(files[i]);
	free(files);
	if (exit_code == 0) {
		if (optind < argc)
			printf("%zu rule file%s valid\n", n_rules,
			       n_rules == 1 ? "" : "s");
		else
			printf("%s: %zu rule%s valid\n", dirs.rules, n_rules,
			       n_rules == 1 ? "" : "s");
	} else if (errors.n + (size_t)(bad > 0 ? bad : 0) > 0) {
		size_t n = errors.n + (size_t)(bad > 0 ? bad : 0);

		report_error(0, "%zu error%s", n, n == 1 ? "" : "s");
	}
	rule_errors_clear(&errors);
	return exit_code;
}
