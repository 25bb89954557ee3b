/* Running one job's steps in this process (see process.h). */
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>

#include "evt-ids.h"
#include "evt-log.h"
#include "evtrigger-action.h"
#include "jobs/module.h"
#include "jobs/process.h"
#include "jobs/progress-limit.h"
#include "options.h"
#include "report.h"
#include "rules/stepopts.h"
#include "strv.h"
#include "time.h"
#include "watch/entry.h"

#define PROGRESS_SAVE_USEC   (250 * 1000ULL)    /* record writes: 4/s */

enum stop_reason {
	STOP_NONE,
	STOP_CANCEL,
	STOP_STEP_TIMEOUT,
	STOP_JOB_TIMEOUT,
};

struct evt_job {
	const char *state_dir;
	const struct rule *rule;
	struct job_record *rec;
	unsigned flags;

	/* The step running now. */
	const struct evt_action *module;
	const char *step;
	uint64_t step_started;          /* monotonic */
	uint64_t step_timeout;          /* 0: none */
	char error[1024];
	struct stepopts opts;

	/* Progress rate limits. A progress call that is not saved at once
	 * leaves dirty set, and the watchdog saves it when the limit allows. */
	bool dirty;
	uint64_t last_save;
	struct progress_limit events;   /* STEP_PROGRESS: progress-limit.h */
	struct progress_limit prints;   /* the same, on stderr in foreground */

	/* Time limits and cancel. */
	uint64_t job_started;           /* monotonic */
	uint64_t job_timeout;           /* 0: none */
	uint64_t deadline;              /* monotonic, UINT64_MAX: none */
	int cancel_fd;                  /* eventfd: readable once cancelled */
	int timer_fd;
	int wake_fd;                    /* wakes the watchdog thread */
	atomic_int stop;                /* enum stop_reason */
	uint64_t grace_end;             /* under lock; UINT64_MAX: none */
	atomic_bool done;
	pthread_mutex_t lock;           /* rec and its file */
	pthread_t watchdog;
};

/* SIGTERM/SIGINT reach the job through these (a handler can only write). */
static struct evt_job *signal_job;

int
jobrun_common_fields(const struct job_record *rec, const char *step,
		     char ***ret, size_t *ret_n)
{
	_cleanup_(strv_freep) char **v = NULL;
	size_t n = 0;
	int r = 0;

	v = calloc(1, sizeof(char *));
	if (v == NULL)
		return -ENOMEM;
	r = strv_extendf(&v, &n, EVT_FIELD_JOB_ID "=%s", rec->id);
	if (r >= 0 && rec->rule != NULL)
		r = strv_extendf(&v, &n, EVT_FIELD_RULE "=%s", rec->rule);
	if (r >= 0 && rec->vm != NULL)
		r = strv_extendf(&v, &n, EVT_FIELD_VM "=%s", rec->vm);
	if (r >= 0 && step != NULL)
		r = strv_extendf(&v, &n, EVT_FIELD_STEP "=%s", step);
	if (r >= 0 && rec->cursor != NULL)
		r = strv_extendf(&v, &n, EVT_FIELD_TRIGGER_CURSOR "=%s",
			      rec->cursor);
	/* Where the chain started and how long it is (watch/entry.h): the
	 * watcher believes this job's events as written by that writer. */
	if (r >= 0 && rec->fields != NULL)
		r = entry_origin_fields(rec->fields, geteuid(), &v, &n);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(v);
	*ret_n = n;
	return 0;
}

int
jobrun_log(const struct job_record *rec, const char *step, unsigned id,
	   const char *const *extra, size_t n_extra, const char *message)
{
	_cleanup_(strv_freep) char **v = NULL;
	_cleanup_(freep) char *text = NULL;
	size_t n = 0;
	int r;

	r = jobrun_common_fields(rec, step, &v, &n);
	for (size_t i = 0; r >= 0 && i < n_extra; i++)
		if (extra[i] != NULL)
			r = strv_extendf(&v, &n, "%s", extra[i]);
	if (r < 0)
		return r;
	if (asprintf(&text, "%s: %s", rec->vm != NULL ? rec->vm : rec->rule,
		     message) < 0)
		return -ENOMEM;
	return evt_log_send(id, (const char *const *)v, n, text);
}

