/* The exec action (eventtriggers' /TK): runs a program with an argument
 * vector, never through a shell, with the triggering event's fields in its
 * environment, bounded output capture, and its end logged as EXEC_EXITED. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "evt-ids.h"
#include "event.h"
#include "evtrigger-action.h"
#include "spawn.h"
#include "time.h"

/* The only PATH a command is looked up in and runs with. */
#define EXEC_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* How long a command has to exit after SIGTERM before SIGKILL. */
#define EXEC_KILL_GRACE_MS 5000
#define EXEC_MAX_GROUPS 256

static const struct evt_option exec_options[] = {
	{ "command", EVT_OPT_LIST, NULL,
	  "the program (an absolute path, or a name looked up in " EXEC_PATH
	  ") and its arguments; no shell" },
	{ "output-max", EVT_OPT_SIZE, "4K",
	  "how much of the command's output (stdout and stderr) the "
	  "EXEC_EXITED event keeps" },
	{ "cwd", EVT_OPT_STRING, "/", "the command's working directory" },
	{ "user", EVT_OPT_STRING, NULL,
	  "run the command as this user (and its groups)" },
	{ NULL },
};

/* The command's environment is an allow list: a fixed base (PATH, JOB_ID,
 * RULE, VM, set by evtrigger, never by the event), the event's known fields
 * (EVENT_ID, EVENT_TYPE, EVENT_SOURCE, EVENT_LOG, and MESSAGE as
 * EVENT_DESCRIPTION), then every other field under the prefix EVENT_: a
 * field already named EVENT_* keeps its name, any other NAME (an extra field
 * like VM, a trusted journal field like _UID) becomes EVENT_NAME (so _UID is
 * EVENT__UID). Nothing else: event fields are written by whoever logged the
 * event, and names like TAR_OPTIONS, RSYNC_RSH or LD_PRELOAD would take over
 * the command. */
/* The lengths of "EXIT_STATUS=" and "SIGNAL=", to quote the value alone. */
#define EXIT_PREFIX (sizeof(EVT_FIELD_EXIT_STATUS "=") - 1)
#define SIGNAL_PREFIX (sizeof(EVT_FIELD_SIGNAL "=") - 1)

static const char *const env_fixed_names[] = {
	"PATH", EVT_FIELD_JOB_ID, EVT_FIELD_RULE, EVT_FIELD_VM,
	EVENT_FIELD_ID, EVENT_FIELD_TYPE, EVENT_FIELD_SOURCE, EVENT_FIELD_LOG,
	"EVENT_DESCRIPTION",
};
/* The event's fields that give a fixed name, under their own name. */
static const char *const env_event_known[] = {
	EVENT_FIELD_ID, EVENT_FIELD_TYPE, EVENT_FIELD_SOURCE, EVENT_FIELD_LOG,
};

