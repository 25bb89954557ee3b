/* The job manager (see manager.h): records jobs before anything runs, starts
 * one job process per job (`evtrigger job ID`, a session of its own so it
 * outlives the daemon), one job per VM (or per rule) at a time, queues or
 * ignores the rest, and at start adopts running jobs and reports the
 * interrupted ones. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>

#include "evt-ids.h"
#include "fileio.h"
#include "jobs/manager.h"
#include "jobs/module.h"
#include "jobs/process.h"
#include "jobs/record.h"
#include "options.h"
#include "spawn.h"
#include "time.h"

/* Ended jobs kept for `evtrigger jobs`: at most this many, none older. */
#define JOB_KEEP_MAX  200
#define JOB_KEEP_USEC (7ULL * 24 * 3600 * 1000000ULL)
#define JOB_PRUNE_USEC (60ULL * 1000000ULL)
#define RULE_TEXT_MAX (1024 * 1024)

struct active {
	struct job_manager *m;
	char *id;
	char *key;
	pid_t pid;
	int pidfd;
	sd_event_source *src;
};

struct queued {
	char *id;
	char *key;
};

struct job_manager {
	sd_event *ev;
	char *state_dir;
	const struct rule_set *rules;
	struct active **active;
	size_t n_active;
	struct queued *queue;           /* in the order they start */
	size_t n_queue;
	uint64_t last_prune;            /* monotonic */
	/* When the watcher last stored its journal position (realtime; 0:
	 * not yet in this run). Records of entries made after it may be
	 * needed by a replay after a crash: prune keeps them. */
	uint64_t cursor_stored;
};

static void active_free(struct active *a);

int
job_manager_new(sd_event *ev, const char *state_dir, struct job_manager **ret)
{
	struct job_manager *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return -ENOMEM;
	m->state_dir = strdup(state_dir);
	if (m->state_dir == NULL) {
		free(m);
		return -ENOMEM;
	}
	m->ev = sd_event_ref(ev);
	*ret = m;
	return 0;
}

void
job_manager_free(struct job_manager *m)
{
	if (m == NULL)
		return;
	/* Running jobs go on without us; a new manager adopts them. */
	for (size_t i = 0; i < m->n_active; i++)
		active_free(m->active[i]);
	free(m->active);
	for (size_t i = 0; i < m->n_queue; i++) {
		free(m->queue[i].id);
		free(m->queue[i].key);
	}
	free(m->queue);
	sd_event_unref(m->ev);
	free(m->state_dir);
	free(m);
}

void
job_manager_set_rules(struct job_manager *m, const struct rule_set *rules)
{
	m->rules = rules;
}

size_t
job_manager_running(const struct job_manager *m)
{
	return m->n_active;
}

/* One job per VM, or per rule when the rule names no VM. */
static char *
job_key(const struct job_record *rec)
{
	char *k;

	if (asprintf(&k, "%s:%s", rec->vm != NULL ? "vm" : "rule",
		     rec->vm != NULL ? rec->vm : rec->rule) < 0)
		return NULL;
	return k;
}

static struct active *
find_active(const struct job_manager *m, const char *key)
{
	for (size_t i = 0; i < m->n_active; i++)
		if (streq(m->active[i]->key, key))
			return m->active[i];
	return NULL;
}

static bool
is_active_id(const struct job_manager *m, const char *id)
{
	for (size_t i = 0; i < m->n_active; i++)
		if (streq(m->active[i]->id, id))
			return true;
	return false;
}

static bool
is_queued_key(const struct job_manager *m, const char *key)
{
	for (size_t i = 0; i < m->n_queue; i++)
		if (streq(m->queue[i].key, key))
			return true;
	return false;
}

