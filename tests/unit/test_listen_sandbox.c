/* Check suite for listen/sandbox.c: in a child process, as the child of
 * evtrigger-listen does, become an unprivileged user and install the
 * seccomp filter; then root cannot be regained and the refused system calls
 * fail with EPERM while the ones the listener needs work. Needs root (it is
 * skipped otherwise). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../listen/sandbox.h"
#include "macro.h"

static const struct {
	const char *user;
	int r;
} lookup_cases[] = {
	{ "nobody", 0 },
	{ "65534", 0 },
	{ "root", -EPERM },
	{ "0", -EPERM },
	{ "no-such-user-evtrigger", -ESRCH },
};

START_TEST(test_lookup)
{
	struct sandbox_user u = { 0 };

	ck_assert_int_eq(sandbox_lookup(lookup_cases[_i].user, &u),
			 lookup_cases[_i].r);
	if (lookup_cases[_i].r == 0) {
		ck_assert_str_eq(u.name, "nobody");
		ck_assert_uint_eq(u.uid, 65534);
	}
	free(u.name);
}
END_TEST

/* Runs in a forked process: returns a bit per failed expectation. */
static int
confined(void)
{
	struct sandbox_user u = { 0 };
	int fail = 0, fd;
	char *argv[] = { (char *)"/bin/true", NULL };

	if (sandbox_lookup("nobody", &u) < 0 || sandbox_drop(&u) < 0)
		return 1;
	if (getuid() != u.uid || geteuid() != u.uid || getgid() != u.gid)
		fail |= 2;
	if (setuid(0) == 0 || prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		fail |= 4;
	if (sandbox_seccomp() < 0)
		return fail | 8;
	execve(argv[0], argv, NULL);
	if (errno != EPERM)
		fail |= 16;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd >= 0 || errno != EPERM)
		fail |= 32;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fail |= 64;
	close(fd);
	if (setgroups(0, NULL) == 0 || errno != EPERM)
		fail |= 128;
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail |= 256;
	close(fd);
	free(u.name);
	return fail;
}

START_TEST(test_confined)
{
	pid_t pid;
	int status;

	if (geteuid() != 0)
		return;         /* needs root to change users */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(confined());
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_msg(WEXITSTATUS(status) == 0, "failed checks: %#x",
		      WEXITSTATUS(status));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("listen_sandbox");
	TCase *tc = tcase_create("sandbox");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_lookup, 0, ELEMENTSOF(lookup_cases));
	tcase_add_test(tc, test_confined);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
