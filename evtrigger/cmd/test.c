/* `evtrigger test`: a dry run. Takes one event, from the command line or a
 * journal cursor, and prints for each rule whether it would fire and, if
 * not, why: the rule's match (rules/match.c, the watcher's own code), its
 * maximum age (watch/entry.c) and whether a job of its VM runs now (the
 * job records). Runs nothing and writes nothing. */
#include <getopt.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "event.h"
#include "jobs/process.h"
#include "jobs/record.h"
#include "options.h"
#include "report.h"
#include "rules/rule.h"
#include "strv.h"
#include "time.h"
#include "watch/entry.h"
#include "watch/watch.h"

#define EXIT_NONE_FIRES 1       /* no rule would fire */

static void
test_usage(FILE *f)
{
	fprintf(f,
		"usage: evtrigger test [OPTION]... [FIELD=VALUE]...\n"
		"       evtrigger test --cursor CURSOR [OPTION]...\n"
		"Dry run: prints, for each rule, whether this event would fire "
		"it and, if not,\nwhy (id, type, source, fields, who wrote it, "
		"max-age, a job of its VM\nrunning). Runs and writes nothing.\n\n"
		"The event, as evcreate would write it:\n"
		"  -i, --id N            the event ID (required without "
		"--cursor)\n"
		"  -t, --type TYPE       ERROR, WARNING, INFORMATION or SUCCESS\n"
		"      --source NAME     the source\n"
		"  -l, --log NAME        the log\n"
		"  -d, --description T   the text\n"
		"      --uid N|USER      written by this user (default: you)\n"
		"      --unit UNIT       written by this systemd unit\n"
		"      --sender NAME     as evtrigger-listen wrote it for sender NAME\n"
		"      --auth HOW        its EVENT_AUTH (with --sender): channel "
		"(default),\n"
		"                        x509, psk or address\n"
		"      --placement WHERE as evtrigger-bus wrote it (with --sender): "
		"local,\n"
		"                        entry or nowhere (its VM runs on no host)\n"
		"      --entry-host NAME the host where it entered the bus (with "
		"--sender)\n"
		"      --host NAME       this host's name for `host =` (default: "
		"hostname)\n"
		"  FIELD=VALUE           an extra field\n"
		"Or an entry of the journal:\n"
		"  -c, --cursor CURSOR   the entry at this cursor (journalctl "
		"--show-cursor)\n\n"
		"  --rules-dir DIR, --state-dir DIR, --action-dir DIR\n"
		"  -m, --max-age D       as evtrigger run --max-age (default 1h)\n"
		"  -u, --listener-user U as evtrigger run --listener-user\n"
		"  --no-modules          do not load modules to check steps\n"
		"  -h, --help            this text\n\n"
		"Exit status: 0 a rule would fire, 1 none would, 2 usage, "
		"3 invalid rules,\n5 the journal or a directory cannot be "
		"read.\n");
}

/* --- the event ------------------------------------------------------------ */

struct test_event {
	struct fields *f;
	uint64_t journal_usec;          /* the entry's time; now for ours */
};

static int
add_uid(struct fields *f, const char *s)
{
	char buf[32];
	int64_t v;

	if (parse_int(s, &v) < 0 || v < 0 || v >= (int64_t)UINT32_MAX) {
		struct passwd *pw = getpwnam(s);

		if (pw == NULL)
			return -EINVAL;
		v = pw->pw_uid;
	}
	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return fields_add(f, "_UID", buf);
}

/* The entry at cursor, with its trusted fields, as the watcher reads it. */
static int
event_from_cursor(const char *cursor, struct test_event *ev)
{
	_cleanup_(sd_journal_closep) sd_journal *j = NULL;
	const void *data;
	size_t len;
	int r;

	r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
	if (r < 0)
		return report_errno(r, "cannot open the journal");
	r = sd_journal_seek_cursor(j, cursor);
	if (r >= 0)
		r = sd_journal_next(j);
	if (r > 0)
		r = sd_journal_test_cursor(j, cursor);
	if (r <= 0) {
		report_error(0, "no journal entry at cursor '%s'", cursor);
		return -ENOENT;
	}
	SD_JOURNAL_FOREACH_DATA(j, data, len)
		if (fields_add_data(ev->f, data, len) == -ENOMEM)
			return -ENOMEM;
	r = sd_journal_get_realtime_usec(j, &ev->journal_usec);
	if (r < 0)
		return report_errno(r, "cannot read the entry's time");
	return 0;
}

/* --- busy: a job of the rule's VM -------------------------------------------- */

/* Whether a job of r's VM (or of r, without a VM) is queued or running,
 * as the job manager keys them: into buf, or NULL. */