static int
enqueue(struct job_manager *m, const char *id, const char *key, bool front)
{
	struct queued *q;
	char *i = strdup(id), *k = strdup(key);

	for (size_t n = 0; n < m->n_queue; n++)
		if (streq(m->queue[n].id, id)) {
			free(i);
			free(k);
			return 0;
		}
	q = reallocarray(m->queue, m->n_queue + 1, sizeof(*q));
	if (q == NULL || i == NULL || k == NULL) {
		if (q != NULL)
			m->queue = q;
		free(i);
		free(k);
		return -ENOMEM;
	}
	m->queue = q;
	if (front) {
		memmove(q + 1, q, m->n_queue * sizeof(*q));
		q[0] = (struct queued){ i, k };
	} else
		q[m->n_queue] = (struct queued){ i, k };
	m->n_queue++;
	return 0;
}

static void
active_free(struct active *a)
{
	if (a == NULL)
		return;
	sd_event_source_disable_unref(a->src);
	if (a->pidfd >= 0)
		close(a->pidfd);
	free(a->id);
	free(a->key);
	free(a);
}

static void
active_remove(struct job_manager *m, struct active *a)
{
	for (size_t i = 0; i < m->n_active; i++)
		if (m->active[i] == a) {
			memmove(m->active + i, m->active + i + 1,
				(m->n_active - i - 1) * sizeof(*m->active));
			m->n_active--;
			break;
		}
	active_free(a);
}

static void job_ended(struct job_manager *m, const char *id, const char *key);

static int
on_job_exit(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct active *a = userdata;
	struct job_manager *m = a->m;
	_cleanup_(freep) char *id = strdup(a->id);
	_cleanup_(freep) char *key = strdup(a->key);
	siginfo_t si = { 0 };

	/* Reaps it if it is our child; an adopted one is not (ECHILD). */
	(void)waitid(P_PIDFD, (id_t)fd, &si, WEXITED | WNOHANG);
	active_remove(m, a);
	if (id != NULL && key != NULL)
		job_ended(m, id, key);
	return 0;
}

/* Watches pid, the process running job id (our child or adopted). */
static int
watch_process(struct job_manager *m, const struct job_record *rec, pid_t pid)
{
	_cleanup_(closep) int pidfd = -1;
	struct active *a, **v;
	int r;

	pidfd = pidfd_open(pid, 0);
	if (pidfd < 0)
		return -errno;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return -ENOMEM;
	a->m = m;
	a->pid = pid;
	a->pidfd = -1;
	a->id = strdup(rec->id);
	a->key = job_key(rec);
	v = reallocarray(m->active, m->n_active + 1, sizeof(*v));
	if (a->id == NULL || a->key == NULL || v == NULL) {
		if (v != NULL)
			m->active = v;
		active_free(a);
		return -ENOMEM;
	}
	m->active = v;
	r = sd_event_add_io(m->ev, &a->src, pidfd, EPOLLIN, on_job_exit, a);
	if (r < 0) {
		active_free(a);
		return r;
	}
	a->pidfd = TAKE_FD(pidfd);
	m->active[m->n_active++] = a;
	return 0;
}

/* Marks rec (whose lock the caller holds or no one could) failed with
 * error, and logs JOB_FAILED. */
static void
fail_record(struct job_manager *m, struct job_record *rec, const char *error)
{
	char ebuf[1100];
	const char *extra[1] = { ebuf };

	rec->state = JOB_FAILED;
	rec->ended = now_usec(CLOCK_REALTIME);
	job_record_set(&rec->error, error);
	(void)job_record_save(m->state_dir, rec);
	snprintf(ebuf, sizeof(ebuf), EVT_FIELD_ERROR "=%s", error);
	(void)jobrun_log(rec, rec->step, EVT_JOB_FAILED, extra, 1, error);
}

