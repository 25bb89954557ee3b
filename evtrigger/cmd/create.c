/* `evtrigger create`: writes a rule file the way a person would, from
 * options that are the [trigger] and [job] keys of rules/keys.c, checked by
 * the loader before it is written atomically. */
#include <ctype.h>
#include <getopt.h>
#include <string.h>
#include <time.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/winargs.h"
#include "event.h"
#include "fileio.h"
#include "options.h"
#include "report.h"
#include "rules/keys.h"
#include "rules/rule.h"
#include "utf8.h"

/* getopt values: a key of the table is OPT_KEY + its index. */
enum {
	OPT_DESCRIPTION = 0x100,
	OPT_SET,
	OPT_FORCE,
	OPT_NAME,
	OPT_KEY = 0x200,
};

/* ---- create ------------------------------------------------------------ */

static void
create_usage(FILE *f)
{
	fprintf(f,
		"usage: evtrigger create --name NAME --id ID [OPTION]...\n"
		"                        (--steps \"STEP...\" | --run PROGRAM [ARG]...)\n"
		"Writes the rule file NAME.rule into the rules directory, after\n"
		"checking it as `evtrigger check` would. --run comes last: every\n"
		"argument after it is the program and its arguments, run without a\n"
		"shell by the exec action.\n");
	for (int sec = RULE_SECTION_TRIGGER; sec <= RULE_SECTION_JOB; sec++) {
		fprintf(f, "%s:\n", sec == RULE_SECTION_TRIGGER ?
			"\nWhen to fire ([trigger])" : "What to do ([job])");
		for (size_t i = 0; i < _RULE_KEY_MAX; i++) {
			const struct rule_key_info *k = &rule_keys[i];
			char opt[64];

			if (k->section != (enum rule_section)sec)
				continue;
			snprintf(opt, sizeof(opt), "--%s %s", k->name, k->arg);
			fprintf(f, "  %-20s %s\n", opt, k->help);
			if (i == RULE_KEY_STEPS)
				fprintf(f, "  --run PROGRAM [ARG]...  run one "
					   "program (steps = exec)\n");
		}
	}
	fprintf(f,
		"  --set STEP.KEY=VALUE an option of a step (repeatable)\n"
		"Other:\n"
		"  --description TEXT   a comment at the top of the file\n"
		"  --force              replace an existing NAME.rule\n"
		"  --rules-dir DIR      the rules directory (default\n"
		"                       $EVTRIGGER_RULES_DIR or " RULES_DIR_DEFAULT ")\n"
		"  --action-dir DIR     where action modules are found\n"
		"  -h, --help           this text\n\n"
		"Exit status: 0 written, 2 usage, 3 the rule would be invalid,\n"
		"5 cannot write, 6 NAME.rule exists (without --force).\n");
}

struct create_args {
	const char *name, *description;
	const char *display;    /* eventtriggers' /TR name, if not name */
	const char *keys[_RULE_KEY_MAX];        /* by enum rule_key */
	char **sets;            /* "STEP.KEY=VALUE" */
	size_t n_sets;
	char **run;             /* program and arguments, or NULL */
	size_t n_run;
};

/* What a value must not hold to survive the trip through a rule file:
 * a line break or other control character (it would end the line), ';'
 * after a blank (inih reads a comment), blanks at either end (inih strips
 * them). Returns a reason, or NULL if value is fine. */
static const char *
ini_value_problem(const char *value)
{
	size_t n = strlen(value);

	for (size_t i = 0; i < n; i++) {
		if (value[i] == '\t')
			continue;
		if (iscntrl((unsigned char)value[i]))
			return "it holds a control character";
		if (value[i] == ';' && i > 0 &&
		    (value[i - 1] == ' ' || value[i - 1] == '\t'))
			return "';' after a blank starts a comment in a rule file";
	}
	if (n > 0 && (isspace((unsigned char)value[0]) ||
		      isspace((unsigned char)value[n - 1])))
		return "it starts or ends with a blank";
	if (!utf8_is_valid(value, n))
		return "it is not valid UTF-8";
	return NULL;
}

/* Writes word so that parse_words() reads it back. */
static void
put_word(FILE *f, const char *w)
{
	/* A word starting with ';' follows a blank: quoted, it is no
	 * comment. */
	bool quote = *w == '\0' || *w == ';' || strpbrk(w, " \t\"\\") != NULL;

	if (!quote) {
		fputs(w, f);
		return;
	}
	fputc('"', f);
	for (; *w != '\0'; w++) {
		if (*w == '"' || *w == '\\')
			fputc('\\', f);
		fputc(*w, f);
	}
	fputc('"', f);
}

