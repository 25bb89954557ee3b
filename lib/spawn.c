/* Starting child programs (see spawn.h). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "spawn.h"

extern char **environ;

/* Sets sig's disposition to SIG_DFL. glibc's signal() refuses the two
 * real-time signals it keeps for itself (32 and 33), so an ignored one would
 * stay ignored across exec; the kernel's own call resets those too. The
 * struct is the kernel's generic layout (x86-64, arm64, ...). */
static void
signal_default(int sig)
{
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		unsigned long mask;
	} ksa = { .handler = SIG_DFL };

	if (signal(sig, SIG_DFL) != SIG_ERR)
		return;
#if defined(__x86_64__) || defined(__aarch64__)
	(void)syscall(SYS_rt_sigaction, sig, &ksa, NULL, sizeof(ksa.mask));
#endif
}

/* In the child, after fork: only async-signal-safe calls. Reports errno on
 * errfd and exits, or execs. */
static void _noreturn_
child(const char *path, char *const argv[], const struct spawn_opts *o,
      int errfd, pid_t parent)
{
	int src[3], devnull = -1, e;
	sigset_t none;

	/* Signals are blocked (see spawn): drop the parent's handlers before
	 * one can run in this copy of the parent. */
	for (int sig = 1; sig < NSIG; sig++)
		signal_default(sig);

	if (o->die_with_parent &&
	    (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)) {
		errno = ESRCH;
		goto fail;
	}
	if (o->new_session && setsid() < 0)
		goto fail;
	if (!o->new_session && o->new_pgroup && setpgid(0, 0) < 0)
		goto fail;

	/* Out of the way of 0..2 first, so that no dup2 below overwrites a
	 * descriptor still to be moved. */
	errfd = fcntl(errfd, F_DUPFD_CLOEXEC, 3);
	if (errfd < 0)
		goto fail;
	for (int i = 0; i < 3; i++) {
		int fd = o->stdio[i] == SPAWN_KEEP ? i : o->stdio[i];

		src[i] = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : -1;
		if (src[i] < 0 && fd >= 0 && errno != EBADF)
			goto fail;
		if (src[i] < 0) {       /* SPAWN_NULL, or a closed KEEP */
			if (devnull < 0) {
				devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
				if (devnull < 0)
					goto fail;
				devnull = fcntl(devnull, F_DUPFD_CLOEXEC, 3);
				if (devnull < 0)
					goto fail;
			}
			src[i] = devnull;
		}
	}
	for (int i = 0; i < 3; i++)
		if (dup2(src[i], i) < 0)
			goto fail;
	/* The error pipe to 3 (it closes on exec), everything else shut. */
	if (errfd != 3) {
		if (dup3(errfd, 3, O_CLOEXEC) < 0)
			goto fail;
		errfd = 3;
	}
	if (close_range(4, ~0U, 0) < 0)
		goto fail;

	if (o->cwd != NULL && chdir(o->cwd) < 0)
		goto fail;
	if (o->set_user && (setgroups(o->n_groups, o->groups) < 0 ||
			    setgid(o->gid) < 0 || setuid(o->uid) < 0))
		goto fail;
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		goto fail;
	execvpe(path, argv, o->envp != NULL ? o->envp : environ);
fail:
	e = errno;
	(void)!write(errfd, &e, sizeof(e));
	_exit(127);
}

int
spawn(const char *path, char *const argv[], const struct spawn_opts *o,
      pid_t *ret_pid)
{
	static const struct spawn_opts defaults = SPAWN_OPTS_INIT;
	int pipefd[2], child_errno = 0, r = 0;
	sigset_t all, old;
	pid_t parent = getpid(), pid;
	ssize_t n;

	if (o == NULL)
		o = &defaults;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0)
		child(path, argv, o, pipefd[1], parent);
	if (pid < 0)
		r = -errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		return r;
	}
	/* EOF: the pipe closed on exec. An int: the child's errno. */
	do
		n = read(pipefd[0], &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (n == (ssize_t)sizeof(child_errno)) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return child_errno > 0 ? -child_errno : -EIO;
	}
	if (n != 0) {
		/* No word from the child we can trust: never leave it. */
		r = n < 0 ? -errno : -EIO;
		(void)kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return r;
	}
	*ret_pid = pid;
	return 0;
}
