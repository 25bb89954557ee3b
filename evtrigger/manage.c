/* Managing rule files like eventtriggers: `evtrigger check`, `create`,
 * `query` and `delete`. They read and write the same files a person would,
 * create validates with the loader before it writes, and every write is
 * atomic. */
#include <ctype.h>
#include <getopt.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "event.h"
#include "fileio.h"
#include "json-out.h"
#include "module.h"
#include "options.h"
#include "rule.h"

#define RULES_DIR_DEFAULT EVT_SYSCONFDIR "/evtrigger/rules.d"
#define RULE_TEXT_MAX     (64 * 1024)

enum {
	OPT_RULES_DIR = 0x100,
	OPT_ACTION_DIR,
	OPT_FORMAT,
	OPT_FORCE,
	OPT_NAME,
	OPT_ID,
	OPT_TYPE,
	OPT_SOURCE,
	OPT_LOG,
	OPT_SENDER,
	OPT_UID,
	OPT_UNIT,
	OPT_MAX_AGE,
	OPT_VM,
	OPT_CONNECT,
	OPT_STEPS,
	OPT_RECOVERY,
	OPT_ON_BUSY,
	OPT_TIMEOUT,
	OPT_DESCRIPTION,
	OPT_SET,
	OPT_NO_MODULES,
};

static const char *
rules_dir(const char *given)
{
	const char *env = getenv("EVTRIGGER_RULES_DIR");

	if (given != NULL)
		return given;
	return env != NULL && *env != '\0' ? env : RULES_DIR_DEFAULT;
}

static int
set_action_dir(const char *cmd, const char *dir)
{
	if (dir != NULL && module_set_dir(dir) < 0) {
		fprintf(stderr, "evtrigger %s: out of memory\n", cmd);
		return -ENOMEM;
	}
	return 0;
}

static void
print_errors(const struct rule_errors *e)
{
	for (size_t i = 0; i < e->n; i++)
		fprintf(stderr, "%s\n", e->lines[i]);
}

static const struct rule_modules real_modules = { module_lookup, NULL };