static void
put_key(FILE *f, const char *key, const char *value)
{
	if (value != NULL)
		fprintf(f, "%s = %s\n", key, value);
}

/* A comment a person would write before key i. */
static void
create_comment(FILE *f, const struct create_args *a, size_t i)
{
	if (i == RULE_KEY_SENDER && a->keys[RULE_KEY_SENDER] == NULL &&
	    a->keys[RULE_KEY_UID] == NULL && a->keys[RULE_KEY_UNIT] == NULL)
		fprintf(f, "; Who may fire it: with no sender, uid or unit given, "
			   "only events\n; that root logged on this host.\n");
	else if (i == RULE_KEY_SENDER)
		fprintf(f, "; Who may fire it: a sender is believed only on "
			   "events that\n; evtrigger's listener received and "
			   "authenticated.\n");
	else if (i == RULE_KEY_ON_BUSY && a->keys[i] != NULL)
		fprintf(f, "; What a trigger does while a job of this rule "
			   "runs: ignore drops\n; it (and logs that), queue "
			   "runs it afterwards.\n");
}

/* The rule file's text, commented the way a person would. */
static int
create_text(const struct create_args *a, char **ret, size_t *ret_len)
{
	_cleanup_(freep) char *text = NULL;
	size_t len = 0;
	char when[64];
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;

	f = open_memstream(&text, &len);
	if (f == NULL)
		return -ENOMEM;
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm) == 0)
		strcpy(when, "an unknown time");

	fprintf(f, "# %s.rule", a->name);
	if (a->description != NULL)
		fprintf(f, ": %s", a->description);
	if (a->display != NULL)
		fprintf(f, "\n" WIN_NAME_COMMENT "%s", a->display);
	fprintf(f, "\n# Written by `evtrigger create` on %s. Edit it freely, then\n"
		   "# run `evtrigger check`. The format: evtrigger.rules(5).\n\n",
		when);

	for (size_t i = 0; i < _RULE_KEY_MAX; i++) {
		const struct rule_key_info *k = &rule_keys[i];

		if (i == 0 || k->section != rule_keys[i - 1].section)
			fprintf(f, "%s[%s]\n", i == 0 ? "" : "\n",
				rule_section_name(k->section));
		create_comment(f, a, i);
		if (i == RULE_KEY_STEPS && a->run != NULL)
			fprintf(f, "steps = exec\n");
		put_key(f, k->name, a->keys[i]);
	}

	if (a->run != NULL) {
		fprintf(f, "\n[exec]\n"
			   "; The program and its arguments, as words (\"double "
			   "quotes\" keep\n; blanks). No shell runs it; the "
			   "event's fields are in its\n; environment: EVENT_ID, "
			   "EVENT_TYPE, EVENT_SOURCE, ...\n"
			   "command =");
		for (size_t i = 0; i < a->n_run; i++) {
			fputc(' ', f);
			put_word(f, a->run[i]);
		}
		fputc('\n', f);
	}
	/* Step options, grouped by step in the order first given; with --run,
	 * exec's go into the [exec] section above. */
	for (size_t i = 0; i < a->n_sets; i++) {
		size_t sl = strcspn(a->sets[i], ".");
		bool first = true, in_exec = a->run != NULL && sl == 4 &&
					     strncmp(a->sets[i], "exec", 4) == 0;

		for (size_t j = 0; j < i && first; j++)
			if (strncmp(a->sets[j], a->sets[i], sl + 1) == 0)
				first = false;
		if (!first)
			continue;
		if (!in_exec)
			fprintf(f, "\n[%.*s]\n", (int)sl, a->sets[i]);
		for (size_t j = i; j < a->n_sets; j++)
			if (strncmp(a->sets[j], a->sets[i], sl + 1) == 0) {
				const char *kv = a->sets[j] + sl + 1;
				size_t kl = strcspn(kv, "=");

				fprintf(f, "%.*s = %s\n", (int)kl, kv,
					kv + kl + 1);
			}
	}
	if (fclose(f) != 0)
		return -ENOMEM;
	*ret = TAKE_PTR(text);
	*ret_len = len;
	return 0;
}

