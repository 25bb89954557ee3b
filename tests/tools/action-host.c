/* action-host: runs one action module's step outside of a job, for scenario
 * tests of the modules alone. A stand-in for the job runner (evtrigger's job
 * process) with the same struct evt_host contract: options from -o, events
 * to the journal with JOB_ID/RULE/VM/STEP, notes in a file, cancel on
 * SIGTERM/SIGINT. The real runner is tested by the jobs scenarios.
 *
 * Usage: action-host MODULE.so --vm VM [--connect URI] [--job-id ID]
 *        [--notes FILE] [--deadline SECONDS] [--recover] [-o KEY=VALUE]...
 * Exit status: 0 step succeeded, 1 it failed, 3 cancelled, 2 usage. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "evt-ids.h"
#include "evtrigger-action.h"
#include "journal-send.h"
#include "options.h"

struct evt_job {
	const struct evt_action *action;
	const char *vm, *connect, *job_id, *notes_path;
	char *keys[64], *values[64];
	size_t n_opts;
	char *note_keys[16], *note_values[16];
	size_t n_notes;
	char **words;
	uint64_t deadline;
	char error[1024];
};

static volatile sig_atomic_t cancel_flag;
static int cancel_pipe[2] = { -1, -1 };

static void
on_signal(int sig)
{
	int saved = errno;

	cancel_flag = 1;
	(void)!write(cancel_pipe[1], "x", 1);
	errno = saved;
}

static const struct evt_option *
declared(struct evt_job *job, const char *name)
{
	for (const struct evt_option *o = job->action->options; o && o->name; o++)
		if (streq(o->name, name))
			return o;
	return NULL;
}

static const char *
h_option(struct evt_job *job, const char *name)
{
	const struct evt_option *o = declared(job, name);

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < job->n_opts; i++)
		if (streq(job->keys[i], name))
			return job->values[i];
	return o->default_value;
}

static int
h_option_bool(struct evt_job *job, const char *name, int *ret)
{
	const char *s = h_option(job, name);

	return s == NULL ? -ENOENT : parse_bool(s, ret);
}

static int
h_option_int(struct evt_job *job, const char *name, int64_t *ret)
{
	const char *s = h_option(job, name);

	return s == NULL ? -ENOENT : parse_int(s, ret);
}

static int
h_option_duration(struct evt_job *job, const char *name, uint64_t *ret)
{
	const char *s = h_option(job, name);

	return s == NULL ? -ENOENT : parse_duration(s, ret);
}

static int
h_option_size(struct evt_job *job, const char *name, uint64_t *ret)
{
	const char *s = h_option(job, name);

	return s == NULL ? -ENOENT : parse_size(s, ret);
}

static int
h_option_list(struct evt_job *job, const char *name,
	      const char *const **ret_words, size_t *ret_n)
{
	const char *s = h_option(job, name);
	int r;

	if (s == NULL)
		return -ENOENT;
	strv_free(job->words);
	job->words = NULL;
	r = parse_words(s, &job->words, ret_n);
	if (r < 0)
		return r;
	*ret_words = (const char *const *)job->words;
	return 0;
}

static const char *
h_event_field(struct evt_job *job, const char *name)
{
	return NULL;
}

static void
h_event_fields(struct evt_job *job,
	       void (*fn)(const char *, const char *, void *), void *userdata)
{
}

static const char *h_vm(struct evt_job *job) { return job->vm; }
static const char *h_connect(struct evt_job *job) { return job->connect; }
static const char *h_job_id(struct evt_job *job) { return job->job_id; }
static const char *h_rule(struct evt_job *job) { return "action-host"; }

static enum event_type
id_type(unsigned id)
{
#define TYPE_CASE(name, num, type, mid, summary, doc) \
	case num: return EVENT_##type;
	switch (id) {
		EVT_IDS(TYPE_CASE)
	default:
		return EVENT_INFORMATION;
	}
#undef TYPE_CASE
}

static int
host_send(struct evt_job *job, unsigned id, const char *const *fields,
     const char *message)
{
	const char *more[40];
	char f_job[128], f_rule[64], f_vm[256], f_step[128];
	size_t n = 0;
	struct event e = {
		.type = id_type(id), .id = id, .source = (char *)EVT_SOURCE,
		.log = (char *)"System", .description = (char *)message,
	};

	snprintf(f_job, sizeof(f_job), "JOB_ID=%s", job->job_id);
	snprintf(f_rule, sizeof(f_rule), "RULE=action-host");
	snprintf(f_vm, sizeof(f_vm), "VM=%s", job->vm ? job->vm : "");
	snprintf(f_step, sizeof(f_step), "STEP=%s", job->action->name);
	more[n++] = f_job;
	more[n++] = f_rule;
	more[n++] = f_vm;
	more[n++] = f_step;
	for (size_t i = 0; fields != NULL && fields[i] != NULL && n < 39; i++)
		more[n++] = fields[i];
	return journal_send_event(&e, more, n);
}

static int
h_log(struct evt_job *job, unsigned id, const char *const *fields,
      const char *format, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, format);
	vsnprintf(msg, sizeof(msg), format, ap);
	va_end(ap);
	return host_send(job, id, fields, msg);
}

static int
h_progress(struct evt_job *job, const char *item, unsigned percent)
{
	char p[32], d[256];
	const char *f[3] = { p, NULL, NULL };

	snprintf(p, sizeof(p), "PERCENT=%u", percent);
	if (item != NULL) {
		snprintf(d, sizeof(d), "DISK=%s", item);
		f[1] = d;
	}
	return host_send(job, EVT_STEP_PROGRESS, f, "progress");
}

static void
h_set_error(struct evt_job *job, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	vsnprintf(job->error, sizeof(job->error), format, ap);
	va_end(ap);
}

static int h_cancelled(struct evt_job *job) { return cancel_flag; }
static int h_cancel_fd(struct evt_job *job) { return cancel_pipe[0]; }
static uint64_t h_deadline(struct evt_job *job) { return job->deadline; }

static int
notes_write(struct evt_job *job)
{
	char tmp[4096];
	FILE *f;

	if (job->notes_path == NULL)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", job->notes_path);
	f = fopen(tmp, "we");
	if (f == NULL)
		return -errno;
	for (size_t i = 0; i < job->n_notes; i++)
		if (job->note_values[i] != NULL)
			fprintf(f, "%s=%s\n", job->note_keys[i],
				job->note_values[i]);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	return rename(tmp, job->notes_path) < 0 ? -errno : 0;
}

static int
h_set_note(struct evt_job *job, const char *key, const char *value)
{
	size_t i;

	for (i = 0; i < job->n_notes; i++)
		if (streq(job->note_keys[i], key))
			break;
	if (i == job->n_notes) {
		if (i == ELEMENTSOF(job->note_keys))
			return -ENOSPC;
		job->note_keys[i] = strdup(key);
		job->note_values[i] = NULL;
		job->n_notes++;
	}
	free(job->note_values[i]);
	job->note_values[i] = value ? strdup(value) : NULL;
	return notes_write(job);
}

static const char *
h_get_note(struct evt_job *job, const char *key)
{
	for (size_t i = 0; i < job->n_notes; i++)
		if (streq(job->note_keys[i], key))
			return job->note_values[i];
	return NULL;
}

/* Loads the notes a previous (perhaps killed) run left, as the job runner
 * keeps them in the job record: recover() depends on them. */