/* ---- check ------------------------------------------------------------- */

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
	static const struct option longopts[] = {
		{ "rules-dir", required_argument, NULL, OPT_RULES_DIR },
		{ "action-dir", required_argument, NULL, OPT_ACTION_DIR },
		{ "no-modules", no_argument, NULL, OPT_NO_MODULES },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct rule_modules *mods = &real_modules;
	struct rule_errors errors = { 0 };
	const char *dir = NULL, *action_dir = NULL;
	size_t n_rules = 0;
	int c, r, exit_code = 0;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_RULES_DIR:
			dir = optarg;
			break;
		case OPT_ACTION_DIR:
			action_dir = optarg;
			break;
		case OPT_NO_MODULES:
			mods = NULL;
			break;
		case 'h':
			check_usage(stdout);
			return 0;
		default:
			check_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (set_action_dir("check", action_dir) < 0)
		return EXIT_RUNTIME;
	dir = rules_dir(dir);

	if (optind < argc) {
		for (int i = optind; i < argc; i++) {
			struct rule *rule = NULL;

			r = rule_load_file(argv[i], mods, &rule, &errors);
			if (r == 0) {
				rule_free(rule);
				n_rules++;
			} else if (r == -EINVAL)
				exit_code = EXIT_RULES;
			else if (exit_code == 0)
				exit_code = EXIT_RUNTIME;
		}
	} else {
		_cleanup_(rule_set_freep) struct rule_set *set = NULL;

		r = rule_set_load_dir(dir, mods, &set, &errors);
		if (r == 0)
			n_rules = set->n;
		else
			exit_code = r == -EINVAL ? EXIT_RULES : EXIT_RUNTIME;
	}
	print_errors(&errors);
	if (exit_code == 0) {
		if (optind < argc)
			printf("%zu rule file%s valid\n", n_rules,
			       n_rules == 1 ? "" : "s");
		else
			printf("%s: %zu rule%s valid\n", dir, n_rules,
			       n_rules == 1 ? "" : "s");
	} else if (errors.n > 0)
		fprintf(stderr, "evtrigger check: %zu error%s\n", errors.n,
			errors.n == 1 ? "" : "s");
	rule_errors_clear(&errors);
	return exit_code;
}

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
		"shell by the exec action.\n\n"
		"When to fire ([trigger]):\n"
		"  --id ID              event ID, 1..65535 (required)\n"
		"  --type TYPE          error, warning, information or success\n"
		"  --source SOURCE      event source, exact or glob\n"
		"  --log LOG            event log (Application, System, ...)\n"
		"  --sender \"ID...\"     remote senders that may fire it\n"
		"  --uid \"USER...\"      local users that may fire it (default: root)\n"
		"  --unit \"UNIT...\"     systemd units that may fire it\n"
		"  --max-age DURATION   ignore older events when catching up\n"
		"What to do ([job]):\n"
		"  --vm NAME            the libvirt domain the job works on\n"
		"  --connect URI        libvirt URI, e.g. qemu:///system\n"
		"  --steps \"STEP...\"    action modules to run, in order\n"
		"  --run PROGRAM [ARG]...  run one program (steps = exec)\n"
		"  --recovery \"STEP...\" steps run after an interrupted job\n"
		"  --on-busy POLICY     ignore or queue a trigger while a job runs\n"
		"  --timeout DURATION   time limit of the whole job\n"
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
	const char *name, *id, *type, *source, *log, *sender, *uid, *unit;
	const char *max_age, *vm, *connect, *steps, *recovery, *on_busy;
	const char *timeout, *description;
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
	fprintf(f, "\n# Written by `evtrigger create` on %s. Edit it freely, then\n"
		   "# run `evtrigger check`. The format: evtrigger.rules(5).\n\n",
		when);

	fprintf(f, "[trigger]\n");
	put_key(f, "id", a->id);
	put_key(f, "type", a->type);
	put_key(f, "source", a->source);
	put_key(f, "log", a->log);
	put_key(f, "max-age", a->max_age);
	if (a->sender == NULL && a->uid == NULL && a->unit == NULL)
		fprintf(f, "; Who may fire it: with no sender, uid or unit given, "
			   "only events\n; that root logged on this host.\n");
	else
		fprintf(f, "; Who may fire it: a sender is believed only on "
			   "events that\n; evtrigger's listener received and "
			   "authenticated.\n");
	put_key(f, "sender", a->sender);
	put_key(f, "uid", a->uid);
	put_key(f, "unit", a->unit);

	fprintf(f, "\n[job]\n");
	put_key(f, "vm", a->vm);
	put_key(f, "connect", a->connect);
	if (a->run != NULL)
		fprintf(f, "steps = exec\n");
	put_key(f, "steps", a->steps);
	put_key(f, "recovery", a->recovery);
	if (a->on_busy != NULL) {
		fprintf(f, "; What a trigger does while a job of this rule "
			   "runs: ignore drops\n; it (and logs that), queue "
			   "runs it afterwards.\n");
		put_key(f, "on-busy", a->on_busy);
	}
	put_key(f, "timeout", a->timeout);

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
	const struct {
		const char *option, *value;
	} values[] = {
		{ "--id", a->id }, { "--type", a->type },
		{ "--source", a->source }, { "--log", a->log },
		{ "--sender", a->sender }, { "--uid", a->uid },
		{ "--unit", a->unit }, { "--max-age", a->max_age },
		{ "--vm", a->vm }, { "--connect", a->connect },
		{ "--steps", a->steps }, { "--recovery", a->recovery },
		{ "--on-busy", a->on_busy }, { "--timeout", a->timeout },
	};
	const char *why;

	if (a->name == NULL || a->id == NULL) {
		fprintf(stderr, "evtrigger create: --name and --id are required\n");
		return -EINVAL;
	}
	if (!rule_name_is_valid(a->name)) {
		fprintf(stderr,
			"evtrigger create: invalid rule name '%s': use letters, "
			"digits, '.', '_', '-', '@' and '+', not starting with "
			"'.'\n", a->name);
		return -EINVAL;
	}
	if ((a->run != NULL) == (a->steps != NULL)) {
		fprintf(stderr, "evtrigger create: give either --steps or --run "
				"PROGRAM [ARG]...\n");
		return -EINVAL;
	}
	if (a->run != NULL && a->n_run == 0) {
		fprintf(stderr, "evtrigger create: --run needs a program\n");
		return -EINVAL;
	}
	for (size_t i = 0; i < ELEMENTSOF(values); i++) {
		if (values[i].value == NULL)
			continue;
		why = ini_value_problem(values[i].value);
		if (why == NULL && *values[i].value == '\0')
			why = "it is empty";
		if (why != NULL) {
			fprintf(stderr, "evtrigger create: invalid %s '%s': %s\n",
				values[i].option, values[i].value, why);
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
			fprintf(stderr, "evtrigger create: invalid --description "
					"'%s': %s\n", a->description, why);
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < a->n_run; i++) {
		why = ini_value_problem(a->run[i]);
		/* Blanks at the ends are kept inside quotes. */
		if (why != NULL && strcmp(why, "it starts or ends with a blank") != 0) {
			fprintf(stderr,
				"evtrigger create: cannot write argument '%s' in "
				"a rule: %s\n", a->run[i], why);
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < a->n_sets; i++) {
		const char *s = a->sets[i], *dot = strchr(s, '.');
		const char *eq = strchr(s, '=');

		if (dot == NULL || eq == NULL || dot == s || eq == dot + 1 ||
		    eq < dot) {
			fprintf(stderr,
				"evtrigger create: invalid --set '%s': expected "
				"STEP.KEY=VALUE\n", s);
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
			fprintf(stderr, "evtrigger create: invalid --set '%s': "
					"%s\n", s, why);
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

int
cmd_create(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, OPT_NAME },
		{ "id", required_argument, NULL, OPT_ID },
		{ "type", required_argument, NULL, OPT_TYPE },
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "sender", required_argument, NULL, OPT_SENDER },
		{ "uid", required_argument, NULL, OPT_UID },
		{ "unit", required_argument, NULL, OPT_UNIT },
		{ "max-age", required_argument, NULL, OPT_MAX_AGE },
		{ "vm", required_argument, NULL, OPT_VM },
		{ "connect", required_argument, NULL, OPT_CONNECT },
		{ "steps", required_argument, NULL, OPT_STEPS },
		{ "recovery", required_argument, NULL, OPT_RECOVERY },
		{ "on-busy", required_argument, NULL, OPT_ON_BUSY },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "description", required_argument, NULL, OPT_DESCRIPTION },
		{ "set", required_argument, NULL, OPT_SET },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "rules-dir", required_argument, NULL, OPT_RULES_DIR },
		{ "action-dir", required_argument, NULL, OPT_ACTION_DIR },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct create_args a = { 0 };
	_cleanup_(freep) char **sets = NULL;
	_cleanup_(freep) char *text = NULL, *path = NULL;
	_cleanup_(rule_freep) struct rule *rule = NULL;
	struct rule_errors errors = { 0 };
	const char *dir = NULL, *action_dir = NULL;
	bool force = false;
	size_t len;
	int c, r;

	split_run(&argc, argv, &a);
	sets = calloc((size_t)argc, sizeof(char *));
	if (sets == NULL) {
		fprintf(stderr, "evtrigger create: out of memory\n");
		return EXIT_RUNTIME;
	}
	a.sets = sets;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_NAME: a.name = optarg; break;
		case OPT_ID: a.id = optarg; break;
		case OPT_TYPE: a.type = optarg; break;
		case OPT_SOURCE: a.source = optarg; break;
		case OPT_LOG: a.log = optarg; break;
		case OPT_SENDER: a.sender = optarg; break;
		case OPT_UID: a.uid = optarg; break;
		case OPT_UNIT: a.unit = optarg; break;
		case OPT_MAX_AGE: a.max_age = optarg; break;
		case OPT_VM: a.vm = optarg; break;
		case OPT_CONNECT: a.connect = optarg; break;
		case OPT_STEPS: a.steps = optarg; break;
		case OPT_RECOVERY: a.recovery = optarg; break;
		case OPT_ON_BUSY: a.on_busy = optarg; break;
		case OPT_TIMEOUT: a.timeout = optarg; break;
		case OPT_DESCRIPTION: a.description = optarg; break;
		case OPT_SET: a.sets[a.n_sets++] = optarg; break;
		case OPT_FORCE: force = true; break;
		case OPT_RULES_DIR: dir = optarg; break;
		case OPT_ACTION_DIR: action_dir = optarg; break;
		case 'h':
			create_usage(stdout);
			return 0;
		default:
			create_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "evtrigger create: unexpected argument '%s' "
				"(a command goes after --run)\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (create_check_args(&a) < 0)
		return EXIT_USAGE;
	if (set_action_dir("create", action_dir) < 0)
		return EXIT_RUNTIME;
	dir = rules_dir(dir);
	if (create_text(&a, &text, &len) < 0 ||
	    asprintf(&path, "%s/%s.rule", dir, a.name) < 0) {
		path = NULL;
		fprintf(stderr, "evtrigger create: out of memory\n");
		return EXIT_RUNTIME;
	}

	/* Checked as the watcher will read it, before anything is written. */
	r = rule_load_string(path, text, len, &real_modules, &rule, &errors);
	if (r < 0) {
		print_errors(&errors);
		rule_errors_clear(&errors);
		fprintf(stderr, "evtrigger create: not written: the rule would "
				"be invalid\n");
		return r == -ENOMEM ? EXIT_RUNTIME : EXIT_RULES;
	}
	if (!create_reads_back(&a, rule)) {
		fprintf(stderr, "evtrigger create: not written: the command "
				"does not read back as given\n");
		return EXIT_RULES;
	}

	r = force ? write_file_atomic(path, text, len, 0644) :
		    write_file_atomic_new(path, text, len, 0644);
	if (r == -EEXIST) {
		fprintf(stderr, "evtrigger create: rule '%s' exists: %s "
				"(--force replaces it)\n", a.name, path);
		return EXIT_EXISTS;
	}
	if (r < 0) {
		fprintf(stderr, "evtrigger create: cannot write %s: %s\n", path,
			strerror(-r));
		return EXIT_RUNTIME;
	}
	printf("wrote %s\n", path);
	return 0;
}

