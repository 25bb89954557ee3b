/* The watcher, the daemon of `evtrigger run` (cmd/run.c): follows the
 * journal, matches entries against the rules and hands matches to the job
 * manager.
 *
 * Delivery contract: an entry's jobs are recorded (job_manager_trigger,
 * durable, keyed by the entry's cursor and the rule, or for a remote event
 * by its sender, uuid and rule: entry.h) before the cursor is stored, and
 * the cursor is stored after each batch. A kill -9 at any point
 * therefore either replays entries whose jobs exist (the manager answers
 * -EALREADY) or handles entries not yet seen; no event is lost and none
 * starts two jobs for one rule. */
#include <fcntl.h>
#include <inttypes.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>
#include <systemd/sd-journal.h>
#include <time.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "event.h"
#include "evt-ids.h"
#include "evt-log.h"
#include "fields.h"
#include "jobs/manager.h"
#include "jobs/module.h"
#include "macro.h"
#include "options.h"
#include "report.h"
#include "rules/rule.h"
#include "strv.h"
#include "time.h"
#include "watch/cursor.h"
#include "watch/entry.h"
#include "watch/watch.h"

/* Entries per loop iteration, then the cursor is stored. Well below the
 * number of ended job records the job manager keeps (200): a replay after a
 * crash must find the records of every entry after the stored cursor. */
#define WATCH_BATCH_MAX         128
#define WATCH_FIELDS_MAX        512     /* fields read per entry */
#define WATCH_DATA_THRESHOLD    (64 * 1024)     /* bytes per field read */
/* Bytes of field data read per entry. Below JOB_RECORD_MAX (jobs/record.h) with
 * room for what the job record adds. */
#define WATCH_ENTRY_MAX         (256 * 1024)
#define WATCH_RETRY_USEC        (5ULL * 1000000ULL)
#define WATCH_LOCK_FILE         "lock"
/* Reading the filtered journal costs more with more IDs in the filter (with
 * 10,000, milliseconds of CPU per look: each value is looked up in each
 * file).
 * The poll backs off so that it spends at most 1/WATCH_POLL_COST_SHARE of
 * the time reading, and never waits longer than journald's own 250 ms. */
#define WATCH_POLL_COST_SHARE   20
#define WATCH_POLL_MAX_USEC     (250ULL * 1000ULL)
#define WATCH_PROBE_MAX         4096    /* new entries looked at per poll */
/* TRIGGER_REJECTED reports per writer (TRIGGER_UID): at most
 * WATCH_REJECT_BURST in a window of WATCH_REJECT_WINDOW_USEC; the rest are
 * counted and the count (SUPPRESSED) goes with the writer's next report,
 * or is reported when the watcher stops. So that an unprivileged writer
 * cannot make root write one entry for each of theirs. */
#define WATCH_REJECT_BURST      10
#define WATCH_REJECT_WINDOW_USEC (60ULL * 1000000ULL)
#define WATCH_REJECT_WRITERS    64
#define WATCH_UNPLACED_KEPT     64

struct reject_limit {
	char uid[24];           /* "" : slot unused */
	uint64_t window_start;  /* monotonic */
	unsigned sent;
	uint64_t suppressed;
};

struct watcher {
	sd_event *ev;
	sd_journal *j;
	sd_event_source *io, *more, *retry, *poll, *probe_io;
	sd_journal *probe;      /* unfiltered, at the tail: "anything new?" */
	uint64_t poll_usec;     /* 0: rely on journald's notifications only */
	struct job_manager *jobs;

	struct rule_set *rules;
	const struct rule **by_id;      /* rules sorted by id */
	size_t n_by_id;
	size_t n_ids;

	const char *rules_dir;
	const char *state_dir;
	uint64_t max_age_usec;          /* 0: no limit */
	struct rule_trust trust;

	char *cursor;           /* the last entry handled, NULL: none yet */
	bool cursor_dirty;      /* handled entries since the last store */
	bool have_current;      /* positioned on an entry not yet handled */
	bool stalled;           /* a job could not be recorded: retry later */
	uint64_t trigger_usec;  /* time spent in job_manager_trigger */

	uid_t own_uid;          /* evtrigger's own entries are this uid's */
	struct reject_limit limits[WATCH_REJECT_WRITERS];
	/* The last EVENT_UNPLACED reports (sender and uuid), so that the
	 * entries of one event report it once. */
	char unplaced[WATCH_UNPLACED_KEPT][2 * 256 + 2];
	size_t unplaced_next;
};

/* Logs one of evtrigger's own events. A failure to log is not reported:
 * the journal is the only place it could go. */
static void
watch_event(enum evt_id id, const char *message, const char *const *more,
	    size_t n_more)
{
	(void)evt_log_send(id, more, n_more, message);
}

/* --- rules -------------------------------------------------------------------- */

static const struct rule_modules watch_modules = {
	.lookup = module_lookup,
};

