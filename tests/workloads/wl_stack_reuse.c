/* wl_stack_reuse ROUNDS: a thread of another process on the kernel stack of
 * a thread of this one that just exited, on a CPU where the exited thread
 * made the last syscall. A tracer that tells tasks apart by their kernel
 * stack (syslat's this_task cache) and does not forget exited ones takes
 * the new thread for the old, and counts its calls for this process.
 *
 * Needs 2 CPUs. Prints "ready" on stderr once the other process is set up,
 * then waits for SIGUSR1 (blocked before, so none is lost). Per round:
 *   this process: a thread T moves to CPU 0, makes 3 x getppid (the last
 *                 syscalls on CPU 0), moves back to CPU 1 and exits there,
 *                 so its kernel stack goes to CPU 1's cache of free stacks;
 *   the other:    on CPU 1, creates a thread N (it gets that stack), which
 *                 moves to CPU 0 and makes 5 x getpgrp, then exits.
 * So a tracer of this process (-p) sees 3 x getppid per round and never a
 * getpgrp. Exit status 0, or 1 on a failed setup. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0) {
		perror("wl_stack_reuse: sched_setaffinity");
		exit(1);
	}
}

static void *old_thread(void *arg)
{
	(void)arg;
	to_cpu(0);
	for (int i = 0; i < 3; i++)
		syscall(SYS_getppid);
	to_cpu(1);
	return NULL;
}

static void *new_thread(void *arg)
{
	(void)arg;
	to_cpu(0);
	for (int i = 0; i < 5; i++)
		syscall(SYS_getpgrp);
	return NULL;
}

static void run_thread(void *(*fn)(void *))
{
	pthread_t t;

	if (pthread_create(&t, NULL, fn, NULL) != 0 || pthread_join(t, NULL) != 0) {
		fprintf(stderr, "wl_stack_reuse: pthread\n");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	int to_other[2], to_us[2];
	long rounds = argc == 2 ? atol(argv[1]) : 0;
	sigset_t usr1;
	char c = 0;
	int sig;

	if (rounds <= 0 || sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return 2;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	to_cpu(1);
	if (pipe(to_other) != 0 || pipe(to_us) != 0)
		return 1;
	pid_t other = fork();
	if (other < 0)
		return 1;
	if (other == 0) {
		for (long r = 0; r < rounds; r++) {
			if (read(to_other[0], &c, 1) != 1)
				_exit(1);
			run_thread(new_thread);
			if (write(to_us[1], &c, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	fprintf(stderr, "ready\n");
	sigwait(&usr1, &sig);
	for (long r = 0; r < rounds; r++) {
		run_thread(old_thread);
		if (write(to_other[1], &c, 1) != 1 || read(to_us[0], &c, 1) != 1)
			return 1;
	}
	int status = 0;
	waitpid(other, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