/* ---- query ------------------------------------------------------------- */

static void
query_usage(FILE *f)
{
	fprintf(f,
		"usage: evtrigger query [OPTION]... [NAME]...\n"
		"Lists the rules (or the rules NAME...): name, event ID, type,\n"
		"source, log, VM, steps and file.\n\n"
		"  --format FORMAT   table (default), list, csv or json\n"
		"  --rules-dir DIR   the rules directory (default $EVTRIGGER_RULES_DIR\n"
		"                    or " RULES_DIR_DEFAULT ")\n"
		"  -h, --help        this text\n\n"
		"Invalid rule files are reported on stderr and left out.\n"
		"Exit status: 0, 3 some rule files are invalid, 4 a NAME has no\n"
		"rule, 5 the directory cannot be read, 2 usage.\n");
}

enum query_format { FORMAT_TABLE, FORMAT_LIST, FORMAT_CSV, FORMAT_JSON };

enum { COL_NAME, COL_ID, COL_TYPE, COL_SOURCE, COL_LOG, COL_VM, COL_STEPS,
       COL_FILE, _COL_MAX };

static const char *const col_names[_COL_MAX] = {
	"name", "id", "type", "source", "log", "vm", "steps", "file",
};

/* The columns of one rule as text; NULL where the rule sets nothing. */
struct row {
	char *col[_COL_MAX];
};