/* Logs event id of the job, and in the foreground prints it too. */
static _printf_(5, 6) void
job_event(struct evt_job *job, unsigned id, const char *const *extra,
	  size_t n_extra, const char *fmt, ...)
{
	_cleanup_(freep) char *msg = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	/* A job has no one to tell when the journal is gone; it goes on. */
	(void)jobrun_log(job->rec, job->step, id, extra, n_extra, msg);
	if (job->flags & JOBRUN_FOREGROUND)
		report_error(0, "%s [%u %s]",
			     msg, id,
			     evt_id_name(id) != NULL ? evt_id_name(id) : "");
}

static int
save_locked(struct evt_job *job)
{
	return job_record_save(job->state_dir, job->rec);
}

static int
save(struct evt_job *job)
{
	int r;

	pthread_mutex_lock(&job->lock);
	r = save_locked(job);
	pthread_mutex_unlock(&job->lock);
	return r;
}

/* --- the module's view: options (stepopts.h) ----------------------------- */

static const char *
host_option(struct evt_job *job, const char *name)
{
	return stepopts_get(&job->opts, name);
}

static int
host_option_bool(struct evt_job *job, const char *name, int *ret)
{
	return stepopts_bool(&job->opts, name, ret);
}

static int
host_option_int(struct evt_job *job, const char *name, int64_t *ret)
{
	return stepopts_int(&job->opts, name, ret);
}

static int
host_option_duration(struct evt_job *job, const char *name, uint64_t *ret)
{
	return stepopts_duration(&job->opts, name, ret);
}

static int
host_option_size(struct evt_job *job, const char *name, uint64_t *ret)
{
	return stepopts_size(&job->opts, name, ret);
}

static int
host_option_list(struct evt_job *job, const char *name,
		 const char *const **ret_words, size_t *ret_n)
{
	return stepopts_list(&job->opts, name, ret_words, ret_n);
}

/* --- the module's view: the job ------------------------------------------- */

static const char *
host_event_field(struct evt_job *job, const char *name)
{
	return fields_get(job->rec->fields, name);
}

static void
host_event_fields(struct evt_job *job,
		  void (*fn)(const char *name, const char *value, void *userdata),
		  void *userdata)
{
	const struct fields *f = job->rec->fields;

	for (size_t i = 0; i < f->n; i++)
		fn(f->names[i], f->values[i], userdata);
}

static const char *
host_vm(struct evt_job *job)
{
	return job->rec->vm;
}

static const char *
host_connect(struct evt_job *job)
{
	return job->rec->connect;
}

static const char *
host_job_id(struct evt_job *job)
{
	return job->rec->id;
}

static const char *
host_rule(struct evt_job *job)
{
	return job->rec->rule;
}

