/* `evtrigger action`: runs one action module by hand as a one-step job, its
 * options checked as a rule's are (rules/stepopts.c). */
#include <getopt.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "event.h"
#include "jobs/module.h"
#include "jobs/process.h"
#include "json-out.h"
#include "options.h"
#include "report.h"
#include "rules/rule.h"
#include "rules/stepopts.h"
#include "time.h"

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

/* A mistake in the -o options: printed at once. */
static void
action_report(void *userdata, unsigned line, const char *message)
{
	report_error(0, "%s", message);
}

/* The one-step rule that `action` runs: options from -o ("KEY=VALUE"). */
static int
action_rule(const char *name, const struct job_record *rec, char **opts,
	    size_t n_opts, uint64_t timeout_usec, struct rule **ret)
{
	_cleanup_(rule_freep) struct rule *r = NULL;
	_cleanup_(freep) char *rule_name = NULL;

	if (asprintf(&rule_name, "action-%s", name) < 0)
		return -ENOMEM;
	r = rule_new(rule_name);
	if (r == NULL || rule_add_step(r, name) < 0)
		return -ENOMEM;
	if ((rec->vm != NULL && (r->vm = strdup(rec->vm)) == NULL) ||
	    (rec->connect != NULL &&
	     (r->connect = strdup(rec->connect)) == NULL))
		return -ENOMEM;
	r->timeout_usec = timeout_usec;
	for (size_t i = 0; i < n_opts; i++) {
		const char *eq = strchr(opts[i], '=');
		_cleanup_(freep) char *key = NULL;

		if (eq == NULL || eq == opts[i]) {
			report_error(0, "invalid option '%s': want "
				     "KEY=VALUE", opts[i]);
			return -EINVAL;
		}
		key = strndup(opts[i], (size_t)(eq - opts[i]));
		if (key == NULL || rule_add_option(r, name, key, eq + 1, 0) < 0)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(r);
	return 0;
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
		CMD_OPT_STATE_DIR,
		CMD_OPT_ACTION_DIR,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_(job_record_freep) struct job_record *rec = NULL;
	_cleanup_(strv_freep) char **opts = NULL;
	_cleanup_(closep) int lock = -1;
	_cleanup_(rule_freep) struct rule *rule = NULL;
	struct cmd_dirs dirs = { 0 };
	const char *state_dir, *name;
	const struct evt_action *m;
	uint64_t timeout_usec = 0;
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
				report_error(0, "invalid --event "
					     "'%s': want FIELD=VALUE with "
					     "FIELD of A-Z, 0-9 and _", optarg);
				return EXIT_USAGE;
			}
			if (fields_get(rec->fields, field) != NULL) {
				report_error(0, "--event field %s "
					     "given twice", field);
				return EXIT_USAGE;
			}
			if (fields_add(rec->fields, field, eq + 1) < 0)
				return EXIT_RUNTIME;
			break;
		}
		case 't':
			if (parse_duration(optarg, &timeout_usec) < 0) {
				report_error(0, "invalid duration "
					     "'%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			action_usage(stdout);
			return 0;
		default:
			if (cmd_dirs_option(&dirs, c, optarg))
				break;
			action_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		action_usage(stderr);
		return EXIT_USAGE;
	}
	name = argv[optind];
	if (cmd_dirs_resolve(&dirs, "action") < 0)
		return EXIT_RUNTIME;
	state_dir = dirs.state;

	r = module_get(name, &m, err, sizeof(err));
	if (r < 0) {
		report_error(0, "%s", err);
		return r == -ENOENT || r == -EINVAL ? EXIT_NOTFOUND :
						      EXIT_RUNTIME;
	}

	r = action_rule(name, rec, opts, n_opts, timeout_usec, &rule);
	if (r < 0)
		return r == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
	r = stepopts_check_options(rule, name, m, action_report, NULL);
	if (r != 0)
		return r < 0 ? EXIT_RUNTIME : EXIT_USAGE;

	if (job_id_random(id) < 0 || job_record_set(&rec->id, id) < 0 ||
	    job_record_set(&rec->rule, rule->name) < 0 ||
	    job_record_set(&rec->steps, name) < 0)
		goto out;
	rec->kind = JOB_KIND_MANUAL;
	rec->state = JOB_QUEUED;
	rec->created = now_usec(CLOCK_REALTIME);

	r = job_record_create(state_dir, rec, NULL);
	if (r < 0) {
		report_errno(r, "cannot create a job record in "
			     "%s/jobs", state_dir);
		goto out;
	}
	lock = job_lock_take(state_dir, id);
	if (lock < 0) {
		report_errno(lock, "cannot lock job %s", id);
		job_record_remove(state_dir, id);
		goto out;
	}
	report_error(0, "job %s: running action %s", id, name);
	r = jobrun_run(state_dir, rule, rec, JOBRUN_FOREGROUND, &state);
	if (r < 0) {
		report_errno(r, "%s", name);
		job_record_remove(state_dir, id);
		goto out;
	}
	/* The record was for `evtrigger jobs` and `cancel` while it ran. */
	job_record_remove(state_dir, id);
	ret = state == JOB_FINISHED ? 0 : 1;
out:
	return ret;
}