static void
row_done(struct row *row)
{
	for (int i = 0; i < _COL_MAX; i++)
		free(row->col[i]);
}

static char *
join_words(char **w, size_t n)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < n; i++)
		len += strlen(w[i]) + 1;
	s = calloc(1, len);
	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, w[i]);
	}
	return s;
}

static int
row_fill(struct row *row, const struct rule *r)
{
	const char *type = r->type >= 0 ? event_type_name(r->type) : NULL;
	const char *p;

	*row = (struct row){ 0 };
	row->col[COL_NAME] = strdup(r->name);
	if (asprintf(&row->col[COL_ID], "%u", r->id) < 0)
		row->col[COL_ID] = NULL;
	if (type != NULL) {
		row->col[COL_TYPE] = strdup(type);
		for (char *t = row->col[COL_TYPE]; t != NULL && *t; t++)
			*t = (char)tolower((unsigned char)*t);
	}
	p = rule_match_pattern(r, EVENT_FIELD_SOURCE);
	row->col[COL_SOURCE] = p != NULL ? strdup(p) : NULL;
	p = rule_match_pattern(r, EVENT_FIELD_LOG);
	row->col[COL_LOG] = p != NULL ? strdup(p) : NULL;
	row->col[COL_VM] = r->vm != NULL ? strdup(r->vm) : NULL;
	row->col[COL_STEPS] = join_words(r->steps, r->n_steps);
	row->col[COL_FILE] = strdup(r->path);
	if (row->col[COL_NAME] == NULL || row->col[COL_ID] == NULL ||
	    (type != NULL && row->col[COL_TYPE] == NULL) ||
	    row->col[COL_STEPS] == NULL || row->col[COL_FILE] == NULL)
		return -ENOMEM;
	return 0;
}

static void
put_csv(FILE *f, const char *s)
{
	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL && !isspace((unsigned char)*s)) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void
