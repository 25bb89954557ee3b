/* `evtrigger run`: the command line of the watcher (watch/watch.c). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "options.h"
#include "report.h"
#include "watch/watch.h"

static void
run_usage(FILE *f)
{
	fprintf(f,
		"usage: evtrigger run [OPTION]...\n"
		"Watch the journal and start jobs when rules match.\n\n"
		"  -r, --rules-dir=DIR       rules\n"
		"                            (default %s)\n"
		"  -s, --state-dir=DIR       cursor and job records\n"
		"                            (default %s)\n"
		"  -a, --action-dir=DIR      action modules\n"
		"                            (default %s)\n"
		"  -m, --max-age=DURATION    do not act on events older than this "
		"when\n"
		"                            first seen (default 1h; 0: no limit)\n"
		"  -u, --listener-user=USER  believe EVENT_SENDER only on entries "
		"this\n"
		"                            user's processes wrote (the network "
		"listener)\n"
		"      --listener-uid=UID    the same, by uid\n"
		"      --host=NAME           this host's name for rules' host = "
		"(several\n"
		"                            hosts; default: hostname)\n"
		"      --poll=DURATION       look for new entries this often, not "
		"only\n"
		"                            when journald says (every 250ms); "
		"0: off\n"
		"                            (default 2ms)\n"
		"  -h, --help                show this help\n\n"
		"Signals: SIGHUP reloads the rules, SIGTERM stops. See "
		"evtrigger(8).\n",
		"$EVTRIGGER_RULES_DIR or " RULES_DIR_DEFAULT,
		"$EVTRIGGER_STATE_DIR or " EVT_STATEDIR,
		"$EVTRIGGER_ACTION_DIR or " EVT_ACTIONDIR);
}

static int
parse_run_options(int argc, char *argv[], struct watch_options *o,
		  struct cmd_dirs *dirs)
{
	enum { OPT_LISTENER_UID = 0x100, OPT_POLL, OPT_HOST };
	static const struct option longopts[] = {
		CMD_OPT_RULES_DIR,
		CMD_OPT_STATE_DIR,
		CMD_OPT_ACTION_DIR,
		{ "max-age", required_argument, NULL, 'm' },
		{ "listener-user", required_argument, NULL, 'u' },
		{ "listener-uid", required_argument, NULL, OPT_LISTENER_UID },
		{ "poll", required_argument, NULL, OPT_POLL },
		{ "host", required_argument, NULL, OPT_HOST },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct watch_options){
		.max_age_usec = WATCH_DEFAULT_MAX_AGE,
		.poll_usec = WATCH_DEFAULT_POLL_USEC,
		.trust.host = cmd_this_host(),
	};
	optind = 0;
	while ((c = getopt_long(argc, argv, "r:s:a:m:u:h", longopts, NULL)) >= 0) {
		switch (c) {
		case 'm':
			if (streq(optarg, "infinity"))
				o->max_age_usec = 0;
			else if (parse_duration(optarg, &o->max_age_usec) < 0) {
				report_error(0, "invalid --max-age '%s': a "
					     "duration like 90s, 15m or 1h",
					     optarg);
				return -EINVAL;
			}
			break;
		case 'u':
		case OPT_LISTENER_UID:
			if (cmd_listener_option(&o->trust, optarg,
						c == OPT_LISTENER_UID) < 0)
				return -EINVAL;
			break;
		case OPT_HOST:
			if (optarg[0] == '\0' || strlen(optarg) > 64 ||
			    strpbrk(optarg, " \t\n/") != NULL) {
				report_error(0, "invalid --host '%s': a host "
					     "name", optarg);
				return -EINVAL;
			}
			o->trust.host = optarg;
			break;
		case OPT_POLL:
			if (parse_duration(optarg, &o->poll_usec) < 0) {
				report_error(0, "invalid --poll '%s': a "
					     "duration like 2ms, or 0", optarg);
				return -EINVAL;
			}
			break;
		case 'h':
			run_usage(stdout);
			return 1;
		default:
			if (cmd_dirs_option(dirs, c, optarg))
				break;
			run_usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		report_error(0, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

int
cmd_run(int argc, char *argv[])
{
	struct watch_options o;
	struct cmd_dirs dirs = { 0 };
	int r;

	r = parse_run_options(argc, argv, &o, &dirs);
	if (r != 0)
		return r > 0 ? 0 : EXIT_USAGE;
	/* The same resolver as every other subcommand: the options, else
	 * $EVTRIGGER_RULES_DIR, $EVTRIGGER_STATE_DIR, $EVTRIGGER_ACTION_DIR. */
	if (cmd_dirs_resolve(&dirs, "run") < 0)
		return EXIT_RUNTIME;
	o.rules_dir = dirs.rules;
	o.state_dir = dirs.state;
	return watch_run(&o);
}