static _printf_(4, 5) int
host_log(struct evt_job *job, unsigned id, const char *const *fields,
	 const char *format, ...)
{
	_cleanup_(freep) char *msg = NULL;
	size_t n = 0;
	va_list ap;
	int r;

	va_start(ap, format);
	r = vasprintf(&msg, format, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	while (fields != NULL && fields[n] != NULL)
		n++;
	r = jobrun_log(job->rec, job->step, id, fields, n, msg);
	if (job->flags & JOBRUN_FOREGROUND)
		report_error(0, "%s: %s: %s [%u]",
			     job->rec->vm != NULL ? job->rec->vm :
						    job->rec->rule,
			     job->step, msg, id);
	return r;
}

static int
host_progress(struct evt_job *job, const char *item, unsigned percent)
{
	uint64_t now = now_usec(CLOCK_MONOTONIC);
	char pct[32], disk[600];
	const char *extra[2];
	size_t n = 0;
	int r = 0;

	if (percent > 100)
		percent = 100;
	pthread_mutex_lock(&job->lock);
	job->rec->percent = (int)percent;
	if (job_record_set(&job->rec->item, item) < 0)
		r = -ENOMEM;
	if (r >= 0 && now - job->last_save >= PROGRESS_SAVE_USEC) {
		r = save_locked(job);
		job->last_save = now;
		job->dirty = false;
	} else if (r >= 0 && !job->dirty) {
		uint64_t one = 1;

		job->dirty = true;
		(void)!write(job->wake_fd, &one, sizeof(one));
	}
	pthread_mutex_unlock(&job->lock);

	if ((job->flags & JOBRUN_FOREGROUND) &&
	    progress_limit_want(&job->prints, item, percent, now)) {
		report_error(0, "%s: %u%%%s%s",
			     job->step, percent, item != NULL ? " of " : "",
			     item != NULL ? item : "");
	}
	if (!progress_limit_want(&job->events, item, percent, now))
		return r;
	snprintf(pct, sizeof(pct), EVT_FIELD_PERCENT "=%u", percent);
	extra[n++] = pct;
	if (item != NULL) {
		snprintf(disk, sizeof(disk), EVT_FIELD_DISK "=%s", item);
		extra[n++] = disk;
	}
	{
		_cleanup_(freep) char *msg = NULL;

		if (asprintf(&msg, "%s: %u%%%s%s", job->step, percent,
			     item != NULL ? " of disk " : "",
			     item != NULL ? item : "") < 0)
			return -ENOMEM;
		(void)jobrun_log(job->rec, job->step, EVT_STEP_PROGRESS, extra,
				 n, msg);
	}
	return r;
}

static _printf_(2, 3) void
host_set_error(struct evt_job *job, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	vsnprintf(job->error, sizeof(job->error), format, ap);
	va_end(ap);
}

static int
host_cancelled(struct evt_job *job)
{
	return atomic_load(&job->stop) != STOP_NONE;
}

static int
host_cancel_fd(struct evt_job *job)
{
	return job->cancel_fd;
}

static uint64_t
host_deadline(struct evt_job *job)
{
	return job->deadline;
}

static int
host_set_note(struct evt_job *job, const char *key, const char *value)
{
	int r;

	pthread_mutex_lock(&job->lock);
	r = job_record_set_note(job->rec, key, value);
	/* The rule named its VM by UUID: the job names it by name now. */
	if (r >= 0 && value != NULL && streq(key, EVT_NOTE_VM_NAME))
		r = job_record_set(&job->rec->vm, value);
	if (r >= 0)
		r = save_locked(job);
	pthread_mutex_unlock(&job->lock);
	return r;
}

static const char *
host_get_note(struct evt_job *job, const char *key)
{
	return fields_get(job->rec->notes, key);
}

static const struct evt_host host = {
	.api_version = EVT_ACTION_API_VERSION,
	.option = host_option,
	.option_bool = host_option_bool,
	.option_int = host_option_int,
	.option_duration = host_option_duration,
	.option_size = host_option_size,
	.option_list = host_option_list,
	.event_field = host_event_field,
	.event_fields = host_event_fields,
	.vm = host_vm,
	.connect = host_connect,
	.job_id = host_job_id,
	.rule = host_rule,
	.log = host_log,
	.progress = host_progress,
	.set_error = host_set_error,
	.cancelled = host_cancelled,
	.cancel_fd = host_cancel_fd,
	.deadline = host_deadline,
	.set_note = host_set_note,
	.get_note = host_get_note,
};

/* --- cancel and time limits ----------------------------------------------- */

static void
request_stop(struct evt_job *job, enum stop_reason why)
{
	int expected = STOP_NONE;
	uint64_t one = 1;

	if (atomic_compare_exchange_strong(&job->stop, &expected, (int)why))
		(void)!write(job->cancel_fd, &one, sizeof(one));
}

static void
on_signal(int sig)
{
	int saved = errno;

	if (signal_job != NULL)
		request_stop(signal_job, STOP_CANCEL);
	errno = saved;
}

static void
arm_timer(int fd, uint64_t when)
{
	struct itimerspec its = { 0 };

	if (when != UINT64_MAX) {
		its.it_value.tv_sec = (time_t)(when / 1000000ULL);
		its.it_value.tv_nsec = (long)(when % 1000000ULL) * 1000;
		if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
			its.it_value.tv_nsec = 1;
	}
	timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* The watchdog thread: turns the deadline into a stop request, and kills
 * the process when a step does not return within the grace period after
 * being asked to stop. */
static void *
watchdog_main(void *userdata)
{
	struct evt_job *job = userdata;

	while (!atomic_load(&job->done)) {
		struct pollfd p[3] = {
			{ .fd = job->wake_fd, .events = POLLIN },
			{ .fd = job->timer_fd, .events = POLLIN },
			{ .fd = job->cancel_fd, .events = POLLIN },
		};
		uint64_t v, now;
		int n, timeout = -1;
		bool over = false;

		pthread_mutex_lock(&job->lock);
		n = job->grace_end == UINT64_MAX ? 3 : 2;
		now = now_usec(CLOCK_MONOTONIC);
		if (job->dirty && now >= job->last_save + PROGRESS_SAVE_USEC) {
			(void)save_locked(job);
			job->last_save = now;
			job->dirty = false;
		} else if (job->dirty)
			timeout = (int)((job->last_save + PROGRESS_SAVE_USEC -
					 now) / 1000) + 1;
		pthread_mutex_unlock(&job->lock);
		if (poll(p, (nfds_t)n, timeout) < 0)
			continue;
		if (p[0].revents & POLLIN)
			(void)!read(job->wake_fd, &v, sizeof(v));
		if (p[1].revents & POLLIN) {
			(void)!read(job->timer_fd, &v, sizeof(v));
			pthread_mutex_lock(&job->lock);
			over = job->grace_end != UINT64_MAX &&
			       now_usec(CLOCK_MONOTONIC) >= job->grace_end;
			if (!over && job->deadline != UINT64_MAX &&
			    now_usec(CLOCK_MONOTONIC) >= job->deadline) {
				bool job_limit = job->job_timeout > 0 &&
					job->job_started + job->job_timeout <=
						job->deadline;

				request_stop(job, job_limit ? STOP_JOB_TIMEOUT :
							      STOP_STEP_TIMEOUT);
			}
			pthread_mutex_unlock(&job->lock);
			if (over)
				break;
		}
		pthread_mutex_lock(&job->lock);
		if (job->grace_end == UINT64_MAX &&
		    atomic_load(&job->stop) != STOP_NONE) {
			job->grace_end = now_usec(CLOCK_MONOTONIC) +
					 JOBRUN_GRACE_USEC;
			arm_timer(job->timer_fd, job->grace_end);
		} else if (job->grace_end == UINT64_MAX)
			arm_timer(job->timer_fd, job->deadline);
		pthread_mutex_unlock(&job->lock);
	}
	if (atomic_load(&job->done))
		return NULL;

	/* The step did not stop: log it, and die as a crash would, so that
	 * the manager reports the job interrupted and runs its recovery. */
	{
		char grace[64];

		format_duration(JOBRUN_GRACE_USEC, grace, sizeof(grace));
		pthread_mutex_lock(&job->lock);
		job_event(job,
			  atomic_load(&job->stop) == STOP_CANCEL ?
				  EVT_JOB_CANCELLED : EVT_JOB_TIMEOUT,
			  NULL, 0,
			  "%s: step did not stop within %s of being asked to; "
			  "killing the job process", job->step, grace);
		fflush(stderr);
		raise(SIGKILL);
	}
	return NULL;
}

static void
set_deadline(struct evt_job *job, uint64_t step_timeout)
{
	uint64_t d = UINT64_MAX, one = 1;

	pthread_mutex_lock(&job->lock);
	job->step_timeout = step_timeout;
	/* Saturating: a timeout may be as big as UINT64_MAX usec. */
	if (job->job_timeout > 0)
		d = job->job_timeout > UINT64_MAX - job->job_started
			? UINT64_MAX : job->job_started + job->job_timeout;
	if (step_timeout > 0 &&
	    step_timeout <= UINT64_MAX - job->step_started &&
	    job->step_started + step_timeout < d)
		d = job->step_started + step_timeout;
	job->deadline = d;
	pthread_mutex_unlock(&job->lock);
	(void)!write(job->wake_fd, &one, sizeof(one));
}

static void
clear_deadline(struct evt_job *job)
{
	uint64_t one = 1;

	pthread_mutex_lock(&job->lock);
	job->deadline = UINT64_MAX;
	pthread_mutex_unlock(&job->lock);
	(void)!write(job->wake_fd, &one, sizeof(one));
}

/* --- steps ---------------------------------------------------------------- */

struct step {
	const char *name;
	bool recover;           /* call the module's recover(), not run() */
};

static void
step_reset(struct evt_job *job)
{
	stepopts_done(&job->opts);
	job->error[0] = '\0';
	progress_limit_reset(&job->events);
	progress_limit_reset(&job->prints);
}

static int
duration_field(char *buf, size_t size, uint64_t usec)
{
	return snprintf(buf, size, EVT_FIELD_DURATION_USEC "=%" PRIu64, usec);
}

/* Runs one step. Returns 0, or the module's negative errno. */
static int
run_step(struct evt_job *job, const struct step *s, unsigned index)
{
	char err[512] = "", dur[64], ebuf[1100], errno_field[32];
	const char *extra[3];
	uint64_t timeout = 0, took;
	int r;

	step_reset(job);
	job->step = s->name;
	job->module = NULL;
	pthread_mutex_lock(&job->lock);
	/* The first step was saved with the job's start (one write less
	 * between the trigger and the module). */
	if (index > 1) {
		job_record_set(&job->rec->step, s->name);
		job->rec->step_index = index;
		job->rec->step_started = now_usec(CLOCK_REALTIME);
		job->rec->percent = -1;
		job_record_set(&job->rec->item, NULL);
		save_locked(job);
	}
	pthread_mutex_unlock(&job->lock);

	r = module_get(s->name, &job->module, err, sizeof(err));
	if (r < 0) {
		snprintf(job->error, sizeof(job->error), "%s", err);
		goto out_failed;
	}
	stepopts_init(&job->opts, job->rule, s->name, job->module);
	if (stepopts_timeout(&job->opts, &timeout) < 0)
		timeout = 0;
	if (s->recover && job->module->recover == NULL)
		return 0;       /* nothing to put back */
	job_event(job, EVT_STEP_STARTED, NULL, 0, "%s: %s",
		  s->name, s->recover ? "recovering after an interrupted run" :
					job->module->summary != NULL ?
					job->module->summary : "started");
	job->step_started = now_usec(CLOCK_MONOTONIC);
	set_deadline(job, timeout);
	if (s->recover)
		r = job->module->recover != NULL ?
			    job->module->recover(&host, job) : 0;
	else if (atomic_load(&job->stop) != STOP_NONE)
		r = -ECANCELED;
	else
		r = job->module->run(&host, job);
	took = now_usec(CLOCK_MONOTONIC) - job->step_started;
	if (r >= 0) {
		duration_field(dur, sizeof(dur), took);
		extra[0] = dur;
		job_event(job, EVT_STEP_FINISHED, extra, 1, "%s: finished",
			  s->name);
		return 0;
	}
	if (atomic_load(&job->stop) == STOP_CANCEL)
		return -ECANCELED;
	if (atomic_load(&job->stop) != STOP_NONE) {
		char lim[64];

		/* A module that watched the same deadline and said what it
		 * waited for (wait-shutdown: which VM, how long) keeps its
		 * message. */
		if (r == -ETIMEDOUT && job->error[0] != '\0')
			goto out_failed;
		r = -ETIMEDOUT;
		format_duration(atomic_load(&job->stop) == STOP_JOB_TIMEOUT ?
					job->job_timeout : job->step_timeout,
				lim, sizeof(lim));
		snprintf(job->error, sizeof(job->error),
			 "%s time limit of %s reached",
			 atomic_load(&job->stop) == STOP_JOB_TIMEOUT ? "job" :
								       "step",
			 lim);
		goto out_failed;
	}
	if (job->error[0] == '\0')
		snprintf(job->error, sizeof(job->error), "%s", strerror(-r));

out_failed:
	snprintf(ebuf, sizeof(ebuf), EVT_FIELD_ERROR "=%s", job->error);
	snprintf(errno_field, sizeof(errno_field), EVT_FIELD_ERRNO "=%d", -r);
	extra[0] = ebuf;
	extra[1] = errno_field;
	job_event(job, EVT_STEP_FAILED, extra, 2, "%s: failed: %s", s->name,
		  job->error);
	return r;
}

/* The steps of the job: run() of each rule step, or for a recovery job
 * recover() of the step cut short, then the rule's recovery steps. */
static int
job_steps(const struct rule *r, const struct job_record *rec,
	  struct step **ret, size_t *ret_n)
{
	struct step *v;
	size_t n = 0;

	v = calloc(r->n_steps + r->n_recovery + 1, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	if (rec->kind == JOB_KIND_RECOVERY) {
		if (rec->recover_step != NULL)
			v[n++] = (struct step){ rec->recover_step, true };
		for (size_t i = 0; i < r->n_recovery; i++)
			v[n++] = (struct step){ r->recovery[i], false };
	} else
		for (size_t i = 0; i < r->n_steps; i++)
			v[n++] = (struct step){ r->steps[i], false };
	*ret = v;
	*ret_n = n;
	return 0;
}

static char *
steps_text(const struct step *v, size_t n)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	if (f == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s%s", i > 0 ? " " : "", v[i].name,
			v[i].recover ? "(recover)" : "");
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

static int
job_setup(struct evt_job *job)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	int r;

	job->cancel_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	job->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	job->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (job->cancel_fd < 0 || job->wake_fd < 0 || job->timer_fd < 0)
		return -errno;
	pthread_mutex_init(&job->lock, NULL);
	job->deadline = UINT64_MAX;
	job->grace_end = UINT64_MAX;
	signal_job = job;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	r = pthread_create(&job->watchdog, NULL, watchdog_main, job);
	if (r != 0)
		return -r;
	return 0;
}

static void
job_teardown(struct evt_job *job)
{
	uint64_t one = 1;
	struct sigaction sa = { .sa_handler = SIG_DFL };

	atomic_store(&job->done, true);
	(void)!write(job->wake_fd, &one, sizeof(one));
	pthread_join(job->watchdog, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal_job = NULL;
	step_reset(job);
	close(job->cancel_fd);
	close(job->wake_fd);
	close(job->timer_fd);
	pthread_mutex_destroy(&job->lock);
}

/* Logs how the job ended and records it. */
static void
job_end(struct evt_job *job, enum job_state state, const char *failed_step,
	uint64_t took, const char *down_reason)
{
	char dur[64], ebuf[1100], tbuf[64], lim[64];
	const char *extra[3];
	uint64_t limit;

	pthread_mutex_lock(&job->lock);
	job->rec->state = state;
	job->rec->ended = now_usec(CLOCK_REALTIME);
	if (state == JOB_FAILED || state == JOB_TIMEOUT)
		job_record_set(&job->rec->error, job->error);
	save_locked(job);
	pthread_mutex_unlock(&job->lock);

	job->step = failed_step;
	duration_field(dur, sizeof(dur), took);
	extra[0] = dur;
	switch (state) {
	case JOB_FINISHED:
		job_event(job, EVT_JOB_FINISHED, extra, 1, "job finished");
		break;
	case JOB_CANCELLED:
		job_event(job, EVT_JOB_CANCELLED, extra, 1,
			  "job cancelled in step %s", failed_step);
		break;
	case JOB_TIMEOUT:
		limit = atomic_load(&job->stop) == STOP_JOB_TIMEOUT ?
				job->job_timeout : job->step_timeout;
		format_duration(limit, lim, sizeof(lim));
		snprintf(tbuf, sizeof(tbuf), EVT_FIELD_TIMEOUT_USEC "=%" PRIu64,
			 limit);
		snprintf(ebuf, sizeof(ebuf), EVT_FIELD_ERROR "=%s", job->error);
		extra[1] = tbuf;
		extra[2] = ebuf;
		job_event(job, EVT_JOB_TIMEOUT, extra, 3,
			  "job timed out in step %s (%s limit of %s)",
			  failed_step,
			  atomic_load(&job->stop) == STOP_JOB_TIMEOUT ? "job" :
									"step",
			  lim);
		break;
	default:
		snprintf(ebuf, sizeof(ebuf), EVT_FIELD_ERROR "=%s", job->error);
		extra[1] = ebuf;
		job_event(job, EVT_JOB_FAILED, extra, 2,
			  "job failed in step %s: %s", failed_step, job->error);
		break;
	}
	if (state != JOB_FINISHED &&
	    fields_get(job->rec->notes, EVT_NOTE_VM_DOWN) != NULL) {
		char rbuf[1300];
		const char *why = down_reason != NULL ? down_reason :
				  "no step started it again";

		snprintf(rbuf, sizeof(rbuf), EVT_FIELD_REASON "=%s", why);
		extra[0] = rbuf;
		job_event(job, EVT_VM_LEFT_DOWN, extra, 1,
			  "VM left shut off: the job ended in step %s: %s",
			  failed_step, why);
	}
}

/* After a failed step: the job may run steps again (on-failure), with
 * step time limits only. Called by the job's thread, no step running. */
static void
job_rearm(struct evt_job *job)
{
	uint64_t v;

	pthread_mutex_lock(&job->lock);
	atomic_store(&job->stop, STOP_NONE);
	job->grace_end = UINT64_MAX;
	job->job_timeout = 0;
	job->deadline = UINT64_MAX;
	(void)!read(job->cancel_fd, &v, sizeof(v));
	pthread_mutex_unlock(&job->lock);
	(void)!write(job->wake_fd, &(uint64_t){ 1 }, sizeof(uint64_t));
}

/* Runs the rule's on-failure steps (or, unset, start if a step left the
 * VM down), each logged like any step. Returns why the VM is still down,
 * should it be (in buf), or NULL. */
static const char *
run_on_failure(struct evt_job *job, size_t first_index, char *buf,
	       size_t size)
{
	static const char *const start_step[] = { "start" };
	const char *const *names;
	char saved[sizeof(job->error)];
	const char *down_reason = NULL;
	bool down = fields_get(job->rec->notes, EVT_NOTE_VM_DOWN) != NULL;
	size_t n;

	if (job->rule->on_failure_set) {
		names = (const char *const *)job->rule->on_failure;
		n = job->rule->n_on_failure;
		if (n == 0 && down)
			return "on-failure = none";
	} else if (down && job->rec->vm != NULL) {
		names = start_step;
		n = 1;
	} else
		return NULL;

	memcpy(saved, job->error, sizeof(saved));
	job_rearm(job);
	for (size_t i = 0; i < n; i++) {
		struct step s = { names[i], false };
		int r = run_step(job, &s, (unsigned)(first_index + i + 1));

		if (r < 0 && down_reason == NULL) {
			snprintf(buf, size, "on-failure step %s failed: %s",
				 names[i], job->error);
			down_reason = buf;
		}
	}
	memcpy(job->error, saved, sizeof(saved));
	if (fields_get(job->rec->notes, EVT_NOTE_VM_DOWN) == NULL)
		return NULL;
	if (down_reason == NULL) {
		snprintf(buf, size, "the on-failure steps did not start it");
		down_reason = buf;
	}
	return down_reason;
}

int
jobrun_run(const char *state_dir, const struct rule *r,
	   struct job_record *rec, unsigned flags, enum job_state *ret_state)
{
	_cleanup_(freep) struct step *steps = NULL;
	_cleanup_(freep) char *stepstr = NULL;
	struct evt_job job = {
		.state_dir = state_dir,
		.rule = r,
		.rec = rec,
		.flags = flags,
		.cancel_fd = -1,
		.wake_fd = -1,
		.timer_fd = -1,
	};
	enum job_state state = JOB_FINISHED;
	const char *last_step = NULL;
	size_t n_steps = 0;
	uint64_t started;
	char sbuf[1024], rbuf[64], dbuf[1200], hbuf[300];
	const char *down_reason = NULL;
	const char *extra[3];
	int q;

	q = job_steps(r, rec, &steps, &n_steps);
	if (q < 0)
		return q;
	stepstr = steps_text(steps, n_steps);
	if (stepstr == NULL)
		return -ENOMEM;
	q = job_setup(&job);
	if (q < 0)
		return q;

	started = job.job_started = now_usec(CLOCK_MONOTONIC);
	job.job_timeout = r->timeout_usec;
	rec->state = JOB_RUNNING;
	rec->started = now_usec(CLOCK_REALTIME);
	rec->pid = getpid();
	if (proc_start_time(rec->pid, &rec->pid_start) < 0)
		rec->pid_start = 0;
	job_record_set(&rec->steps, stepstr);
	if (n_steps > 0) {
		job_record_set(&rec->step, steps[0].name);
		rec->step_index = 1;
		rec->step_started = rec->started;
		rec->percent = -1;
		job_record_set(&rec->item, NULL);
	}
	q = save(&job);
	if (q < 0) {
		job_teardown(&job);
		return q;
	}
	snprintf(sbuf, sizeof(sbuf), EVT_FIELD_STEPS "=%s", stepstr);
	snprintf(rbuf, sizeof(rbuf), EVT_FIELD_RECOVERY_OF "=%s",
		 rec->recovery_of != NULL ? rec->recovery_of : "");
	snprintf(hbuf, sizeof(hbuf), EVT_FIELD_ENTRY_HOST "=%s",
		 rec->entry_host != NULL ? rec->entry_host : "");
	extra[0] = sbuf;
	extra[1] = rbuf;
	extra[2] = rec->entry_host != NULL ? hbuf : NULL;
	job_event(&job, EVT_JOB_STARTED, extra, 3, "%s started: %s",
		  rec->kind == JOB_KIND_RECOVERY ? "recovery job" : "job",
		  stepstr);

	for (size_t i = 0; i < n_steps; i++) {
		last_step = steps[i].name;
		q = run_step(&job, &steps[i], (unsigned)i + 1);
		if (q >= 0 && atomic_load(&job.stop) == STOP_NONE)
			continue;
		if (q >= 0 && i + 1 == n_steps)
			break;  /* stopped as the last step ended: done */
		switch (atomic_load(&job.stop)) {
		case STOP_CANCEL:
			state = JOB_CANCELLED;
			break;
		case STOP_STEP_TIMEOUT:
		case STOP_JOB_TIMEOUT:
			state = JOB_TIMEOUT;
			if (job.error[0] == '\0')
				snprintf(job.error, sizeof(job.error),
					 "%s: time limit reached",
					 steps[i].name);
			break;
		default:
			state = JOB_FAILED;
		}
		break;
	}
	clear_deadline(&job);
	if ((state == JOB_FAILED || state == JOB_TIMEOUT) &&
	    rec->kind != JOB_KIND_RECOVERY) {
		unsigned failed_index = rec->step_index;

		down_reason = run_on_failure(&job, n_steps, dbuf, sizeof(dbuf));
		/* The record names the step that failed, not the last
		 * on-failure step. */
		pthread_mutex_lock(&job.lock);
		job_record_set(&rec->step, last_step);
		rec->step_index = failed_index;
		pthread_mutex_unlock(&job.lock);
	}
	job.step = last_step;
	job_end(&job, state, last_step, now_usec(CLOCK_MONOTONIC) - started,
		down_reason);
	job_teardown(&job);
	*ret_state = state;
	return 0;
}
