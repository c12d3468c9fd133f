/* wl_spawn T F C: a process that, once let go, starts a thread and two
 * child processes: what `-p PID` counts of them (the thread's calls, not
 * the children's).
 *
 * Start-up, then as wl_gate: rt_sigprocmask (block SIGUSR1 and SIGCHLD),
 * rt_sigaction (handler), write(2, "ready\n") -- the test waits for that
 * line -- and rt_sigsuspend until SIGUSR1. Then, one at a time:
 *   a thread (pthread_create: clone3 with CLONE_THREAD) makes T x getppid
 *     and ends; main joins it
 *   a child with fork semantics (raw clone, exit signal SIGCHLD) makes
 *     F x getpgrp and exit_group(0); main waits for it (wait4)
 *   a child from a raw clone without CLONE_THREAD whose exit signal is 0
 *     (ptrace reports it as a clone, as it does a thread, not as a fork)
 *     makes C x getpgrp and exit_group(0); main waits for it (wait4, __WALL)
 * then main makes exit_group(0). getppid comes only from the thread and
 * getpgrp only from the children. SIGCHLD stays blocked: under ptrace a
 * pending SIGCHLD makes a later clone restart (one more clone call). */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long thread_calls;

static void on_usr1(int sig)
{
	(void)sig;
}

static void *thread_main(void *arg)
{
	(void)arg;
	for (long i = 0; i < thread_calls; i++)
		syscall(SYS_getppid);
	return NULL;
}

/* The child of a raw clone: it runs on a copy of our memory and stack. */
static void child_process(long n, unsigned long exit_signal)
{
	long pid = syscall(SYS_clone, exit_signal, NULL, NULL, NULL, 0);

	if (pid == 0) {
		for (long i = 0; i < n; i++)
			syscall(SYS_getpgrp);
		syscall(SYS_exit_group, 0);
	}
	if (pid > 0)
		syscall(SYS_wait4, pid, NULL, __WALL, NULL);
}

int main(int argc, char **argv)
{
	if (argc != 4)
		return 2;
	thread_calls = atol(argv[1]);
	struct sigaction sa;
	sigset_t block, none;
	pthread_t thread;

	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGCHLD);
	sigemptyset(&none);
	sigaddset(&none, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	syscall(SYS_write, 2, "ready\n", 6);
	sigsuspend(&none);
	if (pthread_create(&thread, NULL, thread_main, NULL) != 0)
		syscall(SYS_exit_group, 1);
	pthread_join(thread, NULL);
	child_process(atol(argv[2]), SIGCHLD);
	child_process(atol(argv[3]), 0);
	syscall(SYS_exit_group, 0);
	return 0;
}