/* Starts the job process for the queued job rec. */
static int
start_process(struct job_manager *m, struct job_record *rec)
{
	char *argv[] = {
		(char *)"evtrigger", (char *)"job", (char *)"--state-dir",
		m->state_dir, (char *)"--action-dir", (char *)module_dir(),
		rec->id, NULL,
	};
	/* A session of its own: a daemon restart, a terminal's ^C or a kill
	 * of the daemon's process group does not reach it. stdin is
	 * /dev/null, stdout and stderr the daemon's; nothing else of the
	 * daemon's (journal, locks) goes into the job (lib/spawn.h). */
	struct spawn_opts o = {
		.stdio = { SPAWN_NULL, SPAWN_KEEP, SPAWN_KEEP },
		.new_session = true,
	};
	pid_t pid;
	int r;

	r = spawn("/proc/self/exe", argv, &o, &pid);
	if (r < 0)
		return r;
	r = watch_process(m, rec, pid);
	if (r < 0) {
		/* The caller fails the record: the child must not run on
		 * unwatched. It is our child, so pid cannot be reused before
		 * waitpid. */
		(void)kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return r;
	}
	return 0;
}

/* Starts the first queued job of key if nothing of key runs. */
static void
start_next(struct job_manager *m, const char *key)
{
	while (find_active(m, key) == NULL) {
		_cleanup_(job_record_freep) struct job_record *rec = NULL;
		_cleanup_(freep) char *id = NULL;
		size_t i;
		int r;

		for (i = 0; i < m->n_queue; i++)
			if (streq(m->queue[i].key, key))
				break;
		if (i == m->n_queue)
			return;
		id = m->queue[i].id;
		free(m->queue[i].key);
		memmove(m->queue + i, m->queue + i + 1,
			(m->n_queue - i - 1) * sizeof(*m->queue));
		m->n_queue--;
		if (job_record_load(m->state_dir, id, &rec) < 0 ||
		    rec->state != JOB_QUEUED)
			continue;       /* cancelled while queued, or gone */
		r = start_process(m, rec);
		if (r < 0) {
			char text[256];

			snprintf(text, sizeof(text),
				 "cannot start the job process: %s",
				 strerror(-r));
			fail_record(m, rec, text);
			continue;
		}
	}
}

/* Copies the rule snapshot of job `from` as the text for a new job. */
static char *
rule_snapshot(const char *state_dir, const struct job_record *from)
{
	_cleanup_(freep) char *path = NULL;
	char *text = NULL;

	if (asprintf(&path, "%s/jobs/%s/%s.rule", state_dir, from->id,
		     from->rule) < 0)
		return NULL;
	if (read_file(path, RULE_TEXT_MAX, &text, NULL) < 0)
		return NULL;
	return text;
}

static int
load_snapshot_rule(const char *state_dir, const struct job_record *rec,
		   struct rule **ret, char *err, size_t errlen)
{
	_cleanup_(freep) char *path = NULL;
	struct rule_errors errors = { 0 };
	int r;

	if (asprintf(&path, "%s/jobs/%s/%s.rule", state_dir, rec->id,
		     rec->rule) < 0)
		return -ENOMEM;
	r = rule_load_file(path, NULL, ret, &errors);
	if (r < 0)
		snprintf(err, errlen, "%s", errors.n > 0 ? errors.lines[0] :
				      strerror(-r));
	rule_errors_clear(&errors);
	return r;
}

/* Makes the recovery job record of the interrupted job rec, if its rule
 * has recovery steps or the step cut short may need its recover(). Its ID is
 * derived from rec's, so making it again (after a crash) gives -EALREADY,
 * which is fine. Returns 1 and the job's ID and queue key in *ret_id and
 * *ret_key if there is one to queue, 0 if none is needed. Called before rec
 * is marked INTERRUPTED, so a crash in between cannot lose the recovery. */
