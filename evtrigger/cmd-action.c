/* `evtrigger action`: runs one action module by hand as a one-step job, and
 * `evtrigger modules`: lists the modules of the action directory. */
#include <dirent.h>
#include <getopt.h>
#include <string.h>

#include "commands.h"
#include "event.h"
#include "jobrun.h"
#include "json-out.h"
#include "module.h"
#include "options.h"

static void
action_usage(FILE *f)
{
	fprintf(f,
		"usage: evtrigger action NAME [OPTION]...\n"
		"Runs action module NAME once, in the foreground, as a one-step job:\n"
		"it logs its events like any job and prints them to stderr.\n\n"
		"  --vm NAME              the VM the step works on\n"
		"  --connect URI          libvirt URI (default: libvirt's default)\n"
		"  -o, --option KEY=VALUE an option of the module, as in a rule's\n"
		"                         [NAME] section (repeatable; 'timeout' too)\n"
		"  --event FIELD=VALUE    a field of the triggering event the step\n"
		"                         sees (repeatable), e.g. EVENT_ID=777\n"
		"  --timeout DURATION     a time limit for the whole run\n"
		"  --state-dir DIR        where the job record is kept (default\n"
		"                         $EVTRIGGER_STATE_DIR or " EVT_STATEDIR ")\n"
		"  --action-dir DIR       where modules are found\n"
		"  -h, --help             this text\n\n"
		"SIGINT or SIGTERM (or 'evtrigger cancel JOBID') cancels the run.\n"
		"Exit status: 0 the step succeeded, 1 it failed, was cancelled or\n"
		"timed out, 2 usage, 4 unknown module, 5 system error.\n");
}

/* The rule that `action` makes up: one step, options from -o. Built here
 * rather than with rule.c, and freed by action_rule_free. */
static void
action_rule_free(struct rule *r)
{
	for (size_t i = 0; i < r->n_options; i++) {
		free(r->options[i].section);
		free(r->options[i].key);
		free(r->options[i].value);
	}
	free(r->options);
	free(r->name);
	free(r->vm);
	free(r->connect);
	strv_free(r->steps);
}

static int
action_add_option(struct rule *r, const char *step, const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	struct rule_option *o;

	if (eq == NULL || eq == assignment)
		return -EINVAL;
	o = reallocarray(r->options, r->n_options + 1, sizeof(*o));
	if (o == NULL)
		return -ENOMEM;
	r->options = o;
	o = &r->options[r->n_options];
	o->section = strdup(step);
	o->key = strndup(assignment, (size_t)(eq - assignment));
	o->value = strdup(eq + 1);
	o->line = 0;
	r->n_options++;
	if (o->section == NULL || o->key == NULL || o->value == NULL)
		return -ENOMEM;
	return 0;
}

/* Checks the -o options against what the module declares. */
static int
action_check_options(const struct rule *r, const struct evt_action *m)
{
	int bad = 0;
	uint64_t u;

	for (size_t i = 0; i < r->n_options; i++) {
		const struct rule_option *o = &r->options[i];
		const struct evt_option *decl;

		if (streq(o->key, "timeout")) {
			if (parse_duration(o->value, &u) < 0) {
				fprintf(stderr, "evtrigger: action %s: invalid "
					"duration '%s' for option timeout\n",
					m->name, o->value);
				bad = 1;
			}
			continue;
		}
		decl = module_option(m, o->key);
		if (decl == NULL) {
			fprintf(stderr, "evtrigger: action %s: unknown option "
				"'%s' (see 'evtrigger modules')\n", m->name,
				o->key);
			bad = 1;
		} else if (module_check_option_value(decl, o->value) < 0) {
			fprintf(stderr, "evtrigger: action %s: invalid value "
				"'%s' for option %s\n", m->name, o->value,
				o->key);
			bad = 1;
		}
	}
	return bad ? -EINVAL : 0;
}

