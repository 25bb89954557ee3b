/* Check suite for lib/spawn.c: what every child gets (default signal
 * dispositions, an empty mask, only stdin/stdout/stderr), redirection, and
 * exec failures reported to the caller. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "macro.h"
#include "spawn.h"

/* Runs argv with stdout into a pipe; returns what it printed (malloc'd) and
 * its wait status. */
static char *
run(char *const argv[], struct spawn_opts *o, int *ret_status)
{
	int p[2];
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	pid_t pid;
	char buf[512];
	size_t k;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	o->stdio[1] = p[1];
	ck_assert_int_eq(spawn(argv[0], argv, o, &pid), 0);
	close(p[1]);
	f = open_memstream(&out, &len);
	while ((k = (size_t)read(p[0], buf, sizeof(buf))) > 0 &&
	       k <= sizeof(buf))
		fwrite(buf, 1, k, f);
	fclose(f);
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, ret_status, 0), pid);
	return out;
}

static unsigned long long
status_hex(const char *status, const char *key)
{
	const char *p = strstr(status, key);

	ck_assert_msg(p != NULL, "no %s in %s", key, status);
	return strtoull(p + strlen(key), NULL, 16);
}

START_TEST(test_signals_reset)
{
	char *const argv[] = { "cat", "/proc/self/status", NULL };
	struct spawn_opts o = SPAWN_OPTS_INIT;
	sigset_t usr1, old;
	char *out;
	int st;

	/* A parent that ignores SIGPIPE and SIGTERM and blocks SIGUSR1, as a
	 * daemon does. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	out = run(argv, &o, &st);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_uint_eq(status_hex(out, "SigIgn:"), 0);
	ck_assert_uint_eq(status_hex(out, "SigBlk:"), 0);
	free(out);
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
}
END_TEST

START_TEST(test_descriptors)
{
	char *const ls[] = { "ls", "/proc/self/fd", NULL };
	char *const cat[] = { "cat", NULL };
	struct spawn_opts o = SPAWN_OPTS_INIT;
	int leak = open("/dev/null", O_RDONLY);   /* no O_CLOEXEC */
	int leak2 = dup2(leak, 42);
	char *out;
	int st;

	ck_assert_int_ge(leak, 3);
	ck_assert_int_eq(leak2, 42);
	/* ls's own: 0 1 2, and 3 the directory it reads; nothing of ours. */
	out = run(ls, &o, &st);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_str_eq(out, "0\n1\n2\n3\n");
	free(out);
	/* stdin is /dev/null: cat ends at once, printing nothing. */
	out = run(cat, &o, &st);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_str_eq(out, "");
	free(out);
	close(leak);
	close(leak2);
}
END_TEST

START_TEST(test_options)
{
	char *const argv[] = { "/bin/sh", "-c",
			       "echo \"$PWD $EVT_X\"; ps -o pid=,pgid=,sid= -p $$",
			       NULL };
	char *const envp[] = { "EVT_X=here", "PATH=/usr/bin:/bin", NULL };
	struct spawn_opts o = SPAWN_OPTS_INIT;
	char *out, line[64];
	long pid, pgid, sid;
	int st;

	o.cwd = "/tmp";
	o.envp = envp;
	o.new_pgroup = true;
	out = run(argv, &o, &st);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_int_eq(sscanf(out, "%63[^\n]\n%ld %ld %ld", line, &pid,
				&pgid, &sid), 4);
	ck_assert_str_eq(line, "/tmp here");
	ck_assert_int_eq(pgid, pid);
	ck_assert_int_ne(sid, pid);
	free(out);

	o.new_session = true;
	out = run(argv, &o, &st);
	ck_assert_int_eq(sscanf(out, "%63[^\n]\n%ld %ld %ld", line, &pid,
				&pgid, &sid), 4);
	ck_assert_int_eq(sid, pid);
	ck_assert_int_eq(pgid, pid);
	free(out);
}
END_TEST

START_TEST(test_keep_and_redirect)
{
	char *const argv[] = { "/bin/sh", "-c", "echo out; echo err >&2",
			       NULL };
	struct spawn_opts o = SPAWN_OPTS_INIT;
	char path[] = "/tmp/test_spawn.XXXXXX", err[16] = "";
	int fd = mkstemp(path), saved = dup(2);
	char *out;
	int st;

	/* SPAWN_KEEP: the child's stderr is ours (here a file). */
	ck_assert_int_ge(fd, 0);
	dup2(fd, 2);
	o.stdio[2] = SPAWN_KEEP;
	out = run(argv, &o, &st);
	dup2(saved, 2);
	close(saved);
	ck_assert_str_eq(out, "out\n");
	ck_assert_int_eq(pread(fd, err, sizeof(err) - 1, 0), 4);
	ck_assert_str_eq(err, "err\n");
	close(fd);
	unlink(path);
	free(out);
	/* SPAWN_NULL (the default): nowhere. */
	out = run(argv, &(struct spawn_opts)SPAWN_OPTS_INIT, &st);
	ck_assert_str_eq(out, "out\n");
	free(out);
}
END_TEST

START_TEST(test_exec_fails)
{
	char *const argv[] = { "no-such-program-evt", NULL };
	char *const argv2[] = { "/etc/passwd", NULL };
	char *const argv3[] = { "/bin/true", NULL };
	struct spawn_opts o = SPAWN_OPTS_INIT;
	pid_t pid = 4242;

	ck_assert_int_eq(spawn(argv[0], argv, NULL, &pid), -ENOENT);
	ck_assert_int_eq(pid, 4242);
	ck_assert_int_eq(spawn(argv2[0], argv2, NULL, &pid), -EACCES);
	o.cwd = "/nonexistent-dir";
	ck_assert_int_eq(spawn(argv3[0], argv3, &o, &pid), -ENOENT);
	ck_assert_int_eq(pid, 4242);
	/* Nothing left to reap: every failed child was waited for. */
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("spawn");
	TCase *tc = tcase_create("spawn");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_signals_reset);
	tcase_add_test(tc, test_descriptors);
	tcase_add_test(tc, test_options);
	tcase_add_test(tc, test_keep_and_redirect);
	tcase_add_test(tc, test_exec_fails);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