static int
make_recovery(struct job_manager *m, const struct job_record *rec,
	      char **ret_id, char **ret_key)
{
	_cleanup_(job_record_freep) struct job_record *rj = NULL;
	_cleanup_(rule_freep) struct rule *rule = NULL;
	_cleanup_(freep) char *text = NULL;
	_cleanup_(freep) char *key = NULL;
	char id[JOB_ID_LEN + 1], err[512];
	int r;

	if (rec->kind == JOB_KIND_MANUAL || rec->kind == JOB_KIND_RECOVERY)
		return 0;       /* no rule file; or recovery of a recovery */
	if (load_snapshot_rule(m->state_dir, rec, &rule, err, sizeof(err)) < 0)
		return -EINVAL;
	if (rule->n_recovery == 0 && rec->step_index == 0)
		return 0;
	text = rule_snapshot(m->state_dir, rec);
	rj = job_record_new();
	if (text == NULL || rj == NULL)
		return -ENOMEM;
	r = job_id_recovery(rec->id, id);
	if (r < 0)
		return r;
	rj->kind = JOB_KIND_RECOVERY;
	rj->state = JOB_QUEUED;
	rj->created = now_usec(CLOCK_REALTIME);
	if (job_record_set(&rj->id, id) < 0 ||
	    job_record_set(&rj->rule, rec->rule) < 0 ||
	    job_record_set(&rj->rule_path, rec->rule_path) < 0 ||
	    job_record_set(&rj->vm, rec->vm) < 0 ||
	    job_record_set(&rj->connect, rec->connect) < 0 ||
	    job_record_set(&rj->cursor, rec->cursor) < 0 ||
	    job_record_set(&rj->recovery_of, rec->id) < 0 ||
	    job_record_set(&rj->recover_step,
			   rec->step_index > 0 ? rec->step : NULL) < 0 ||
	    job_record_set(&rj->entry_host, rec->entry_host) < 0 ||
	    job_record_set(&rj->run_host, rec->run_host) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < rec->fields->n; i++)
		if (fields_add(rj->fields, rec->fields->names[i],
			       rec->fields->values[i]) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < rec->notes->n; i++)
		if (fields_add(rj->notes, rec->notes->names[i],
			       rec->notes->values[i]) < 0)
			return -ENOMEM;
	r = job_record_create(m->state_dir, rj, text);
	if (r < 0 && r != -EALREADY)
		return r;
	key = job_key(rj);
	if (key == NULL)
		return -ENOMEM;
	*ret_id = strdup(rj->id);
	if (*ret_id == NULL)
		return -ENOMEM;
	*ret_key = TAKE_PTR(key);
	return 1;
}

/* The process of job id is gone (or never came): if its record does not
 * say it ended, it was interrupted. Takes the lock so that no late job
 * process can start it meanwhile. */
static void
job_check_gone(struct job_manager *m, const char *id)
{
	_cleanup_(job_record_freep) struct job_record *rec = NULL;
	_cleanup_(closep) int lock = -1;
	_cleanup_(freep) char *rid = NULL, *rkey = NULL;
	char text[1024], sbuf[300];
	const char *extra[1] = { sbuf };
	pid_t holder;
	int rr;

	if (job_record_load(m->state_dir, id, &rec) < 0)
		return;
	if (job_state_is_final(rec->state))
		return;
	holder = job_lock_holder(m->state_dir, id);
	if (holder > 0) {
		/* Someone runs it after all (raced with our start). */
		if (!is_active_id(m, id))
			(void)watch_process(m, rec, holder);
		return;
	}
	lock = job_lock_take(m->state_dir, id);
	if (lock < 0)
		return;
	job_record_free(rec);
	rec = NULL;
	if (job_record_load(m->state_dir, id, &rec) < 0)
		return;
	if (rec->state == JOB_QUEUED) {
		/* Its process ended before it took the job (it could not
		 * run at all); it would never start on its own. */
		fail_record(m, rec, "the job process ended before starting "
				    "the job");
		return;
	}
	if (rec->state != JOB_RUNNING)
		return;

	/* The recovery record first: a crash after it and before the
	 * INTERRUPTED state is saved just sees the job gone again. */
	rr = make_recovery(m, rec, &rid, &rkey);

	rec->state = JOB_INTERRUPTED;
	rec->ended = now_usec(CLOCK_REALTIME);
	snprintf(text, sizeof(text),
		 "job interrupted in step %s: its process ended without "
		 "finishing (crash, kill or reboot)",
		 rec->step != NULL ? rec->step : "(none)");
	job_record_set(&rec->error, text);
	(void)job_record_save(m->state_dir, rec);
	snprintf(sbuf, sizeof(sbuf), EVT_FIELD_STEPS "=%s",
		 rec->steps != NULL ? rec->steps : "");
	(void)jobrun_log(rec, rec->step, EVT_JOB_INTERRUPTED, extra, 1, text);
	if (fields_get(rec->notes, EVT_NOTE_VM_DOWN) != NULL) {
		const char *reason[1] = { EVT_FIELD_REASON "=the job was "
			"interrupted; its recovery job runs the rule's "
			"recovery steps" };

		(void)jobrun_log(rec, rec->step, EVT_VM_LEFT_DOWN, reason, 1,
				 "VM left shut off: its job was interrupted "
				 "before starting it again");
	}
	closep(&lock);
	lock = -1;
	if (rr > 0 && enqueue(m, rid, rkey, true) < 0)
		rr = -ENOMEM;
	if (rr < 0)
		(void)jobrun_log(rec, rec->step, EVT_JOB_FAILED, NULL, 0,
				 "cannot set up the recovery of the "
				 "interrupted job");
}