static int
rule_cmp_id(const void *a, const void *b)
{
	const struct rule *x = *(const struct rule *const *)a;
	const struct rule *y = *(const struct rule *const *)b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Makes w->by_id from set (rules sorted by ID, then name). */
static int
watch_index_rules(struct watcher *w, struct rule_set *set)
{
	const struct rule **v;
	size_t n_ids = 0;

	v = calloc(set->n + 1, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < set->n; i++)
		v[i] = set->rules[i];
	qsort(v, set->n, sizeof(*v), rule_cmp_id);
	for (size_t i = 0; i < set->n; i++)
		if (i == 0 || v[i]->id != v[i - 1]->id)
			n_ids++;
	free(w->by_id);
	w->by_id = v;
	w->n_by_id = set->n;
	w->n_ids = n_ids;
	return 0;
}

/* The first rule of w->by_id with this id; *ret_n how many have it. */
static const struct rule **
watch_rules_for(const struct watcher *w, unsigned id, size_t *ret_n)
{
	size_t lo = 0, hi = w->n_by_id, n = 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->by_id[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo + n < w->n_by_id && w->by_id[lo + n]->id == id)
		n++;
	*ret_n = n;
	return w->by_id + lo;
}

/* --- the journal --------------------------------------------------------------- */

/* Filters the journal on the rules' IDs: a backlog costs what matches. With
 * no rules, the filter is EVENT_ID=0, which no event can carry, so that
 * nothing is read rather than everything. */
static int
watch_set_matches(struct watcher *w)
{
	char m[32];
	int r;

	sd_journal_flush_matches(w->j);
	for (size_t i = 0; i < w->n_by_id; i++) {
		if (i > 0 && w->by_id[i]->id == w->by_id[i - 1]->id)
			continue;
		snprintf(m, sizeof(m), "%s=%u", EVENT_FIELD_ID, w->by_id[i]->id);
		r = sd_journal_add_match(w->j, m, 0);
		if (r < 0)
			return r;
	}
	if (w->n_by_id == 0) {
		r = sd_journal_add_match(w->j, EVENT_FIELD_ID "=0", 0);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Positions the journal just after w->cursor: on the next entry to handle
 * (have_current) or at the end. If the cursor's entry is gone (vacuumed),
 * the seek lands where it was and the next entry is after it: nothing is
 * replayed and nothing skipped. Without a cursor: the head. */
static int
watch_seek(struct watcher *w)
{
	int r;

	w->have_current = false;
	if (w->cursor == NULL)
		return sd_journal_seek_head(w->j);
	r = sd_journal_seek_cursor(w->j, w->cursor);
	if (r < 0)
		return r;
	r = sd_journal_next(w->j);
	if (r <= 0)
		return r;
	r = sd_journal_test_cursor(w->j, w->cursor);
	if (r < 0)
		return r;
	w->have_current = r == 0;
	return 0;
}

/* At the very first start, the position is the current end of the journal:
 * what was logged before evtrigger ever ran is history, not a trigger. */
static int
watch_cursor_of_tail(sd_journal *j, char **ret)
{
	int r;

	r = sd_journal_seek_tail(j);
	if (r < 0)
		return r;
	r = sd_journal_previous(j);
	if (r < 0)
		return r;
	if (r == 0) {
		*ret = NULL;    /* an empty journal: everything is new */
		return 0;
	}
	return sd_journal_get_cursor(j, ret);
}

static int
watch_store_cursor(struct watcher *w)
{
	int r;

	if (!w->cursor_dirty || w->cursor == NULL)
		return 0;
	r = cursor_store(w->state_dir, w->cursor);
	if (r < 0) {
		report_errno(r, "cannot store the journal position in %s/%s",
			     w->state_dir, CURSOR_FILE);
		return r;
	}
	w->cursor_dirty = false;
	if (w->jobs != NULL)    /* none yet when the journal is opened */
		job_manager_cursor_stored(w->jobs, now_usec(CLOCK_REALTIME));
	return 0;
}

/* The fields of the current entry, trusted _-fields included, bounded: each
 * value is cut to WATCH_DATA_THRESHOLD bytes (sd_journal_set_data_threshold
 * bounds only decompression; an uncompressed field comes whole), at most
 * WATCH_FIELDS_MAX fields and WATCH_ENTRY_MAX bytes in all are read, so an
 * unprivileged user logging huge fields cannot make the daemon copy them.
 * *ret_cut tells whether anything was cut or left out: such an entry never
 * triggers (a cut value could match where the whole one would not).
 * Data objects that cannot be read (a journal file damaged by an unclean
 * shutdown: EBADMSG) are skipped, so one bad entry cannot stall the
 * watcher. */
static int
watch_read_fields(sd_journal *j, struct fields **ret, bool *ret_cut)
{
	_cleanup_(fields_freep) struct fields *f = fields_new();
	const void *data;
	size_t len, n = 0, total = 0;
	bool cut = false;
	int r;

	if (f == NULL)
		return -ENOMEM;
	sd_journal_restart_data(j);
	while ((r = sd_journal_enumerate_available_data(j, &data, &len)) > 0) {
		if (++n > WATCH_FIELDS_MAX) {
			cut = true;
			break;
		}
		if (len > WATCH_DATA_THRESHOLD) {
			len = WATCH_DATA_THRESHOLD;
			cut = true;
		}
		if (total + len > WATCH_ENTRY_MAX) {
			cut = true;
			continue;
		}
		total += len;
		r = fields_add_data(f, data, len);
		if (r == -ENOMEM)
			return r;
		/* a malformed data object (no '=') is skipped */
	}
	if (r < 0)
		return r;
	*ret = TAKE_PTR(f);
	*ret_cut = cut;
	return 0;
}

/* The rate limit slot of writer uid: the one it has, or a free one, or
 * the one used longest ago (its count reported first). */
static struct reject_limit *
watch_reject_slot(struct watcher *w, const char *uid, uint64_t now);

static void
watch_report_suppressed(struct watcher *w, struct reject_limit *l)
{
	char msg[160], f_uid[48], f_sup[48], f_reason[128];
	const char *more[3] = { f_uid, f_sup, f_reason };

	if (l->suppressed == 0)
		return;
	snprintf(msg, sizeof(msg), "%" PRIu64 " more triggers written by uid "
		 "%s were rejected and not reported one by one", l->suppressed,
		 l->uid);
	snprintf(f_uid, sizeof(f_uid), EVT_FIELD_TRIGGER_UID "=%s", l->uid);
	snprintf(f_sup, sizeof(f_sup), EVT_FIELD_SUPPRESSED "=%" PRIu64,
		 l->suppressed);
	snprintf(f_reason, sizeof(f_reason), EVT_FIELD_REASON "=rate limit: "
		 "at most %d reports per writer a minute", WATCH_REJECT_BURST);
	watch_event(EVT_TRIGGER_REJECTED, msg, more, ELEMENTSOF(more));
	l->suppressed = 0;
}

static struct reject_limit *
watch_reject_slot(struct watcher *w, const char *uid, uint64_t now)
{
	struct reject_limit *oldest = NULL;

	for (size_t i = 0; i < WATCH_REJECT_WRITERS; i++) {
		struct reject_limit *l = &w->limits[i];

		if (l->uid[0] != '\0' && streq(l->uid, uid))
			return l;
	}
	for (size_t i = 0; i < WATCH_REJECT_WRITERS; i++) {
		struct reject_limit *l = &w->limits[i];

		if (l->uid[0] == '\0') {
			oldest = l;
			break;
		}
		if (oldest == NULL || l->window_start < oldest->window_start)
			oldest = l;
	}
	watch_report_suppressed(w, oldest);
	*oldest = (struct reject_limit){ .window_start = now };
	snprintf(oldest->uid, sizeof(oldest->uid), "%s", uid);
	return oldest;
}

/* Logs TRIGGER_REJECTED for rule and the entry (fields f, at cursor):
 * REASON, who wrote it (TRIGGER_*, CHAIN_DEPTH: watch/entry.h), rate
 * limited per writer. Never about an entry that is itself one of
 * evtrigger's TRIGGER_REJECTED: a rejection never begets another. */
static void
watch_reject(struct watcher *w, const struct rule *rule,
	     const struct fields *f, const char *cursor, const char *reason)
{
	_cleanup_(strv_freep) char **more = NULL;
	_cleanup_(freep) char *msg = NULL;
	struct reject_limit *l;
	struct entry_writer who;
	const char *id = fields_get(f, EVENT_FIELD_ID);
	uint64_t now = now_usec(CLOCK_MONOTONIC), suppressed;
	size_t n = 0;
	char uidbuf[24];
	int r;

	if (entry_is_own(f, w->own_uid) && id != NULL &&
	    (unsigned)atoi(id) == EVT_TRIGGER_REJECTED)
		return;
	entry_get_writer(f, w->own_uid, &who);
	snprintf(uidbuf, sizeof(uidbuf), "%s", who.uid != NULL ? who.uid : "?");
	l = watch_reject_slot(w, uidbuf, now);
	if (now - l->window_start >= WATCH_REJECT_WINDOW_USEC) {
		l->window_start = now;
		l->sent = 0;
	}
	if (l->sent >= WATCH_REJECT_BURST) {
		l->suppressed++;
		return;
	}
	l->sent++;
	suppressed = l->suppressed;
	l->suppressed = 0;

	more = calloc(1, sizeof(char *));
	if (more == NULL)
		return;
	r = strv_extendf(&more, &n, EVT_FIELD_RULE "=%s", rule->name);
	if (r >= 0)
		r = strv_extendf(&more, &n, EVT_FIELD_REASON "=%s", reason);
	if (r >= 0)
		r = strv_extendf(&more, &n, EVT_FIELD_TRIGGER_CURSOR "=%s",
				 cursor);
	if (r >= 0 && rule->vm != NULL)
		r = strv_extendf(&more, &n, EVT_FIELD_VM "=%s", rule->vm);
	if (r >= 0 && suppressed > 0)
		r = strv_extendf(&more, &n, EVT_FIELD_SUPPRESSED "=%" PRIu64,
				 suppressed);
	if (r >= 0)
		r = entry_origin_fields(f, w->own_uid, &more, &n);
	if (r < 0 ||
	    asprintf(&msg, "trigger for rule '%s' rejected: %s (written by "
		     "uid %s%s%s%s%s)", rule->name, reason, uidbuf,
		     who.comm != NULL ? ", " : "",
		     who.comm != NULL ? who.comm : "",
		     who.unit != NULL ? ", unit " : "",
		     who.unit != NULL ? who.unit : "") < 0)
		return;
	watch_event(EVT_TRIGGER_REJECTED, msg, (const char *const *)more, n);
}

/* Reports EVENT_UNPLACED for the entry f, once per event (EVENT_SENDER and
 * EVENT_UUID) among the last WATCH_UNPLACED_KEPT reported. */
static void
watch_unplaced(struct watcher *w, const struct fields *f, const char *cursor)
{
	const char *vm = fields_get(f, EVT_FIELD_VM);
	const char *uuid = fields_get(f, EVENT_FIELD_UUID);
	const char *sender = fields_get(f, EVENT_FIELD_SENDER);
	char key[sizeof(w->unplaced[0])], msg[1024], f_vm[300], f_uuid[80],
	     f_sender[300], f_reason[200], f_cursor[600];
	const char *more[5] = { f_vm, f_uuid, f_sender, f_reason, f_cursor };

	if (vm == NULL)
		vm = "";
	if (uuid == NULL)
		uuid = "";
	if (sender == NULL)
		sender = "";
	snprintf(key, sizeof(key), "%.256s\n%.256s", sender, uuid);
	for (size_t i = 0; i < WATCH_UNPLACED_KEPT; i++)
		if (streq(w->unplaced[i], key))
			return;
	snprintf(w->unplaced[w->unplaced_next], sizeof(key), "%s", key);
	w->unplaced_next = (w->unplaced_next + 1) % WATCH_UNPLACED_KEPT;
	snprintf(msg, sizeof(msg), "event %s from %s%s%s: its VM runs on no "
		 "host and no rule that matches it names a host (host =) to "
		 "run it; nothing runs it", uuid, sender, vm[0] ? " for VM " : "",
		 vm);
	snprintf(f_vm, sizeof(f_vm), EVT_FIELD_VM "=%s", vm);
	snprintf(f_uuid, sizeof(f_uuid), EVENT_FIELD_UUID "=%s", uuid);
	snprintf(f_sender, sizeof(f_sender), EVENT_FIELD_SENDER "=%s", sender);
	snprintf(f_reason, sizeof(f_reason), EVT_FIELD_REASON "=the VM runs "
		 "on no host and no matching rule names a host");
	snprintf(f_cursor, sizeof(f_cursor), EVT_FIELD_TRIGGER_CURSOR "=%s",
		 cursor);
	watch_event(EVT_EVENT_UNPLACED, msg, more, ELEMENTSOF(more));
}

/* Handles the current entry: every rule with its ID. Returns 0, or a
 * negative errno when a job could not be recorded (the entry must be seen
 * again). */
static int
watch_handle_entry(struct watcher *w, const char *cursor)
{
	_cleanup_(fields_freep) struct fields *f = NULL, *as_writer = NULL;
	const struct rule **rules;
	const char *idtext, *about_rule = NULL;
	struct entry_placement placement = { 0 };
	const char *entry_host = NULL;
	unsigned depth = 0;
	bool own;
	uint64_t when = 0, now;
	unsigned id;
	size_t n;
	bool cut = false;
	int r;

	r = watch_read_fields(w->j, &f, &cut);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		/* Never stall on one entry that cannot be read: skip it. */
		report_errno(r, "skipping journal entry %s that cannot be "
			     "read", cursor);
		return 0;
	}
	idtext = fields_get(f, EVENT_FIELD_ID);
	if (idtext == NULL || event_parse_id(idtext, &id) < 0)
		return 0;
	rules = watch_rules_for(w, id, &n);
	if (n == 0)
		return 0;
	own = entry_is_own(f, w->own_uid);
	if (cut) {
		for (size_t i = 0; i < n; i++)
			watch_reject(w, rules[i], f, cursor, "the event is too large: "
				     "a field over 64K, more than 256K of "
				     "fields or more than 512 fields");
		return 0;
	}
	(void)sd_journal_get_realtime_usec(w->j, &when);
	now = now_usec(CLOCK_REALTIME);
	if (rule_entry_from_listener(f, &w->trust))
		entry_host = fields_get(f, EVENT_FIELD_ENTRY_HOST);
	if (own) {
		/* evtrigger's own event: believed as written by whoever wrote
		 * the event at the start of its chain (watch/entry.h). */
		r = entry_as_writer(f, w->own_uid, &as_writer);
		if (r < 0)
			return r;
		depth = entry_chain_depth(f, w->own_uid);
		about_rule = fields_get(f, EVT_FIELD_RULE);
	}

	for (size_t i = 0; i < n; i++) {
		const struct rule *rule = rules[i];
		const char *reason = NULL;
		char text[256], job_id[JOB_ID_LEN + 1];
		uint64_t max_age = rule->max_age_usec != 0 ? rule->max_age_usec
							   : w->max_age_usec;
		enum rule_verdict v;

		if (own && !rule->evtrigger_events)
			continue;       /* not asked for: not even a report */
		v = rule_explain(rule, own ? as_writer : f, &w->trust, text,
				 sizeof(text), &reason);
		entry_placement_add(&placement, rule, v);
		if (v != RULE_FIRES) {
			/* RULE_ELSEWHERE: another host's (or nobody's, then
			 * EVENT_UNPLACED below), not refused. */
			if (v == RULE_UNTRUSTED)
				watch_reject(w, rule, f, cursor, reason);
			continue;
		}
		if (own && about_rule != NULL && streq(about_rule, rule->name)) {
			watch_reject(w, rule, f, cursor, "an event of this "
				     "rule's own job or about this rule: it "
				     "never fires the rule again");
			continue;
		}
		if (own && depth >= ENTRY_CHAIN_MAX) {
			if (depth == ENTRY_CHAIN_MAX) {
				snprintf(text, sizeof(text), "a chain of %u "
					 "rules fired by evtrigger's own "
					 "events: at most %d",
					 depth + 1, ENTRY_CHAIN_MAX);
				watch_reject(w, rule, f, cursor, text);
			}
			continue;
		}
		reason = entry_too_old(f, &w->trust, when, now, max_age, text,
				       sizeof(text));
		if (reason != NULL) {
			watch_reject(w, rule, f, cursor, reason);
			continue;
		}
		r = entry_job_id(f, cursor, rule, &w->trust, job_id);
		if (r < 0)
			return r;
		{
			uint64_t t0 = now_usec(CLOCK_THREAD_CPUTIME_ID);

			r = job_manager_trigger(w->jobs, rule, f, cursor,
						job_id, entry_host,
						w->trust.host);
			w->trigger_usec += now_usec(CLOCK_THREAD_CPUTIME_ID) - t0;
		}
		if (r == -EALREADY)
			continue;       /* seen before (a crash, or a resend of
					 * a remote event): its job exists */
		if (r < 0) {
			report_errno(r, "cannot record a job for rule '%s' "
				     "(entry %s)", rule->name, cursor);
			return r;
		}
	}
	if (entry_placement_unowned(&placement, f, &w->trust))
		watch_unplaced(w, f, cursor);
	return 0;
}

/* Handles up to WATCH_BATCH_MAX new entries, then stores the cursor.
 * Returns 1 if more may be waiting, 0 if the journal is drained, <0 if
 * handling must stop for now (w->stalled). */
static int
watch_batch(struct watcher *w)
{
	size_t n = 0;
	int r = 0;

	while (n < WATCH_BATCH_MAX) {
		_cleanup_(freep) char *cursor = NULL;

		if (w->have_current)
			w->have_current = false;
		else {
			r = sd_journal_next(w->j);
			if (r < 0) {
				report_errno(r, "cannot read the journal");
				break;
			}
			if (r == 0)
				break;
		}
		r = sd_journal_get_cursor(w->j, &cursor);
		if (r < 0)
			continue;
		r = watch_handle_entry(w, cursor);
		if (r < 0) {
			w->stalled = true;
			break;
		}
		free(w->cursor);
		w->cursor = TAKE_PTR(cursor);
		w->cursor_dirty = true;
		n++;
	}
	(void)watch_store_cursor(w);
	if (w->stalled)
		return -EAGAIN;
	return n == WATCH_BATCH_MAX ? 1 : 0;
}

static int watch_on_retry(sd_event_source *s, uint64_t usec, void *userdata);

/* Handles what is waiting, in batches: the next batch runs from the loop
 * (a defer source) so that signals and the watchdog are served between. */
static void
watch_drain(struct watcher *w)
{
	int r;

	if (w->stalled)
		return;
	r = watch_batch(w);
	if (r > 0)
		(void)sd_event_source_set_enabled(w->more, SD_EVENT_ONESHOT);
	else if (r < 0) {
		uint64_t now;

		sd_event_now(w->ev, CLOCK_MONOTONIC, &now);
		sd_event_source_set_time(w->retry, now + WATCH_RETRY_USEC);
		sd_event_source_set_enabled(w->retry, SD_EVENT_ONESHOT);
	}
}

static int
watch_on_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct watcher *w = userdata;
	int r;

	w->stalled = false;
	r = watch_seek(w);
	if (r < 0)
		report_errno(r, "cannot seek the journal");
	watch_drain(w);
	return 0;
}

static int
watch_on_more(sd_event_source *s, void *userdata)
{
	watch_drain(userdata);
	return 0;
}

static int
watch_on_journal(sd_event_source *s, int fd, uint32_t revents,
		 void *userdata)
{
	struct watcher *w = userdata;
	int r;

	r = sd_journal_process(w->j);
	if (r < 0) {
		report_errno(r, "cannot follow the journal");
		return 0;
	}
	if (r == SD_JOURNAL_INVALIDATE && !w->stalled) {
		/* Files were added or removed (rotation, vacuum): take up
		 * again from the last entry handled. */
		r = watch_seek(w);
		if (r < 0)
			report_errno(r, "cannot seek the journal after it "
				     "changed");
	}
	watch_drain(w);
	return 0;
}

/* Puts the probe on the last entry of the journal. */
static int
watch_probe_to_tail(struct watcher *w)
{
	int r;

	r = sd_journal_seek_tail(w->probe);
	if (r < 0)
		return r;
	r = sd_journal_previous(w->probe);
	return r < 0 ? r : 0;
}

/* Whether the probe's current entry has an EVENT_ID some rule triggers on. */
static bool
watch_probe_entry_relevant(struct watcher *w)
{
	const void *data;
	size_t len, n;
	char text[8];
	unsigned id;

	if (sd_journal_get_data(w->probe, EVENT_FIELD_ID, &data, &len) < 0)
		return false;
	len -= strlen(EVENT_FIELD_ID "=");
	if (len == 0 || len >= sizeof(text))
		return false;
	memcpy(text, (const char *)data + strlen(EVENT_FIELD_ID "="), len);
	text[len] = '\0';
	if (event_parse_id(text, &id) < 0)
		return false;
	(void)watch_rules_for(w, id, &n);
	return n > 0;
}

/* Every poll_usec: walks the probe over what is new (a field lookup per
 * entry) and reads the filtered journal only if one of them has an ID of
 * ours; under a stream of unrelated entries, that read, dear with many IDs
 * in the filter, is not made at all. */
static int
watch_on_poll(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct watcher *w = userdata;
	uint64_t next = w->poll_usec, t0, reading;
	bool relevant = false;
	size_t n = 0;
	int r;

	t0 = now_usec(CLOCK_THREAD_CPUTIME_ID);
	while ((r = sd_journal_next(w->probe)) > 0) {
		if (!relevant)
			relevant = watch_probe_entry_relevant(w);
		if (++n == WATCH_PROBE_MAX) {
			/* Far behind: the filtered read is cheaper. */
			(void)watch_probe_to_tail(w);
			relevant = true;
			break;
		}
	}
	if (relevant) {
		w->trigger_usec = 0;
		watch_drain(w);
	}
	/* What looking cost in CPU time: not the jobs it started, nor the
	 * time others had the CPU. */
	reading = now_usec(CLOCK_THREAD_CPUTIME_ID) - t0;
	if (relevant)
		reading = reading > w->trigger_usec ? reading - w->trigger_usec : 0;
	if (reading * WATCH_POLL_COST_SHARE > next)
		next = reading * WATCH_POLL_COST_SHARE;
	if (next > WATCH_POLL_MAX_USEC)
		next = WATCH_POLL_MAX_USEC;
	(void)sd_event_source_set_time(s, now_usec(CLOCK_MONOTONIC) + next);
	return 0;
}

/* The probe's own notifications: new files (rotation) must be seen by it. */
static int
watch_on_probe_journal(sd_event_source *s, int fd, uint32_t revents,
		       void *userdata)
{
	struct watcher *w = userdata;

	if (sd_journal_process(w->probe) == SD_JOURNAL_INVALIDATE)
		(void)watch_probe_to_tail(w);
	return 0;
}

/* --- reload, stop ---------------------------------------------------------------- */

static void
watch_status(struct watcher *w)
{
	sd_notifyf(0, "STATUS=watching %zu rules (%zu event IDs), %zu jobs "
		      "running", w->n_by_id, w->n_ids,
		   w->jobs != NULL ? job_manager_running(w->jobs) : 0);
}

static void
watch_log_rule_count(enum evt_id id, const struct watcher *w)
{
	char msg[128], count[48];
	const char *more[] = { count };

	snprintf(count, sizeof(count), EVT_FIELD_RULE_COUNT "=%zu",
		 w->n_by_id);
	snprintf(msg, sizeof(msg), "%s: %zu rules, %zu event IDs",
		 id == EVT_DAEMON_STARTED ? "evtrigger started" : "rules loaded",
		 w->n_by_id, w->n_ids);
	watch_event(id, msg, more, ELEMENTSOF(more));
}

static void
watch_log_invalid(const char *dir, const struct rule_errors *errors)
{
	_cleanup_(freep) char *list = NULL, *field = NULL, *msg = NULL;
	size_t len = 0;
	FILE *f;
	const char *more[1];

	f = open_memstream(&list, &len);
	if (f == NULL)
		return;
	for (size_t i = 0; i < errors->n; i++)
		fprintf(f, "%s%s", i > 0 ? "\n" : "", errors->lines[i]);
	fclose(f);
	if (asprintf(&field, EVT_FIELD_ERRORS "=%s", list) < 0 ||
	    asprintf(&msg, "rules in '%s' not loaded, %zu errors, the "
			   "previous rules stay in force: %s", dir, errors->n,
		     errors->n > 0 ? errors->lines[0] : "") < 0)
		return;
	more[0] = field;
	watch_event(EVT_RULES_INVALID, msg, more, 1);
}

static void
watch_reload(struct watcher *w)
{
	struct rule_set *set = NULL;
	struct rule_errors errors = { 0 };
	int r;

	sd_notify(0, "RELOADING=1\nSTATUS=reloading rules");
	r = rule_set_load_dir(w->rules_dir, &watch_modules, &set, &errors);
	if (r < 0) {
		report_error(0, "reload: rules in '%s' not loaded, keeping "
			     "the previous rules:", w->rules_dir);
		cmd_print_rule_errors(&errors);
		watch_log_invalid(w->rules_dir, &errors);
		rule_errors_clear(&errors);
		goto out_ready;
	}
	rule_errors_clear(&errors);

	r = watch_index_rules(w, set);
	if (r < 0) {
		rule_set_free(set);
		goto out_ready;
	}
	job_manager_set_rules(w->jobs, set);
	rule_set_free(w->rules);
	w->rules = set;

	/* New IDs: filter again and take up from the last entry handled. */
	r = watch_set_matches(w);
	if (r >= 0 && !w->stalled)
		r = watch_seek(w);
	if (r < 0)
		report_errno(r, "reload: cannot filter the journal");
	watch_log_rule_count(EVT_RULES_LOADED, w);
	watch_drain(w);
out_ready:
	sd_notify(0, "READY=1");
	watch_status(w);
}

static int
watch_on_signal(sd_event_source *s, const struct signalfd_siginfo *si,
		void *userdata)
{
	struct watcher *w = userdata;

	if (si->ssi_signo == SIGHUP) {
		watch_reload(w);
		return 0;
	}
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
	return sd_event_exit(w->ev, 0);
}

/* --- start ---------------------------------------------------------------------- */

/* Creates state_dir if needed and takes its lock: two watchers on one
 * state directory would start jobs twice. A POSIX record lock (fcntl), not
 * flock: job processes forked from the watcher do not inherit it, so a
 * watcher restarted while jobs run can take it. Returns the fd or -errno. */
static int
watch_lock_state(const char *state_dir)
{
	_cleanup_(freep) char *path = NULL;
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd;

	if (mkdir(state_dir, 0700) < 0 && errno != EEXIST) {
		report_errno(-errno, "cannot create state directory '%s'",
			     state_dir);
		return -errno;
	}
	if (asprintf(&path, "%s/%s", state_dir, WATCH_LOCK_FILE) < 0)
		return -ENOMEM;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		report_errno(-errno, "cannot open '%s'", path);
		return -errno;
	}
	if (fcntl(fd, F_SETLK, &fl) < 0) {
		int e = errno;

		report_error(0, "'%s' is locked: another evtrigger run uses "
			     "this state directory", path);
		close(fd);
		return -e;
	}
	return fd;
}