static const char *
busy_reason(const char *state_dir, const struct rule *r, char *buf,
	    size_t size)
{
	_cleanup_(strv_freep) char **ids = NULL;
	const char *found = NULL;
	size_t n = 0;

	if (state_dir == NULL || job_list_ids(state_dir, &ids, &n) < 0)
		return NULL;
	for (size_t i = 0; i < n && found == NULL; i++) {
		_cleanup_(job_record_freep) struct job_record *rec = NULL;
		bool same;

		if (job_record_load(state_dir, ids[i], &rec) < 0)
			continue;
		same = r->vm != NULL ?
			(rec->vm != NULL && streq(rec->vm, r->vm)) :
			(rec->vm == NULL && rec->rule != NULL &&
			 streq(rec->rule, r->name));
		if (!same)
			continue;
		if (rec->state == JOB_RUNNING &&
		    job_lock_holder(state_dir, rec->id) > 0)
			snprintf(buf, size, "job %s of %s '%s' is running "
				 "(step %s)", rec->id, r->vm ? "vm" : "rule",
				 r->vm ? r->vm : r->name,
				 rec->step != NULL ? rec->step : "-");
		else if (rec->state == JOB_QUEUED)
			snprintf(buf, size, "job %s of %s '%s' is queued",
				 rec->id, r->vm ? "vm" : "rule",
				 r->vm ? r->vm : r->name);
		else
			continue;
		found = buf;
	}
	return found;
}

/* --- the verdicts ------------------------------------------------------------- */

struct test_opts {
	const char *state_dir;
	struct rule_trust trust;
	uint64_t max_age_usec;
};

static void
steps_text(const struct rule *r, char *buf, size_t size)
{
	size_t k = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < r->n_steps && k < size; i++)
		k += (size_t)snprintf(buf + k, size - k, "%s%s",
				      i > 0 ? " " : "", r->steps[i]);
}

/* Prints one rule's verdict; returns whether it would fire (and run now or
 * be queued). */
static bool
test_rule(const struct test_opts *o, const struct rule *r,
	  const struct test_event *ev, uint64_t now,
	  struct entry_placement *where)
{
	char buf[512], busy[256], steps[256];
	const char *verdict, *reason;
	uint64_t max_age = r->max_age_usec != 0 ? r->max_age_usec
						: o->max_age_usec;
	bool fires = false;
	enum rule_verdict v;

	v = rule_explain(r, ev->f, &o->trust, buf, sizeof(buf), &reason);
	entry_placement_add(where, r, v);
	switch (v) {
	case RULE_NO_MATCH:
		verdict = "no";
		break;
	case RULE_ELSEWHERE:
		verdict = "not-here";   /* the watcher fires it on r->host */
		break;
	case RULE_UNTRUSTED:
		verdict = "refused";    /* the watcher logs TRIGGER_REJECTED */
		break;
	case RULE_FIRES:
	default:
		reason = entry_too_old(ev->f, &o->trust, ev->journal_usec, now,
				       max_age, buf, sizeof(buf));
		if (reason != NULL) {
			verdict = "refused";
			break;
		}
		reason = busy_reason(o->state_dir, r, busy, sizeof(busy));
		if (reason != NULL) {
			fires = r->on_busy == RULE_ON_BUSY_QUEUE;
			verdict = fires ? "queued" : "ignored";
			snprintf(buf, sizeof(buf), "busy: %s; on-busy = %s",
				 reason, fires ? "queue: it would run after "
				 "that one" : "ignore: this trigger would be "
				 "dropped");
			reason = buf;
			break;
		}
		fires = true;
		verdict = "fires";
		steps_text(r, steps, sizeof(steps));
		snprintf(buf, sizeof(buf), "would run %s%s%s", steps,
			 r->vm != NULL ? " on vm " : "",
			 r->vm != NULL ? r->vm : "");
		reason = buf;
	}
	printf("%-24s  %-7s  %s\n", r->name, verdict, reason);
	return fires;
}

/* --- the command --------------------------------------------------------------- */

enum {
	OPT_UID = 0x100,
	OPT_UNIT,
	OPT_SENDER,
	OPT_AUTH,
	OPT_NO_MODULES,
	OPT_LISTENER_UID,
	OPT_PLACEMENT,
	OPT_ENTRY_HOST,
	OPT_HOST,
};

static int
add_checked(struct fields *f, const char *name, const char *value,
	    const char *what)
{
	int r = fields_add(f, name, value);

	if (r < 0)
		return report_errno(r, "cannot keep %s", what);
	return 0;
}