static void
prune(struct job_manager *m)
{
	_cleanup_(strv_freep) char **ids = NULL;
	struct old {
		char *id;
		uint64_t ended;
	} *v = NULL;
	size_t n = 0, k = 0;
	uint64_t now = now_usec(CLOCK_REALTIME);

	/* Reading every record costs; once a minute is often enough. */
	if (m->last_prune != 0 &&
	    now_usec(CLOCK_MONOTONIC) - m->last_prune < JOB_PRUNE_USEC)
		return;
	m->last_prune = now_usec(CLOCK_MONOTONIC);
	if (job_list_ids(m->state_dir, &ids, &n) < 0)
		return;
	v = calloc(n + 1, sizeof(*v));
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		_cleanup_(job_record_freep) struct job_record *rec = NULL;

		int r = job_record_load(m->state_dir, ids[i], &rec);

		if (r == -EFBIG && job_lock_holder(m->state_dir, ids[i]) <= 0) {
			/* Too big to load ever: it would stay forever. */
			(void)job_record_remove(m->state_dir, ids[i]);
			continue;
		}
		if (r < 0 || !job_state_is_final(rec->state))
			continue;
		/* Made for a journal entry after the stored position: a
		 * replay must find it, or it would run that entry again. */
		if (rec->cursor != NULL && rec->created >= m->cursor_stored)
			continue;
		v[k++] = (struct old){ ids[i], rec->ended };
	}
	/* Newest first (few records: insertion sort). */
	for (size_t i = 1; i < k; i++)
		for (size_t j = i; j > 0 && v[j].ended > v[j - 1].ended; j--) {
			struct old t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (size_t i = 0; i < k; i++)
		if (i >= JOB_KEEP_MAX || v[i].ended + JOB_KEEP_USEC < now)
			(void)job_record_remove(m->state_dir, v[i].id);
	free(v);
}

static void
job_ended(struct job_manager *m, const char *id, const char *key)
{
	job_check_gone(m, id);
	start_next(m, key);
	/* A recovery job may have been queued under another key's name. */
	for (size_t i = 0; i < m->n_queue; i++)
		if (find_active(m, m->queue[i].key) == NULL) {
			_cleanup_(freep) char *k = strdup(m->queue[i].key);

			if (k != NULL)
				start_next(m, k);
			break;
		}
	prune(m);
}

static int
copy_fields(struct fields *to, const struct fields *from)
{
	for (size_t i = 0; i < from->n; i++) {
		int r = fields_add(to, from->names[i], from->values[i]);

		if (r < 0)
			return r;
	}
	return 0;
}