/* Refuses what could not be written into a rule file as given. */
static int
create_check_args(const struct create_args *a)
{
	const char *why;

	if (a->name == NULL || a->keys[RULE_KEY_ID] == NULL) {
		report_error(0, "--name and --id are required");
		return -EINVAL;
	}
	if (!rule_name_is_valid(a->name)) {
		report_error(0, "invalid rule name '%s': use letters, "
			     "digits, '.', '_', '-', '@' and '+', not "
			     "starting with '.'", a->name);
		return -EINVAL;
	}
	if ((a->run != NULL) == (a->keys[RULE_KEY_STEPS] != NULL)) {
		report_error(0, "give either --steps or --run PROGRAM "
			     "[ARG]...");
		return -EINVAL;
	}
	if (a->run != NULL && a->n_run == 0) {
		report_error(0, "--run needs a program");
		return -EINVAL;
	}
	for (size_t i = 0; i < _RULE_KEY_MAX; i++) {
		const char *v = a->keys[i];

		if (v == NULL)
			continue;
		why = ini_value_problem(v);
		if (why == NULL && *v == '\0')
			why = "it is empty";
		if (why != NULL) {
			report_error(0, "invalid --%s '%s': %s",
				     rule_keys[i].name, v, why);
			return -EINVAL;
		}
	}
	if (a->description != NULL) {
		/* A comment line: anything but a line break. */
		why = ini_value_problem(a->description);
		if (why != NULL && strstr(why, "control") == NULL &&
		    strstr(why, "UTF-8") == NULL)
			why = NULL;
		if (why != NULL) {
			report_error(0, "invalid --description '%s': %s",
				     a->description, why);
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < a->n_run; i++) {
		why = ini_value_problem(a->run[i]);
		/* Blanks at the ends are kept inside quotes. */
		if (why != NULL && strcmp(why, "it starts or ends with a blank") != 0) {
			report_error(0, "cannot write argument '%s' in a "
				     "rule: %s", a->run[i], why);
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < a->n_sets; i++) {
		const char *s = a->sets[i], *dot = strchr(s, '.');
		const char *eq = strchr(s, '=');

		if (dot == NULL || eq == NULL || dot == s || eq == dot + 1 ||
		    eq < dot) {
			report_error(0, "invalid --set '%s': expected "
				     "STEP.KEY=VALUE", s);
			return -EINVAL;
		}
		why = ini_value_problem(eq + 1);
		for (const char *k = s; why == NULL && k < eq; k++)
			if (iscntrl((unsigned char)*k))
				why = "a control character in the step or key";
		if (why == NULL && strpbrk(s, " \t") != NULL &&
		    strpbrk(s, " \t") < eq)
			why = "a blank in the step or key";
		if (why == NULL && eq[1] == '\0')
			why = "the value is empty";
		if (why == NULL && (strpbrk(s, "[]") != NULL &&
				    strpbrk(s, "[]") < eq))
			why = "'[' or ']' in the step or key";
		if (why != NULL) {
			report_error(0, "invalid --set '%s': %s", s, why);
			return -EINVAL;
		}
	}
	return 0;
}

/* Whether the rule reads back as the arguments said: the command's words
 * exactly. */
static bool
create_reads_back(const struct create_args *a, const struct rule *r)
{
	_cleanup_(strv_freep) char **w = NULL;
	const char *cmd;
	size_t n;

	if (a->run == NULL)
		return true;
	cmd = rule_option(r, "exec", "command");
	if (cmd == NULL || parse_words(cmd, &w, &n) < 0 || n != a->n_run)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(w[i], a->run[i]) != 0)
			return false;
	return true;
}

/* Splits off `--run PROGRAM [ARG]...`: everything after --run is the
 * command, never options of create. */
static void
split_run(int *argc, char *argv[], struct create_args *a)
{
	for (int i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return;
		if (strcmp(argv[i], "--run") == 0) {
			a->run = argv + i + 1;
			a->n_run = (size_t)(*argc - i - 1);
			*argc = i;
			return;
		}
	}
}

static void
create_usage_windows(FILE *f)
{
	fprintf(f,
		"usage: evtrigger /Create /TR NAME /EID ID [/T TYPE] [/L LOG]\n"
		"                 [/SO SOURCE] [/D DESCRIPTION] [/RU USER] /TK COMMAND\n"
		"eventtriggers' syntax (switches in any case) for `evtrigger create`:\n"
		"  /TR NAME     the trigger's name; blanks and other characters a\n"
		"               file name should not hold become '_' in the file\n"
		"               name (\"Disk Cleanup\" -> Disk_Cleanup.rule), the name\n"
		"               itself is kept in the file\n"
		"  /EID ID      the event ID (--id)\n"
		"  /T TYPE      ERROR, WARNING, INFORMATION or SUCCESS (--type)\n"
		"  /L LOG       the log, e.g. APPLICATION (--log)\n"
		"  /SO SOURCE   the event source (--source)\n"
		"  /D TEXT      a description (--description)\n"
		"  /RU USER     run the task as USER (exec.user); there is no /RP:\n"
		"               no password is needed or kept\n"
		"  /TK COMMAND  the task: a program and its arguments as one string,\n"
		"               split into words (\"double quotes\" keep blanks), run\n"
		"               without a shell (--run)\n"
		"  /?           this text\n"
		"See `evtrigger create --help` for what the GNU form adds.\n");
}

enum { WC_TR, WC_EID, WC_T, WC_L, WC_SO, WC_D, WC_TK, WC_RU, WC_RP, WC_S,
       WC_U, WC_P };
static const struct win_switch create_switches[] = {
	[WC_TR] = { "TR", true, false }, [WC_EID] = { "EID", true, false },
	[WC_T] = { "T", true, false },   [WC_L] = { "L", true, false },
	[WC_SO] = { "SO", true, false }, [WC_D] = { "D", true, false },
	[WC_TK] = { "TK", true, false }, [WC_RU] = { "RU", true, false },
	[WC_RP] = { "RP", true, false }, [WC_S] = { "S", true, false },
	[WC_U] = { "U", true, false },   [WC_P] = { "P", true, false },
};

/* `evtrigger /Create ...`: fills *a (its strings owned by *store) from
 * eventtriggers' switches. Returns 0, 1 after printing help, or an exit
 * code (> 1) after reporting the mistake. */
static int
create_parse_windows(int argc, char *argv[], struct create_args *a,
		     char ***store, char **set_user)
{
	_cleanup_(freep) char *err = NULL;
	struct win_args w;
	char *file = NULL;
	size_t n = 0;
	int r;

	r = win_parse(argc - 1, argv + 1, create_switches,
		      ELEMENTSOF(create_switches), &w, &err);
	if (r < 0) {
		report_error(0, "%s", r == -ENOMEM ? "out of memory" : err);
		return r == -ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
	}
	if (w.help) {
		create_usage_windows(stdout);
		win_args_done(&w);
		return 1;
	}
	r = 0;
	if (w.value[WC_S] != NULL || w.value[WC_U] != NULL ||
	    w.value[WC_P] != NULL) {
		report_error(0, "remote systems (/S, /U, /P) are not supported: "
			     "run evtrigger on the host the rule is for");
		r = EXIT_USAGE;
	} else if (w.value[WC_RP] != NULL) {
		report_error(0, "/RP is not supported: a task runs as /RU "
			     "without a password (none is kept)");
		r = EXIT_USAGE;
	} else if (w.value[WC_TR] == NULL || w.value[WC_TK] == NULL ||
		   w.value[WC_EID] == NULL) {
		report_error(0, "/TR NAME, /EID ID and /TK COMMAND are "
			     "required");
		r = EXIT_USAGE;
	}
	if (r == 0 && win_name_to_file(w.value[WC_TR], &file) < 0) {
		report_error(0, "invalid trigger name '%s'", w.value[WC_TR]);
		r = EXIT_USAGE;
	}
	if (r == 0 && parse_words(w.value[WC_TK], store, &n) < 0) {
		report_error(0, "invalid /TK '%s': unbalanced quotes",
			     w.value[WC_TK]);
		r = EXIT_USAGE;
	}
	if (r == 0 && w.value[WC_RU] != NULL &&
	    asprintf(set_user, "exec.user=%s", w.value[WC_RU]) < 0) {
		*set_user = NULL;
		r = EXIT_RUNTIME;
	}
	if (r != 0) {
		free(file);
		win_args_done(&w);
		return r;
	}
	a->name = file;
	if (!streq(file, w.value[WC_TR]))
		a->display = w.value[WC_TR];
	a->keys[RULE_KEY_ID] = w.value[WC_EID];
	a->keys[RULE_KEY_TYPE] = w.value[WC_T];
	a->keys[RULE_KEY_LOG] = w.value[WC_L];
	a->keys[RULE_KEY_SOURCE] = w.value[WC_SO];
	a->description = w.value[WC_D];
	a->run = *store;
	a->n_run = n;
	if (*set_user != NULL)
		a->sets[a->n_sets++] = *set_user;
	win_args_done(&w);
	return 0;
}

int
cmd_create(int argc, char *argv[])
{
	static const struct option fixed[] = {
		{ "name", required_argument, NULL, OPT_NAME },
		{ "description", required_argument, NULL, OPT_DESCRIPTION },
		{ "set", required_argument, NULL, OPT_SET },
		{ "force", no_argument, NULL, OPT_FORCE },
		CMD_OPT_RULES_DIR,
		CMD_OPT_ACTION_DIR,
		{ "help", no_argument, NULL, 'h' },
	};
	/* The table's keys, then the fixed options, then the end. */
	struct option longopts[_RULE_KEY_MAX + ELEMENTSOF(fixed) + 1];
	struct cmd_dirs dirs = { 0 };
	struct create_args a = { 0 };
	_cleanup_(freep) char **sets = NULL;
	_cleanup_(freep) char *text = NULL, *path = NULL, *win_name = NULL,
			     *set_user = NULL;
	_cleanup_(strv_freep) char **words = NULL;
	_cleanup_(rule_freep) struct rule *rule = NULL;
	struct rule_errors errors = { 0 };
	bool force = false;
	size_t len;
	int c, r;

	for (size_t i = 0; i < _RULE_KEY_MAX; i++)
		longopts[i] = (struct option){ rule_keys[i].name,
					       required_argument, NULL,
					       OPT_KEY + (int)i };
	memcpy(longopts + _RULE_KEY_MAX, fixed, sizeof(fixed));
	longopts[ELEMENTSOF(longopts) - 1] = (struct option){ 0 };

	if (!win_form(argc, argv))
		split_run(&argc, argv, &a);
	sets = calloc((size_t)argc + 1, sizeof(char *));
	if (sets == NULL) {
		report_error(0, "out of memory");
		return EXIT_RUNTIME;
	}
	a.sets = sets;
	if (win_form(argc, argv)) {
		r = create_parse_windows(argc, argv, &a, &words, &set_user);
		win_name = (char *)a.name;
		if (r != 0)
			return r == 1 ? 0 : r;
		goto checked_args;
	}
	if (win_asks_help(argc, argv)) {	/* -?, as on Windows */
		create_usage(stdout);
		return 0;
	}
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_NAME: a.name = optarg; break;
		case OPT_DESCRIPTION: a.description = optarg; break;
		case OPT_SET: a.sets[a.n_sets++] = optarg; break;
		case OPT_FORCE: force = true; break;
		case 'h':
			create_usage(stdout);
			return 0;
		default:
			if (c >= OPT_KEY && c < OPT_KEY + _RULE_KEY_MAX) {
				a.keys[c - OPT_KEY] = optarg;
				break;
			}
			if (cmd_dirs_option(&dirs, c, optarg))
				break;
			create_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		report_error(0, "unexpected argument '%s' (a command goes "
			     "after --run)", argv[optind]);
		return EXIT_USAGE;
	}
checked_args:
	if (create_check_args(&a) < 0)
		return EXIT_USAGE;
	if (cmd_dirs_resolve(&dirs, "create") < 0)
		return EXIT_RUNTIME;
	if (create_text(&a, &text, &len) < 0 ||
	    asprintf(&path, "%s/%s.rule", dirs.rules, a.name) < 0) {
		path = NULL;
		report_error(0, "out of memory");
		return EXIT_RUNTIME;
	}

	/* Checked as the watcher will read it, before anything is written. */
	r = rule_load_string(path, text, len, &cmd_modules_real, &rule, &errors);
	if (r < 0) {
		cmd_print_rule_errors(&errors);
		rule_errors_clear(&errors);
		report_error(0, "not written: the rule would be invalid");
		return r == -ENOMEM ? EXIT_RUNTIME : EXIT_RULES;
	}
	if (!create_reads_back(&a, rule)) {
		report_error(0, "not written: the command does not read back "
			     "as given");
		return EXIT_RULES;
	}

	r = force ? write_file_atomic(path, text, len, 0644) :
		    write_file_atomic_new(path, text, len, 0644);
	if (r == -EEXIST) {
		report_error(0, "rule '%s' exists: %s (--force replaces it)",
			     a.name, path);
		return EXIT_EXISTS;
	}
	if (r < 0) {
		report_errno(r, "cannot write %s", path);
		return EXIT_RUNTIME;
	}
	printf("wrote %s\n", path);
	return 0;
}
