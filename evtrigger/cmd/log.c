/* `evtrigger log JOB`: a job's story from the journal, showing only the
 * entries evtrigger itself wrote.
 *
 * Whom it believes: journald's trusted _UID, which no other local user can
 * forge, must be the uid evtrigger runs as: the owner of the job's
 * directory in the state directory (written by the watcher only), or of the
 * state directory when the job's records were pruned. SYSLOG_IDENTIFIER must
 * be evtrigger: it only tells evtrigger's entries from other programs of
 * that (trusted) uid. Entries carrying the JOB_ID but written otherwise are
 * counted and said to be left out, never shown. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>
#include <time.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "evt-ids.h"
#include "evt-log.h"
#include "jobs/record.h"
#include "macro.h"
#include "report.h"

static void
log_usage(FILE *f)
{
	fprintf(f,
		"usage: evtrigger log [OPTION]... JOB_ID\n"
		"Prints the journal entries evtrigger wrote about job JOB_ID, in\n"
		"order: only entries whose trusted _UID is evtrigger's (the owner\n"
		"of the job's directory) and whose SYSLOG_IDENTIFIER is evtrigger.\n\n"
		"  --state-dir DIR   the state directory (default\n"
		"                    $EVTRIGGER_STATE_DIR or " EVT_STATEDIR ")\n"
		"  --uid UID         the uid evtrigger runs as (default: the\n"
		"                    owner of the job's directory)\n"
		"  -h, --help        this text\n\n"
		"Exit status: 0 entries shown, 4 no entry of evtrigger names the\n"
		"job, 5 the journal cannot be read, 2 usage.\n");
}

/* The uid evtrigger runs as: the owner of STATE/jobs/ID, else of STATE. */
static int
log_trusted_uid(const char *state_dir, const char *id, uid_t *ret)
{
	_cleanup_(freep) char *dir = job_dir_path(state_dir, id);
	struct stat st;

	if (dir == NULL)
		return -ENOMEM;
	if (stat(dir, &st) == 0 || stat(state_dir, &st) == 0) {
		*ret = st.st_uid;
		return 0;
	}
	return -errno;
}

static const char *
log_field(sd_journal *j, const char *name, char *buf, size_t size)
{
	const void *data;
	size_t len, nl = strlen(name);

	if (sd_journal_get_data(j, name, &data, &len) < 0 || len <= nl + 1)
		return NULL;
	len -= nl + 1;
	if (len >= size)
		len = size - 1;
	memcpy(buf, (const char *)data + nl + 1, len);
	buf[len] = '\0';
	return buf;
}

static void
log_print(sd_journal *j)
{
	char id[16], step[80], msg[2048], when[64], name_buf[32],
	     entry[300], run[300], hosts[700] = "";
	const char *idtext, *name = NULL;
	uint64_t usec = 0;
	time_t t;
	struct tm tm;

	(void)sd_journal_get_realtime_usec(j, &usec);
	t = (time_t)(usec / 1000000);
	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	idtext = log_field(j, "EVENT_ID", id, sizeof(id));
	if (idtext != NULL)
		name = evt_id_name((unsigned)atoi(idtext));
	snprintf(name_buf, sizeof(name_buf), "%s", name != NULL ? name : "-");
	/* Where the event entered (several hosts) and where the job ran
	 * (journald's own _HOSTNAME), on the line of the job's start. */
	if (idtext != NULL && (unsigned)atoi(idtext) == EVT_JOB_STARTED)
		snprintf(hosts, sizeof(hosts), " (entry host %s, run host %s)",
			 log_field(j, EVT_FIELD_ENTRY_HOST, entry, sizeof(entry))
				 ?: "-",
			 log_field(j, "_HOSTNAME", run, sizeof(run)) ?: "-");
	printf("%s %s %-16s %-14s %s%s\n", when, idtext != NULL ? idtext : "-",
	       name_buf,
	       log_field(j, EVT_FIELD_STEP, step, sizeof(step)) != NULL ? step :
									     "-",
	       log_field(j, "MESSAGE", msg, sizeof(msg)) != NULL ? msg : "",
	       hosts);
}

/* Whether the current entry's trusted _UID is uid and its identifier
 * evtrigger's. */
static bool
log_entry_trusted(sd_journal *j, uid_t uid)
{
	char buf[32], want[32];

	snprintf(want, sizeof(want), "%u", (unsigned)uid);
	return log_field(j, "_UID", buf, sizeof(buf)) != NULL &&
	       streq(buf, want) &&
	       log_field(j, "SYSLOG_IDENTIFIER", buf, sizeof(buf)) != NULL &&
	       streq(buf, EVT_SOURCE);
}

int
cmd_log(int argc, char *argv[])
{
	enum { OPT_UID = 0x100 };
	static const struct option longopts[] = {
		CMD_OPT_STATE_DIR,
		{ "uid", required_argument, NULL, OPT_UID },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cmd_dirs dirs = { 0 };
	sd_journal *j = NULL;
	char match[64];
	const char *id;
	bool have_uid = false;
	uid_t uid = 0;
	size_t shown = 0, left_out = 0;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_UID: {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    v >= (uid_t)-1) {
				report_error(0, "invalid uid '%s'", optarg);
				return EXIT_USAGE;
			}
			uid = (uid_t)v;
			have_uid = true;
			break;
		}
		case 'h':
			log_usage(stdout);
			return 0;
		default:
			if (cmd_dirs_option(&dirs, c, optarg))
				break;
			log_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		log_usage(stderr);
		return EXIT_USAGE;
	}
	id = argv[optind];
	if (!job_id_is_valid(id)) {
		report_error(0, "invalid job id '%s'", id);
		return EXIT_USAGE;
	}
	if (cmd_dirs_resolve(&dirs, "log") < 0)
		return EXIT_RUNTIME;
	if (!have_uid && log_trusted_uid(dirs.state, id, &uid) < 0)
		uid = 0;        /* no state directory: evtrigger as root */

	r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
	if (r < 0) {
		report_errno(r, "cannot open the journal");
		return EXIT_RUNTIME;
	}
	snprintf(match, sizeof(match), EVT_FIELD_JOB_ID "=%s", id);
	r = sd_journal_add_match(j, match, 0);
	if (r < 0) {
		sd_journal_close(j);
		report_errno(r, "cannot filter the journal");
		return EXIT_RUNTIME;
	}
	SD_JOURNAL_FOREACH(j) {
		if (!log_entry_trusted(j, uid)) {
			left_out++;
			continue;
		}
		log_print(j);
		shown++;
	}
	sd_journal_close(j);
	if (left_out > 0)
		report_error(0, "%zu entr%s naming job %s not written by "
			     "evtrigger (uid %u) left out", left_out,
			     left_out == 1 ? "y" : "ies", id, (unsigned)uid);
	if (shown == 0) {
		report_error(0, "no entry of evtrigger names job %s", id);
		return EXIT_NOTFOUND;
	}
	return 0;
}