static int
watch_open_journal(struct watcher *w)
{
	_cleanup_(freep) char *stored = NULL;
	int r;

	/* Local files, system and users' (a rule may name a local uid whose
	 * entries journald keeps in a user file). */
	r = sd_journal_open(&w->j, SD_JOURNAL_LOCAL_ONLY);
	if (r < 0) {
		report_errno(r, "cannot open the journal");
		return r;
	}
	(void)sd_journal_set_data_threshold(w->j, WATCH_DATA_THRESHOLD);

	r = cursor_load(w->state_dir, &stored);
	if (r == -ENOENT) {
		r = watch_cursor_of_tail(w->j, &stored);
		if (r < 0) {
			report_errno(r, "cannot find the end of the journal");
			return r;
		}
		if (stored != NULL) {
			w->cursor = strdup(stored);
			if (w->cursor == NULL)
				return -ENOMEM;
			w->cursor_dirty = true;
			(void)watch_store_cursor(w);
		}
	} else if (r < 0) {
		report_error(0, "cannot read the journal position from "
			     "'%s/%s': %s (remove the file to start at "
			     "the end of the journal)",
			     w->state_dir, CURSOR_FILE,
			     r == -EBADMSG ? "not a journal cursor" :
					     strerror(-r));
		return r;
	} else
		w->cursor = TAKE_PTR(stored);

	r = watch_set_matches(w);
	if (r >= 0)
		r = watch_seek(w);
	if (r < 0) {
		report_errno(r, "cannot position the journal");
		return r;
	}
	return 0;
}

