/* wl_threads T N: T threads that wait for SIGUSR1, then make known calls.
 *
 * Set-up (before the test attaches): SIGUSR1 blocked in every thread, T
 * threads created; each writes "tid <TID>\n" to stderr (in thread order,
 * 0..T-1) and waits on a barrier; then main writes "ready\n" to stderr and
 * waits for SIGUSR1 in rt_sigsuspend. The part a tracer attached meanwhile
 * sees:
 *   main:      1 x rt_sigsuspend (EINTR), 1 x rt_sigreturn (restores
 *              -EINTR: an error), futex calls of the barrier and joins,
 *              1 x exit_group(0)
 *   thread i:  futex calls of the barrier, N * (i + 1) x getppid, then glibc's
 *              thread exit (madvise of its stack, 1 x exit)
 * So getppid is N * T * (T + 1) / 2 for the process and N * (i + 1) for
 * thread i; exit is 1 per thread. */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_THREADS 16

static pthread_barrier_t started, go;
static pthread_mutex_t order = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_cond = PTHREAD_COND_INITIALIZER;
static long turn, n;

static void on_usr1(int sig)
{
	(void)sig;
}

static void *worker(void *arg)
{
	long i = (long)(intptr_t)arg;
	char line[32];
	int len = snprintf(line, sizeof(line), "tid %ld\n", (long)syscall(SYS_gettid));

	pthread_mutex_lock(&order); /* print in thread order */
	while (turn != i)
		pthread_cond_wait(&turn_cond, &order);
	syscall(SYS_write, 2, line, len);
	turn++;
	pthread_cond_broadcast(&turn_cond);
	pthread_mutex_unlock(&order);

	pthread_barrier_wait(&started);
	pthread_barrier_wait(&go);
	for (long j = 0; j < n * (i + 1); j++)
		syscall(SYS_getppid);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	long t = atol(argv[1]);
	pthread_t threads[MAX_THREADS];
	struct sigaction sa;
	sigset_t block, none;

	n = atol(argv[2]);
	if (t < 1 || t > MAX_THREADS)
		return 2;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &block, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	pthread_barrier_init(&started, NULL, t + 1);
	pthread_barrier_init(&go, NULL, t + 1);
	for (long i = 0; i < t; i++)
		pthread_create(&threads[i], NULL, worker, (void *)(intptr_t)i);
	pthread_barrier_wait(&started);
	syscall(SYS_write, 2, "ready\n", 6);
	sigsuspend(&none);
	pthread_barrier_wait(&go);
	for (long i = 0; i < t; i++)
		pthread_join(threads[i], NULL);
	syscall(SYS_exit_group, 0);
	return 0;
}
