/* wl_gate N [PROG ARGS...]: waits for SIGUSR1, then makes N getppid and
 * exits -- or, given PROG, execs it: a traced process that changes its image.
 *
 * Start-up, then rt_sigprocmask (block SIGUSR1), rt_sigaction (handler), and
 * write(2, "ready\n") -- the test waits for that line. Then, the part a
 * tracer attached meanwhile sees:
 *   1 x rt_sigsuspend   fails (EINTR; ERESTARTNOHAND inside the kernel)
 *   1 x rt_sigreturn    from the SIGUSR1 handler; it restores the -EINTR
 *                       of rt_sigsuspend, so it counts as an error too
 *   N x getppid
 *   1 x exit_group(0), or with PROG 1 x execve(PROG, [PROG, ARGS...]) and
 *                       from there on whatever PROG does (exit 127 if the
 *                       execve fails; SIGUSR1 stays blocked in the new image)
 * A SIGUSR1 sent before rt_sigsuspend stays pending (blocked), so no race. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

static void on_usr1(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	long n = atol(argv[1]);
	struct sigaction sa;
	sigset_t block, none;

	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &block, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	syscall(SYS_write, 2, "ready\n", 6);
	sigsuspend(&none);
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	if (argc > 2) {
		syscall(SYS_execve, argv[2], argv + 2, environ);
		syscall(SYS_exit_group, 127);
	}
	syscall(SYS_exit_group, 0);
	return 0;
}