int
cmd_test(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "id", required_argument, NULL, 'i' },
		{ "type", required_argument, NULL, 't' },
		{ "source", required_argument, NULL, 'S' },
		{ "log", required_argument, NULL, 'l' },
		{ "description", required_argument, NULL, 'd' },
		{ "uid", required_argument, NULL, OPT_UID },
		{ "unit", required_argument, NULL, OPT_UNIT },
		{ "sender", required_argument, NULL, OPT_SENDER },
		{ "auth", required_argument, NULL, OPT_AUTH },
		{ "cursor", required_argument, NULL, 'c' },
		{ "max-age", required_argument, NULL, 'm' },
		{ "listener-user", required_argument, NULL, 'u' },
		{ "listener-uid", required_argument, NULL, OPT_LISTENER_UID },
		{ "no-modules", no_argument, NULL, OPT_NO_MODULES },
		{ "placement", required_argument, NULL, OPT_PLACEMENT },
		{ "entry-host", required_argument, NULL, OPT_ENTRY_HOST },
		{ "host", required_argument, NULL, OPT_HOST },
		CMD_OPT_RULES_DIR,
		CMD_OPT_STATE_DIR,
		CMD_OPT_ACTION_DIR,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_(fields_freep) struct fields *f = fields_new();
	_cleanup_(rule_set_freep) struct rule_set *set = NULL;
	const struct rule_modules *mods = &cmd_modules_real;
	const char *cursor = NULL, *id = NULL, *type = NULL, *source = NULL,
		   *log = NULL, *desc = NULL, *uid = NULL, *unit = NULL,
		   *sender = NULL, *auth = NULL, *placement = NULL,
		   *entry_host = NULL;
	struct test_opts o = { .max_age_usec = WATCH_DEFAULT_MAX_AGE,
			       .trust.host = cmd_this_host() };
	struct entry_placement where = { 0 };
	struct test_event ev = { 0 };
	struct rule_errors errors = { 0 };
	struct cmd_dirs dirs = { 0 };
	enum event_type t;
	unsigned n_id, n_fire = 0;
	uint64_t now;
	int c, r;

	if (f == NULL)
		return EXIT_RUNTIME;
	optind = 1;
	while ((c = getopt_long(argc, argv, "i:t:l:d:c:m:u:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'i': id = optarg; break;
		case 't': type = optarg; break;
		case 'S': source = optarg; break;      /* no -s: --state-dir */
		case 'l': log = optarg; break;
		case 'd': desc = optarg; break;
		case 'c': cursor = optarg; break;
		case OPT_UID: uid = optarg; break;
		case OPT_UNIT: unit = optarg; break;
		case OPT_SENDER: sender = optarg; break;
		case OPT_AUTH: auth = optarg; break;
		case OPT_PLACEMENT: placement = optarg; break;
		case OPT_ENTRY_HOST: entry_host = optarg; break;
		case OPT_HOST: o.trust.host = optarg; break;
		case OPT_NO_MODULES: mods = NULL; break;
		case 'm':
			if (streq(optarg, "infinity"))
				o.max_age_usec = 0;
			else if (parse_duration(optarg, &o.max_age_usec) < 0) {
				report_error(0, "invalid --max-age '%s': a "
					     "duration like 90s, 15m or 1h",
					     optarg);
				return EXIT_USAGE;
			}
			break;
		case 'u':
		case OPT_LISTENER_UID:
			if (cmd_listener_option(&o.trust, optarg,
						c == OPT_LISTENER_UID) < 0)
				return EXIT_USAGE;
			break;
		case 'h':
			test_usage(stdout);
			return 0;
		default:
			if (cmd_dirs_option(&dirs, c, optarg))
				break;
			test_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (cursor != NULL &&
	    (id != NULL || type != NULL || source != NULL || log != NULL ||
	     desc != NULL || uid != NULL || unit != NULL || sender != NULL ||
	     auth != NULL || placement != NULL || entry_host != NULL ||
	     optind < argc)) {
		report_error(0, "--cursor takes the whole event from the "
			     "journal: give no other event option or field");
		return EXIT_USAGE;
	}
	if (cursor == NULL && id == NULL) {
		report_error(0, "no event: give --id N (and its fields) or "
			     "--cursor CURSOR");
		test_usage(stderr);
		return EXIT_USAGE;
	}
	if ((auth != NULL || placement != NULL || entry_host != NULL) &&
	    sender == NULL) {
		report_error(0, "--auth, --placement and --entry-host need "
			     "--sender");
		return EXIT_USAGE;
	}
	if (placement != NULL && !streq(placement, "local") &&
	    !streq(placement, "entry") && !streq(placement, "nowhere")) {
		report_error(0, "invalid --placement '%s': local, entry or "
			     "nowhere", placement);
		return EXIT_USAGE;
	}
	if (cmd_dirs_resolve(&dirs, "test") < 0)
		return EXIT_RUNTIME;
	o.state_dir = dirs.state;
	now = now_usec(CLOCK_REALTIME);

	ev.f = f;
	if (cursor != NULL) {
		r = event_from_cursor(cursor, &ev);
		if (r < 0)
			return r == -ENOENT ? EXIT_NOTFOUND : EXIT_RUNTIME;
	} else {
		char me[32];

		if (event_parse_id(id, &n_id) < 0) {
			report_error(0, "invalid event id '%s': must be "
				     "1..65535", id);
			return EXIT_USAGE;
		}
		if (type != NULL && event_parse_type(type, &t) < 0) {
			report_error(0, "invalid event type '%s': ERROR, "
				     "WARNING, INFORMATION or SUCCESS", type);
			return EXIT_USAGE;
		}
		r = add_checked(f, EVENT_FIELD_ID, id, "the id");
		if (r >= 0 && type != NULL)
			r = add_checked(f, EVENT_FIELD_TYPE,
					event_type_name(t), "the type");
		if (r >= 0 && source != NULL)
			r = add_checked(f, EVENT_FIELD_SOURCE, source,
					"the source");
		if (r >= 0 && source != NULL)
			r = add_checked(f, EVENT_FIELD_IDENTIFIER, source,
					"the source");
		if (r >= 0 && log != NULL)
			r = add_checked(f, EVENT_FIELD_LOG,
					event_log_canonical(log), "the log");
		if (r >= 0 && desc != NULL)
			r = add_checked(f, EVENT_FIELD_MESSAGE, desc,
					"the description");
		for (int i = optind; r >= 0 && i < argc; i++) {
			const char *eq = strchr(argv[i], '=');
			_cleanup_(freep) char *name = NULL;

			if (eq == NULL || eq == argv[i]) {
				report_error(0, "invalid field '%s': "
					     "FIELD=VALUE", argv[i]);
				return EXIT_USAGE;
			}
			name = strndup(argv[i], (size_t)(eq - argv[i]));
			if (name == NULL)
				return EXIT_RUNTIME;
			if (event_check_field_name(name) < 0 ||
			    name[0] == '_') {
				report_error(0, "invalid field name '%s'", name);
				return EXIT_USAGE;
			}
			r = add_checked(f, name, eq + 1, "a field");
		}
		if (r < 0)
			return EXIT_RUNTIME;
		snprintf(me, sizeof(me), "%u", (unsigned)getuid());
		if (uid != NULL && add_uid(f, uid) < 0) {
			report_error(0, "invalid --uid '%s': a uid or a user "
				     "name", uid);
			return EXIT_USAGE;
		}
		if ((uid == NULL && fields_add(f, "_UID", me) < 0) ||
		    (unit != NULL && fields_add(f, "_SYSTEMD_UNIT", unit) < 0))
			return EXIT_RUNTIME;
		if (sender != NULL) {
			/* As the listener wrote it: its uid is the writer's. */
			uid_t u = 0;
			const char *s = fields_get(f, "_UID");

			if (fields_add(f, EVENT_FIELD_SENDER, sender) < 0 ||
			    fields_add(f, EVENT_FIELD_AUTH,
				       auth != NULL ? auth : "channel") < 0 ||
			    (placement != NULL &&
			     fields_add(f, EVENT_FIELD_PLACEMENT,
					placement) < 0) ||
			    (entry_host != NULL &&
			     fields_add(f, EVENT_FIELD_ENTRY_HOST,
					entry_host) < 0))
				return EXIT_RUNTIME;
			if (!o.trust.have_listener) {
				int64_t v;

				if (s != NULL && parse_int(s, &v) == 0)
					u = (uid_t)v;
				o.trust.listener_uid = u;
				o.trust.have_listener = true;
			}
		}
		ev.journal_usec = now;
	}

	r = rule_set_load_dir(dirs.rules, mods, &set, &errors);
	cmd_print_rule_errors(&errors);
	rule_errors_clear(&errors);
	if (r < 0)
		return r == -EINVAL ? EXIT_RULES : EXIT_RUNTIME;
	if (set->n == 0)
		printf("%s: no rules\n", dirs.rules);
	else
		printf("%-24s  %-7s  %s\n", "RULE", "VERDICT", "WHY");
	for (size_t i = 0; i < set->n; i++)
		n_fire += test_rule(&o, set->rules[i], &ev, now, &where);
	if (rule_entry_unplaced(ev.f, &o.trust) && where.matched &&
	    !where.owned)
		printf("note: the event's VM runs on no host and no rule that "
		       "matches it names a host\n(host =): no host runs it; "
		       "%s reports it as EVENT_UNPLACED (645)\n",
		       entry_placement_unowned(&where, ev.f, &o.trust)
		       ? "this host, where it entered,"
		       : "the host where it entered");
	return n_fire > 0 ? 0 : EXIT_NONE_FIRES;
}
