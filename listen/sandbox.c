/* Dropping the child's privileges (see sandbox.h). */
#include <grp.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pwd.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "options.h"
#include "sandbox.h"

int
sandbox_lookup(const char *user, struct sandbox_user *ret)
{
	struct passwd *pw;
	int64_t v;

	errno = 0;
	if (parse_int(user, &v) == 0 && v >= 0 && v <= UINT32_MAX - 1)
		pw = getpwuid((uid_t)v);
	else
		pw = getpwnam(user);
	if (pw == NULL)
		return errno != 0 && errno != ENOENT ? -errno : -ESRCH;
	if (pw->pw_uid == 0)
		return -EPERM;
	ret->name = strdup(pw->pw_name);
	if (ret->name == NULL)
		return -ENOMEM;
	ret->uid = pw->pw_uid;
	ret->gid = pw->pw_gid;
	return 0;
}

int
sandbox_drop(const struct sandbox_user *u)
{
	if (initgroups(u->name, u->gid) < 0 || setresgid(u->gid, u->gid, u->gid) < 0 ||
	    setresuid(u->uid, u->uid, u->uid) < 0)
		return -errno;
	if (setuid(0) == 0 || geteuid() == 0)
		return -EPERM;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

#define DENY(nr)                                                   \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1),           \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM)

#if defined(__x86_64__)
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_AARCH64
#endif

#ifndef AUDIT_ARCH_NATIVE
int
sandbox_seccomp(void)
{
	return -EOPNOTSUPP;
}
#else
int
sandbox_seccomp(void)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_NATIVE, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		/* x32 system calls (x86_64 only) have bit 30 set. */
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		DENY(__NR_execve), DENY(__NR_execveat), DENY(__NR_ptrace),
		DENY(__NR_process_vm_readv), DENY(__NR_process_vm_writev),
		DENY(__NR_mount), DENY(__NR_umount2), DENY(__NR_pivot_root),
		DENY(__NR_chroot), DENY(__NR_unshare), DENY(__NR_setns),
		DENY(__NR_init_module), DENY(__NR_finit_module),
		DENY(__NR_delete_module), DENY(__NR_kexec_load),
		DENY(__NR_reboot), DENY(__NR_bpf), DENY(__NR_perf_event_open),
		DENY(__NR_keyctl), DENY(__NR_add_key), DENY(__NR_request_key),
		DENY(__NR_setuid), DENY(__NR_setgid), DENY(__NR_setreuid),
		DENY(__NR_setregid), DENY(__NR_setresuid),
		DENY(__NR_setresgid), DENY(__NR_setgroups),
		DENY(__NR_userfaultfd), DENY(__NR_open_by_handle_at),
		/* socket(2): AF_UNIX only (journald's socket). */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = (unsigned short)ELEMENTSOF(filter),
		.filter = filter,
	};

	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
		return -errno;
	return 0;
}
#endif