print_rows(FILE *f, enum query_format fmt, struct row *rows, size_t n,
	   const struct rule *const *rules)
{
	size_t width[_COL_MAX];

	switch (fmt) {
	case FORMAT_TABLE:
		for (int c = 0; c < _COL_MAX; c++) {
			width[c] = strlen(col_names[c]);
			for (size_t i = 0; i < n; i++) {
				const char *s = rows[i].col[c];
				size_t l = s != NULL ? strlen(s) : 1;

				if (l > width[c])
					width[c] = l;
			}
		}
		for (int c = 0; c < _COL_MAX; c++) {
			for (const char *h = col_names[c]; *h; h++)
				fputc(toupper((unsigned char)*h), f);
			if (c + 1 < _COL_MAX)
				fprintf(f, "%*s", (int)(width[c] -
						     strlen(col_names[c]) + 2),
					"");
		}
		fputc('\n', f);
		for (size_t i = 0; i < n; i++)
			for (int c = 0; c < _COL_MAX; c++) {
				const char *s = rows[i].col[c];

				if (c + 1 < _COL_MAX)
					fprintf(f, "%-*s  ", (int)width[c],
						s != NULL ? s : "-");
				else
					fprintf(f, "%s\n", s != NULL ? s : "-");
			}
		break;
	case FORMAT_LIST:
		for (size_t i = 0; i < n; i++) {
			if (i > 0)
				fputc('\n', f);
			for (int c = 0; c < _COL_MAX; c++) {
				const char *s = rows[i].col[c];

				fprintf(f, "%-7s %s\n",
					c == COL_ID ? "ID:" :
					c == COL_VM ? "VM:" :
					c == COL_NAME ? "Name:" :
					c == COL_TYPE ? "Type:" :
					c == COL_SOURCE ? "Source:" :
					c == COL_LOG ? "Log:" :
					c == COL_STEPS ? "Steps:" : "File:",
					s != NULL ? s : "-");
			}
		}
		break;
	case FORMAT_CSV:
		for (int c = 0; c < _COL_MAX; c++)
			fprintf(f, "%s%c", col_names[c],
				c + 1 < _COL_MAX ? ',' : '\n');
		for (size_t i = 0; i < n; i++)
			for (int c = 0; c < _COL_MAX; c++) {
				put_csv(f, rows[i].col[c]);
				fputc(c + 1 < _COL_MAX ? ',' : '\n', f);
			}
		break;
	case FORMAT_JSON:
		fputc('[', f);
		for (size_t i = 0; i < n; i++) {
			const struct rule *r = rules[i];

			fputs(i > 0 ? ",\n  {" : "\n  {", f);
			json_put_key_string(f, "name", rows[i].col[COL_NAME]);
			fputs(", ", f);
			json_put_key_uint(f, "id", r->id);
			fputs(", ", f);
			json_put_key_string(f, "type", rows[i].col[COL_TYPE]);
			fputs(", ", f);
			json_put_key_string(f, "source",
					    rows[i].col[COL_SOURCE]);
			fputs(", ", f);
			json_put_key_string(f, "log", rows[i].col[COL_LOG]);
			fputs(", ", f);
			json_put_key_string(f, "vm", rows[i].col[COL_VM]);
			fputs(", \"steps\":[", f);
			for (size_t s = 0; s < r->n_steps; s++) {
				if (s > 0)
					fputs(", ", f);
				json_put_string(f, r->steps[s]);
			}
			fputs("], ", f);
			json_put_key_string(f, "file", rows[i].col[COL_FILE]);
			fputc('}', f);
		}
		fputs(n > 0 ? "\n]\n" : "]\n", f);
		break;
	}
}

