/* wl_seccomp N: calls that exit without entering, under a seccomp filter.
 *
 * Installs a filter (no_new_privs, then seccomp, after start-up) that makes
 * getppid(1) fail with EPERM before the kernel runs it -- so the sys_enter
 * tracepoint never fires for it, while sys_exit does -- and lets getppid(0)
 * run. Then N rounds of:
 *   1 x getppid(0)     succeeds
 *   ~20 ms of spinning, no syscall at all
 *   1 x getppid(1)     -> EPERM from the filter, never entered
 * and exit_group(0). A tracer that leaves the first call's entry time lying
 * around (for instance because -x filtered that exit out) would time the
 * second call at ~20 ms. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void spin_ms(long ms)
{
	/* clock_gettime is a vDSO call: no syscall. */
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < ms);
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	long n = atol(argv[1]);
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(filter) / sizeof(filter[0]), .filter = filter };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		return 3;
	for (long i = 0; i < n; i++) {
		if (syscall(SYS_getppid, 0) < 0)
			return 4;
		spin_ms(20);
		if (syscall(SYS_getppid, 1) != -1 || errno != EPERM)
			return 5;
	}
	return 0;
}
