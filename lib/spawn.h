/* Starting a child program the same way everywhere: signals and descriptors
 * reset for every child, exec failures reported to the caller. Never logs.
 *
 * Every child gets: every signal disposition back to SIG_DFL (an ignored
 * SIGPIPE or SIGTERM of the parent survives exec otherwise) and an empty
 * signal mask, set while all signals are blocked so that no handler of the
 * parent ever runs in the child; stdin, stdout and stderr as asked (never
 * left closed: a missing one is /dev/null); no other descriptor of the
 * parent. */
#ifndef EVT_SPAWN_H
#define EVT_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Where a child's standard descriptor comes from: a descriptor of the
 * parent, or one of these. */
#define SPAWN_NULL (-1)         /* /dev/null */
#define SPAWN_KEEP (-2)         /* the parent's descriptor of the same number */

struct spawn_opts {
	int stdio[3];           /* stdin, stdout, stderr */
	bool new_session;       /* setsid(): no controlling terminal; a ^C or
				   a kill of the parent's group misses it */
	bool new_pgroup;        /* setpgid(0, 0): a group of its own, to kill
				   with everything it starts */
	bool die_with_parent;   /* SIGTERM when the parent thread dies, and
				   not started at all if it already has */
	const char *cwd;        /* NULL: the parent's */
	bool set_user;          /* setgroups(groups), setgid(gid), setuid(uid) */
	uid_t uid;
	gid_t gid;
	const gid_t *groups;
	size_t n_groups;
	char *const *envp;      /* NULL: the parent's environment */
};
#define SPAWN_OPTS_INIT { .stdio = { SPAWN_NULL, SPAWN_NULL, SPAWN_NULL } }

/* Starts path (searched in PATH unless it holds a '/') with argv, as o says
 * (NULL: SPAWN_OPTS_INIT). Returns 0 once the program runs, with its pid in
 * *ret_pid for the caller to wait for; or -errno when fork, a step of the
 * setup or the exec itself failed: then no child is left (it was reaped)
 * and *ret_pid is untouched. Safe to call from any thread. */
int spawn(const char *path, char *const argv[], const struct spawn_opts *o,
	  pid_t *ret_pid);

#endif