static bool
name_wanted(const char *name, char **names, int n)
{
	if (n == 0)
		return true;
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

int
cmd_query(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "rules-dir", required_argument, NULL, OPT_RULES_DIR },
		{ "action-dir", required_argument, NULL, OPT_ACTION_DIR },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum query_format fmt = FORMAT_TABLE;
	struct rule_errors errors = { 0 };
	_cleanup_(strv_freep) char **files = NULL;
	struct rule **rules = NULL;
	struct row *rows = NULL;
	const char *dir = NULL;
	size_t n_files = 0, n = 0;
	int c, r, exit_code = 0;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			if (strcmp(optarg, "table") == 0)
				fmt = FORMAT_TABLE;
			else if (strcmp(optarg, "list") == 0)
				fmt = FORMAT_LIST;
			else if (strcmp(optarg, "csv") == 0)
				fmt = FORMAT_CSV;
			else if (strcmp(optarg, "json") == 0)
				fmt = FORMAT_JSON;
			else {
				fprintf(stderr, "evtrigger query: invalid format "
						"'%s': table, list, csv or json\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_RULES_DIR:
			dir = optarg;
			break;
		case OPT_ACTION_DIR:
			/* Accepted like the other commands; query does not
			 * load modules. */
			break;
		case 'h':
			query_usage(stdout);
			return 0;
		default:
			query_usage(stderr);
			return EXIT_USAGE;
		}
	}
	dir = rules_dir(dir);
	r = rule_dir_list(dir, &files, &n_files, &errors);
	if (r < 0) {
		print_errors(&errors);
		rule_errors_clear(&errors);
		return EXIT_RUNTIME;
	}
	rules = calloc(n_files + 1, sizeof(*rules));
	rows = calloc(n_files + 1, sizeof(*rows));
	if (rules == NULL || rows == NULL) {
		exit_code = EXIT_RUNTIME;
		goto out;
	}
	for (size_t i = 0; i < n_files; i++) {
		_cleanup_(freep) char *path = NULL;
		size_t l = strlen(files[i]) - strlen(".rule");

		files[i][l] = '\0';     /* the name, to match NAME... */
		if (!name_wanted(files[i], argv + optind, argc - optind))
			continue;
		if (asprintf(&path, "%s/%s.rule", dir, files[i]) < 0) {
			exit_code = EXIT_RUNTIME;
			goto out;
		}
		/* Modules are not loaded: query lists, check judges. */
		r = rule_load_file(path, NULL, &rules[n], &errors);
		if (r == -ENOMEM) {
			exit_code = EXIT_RUNTIME;
			goto out;
		}
		if (r < 0) {
			exit_code = EXIT_RULES;
			continue;
		}
		if (row_fill(&rows[n], rules[n]) < 0) {
			n++;
			exit_code = EXIT_RUNTIME;
			goto out;
		}
		n++;
	}
	for (int i = optind; i < argc; i++) {
		bool found = false;

		for (size_t j = 0; j < n_files && !found; j++)
			found = strcmp(files[j], argv[i]) == 0;
		if (!found) {
			fprintf(stderr, "evtrigger query: no rule '%s' in %s\n",
				argv[i], dir);
			if (exit_code == 0)
				exit_code = EXIT_NOTFOUND;
		}
	}
	print_rows(stdout, fmt, rows, n, (const struct rule *const *)rules);
	print_errors(&errors);
	if (fflush(stdout) != 0 && exit_code == 0)
		exit_code = EXIT_RUNTIME;
out:
	for (size_t i = 0; i < n; i++) {
		row_done(&rows[i]);
		rule_free(rules[i]);
	}
	free(rows);
	free(rules);
	rule_errors_clear(&errors);
	return exit_code;
}

/* ---- delete ------------------------------------------------------------ */

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
		{ "rules-dir", required_argument, NULL, OPT_RULES_DIR },
		{ "action-dir", required_argument, NULL, OPT_ACTION_DIR },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL;
	int c, r, exit_code = 0;
	bool removed = false;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_RULES_DIR:
			dir = optarg;
			break;
		case OPT_ACTION_DIR:
			break;
		case 'h':
			delete_usage(stdout);
			return 0;
		default:
			delete_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		delete_usage(stderr);
		return EXIT_USAGE;
	}
	dir = rules_dir(dir);
	for (int i = optind; i < argc; i++) {
		_cleanup_(freep) char *name = strdup(argv[i]), *path = NULL;
		size_t l;

		if (name == NULL)
			return EXIT_RUNTIME;
		l = strlen(name);
		if (l > 5 && strcmp(name + l - 5, ".rule") == 0)
			name[l - 5] = '\0';
		if (!rule_name_is_valid(name)) {
			fprintf(stderr, "evtrigger delete: invalid rule name "
					"'%s'\n", argv[i]);
			return EXIT_USAGE;
		}
		if (asprintf(&path, "%s/%s.rule", dir, name) < 0)
			return EXIT_RUNTIME;
		if (unlink(path) < 0) {
			r = -errno;
			if (r == -ENOENT) {
				fprintf(stderr, "evtrigger delete: no rule '%s' "
						"in %s\n", name, dir);
				if (exit_code == 0)
					exit_code = EXIT_NOTFOUND;
			} else {
				fprintf(stderr, "evtrigger delete: cannot remove "
						"%s: %s\n", path, strerror(-r));
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
			fprintf(stderr, "evtrigger delete: cannot fsync %s: %s\n",
				dir, strerror(-r));
			exit_code = EXIT_RUNTIME;
		}
	}
	return exit_code;
}