static int
watch_setup_loop(struct watcher *w)
{
	sigset_t mask;
	int r, fd, events;

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGCHLD);      /* the job manager's child sources */
	sigprocmask(SIG_BLOCK, &mask, NULL);

	r = sd_event_default(&w->ev);
	if (r < 0)
		return r;
	if ((r = sd_event_add_signal(w->ev, NULL, SIGHUP, watch_on_signal, w)) < 0 ||
	    (r = sd_event_add_signal(w->ev, NULL, SIGTERM, watch_on_signal, w)) < 0 ||
	    (r = sd_event_add_signal(w->ev, NULL, SIGINT, watch_on_signal, w)) < 0)
		return r;
	fd = sd_journal_get_fd(w->j);
	if (fd < 0)
		return fd;
	events = sd_journal_get_events(w->j);
	if (events < 0)
		return events;
	r = sd_event_add_io(w->ev, &w->io, fd, (uint32_t)events,
			    watch_on_journal, w);
	if (r < 0)
		return r;
	r = sd_event_add_defer(w->ev, &w->more, watch_on_more, w);
	if (r < 0)
		return r;
	sd_event_source_set_enabled(w->more, SD_EVENT_OFF);
	r = sd_event_add_time(w->ev, &w->retry, CLOCK_MONOTONIC, 0, 0,
			      watch_on_retry, w);
	if (r < 0)
		return r;
	sd_event_source_set_enabled(w->retry, SD_EVENT_OFF);
	if (w->poll_usec > 0) {
		uint64_t now;

		r = sd_journal_open(&w->probe, SD_JOURNAL_LOCAL_ONLY);
		if (r < 0)
			return r;
		r = watch_probe_to_tail(w);
		if (r < 0)
			return r;
		fd = sd_journal_get_fd(w->probe);
		if (fd < 0)
			return fd;
		r = sd_event_add_io(w->ev, &w->probe_io, fd,
				    (uint32_t)sd_journal_get_events(w->probe),
				    watch_on_probe_journal, w);
		if (r < 0)
			return r;
		sd_event_now(w->ev, CLOCK_MONOTONIC, &now);
		r = sd_event_add_time(w->ev, &w->poll, CLOCK_MONOTONIC,
				      now + w->poll_usec, w->poll_usec / 4,
				      watch_on_poll, w);
		if (r < 0)
			return r;
		sd_event_source_set_enabled(w->poll, SD_EVENT_ON);
	}
	(void)sd_event_set_watchdog(w->ev, true);
	return 0;
}

