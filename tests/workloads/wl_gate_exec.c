/* wl_gate_exec N PROG [ARGS...]: wl_gate N, then execve(PROG, [PROG, ARGS...])
 * instead of exit_group: a traced process that changes its image mid-run.
 *
 * Start-up, rt_sigprocmask, rt_sigaction, write(2, "ready\n"); then, after
 * SIGUSR1: 1 x rt_sigsuspend (EINTR), 1 x rt_sigreturn (restores the EINTR),
 * N x getppid, 1 x execve(PROG) -- and from there on whatever PROG does
 * (SIGUSR1 stays blocked in the new image). Exit status 127 if execve fails. */
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
	if (argc < 3)
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
	syscall(SYS_execve, argv[2], argv + 2, environ);
	syscall(SYS_exit_group, 127);
	return 127;
}