static void
notes_read(struct evt_job *job)
{
	char line[4096];
	FILE *f;

	if (job->notes_path == NULL || (f = fopen(job->notes_path, "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL &&
	       job->n_notes < ELEMENTSOF(job->note_keys)) {
		char *eq = strchr(line, '=');

		line[strcspn(line, "\n")] = '\0';
		if (eq == NULL)
			continue;
		*eq = '\0';
		job->note_keys[job->n_notes] = strdup(line);
		job->note_values[job->n_notes++] = strdup(eq + 1);
	}
	fclose(f);
}

static const struct evt_host host = {
	.api_version = EVT_ACTION_API_VERSION,
	.option = h_option, .option_bool = h_option_bool,
	.option_int = h_option_int, .option_duration = h_option_duration,
	.option_size = h_option_size, .option_list = h_option_list,
	.event_field = h_event_field, .event_fields = h_event_fields,
	.vm = h_vm, .connect = h_connect, .job_id = h_job_id, .rule = h_rule,
	.log = h_log, .progress = h_progress, .set_error = h_set_error,
	.cancelled = h_cancelled, .cancel_fd = h_cancel_fd,
	.deadline = h_deadline, .set_note = h_set_note,
	.get_note = h_get_note,
};

static uint64_t
now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

static _noreturn_ void
usage(void)
{
	fprintf(stderr, "usage: action-host MODULE.so --vm VM [--connect URI] "
		"[--job-id ID] [--notes FILE] [--deadline S] [--recover] "
		"[-o KEY=VALUE]...\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	/* static: what it points to stays reachable until exit (LeakSanitizer). */
	static struct evt_job job = { .job_id = "test-job", .deadline = UINT64_MAX };
	bool recover = false;
	char err[512], fld[1100], dur[64];
	const char *f[3] = { fld, dur, NULL };
	uint64_t start;
	void *so;
	int r;

	if (argc < 2)
		usage();
	so = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (so == NULL) {
		fprintf(stderr, "action-host: %s\n", dlerror());
		return 2;
	}
	job.action = dlsym(so, EVT_ACTION_SYMBOL);
	if (job.action == NULL)
		usage();
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (streq(a, "--recover")) {
			recover = true;
			continue;
		}
		if (v == NULL)
			usage();
		i++;
		if (streq(a, "--vm"))
			job.vm = v;
		else if (streq(a, "--connect"))
			job.connect = v;
		else if (streq(a, "--job-id"))
			job.job_id = v;
		else if (streq(a, "--notes"))
			job.notes_path = v;
		else if (streq(a, "--deadline"))
			job.deadline = now_usec() + strtoull(v, NULL, 10) * 1000000ULL;
		else if (streq(a, "-o") && strchr(v, '=') && job.n_opts < 64) {
			job.keys[job.n_opts] = strndup(v, strchr(v, '=') - v);
			job.values[job.n_opts++] = strdup(strchr(v, '=') + 1);
			if (declared(&job, job.keys[job.n_opts - 1]) == NULL) {
				fprintf(stderr, "action-host: %s takes no option '%s'\n",
					job.action->name, job.keys[job.n_opts - 1]);
				return 2;
			}
		} else
			usage();
	}
	notes_read(&job);
	if (pipe2(cancel_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return 2;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	if (job.action->check != NULL &&
	    job.action->check(&host, &job, err, sizeof(err)) < 0) {
		fprintf(stderr, "action-host: [%s]: %s\n", job.action->name, err);
		return 2;
	}
	start = now_usec();
	host_send(&job, EVT_STEP_STARTED, NULL, recover ? "recovering" : "started");
	if (recover)
		r = job.action->recover ? job.action->recover(&host, &job) : 0;
	else
		r = job.action->run(&host, &job);
	snprintf(dur, sizeof(dur), "DURATION_USEC=%llu",
		 (unsigned long long)(now_usec() - start));
	if (r == -ECANCELED) {
		host_send(&job, EVT_JOB_CANCELLED, NULL, "cancelled");
		return 3;
	}
	if (r < 0) {
		snprintf(fld, sizeof(fld), "ERROR=%s", job.error);
		host_send(&job, EVT_STEP_FAILED, f, job.error);
		fprintf(stderr, "action-host: %s: %s\n", job.action->name,
			job.error);
		return 1;
	}
	f[0] = dur;
	f[1] = NULL;
	host_send(&job, EVT_STEP_FINISHED, f, "finished");
	return 0;
}