int
cmd_action(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "vm", required_argument, NULL, 'V' },
		{ "connect", required_argument, NULL, 'c' },
		{ "option", required_argument, NULL, 'o' },
		{ "event", required_argument, NULL, 'e' },
		{ "timeout", required_argument, NULL, 't' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "action-dir", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_(job_record_freep) struct job_record *rec = NULL;
	_cleanup_(strv_freep) char **opts = NULL;
	_cleanup_(closep) int lock = -1;
	const char *state_dir = NULL, *name;
	const struct evt_action *m;
	struct rule rule = { .type = -1 };
	char err[512], id[JOB_ID_LEN + 1];
	enum job_state state;
	size_t n_opts = 0;
	int c, r, ret = EXIT_RUNTIME;

	rec = job_record_new();
	if (rec == NULL)
		return EXIT_RUNTIME;
	opts = calloc((size_t)argc + 1, sizeof(char *));
	if (opts == NULL)
		return EXIT_RUNTIME;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'V':
			if (job_record_set(&rec->vm, optarg) < 0)
				return EXIT_RUNTIME;
			break;
		case 'c':
			if (job_record_set(&rec->connect, optarg) < 0)
				return EXIT_RUNTIME;
			break;
		case 'o':
			opts[n_opts] = strdup(optarg);
			if (opts[n_opts++] == NULL)
				return EXIT_RUNTIME;
			break;
		case 'e': {
			const char *eq = strchr(optarg, '=');
			_cleanup_(freep) char *field = NULL;

			if (eq != NULL)
				field = strndup(optarg, (size_t)(eq - optarg));
			if (eq == NULL || field == NULL ||
			    event_check_field_name(field) < 0) {
				fprintf(stderr, "evtrigger: action: invalid "
					"--event '%s': want FIELD=VALUE with "
					"FIELD of A-Z, 0-9 and _\n", optarg);
				return EXIT_USAGE;
			}
			if (fields_get(rec->fields, field) != NULL) {
				fprintf(stderr, "evtrigger: action: --event "
					"field %s given twice\n", field);
				return EXIT_USAGE;
			}
			if (fields_add(rec->fields, field, eq + 1) < 0)
				return EXIT_RUNTIME;
			break;
		}
		case 't':
			if (parse_duration(optarg, &rule.timeout_usec) < 0) {
				fprintf(stderr, "evtrigger: action: invalid "
					"duration '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'S':
			state_dir = optarg;
			break;
		case 'A':
			if (module_set_dir(optarg) < 0)
				return EXIT_RUNTIME;
			break;
		case 'h':
			action_usage(stdout);
			return 0;
		default:
			action_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		action_usage(stderr);
		return EXIT_USAGE;
	}
	name = argv[optind];
	state_dir = jobrun_state_dir(state_dir);

	r = module_get(name, &m, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "evtrigger: action: %s\n", err);
		return r == -ENOENT || r == -EINVAL ? EXIT_NOTFOUND :
						      EXIT_RUNTIME;
	}

	if (asprintf(&rule.name, "action-%s", name) < 0)
		goto out;
	rule.steps = calloc(2, sizeof(char *));
	if (rule.steps == NULL || (rule.steps[0] = strdup(name)) == NULL)
		goto out;
	rule.n_steps = 1;
	rule.vm = rec->vm != NULL ? strdup(rec->vm) : NULL;
	rule.connect = rec->connect != NULL ? strdup(rec->connect) : NULL;
	for (size_t i = 0; i < n_opts; i++) {
		r = action_add_option(&rule, name, opts[i]);
		if (r == -EINVAL) {
			fprintf(stderr, "evtrigger: action: invalid option "
				"'%s': want KEY=VALUE\n", opts[i]);
			ret = EXIT_USAGE;
			goto out;
		}
		if (r < 0)
			goto out;
	}
	if (action_check_options(&rule, m) < 0) {
		ret = EXIT_USAGE;
		goto out;
	}

	if (job_id_random(id) < 0 || job_record_set(&rec->id, id) < 0 ||
	    job_record_set(&rec->rule, rule.name) < 0 ||
	    job_record_set(&rec->steps, name) < 0)
		goto out;
	rec->kind = JOB_KIND_MANUAL;
	rec->state = JOB_QUEUED;
	rec->created = now_realtime_usec();

	r = jobrun_check(&rule, m, name, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "evtrigger: action %s: %s\n", name, err);
		ret = EXIT_USAGE;
		goto out;
	}

	r = job_record_create(state_dir, rec, NULL);
	if (r < 0) {
		fprintf(stderr, "evtrigger: action: cannot create a job record "
			"in %s/jobs: %s\n", state_dir, strerror(-r));
		goto out;
	}
	lock = job_lock_take(state_dir, id);
	if (lock < 0) {
		fprintf(stderr, "evtrigger: action: cannot lock job %s: %s\n",
			id, strerror(-lock));
		job_record_remove(state_dir, id);
		goto out;
	}
	fprintf(stderr, "evtrigger: job %s: running action %s\n", id, name);
	r = jobrun_run(state_dir, &rule, rec, JOBRUN_FOREGROUND, &state);
	if (r < 0) {
		fprintf(stderr, "evtrigger: action %s: %s\n", name,
			strerror(-r));
		job_record_remove(state_dir, id);
		goto out;
	}
	/* The record was for `evtrigger jobs` and `cancel` while it ran. */
	job_record_remove(state_dir, id);
	ret = state == JOB_FINISHED ? 0 : 1;