static bool
env_name_valid(const char *name)
{
	if (!((*name >= 'A' && *name <= 'Z') || (*name >= 'a' && *name <= 'z') ||
	      *name == '_'))
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

static bool
env_name_fixed(const char *name)
{
	for (size_t i = 0; i < sizeof(env_fixed_names) / sizeof(char *); i++)
		if (strcmp(name, env_fixed_names[i]) == 0)
			return true;
	return false;
}

struct env {
	char **v;
	size_t n;
	bool failed;
};

static void
env_add(struct env *e, const char *name, const char *value)
{
	char **nv, *s;

	if (e->failed)
		return;
	for (size_t i = 0; i < e->n; i++)     /* the first one given wins */
		if (strncmp(e->v[i], name, strlen(name)) == 0 &&
		    e->v[i][strlen(name)] == '=')
			return;
	nv = realloc(e->v, (e->n + 2) * sizeof(char *));
	if (nv == NULL || asprintf(&s, "%s=%s", name, value) < 0) {
		if (nv != NULL)
			e->v = nv;
		e->failed = true;
		return;
	}
	e->v = nv;
	e->v[e->n++] = s;
	e->v[e->n] = NULL;
}

/* First pass: the known fields and fields already named EVENT_*, so they
 * win over an EVENT_NAME made from another field NAME. */
static void
env_add_field_named(const char *name, const char *value, void *userdata)
{
	struct env *e = userdata;

	if (strcmp(name, EVENT_FIELD_MESSAGE) == 0) {
		env_add(e, "EVENT_DESCRIPTION", value);
		return;
	}
	for (size_t i = 0; i < sizeof(env_event_known) / sizeof(char *); i++)
		if (strcmp(name, env_event_known[i]) == 0) {
			env_add(e, name, value);
			return;
		}
	if (strncmp(name, "EVENT_", 6) == 0 && env_name_valid(name) &&
	    !env_name_fixed(name))
		env_add(e, name, value);
}

/* Second pass: every other field NAME as EVENT_NAME, never one of the
 * fixed names (a field TYPE or DESCRIPTION cannot set EVENT_TYPE or
 * EVENT_DESCRIPTION). */
static void
env_add_field_prefixed(const char *name, const char *value, void *userdata)
{
	struct env *e = userdata;
	char *full;

	if (strcmp(name, EVENT_FIELD_MESSAGE) == 0 ||
	    strncmp(name, "EVENT_", 6) == 0 || !env_name_valid(name))
		return;
	if (asprintf(&full, "EVENT_%s", name) < 0) {
		e->failed = true;
		return;
	}
	if (!env_name_fixed(full))
		env_add(e, full, value);
	free(full);
}

static void
env_free(struct env *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i]);
	free(e->v);
}

/* The program to run: argv0 if absolute, else the first executable
 * EXEC_PATH entry of that name. malloc'd into *ret. */
static int
find_program(const char *argv0, char **ret)
{
	char *path = NULL;
	const char *p = EXEC_PATH;

	if (argv0[0] == '/') {
		if (access(argv0, X_OK) < 0)
			return -errno;
		*ret = strdup(argv0);
		return *ret != NULL ? 0 : -ENOMEM;
	}
	if (strchr(argv0, '/') != NULL || *argv0 == '\0')
		return -EINVAL;
	while (*p) {
		size_t n = strcspn(p, ":");

		if (asprintf(&path, "%.*s/%s", (int)n, p, argv0) < 0)
			return -ENOMEM;
		if (access(path, X_OK) == 0) {
			*ret = path;
			return 0;
		}
		free(path);
		p += n;
		if (*p == ':')
			p++;
	}
	return -ENOENT;
}

static int
exec_check(const struct evt_host *host, struct evt_job *job, char *err,
	   size_t errlen)
{
	const char *const *argv;
	const char *user;
	size_t n;

	if (host->option_list(job, "command", &argv, &n) < 0 || n == 0) {
		snprintf(err, errlen, "exec needs a command");
		return -EINVAL;
	}
	if (argv[0][0] != '/' && strchr(argv[0], '/') != NULL) {
		snprintf(err, errlen, "command '%s': give an absolute path or a "
			 "name looked up in " EXEC_PATH, argv[0]);
		return -EINVAL;
	}
	user = host->option(job, "user");
	if (user != NULL && getpwnam(user) == NULL) {
		snprintf(err, errlen, "unknown user '%s'", user);
		return -EINVAL;
	}
	return 0;
}

struct run_as {
	bool set;
	uid_t uid;
	gid_t gid;
	gid_t groups[EXEC_MAX_GROUPS];
	int n_groups;
};

static int
lookup_user(const char *user, struct run_as *ret)
{
	struct passwd *pw;

	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL)
		return errno != 0 ? -errno : -ESRCH;
	ret->set = true;
	ret->uid = pw->pw_uid;
	ret->gid = pw->pw_gid;
	ret->n_groups = EXEC_MAX_GROUPS;
	if (getgrouplist(user, pw->pw_gid, ret->groups, &ret->n_groups) < 0)
		return -E2BIG;
	return 0;
}

struct capture {
	char *buf;
	size_t len, max;
	uint64_t total;
};

static void
capture_read(struct capture *c, int fd, bool *eof)
{
	char tmp[8192];
	ssize_t n = read(fd, tmp, sizeof(tmp));

	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			*eof = true;
		return;
	}
	c->total += (uint64_t)n;
	if (c->len < c->max) {
		size_t k = (size_t)n < c->max - c->len ? (size_t)n :
							 c->max - c->len;

		for (size_t i = 0; i < k; i++)  /* a journal value is a string */
			c->buf[c->len++] = tmp[i] == '\0' ? '?' : tmp[i];
	}
}