static char *
join_steps(const struct rule *r)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < r->n_steps; i++)
		len += strlen(r->steps[i]) + 1;
	s = calloc(1, len);
	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < r->n_steps; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, r->steps[i]);
	}
	return s;
}

int
job_manager_trigger(struct job_manager *m, const struct rule *r,
		    const struct fields *entry, const char *cursor,
		    const char *id, const char *entry_host, const char *run_host)
{
	_cleanup_(job_record_freep) struct job_record *rec = NULL;
	_cleanup_(freep) char *text = NULL;
	_cleanup_(freep) char *key = NULL;
	_cleanup_(freep) char *steps = NULL;
	char err[512] = "";
	struct active *busy;
	bool queued;
	int q;

	if (!job_id_is_valid(id))
		return -EINVAL;
	rec = job_record_new();
	steps = join_steps(r);
	if (rec == NULL || steps == NULL)
		return -ENOMEM;
	rec->kind = JOB_KIND_TRIGGER;
	rec->state = JOB_QUEUED;
	rec->created = now_usec(CLOCK_REALTIME);
	if (job_record_set(&rec->id, id) < 0 ||
	    job_record_set(&rec->rule, r->name) < 0 ||
	    job_record_set(&rec->rule_path, r->path) < 0 ||
	    job_record_set(&rec->vm, r->vm) < 0 ||
	    job_record_set(&rec->connect, r->connect) < 0 ||
	    job_record_set(&rec->cursor, cursor) < 0 ||
	    job_record_set(&rec->steps, steps) < 0 ||
	    job_record_set(&rec->entry_host, entry_host) < 0 ||
	    job_record_set(&rec->run_host, run_host) < 0 ||
	    copy_fields(rec->fields, entry) < 0)
		return -ENOMEM;
	key = job_key(rec);
	if (key == NULL)
		return -ENOMEM;

	/* The job runs the rule that matched: the text it was loaded from,
	 * whatever became of the file since (a reload that failed keeps the
	 * old rules, and so must the job). */
	if (r->text != NULL) {
		text = strdup(r->text);
		q = text != NULL ? 0 : -ENOMEM;
	} else
		q = read_file(r->path, RULE_TEXT_MAX, &text, NULL);
	if (q < 0) {
		snprintf(err, sizeof(err), "cannot read rule file %s: %s",
			 r->path, strerror(-q));
		rec->state = JOB_FAILED;
		rec->ended = rec->created;
		job_record_set(&rec->error, err);
	}

	busy = find_active(m, key);
	queued = is_queued_key(m, key);
	if (rec->state == JOB_QUEUED && (busy != NULL || queued) &&
	    r->on_busy == RULE_ON_BUSY_IGNORE) {
		rec->state = JOB_IGNORED;
		rec->ended = rec->created;
	}

	q = job_record_create(m->state_dir, rec, text);
	if (q < 0)
		return q;       /* -EALREADY: this entry has its job */

	if (rec->state == JOB_FAILED) {
		char ebuf[600];
		const char *extra[1] = { ebuf };

		snprintf(ebuf, sizeof(ebuf), EVT_FIELD_ERROR "=%s", err);
		(void)jobrun_log(rec, NULL, EVT_JOB_FAILED, extra, 1, err);
		return 0;
	}
	if (rec->state == JOB_IGNORED) {
		char rbuf[64];
		const char *extra[1] = { rbuf };

		snprintf(rbuf, sizeof(rbuf), EVT_FIELD_RUNNING_JOB_ID "=%s",
			 busy != NULL ? busy->id : "");
		(void)jobrun_log(rec, NULL, EVT_JOB_BUSY, extra, busy ? 1 : 0,
				 busy != NULL ?
				 "trigger ignored: a job is running" :
				 "trigger ignored: a job is queued");
		return 0;
	}
	if (busy != NULL || queued) {
		char rbuf[64];
		const char *extra[1] = { rbuf };

		q = enqueue(m, rec->id, key, false);
		if (q < 0)
			return q;
		snprintf(rbuf, sizeof(rbuf), EVT_FIELD_RUNNING_JOB_ID "=%s",
			 busy != NULL ? busy->id : "");
		(void)jobrun_log(rec, NULL, EVT_JOB_QUEUED, extra, busy ? 1 : 0,
				 "job queued: it starts when the running one "
				 "ends");
		return 1;
	}
	q = start_process(m, rec);
	if (q < 0) {
		snprintf(err, sizeof(err), "cannot start the job process: %s",
			 strerror(-q));
		fail_record(m, rec, err);
	}
	return 1;
}