out:
	action_rule_free(&rule);
	return ret;
}

/* --- modules -------------------------------------------------------------- */

static const char *
option_type_name(enum evt_option_type t)
{
	switch (t) {
	case EVT_OPT_STRING:
		return "string";
	case EVT_OPT_BOOL:
		return "bool";
	case EVT_OPT_INT:
		return "int";
	case EVT_OPT_DURATION:
		return "duration";
	case EVT_OPT_SIZE:
		return "size";
	case EVT_OPT_LIST:
		return "list";
	}
	return "?";
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
modules_print_json(FILE *f, const struct evt_action *m, bool first)
{
	fputs(first ? "[" : ",", f);
	fputc('{', f);
	json_put_key_string(f, "name", m->name);
	fputc(',', f);
	json_put_key_string(f, "summary", m->summary);
	fputs(",\"options\":[", f);
	for (const struct evt_option *o = m->options; o != NULL && o->name;
	     o++) {
		if (o != m->options)
			fputc(',', f);
		fputc('{', f);
		json_put_key_string(f, "name", o->name);
		fputc(',', f);
		json_put_key_string(f, "type", option_type_name(o->type));
		fputc(',', f);
		json_put_key_string(f, "default", o->default_value);
		fputc(',', f);
		json_put_key_string(f, "help", o->help);
		fputc('}', f);
	}
	fputs("]}", f);
}

static void
modules_print_text(FILE *f, const struct evt_action *m)
{
	fprintf(f, "%s: %s\n", m->name, m->summary != NULL ? m->summary : "");
	for (const struct evt_option *o = m->options; o != NULL && o->name;
	     o++) {
		fprintf(f, "    %-14s %-8s %s", o->name,
			option_type_name(o->type), o->help != NULL ? o->help : "");
		if (o->default_value != NULL)
			fprintf(f, " (default: %s)", o->default_value);
		fputc('\n', f);
	}
	fprintf(f, "    %-14s %-8s %s\n", "timeout", "duration",
		"time limit of the step (every step)");
}

int
cmd_modules(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "action-dir", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_(strv_freep) char **names = NULL;
	size_t n = 0, shown = 0;
	bool json = false;
	int c, ret = 0;
	DIR *d;
	struct dirent *de;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'A':
			if (module_set_dir(optarg) < 0)
				return EXIT_RUNTIME;
			break;
		case 'h':
			printf("usage: evtrigger modules [--json] "
			       "[--action-dir DIR]\n"
			       "Lists the action modules of the action "
			       "directory (%s), with their options.\n",
			       module_dir());
			return 0;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "evtrigger: modules: unexpected argument "
			"'%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	d = opendir(module_dir());
	if (d == NULL) {
		fprintf(stderr, "evtrigger: modules: cannot open %s: %m\n",
			module_dir());
		return EXIT_RUNTIME;
	}
	names = calloc(1, sizeof(char *));
	while (names != NULL && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char **nv;

		if (len <= 3 || !streq(de->d_name + len - 3, ".so"))
			continue;
		nv = reallocarray(names, n + 2, sizeof(char *));
		if (nv == NULL)
			break;
		names = nv;
		names[n] = strndup(de->d_name, len - 3);
		if (names[n] == NULL)
			break;
		names[++n] = NULL;
	}
	closedir(d);
	if (names == NULL)
		return EXIT_RUNTIME;
	qsort(names, n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < n; i++) {
		const struct evt_action *m;
		char err[512];

		if (module_get(names[i], &m, err, sizeof(err)) < 0) {
			fprintf(stderr, "evtrigger: modules: %s\n", err);
			ret = EXIT_RUNTIME;
			continue;
		}
		if (json)
			modules_print_json(stdout, m, shown == 0);
		else
			modules_print_text(stdout, m);
		shown++;
	}
	if (json)
		fputs(shown == 0 ? "[]\n" : "]\n", stdout);
	return ret;
}