/* Waits for the command, reading its output, killing its process group on
 * cancel. Returns the wait status, sets *ret_cancelled. */
static int
supervise(const struct evt_host *host, struct evt_job *job, pid_t pid,
	  int pidfd, int outfd, struct capture *cap, bool *ret_cancelled)
{
	bool eof = false, exited = false, cancelled = false;
	uint64_t kill_at = 0;
	siginfo_t si = { 0 };

	while (!exited || !eof) {
		struct pollfd p[3] = {
			{ .fd = pidfd, .events = POLLIN },
			{ .fd = eof ? -1 : outfd, .events = POLLIN },
			{ .fd = cancelled ? -1 : host->cancel_fd(job),
			  .events = POLLIN },
		};
		int timeout = -1;

		if (exited)     /* a leftover child keeps the pipe: drain only */
			timeout = 0;
		else if (kill_at != 0) {
			uint64_t now = now_usec(CLOCK_MONOTONIC);
			timeout = now >= kill_at ? 0 :
				(int)((kill_at - now) / 1000 + 1);
		}
		if (poll(p, 3, timeout) < 0 && errno != EINTR)
			break;
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
			capture_read(cap, outfd, &eof);
		else if (exited)
			eof = true;
		if (!cancelled && (p[2].revents & POLLIN || host->cancelled(job))) {
			cancelled = true;
			kill(-pid, SIGTERM);
			kill_at = now_usec(CLOCK_MONOTONIC) + EXEC_KILL_GRACE_MS * 1000ULL;
		}
		if (kill_at != 0 && !exited && now_usec(CLOCK_MONOTONIC) >= kill_at) {
			kill(-pid, SIGKILL);
			kill_at = 0;
		}
		if (!exited && (p[0].revents & POLLIN)) {
			if (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED) == 0)
				exited = true;
			if (cancelled)
				kill(-pid, SIGKILL);    /* what it left */
		}
	}
	*ret_cancelled = cancelled;
	return si.si_code == CLD_EXITED ? si.si_status << 8 :
	       si.si_status & 0x7f;
}