static void
watch_done(struct watcher *w)
{
	sd_event_source_unref(w->io);
	sd_event_source_unref(w->more);
	sd_event_source_unref(w->retry);
	sd_event_source_unref(w->poll);
	sd_event_source_unref(w->probe_io);
	sd_journal_close(w->probe);
	job_manager_free(w->jobs);
	sd_journal_close(w->j);
	sd_event_unref(w->ev);
	rule_set_free(w->rules);
	free(w->by_id);
	free(w->cursor);
}

int
watch_run(const struct watch_options *o)
{
	struct watcher w = { 0 };
	struct rule_errors errors = { 0 };
	_cleanup_(closep) int lock_fd = -1;
	int r, ret = EXIT_RUNTIME;

	w.rules_dir = o->rules_dir;
	w.state_dir = o->state_dir;
	w.max_age_usec = o->max_age_usec;
	w.poll_usec = o->poll_usec;
	w.trust = o->trust;
	w.own_uid = geteuid();

	r = rule_set_load_dir(w.rules_dir, &watch_modules, &w.rules, &errors);
	if (r < 0) {
		cmd_print_rule_errors(&errors);
		report_error(0, "rules in '%s' not loaded: %zu errors",
			     w.rules_dir, errors.n);
		rule_errors_clear(&errors);
		return EXIT_RULES;
	}
	rule_errors_clear(&errors);
	if (watch_index_rules(&w, w.rules) < 0)
		goto out;

	lock_fd = watch_lock_state(w.state_dir);
	if (lock_fd < 0)
		goto out;
	if (watch_open_journal(&w) < 0)
		goto out;
	r = watch_setup_loop(&w);
	if (r < 0) {
		report_errno(r, "cannot set up the event loop");
		goto out;
	}
	r = job_manager_new(w.ev, w.state_dir, &w.jobs);
	if (r < 0) {
		report_errno(r, "cannot start the job manager in '%s'",
			     w.state_dir);
		goto out;
	}
	job_manager_set_rules(w.jobs, w.rules);
	r = job_manager_recover(w.jobs);
	if (r < 0)
		report_errno(r, "recovering interrupted jobs");

	watch_log_rule_count(EVT_DAEMON_STARTED, &w);
	sd_notify(0, "READY=1");
	watch_status(&w);
	/* What was logged while evtrigger was stopped. */
	watch_drain(&w);

	r = sd_event_loop(w.ev);
	if (r < 0)
		report_errno(r, "event loop");
	(void)watch_store_cursor(&w);
	for (size_t i = 0; i < WATCH_REJECT_WRITERS; i++)
		watch_report_suppressed(&w, &w.limits[i]);
	watch_event(EVT_DAEMON_STOPPED, "evtrigger stopped", NULL, 0);
	ret = r < 0 ? EXIT_RUNTIME : 0;
out:
	watch_done(&w);
	return ret;
}
