/* wl_forks K: K processes that each call exit_group once, plus the parent.
 *
 * After start-up: 1 x rt_sigprocmask blocking SIGCHLD, K x clone(SIGCHLD)
 * (raw, fork semantics, no glibc atfork work), each child makes exactly
 * 1 x getppid and 1 x exit_group(0); then the parent makes K x wait4 and
 * 1 x exit_group(0). So exit_group is called K + 1 times, getppid K times.
 * SIGCHLD is blocked because under ptrace (strace) even an ignored SIGCHLD
 * from an earlier child makes a later clone fail with ERESTARTNOINTR and be
 * restarted: one more clone call, one more error, in strace's run only. */
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	long k = atol(argv[1]);
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, &chld, NULL, 8);

	for (long i = 0; i < k; i++) {
		if (syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, 0) == 0) {
			syscall(SYS_getppid);
			syscall(SYS_exit_group, 0);
		}
	}
	for (long i = 0; i < k; i++)
		syscall(SYS_wait4, -1, NULL, 0, NULL);
	syscall(SYS_exit_group, 0);
	return 0;
}