static int
exec_run(const struct evt_host *host, struct evt_job *job)
{
	const char *const *argv;
	const char *cwd = host->option(job, "cwd"), *user;
	char *program = NULL, dur[64], status[64], *out_field = NULL;
	struct env env = { 0 };
	struct capture cap = { 0 };
	struct run_as as = { 0 };
	uint64_t max = 4096, started;
	struct spawn_opts so = SPAWN_OPTS_INIT;
	int outp[2] = { -1, -1 }, pidfd = -1;
	int r, wstatus, child_errno = 0;
	bool cancelled = false;
	size_t n;
	pid_t pid;

	if (host->option_list(job, "command", &argv, &n) < 0 || n == 0) {
		host->set_error(job, "exec: no command");
		return -EINVAL;
	}
	r = find_program(argv[0], &program);
	if (r < 0) {
		host->set_error(job, "exec: cannot run '%s': %s", argv[0],
				r == -EINVAL ? "give an absolute path" :
					       strerror(-r));
		return r;
	}
	host->option_size(job, "output-max", &max);
	if (max > 1024 * 1024)
		max = 1024 * 1024;
	user = host->option(job, "user");
	if (user != NULL && (r = lookup_user(user, &as)) < 0) {
		host->set_error(job, "exec: unknown user '%s'", user);
		free(program);
		return r;
	}

	env_add(&env, "PATH", EXEC_PATH);
	env_add(&env, EVT_FIELD_JOB_ID, host->job_id(job));
	if (host->rule(job) != NULL)
		env_add(&env, EVT_FIELD_RULE, host->rule(job));
	if (host->vm(job) != NULL)
		env_add(&env, EVT_FIELD_VM, host->vm(job));
	host->event_fields(job, env_add_field_named, &env);
	host->event_fields(job, env_add_field_prefixed, &env);
	cap.max = (size_t)max;
	cap.buf = malloc(cap.max + 1);
	if (env.failed || cap.buf == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if (pipe2(outp, O_CLOEXEC) < 0) {
		r = -errno;
		host->set_error(job, "exec: pipe: %s", strerror(-r));
		goto out;
	}

	so.stdio[1] = so.stdio[2] = outp[1];
	so.new_pgroup = true;           /* to stop it with all it started */
	so.cwd = cwd != NULL ? cwd : "/";
	so.envp = env.v;
	so.set_user = as.set;
	so.uid = as.uid;
	so.gid = as.gid;
	so.groups = as.groups;
	so.n_groups = (size_t)as.n_groups;
	started = now_usec(CLOCK_MONOTONIC);
	r = spawn(program, (char *const *)argv, &so, &pid);
	close(outp[1]);
	outp[1] = -1;
	if (r < 0) {
		/* Reported as a command that exited 127, as a shell does. */
		child_errno = -r;
		wstatus = 127 << 8;
	} else {
		pidfd = pidfd_open(pid, 0);
		if (pidfd < 0) {
			r = -errno;
			kill(-pid, SIGKILL);
			waitpid(pid, NULL, 0);
			host->set_error(job, "exec: pidfd_open: %s",
					strerror(-r));
			goto out;
		}
		fcntl(outp[0], F_SETFL, O_NONBLOCK);
		wstatus = supervise(host, job, pid, pidfd, outp[0], &cap,
				    &cancelled);
	}
	while (cap.len > 0 && cap.buf[cap.len - 1] == '\n')
		cap.len--;
	cap.buf[cap.len] = '\0';

	snprintf(dur, sizeof(dur), EVT_FIELD_DURATION_USEC "=%" PRIu64,
		 now_usec(CLOCK_MONOTONIC) - started);
	if ((wstatus & 0x7f) == 0)
		snprintf(status, sizeof(status), EVT_FIELD_EXIT_STATUS "=%d",
			 (wstatus >> 8) & 0xff);
	else
		snprintf(status, sizeof(status), EVT_FIELD_SIGNAL "=%s",
			 sigabbrev_np(wstatus & 0x7f) != NULL ?
				 sigabbrev_np(wstatus & 0x7f) : "?");
	if (asprintf(&out_field, EVT_FIELD_OUTPUT "=%s", cap.buf) < 0) {
		r = -ENOMEM;
		goto out;
	}
	{
		const char *fields[] = { status, dur, out_field, NULL };

		if (child_errno != 0)
			host->log(job, EVT_EXEC_EXITED, fields,
				  "exec: cannot start %s: %s", program,
				  strerror(child_errno));
		else
			host->log(job, EVT_EXEC_EXITED, fields,
				  "exec: %s %s %s%s", program,
				  (wstatus & 0x7f) == 0 ? "exited with status" :
							  "killed by signal",
				  status + ((wstatus & 0x7f) == 0 ? EXIT_PREFIX : SIGNAL_PREFIX),
				  cancelled ? " (cancelled)" : "");
	}
	if (cancelled)
		r = -ECANCELED;
	else if (child_errno != 0) {
		r = -child_errno;
		host->set_error(job, "exec: cannot start %s: %s", program,
				strerror(child_errno));
	} else if ((wstatus & 0x7f) != 0) {
		r = -EINTR;
		host->set_error(job, "exec: %s killed by signal %s", program,
				status + SIGNAL_PREFIX);
	} else if ((wstatus >> 8) != 0) {
		r = -EIO;
		host->set_error(job, "exec: %s exited with status %d", program,
				(wstatus >> 8) & 0xff);
	} else
		r = 0;
out:
	for (int i = 0; i < 2; i++)
		if (outp[i] >= 0)
			close(outp[i]);
	if (pidfd >= 0)
		close(pidfd);
	free(out_field);
	free(cap.buf);
	free(program);
	env_free(&env);
	return r;
}

const struct evt_action evt_action_module = {
	.api_version = EVT_ACTION_API_VERSION,
	.name = "exec",
	.summary = "run a program with the event's fields in its environment",
	.options = exec_options,
	.check = exec_check,
	.run = exec_run,
};
