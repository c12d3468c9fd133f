/* wl_mixed: threads, a lock, a forked child and caught signals.
 *
 * Exact counts after start-up (also checked by the tests):
 *   getppid       6000   thread i (i = 0, 1, 2) makes 1000 * (i + 1), each
 *                        inside a pthread mutex shared by the three threads
 *   close         +6     errors 6 (EBADF): thread i closes fd -1 (i + 1) times
 *   exit           3     the three threads end through SYS_exit (glibc)
 *   tgkill         3     the main thread signals itself: SIGUSR1, caught
 *   rt_sigreturn   4     3 x SIGUSR1 + 1 x SIGCHLD (both handlers SA_RESTART,
 *                        so no call fails because of them and the restored
 *                        registers are never an error value)
 *   geteuid      250     made by the child (raw clone, fork semantics)
 *   exit_group     2     the child and the main thread
 *   wait4        1-2     the SIGCHLD may restart it once (ERESTARTSYS)
 *   write          1     "caught 4\n" to stdout (the handlers' count)
 * Timing-dependent: futex (mutex contention, pthread_join), mmap/mprotect/
 * clone3/rt_sigprocmask of pthread_create. Compare those against strace in
 * the same execution, never across runs. */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NTHREADS 3

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
	(void)sig;
	caught++;
}

static void *worker(void *arg)
{
	long i = (long)(intptr_t)arg;

	for (long j = 0; j < 1000 * (i + 1); j++) {
		pthread_mutex_lock(&lock);
		syscall(SYS_getppid);
		pthread_mutex_unlock(&lock);
	}
	for (long j = 0; j < i + 1; j++)
		syscall(SYS_close, -1);
	return NULL;
}

int main(void)
{
	pthread_t threads[NTHREADS];
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);

	for (long i = 0; i < NTHREADS; i++)
		pthread_create(&threads[i], NULL, worker, (void *)(intptr_t)i);
	for (long i = 0; i < NTHREADS; i++)
		pthread_join(threads[i], NULL);

	long pid = syscall(SYS_getpid), tid = syscall(SYS_gettid);
	for (int i = 0; i < 3; i++)
		syscall(SYS_tgkill, pid, tid, SIGUSR1);

	if (syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, 0) == 0) {
		for (int i = 0; i < 250; i++)
			syscall(SYS_geteuid);
		syscall(SYS_exit_group, 0);
	}
	syscall(SYS_wait4, -1, NULL, 0, NULL);
	char line[32];
	int len = snprintf(line, sizeof(line), "caught %d\n", (int)caught);
	syscall(SYS_write, 1, line, len);
	syscall(SYS_exit_group, caught == 4 ? 0 : 1);
	return 0;
}
