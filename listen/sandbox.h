/* What the unprivileged child gives up before it reads a byte from a guest:
 * its user becomes the listener's own (supplementary groups from the group
 * database, so systemd-journal for reading the journal back), no
 * capabilities, no way to gain privileges again, and a seccomp filter that
 * refuses the system calls it has no use for. Never logs. */
#ifndef LISTEN_SANDBOX_H
#define LISTEN_SANDBOX_H

#include <sys/types.h>

struct sandbox_user {
	char *name;
	uid_t uid;
	gid_t gid;
};

/* Looks user up (a name, or a uid in digits). Returns 0 with *ret filled
 * (free ret->name), -ESRCH if there is no such user, -EPERM for uid 0, or
 * -errno. */
int sandbox_lookup(const char *user, struct sandbox_user *ret);

/* Becomes u: setgroups (initgroups), setgid, setuid, checks that root
 * cannot be regained, PR_SET_NO_NEW_PRIVS, not dumpable. Returns 0 or
 * -errno. */
int sandbox_drop(const struct sandbox_user *u);

/* Installs the seccomp filter: execve, ptrace, mount, module loading,
 * set*id, namespaces, keyrings, bpf and sockets other than AF_UNIX fail
 * with EPERM; a system call of another architecture kills the process.
 * Needs NO_NEW_PRIVS (sandbox_drop). Returns 0, -EOPNOTSUPP on an
 * architecture other than x86_64 and aarch64, or -errno. */
int sandbox_seccomp(void);

#endif