/* Removes what a crash left of job_record_create: jobs/.new-* */
static void
remove_partial(struct job_manager *m)
{
	_cleanup_(freep) char *jobs = NULL;
	DIR *d;
	struct dirent *de;

	if (asprintf(&jobs, "%s/jobs", m->state_dir) < 0)
		return;
	d = opendir(jobs);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		_cleanup_(freep) char *path = NULL;
		DIR *sub;
		struct dirent *se;

		if (strncmp(de->d_name, ".new-", 5) != 0)
			continue;
		if (asprintf(&path, "%s/%s", jobs, de->d_name) < 0)
			break;
		sub = opendir(path);
		if (sub != NULL) {
			while ((se = readdir(sub)) != NULL)
				if (se->d_name[0] != '.')
					unlinkat(dirfd(sub), se->d_name, 0);
			closedir(sub);
		}
		rmdir(path);
	}
	closedir(d);
}

void
job_manager_cursor_stored(struct job_manager *m, uint64_t realtime_usec)
{
	m->cursor_stored = realtime_usec;
}

int
job_manager_recover(struct job_manager *m)
{
	_cleanup_(strv_freep) char **ids = NULL;
	struct job_record **recs = NULL;
	size_t n = 0, k = 0;
	int r;

	remove_partial(m);
	r = job_list_ids(m->state_dir, &ids, &n);
	if (r < 0)
		return r;
	recs = calloc(n + 1, sizeof(*recs));
	if (recs == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (job_record_load(m->state_dir, ids[i], &recs[k]) == 0)
			k++;
	/* In the order they were triggered. */
	for (size_t i = 1; i < k; i++)
		for (size_t j = i; j > 0 &&
				   recs[j]->created < recs[j - 1]->created; j--) {
			struct job_record *t = recs[j];
			recs[j] = recs[j - 1];
			recs[j - 1] = t;
		}
	for (size_t i = 0; i < k; i++) {
		struct job_record *rec = recs[i];
		_cleanup_(freep) char *key = NULL;
		pid_t holder;

		if (job_state_is_final(rec->state) || is_active_id(m, rec->id))
			continue;
		holder = job_lock_holder(m->state_dir, rec->id);
		if (holder > 0) {
			r = watch_process(m, rec, holder);
			if (r >= 0)
				continue;
			if (r != -ESRCH)
				continue;
		}
		if (rec->state == JOB_RUNNING || rec->pid != 0) {
			job_check_gone(m, rec->id);
			continue;
		}
		key = job_key(rec);
		if (key == NULL || enqueue(m, rec->id, key, false) < 0) {
			r = -ENOMEM;
			break;
		}
	}
	for (size_t i = 0; i < k; i++)
		job_record_free(recs[i]);
	free(recs);
	/* Start what waits where nothing runs. */
	for (size_t i = 0; i < m->n_queue;) {
		size_t before = m->n_queue;
		_cleanup_(freep) char *key = strdup(m->queue[i].key);

		if (key == NULL)
			return -ENOMEM;
		if (find_active(m, key) == NULL)
			start_next(m, key);
		if (m->n_queue == before)
			i++;
	}
	prune(m);
	return r < 0 && r != -ESRCH ? r : 0;
}
