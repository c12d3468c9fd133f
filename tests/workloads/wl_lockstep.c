/* wl_lockstep ROUNDS: waits for SIGUSR1 (asleep in rt_sigtimedwait), then two threads, pinned to CPUs 0 and 1, make the same
 * sequence of harmless calls that fail at once (fd -1: EBADF, or EFAULT), in
 * lockstep: before each call both wait at a spin barrier, so a syscall's
 * first call comes from the two CPUs at nearly the same moment. Each of the
 * kCalls numbers below is called 2 * ROUNDS times in all (ROUNDS per thread).
 * Raw syscall(2)s only; exit 0 (2 on bad usage, 3 if a CPU is missing). */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static const long kCalls[] = {
	SYS_read, SYS_write, SYS_fstat, SYS_lseek, SYS_ioctl, SYS_pread64, SYS_pwrite64,
	SYS_readv, SYS_writev, SYS_dup, SYS_sendfile, SYS_connect, SYS_accept, SYS_sendto,
	SYS_recvfrom, SYS_sendmsg, SYS_recvmsg, SYS_shutdown, SYS_bind, SYS_listen,
	SYS_getsockname, SYS_getpeername, SYS_setsockopt, SYS_getsockopt, SYS_fcntl, SYS_flock,
	SYS_fsync, SYS_fdatasync, SYS_ftruncate, SYS_getdents, SYS_fchdir, SYS_fchmod,
	SYS_fchown, SYS_fstatfs, SYS_readahead, SYS_fgetxattr, SYS_flistxattr,
	SYS_fremovexattr, SYS_getdents64, SYS_fadvise64,
};
#define NCALLS (sizeof(kCalls) / sizeof(kCalls[0]))

static long rounds;
static volatile long arrived[2];

static void barrier(int me, long step)
{
	__atomic_store_n(&arrived[me], step, __ATOMIC_RELEASE);
	while (__atomic_load_n(&arrived[!me], __ATOMIC_ACQUIRE) < step)
		;
}

static void *run(void *arg)
{
	int me = (int)(long)arg;
	cpu_set_t cpus;
	long step = 0;

	CPU_ZERO(&cpus);
	CPU_SET(me, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus) != 0)
		exit(3);
	for (long r = 0; r < rounds; r++) {
		for (unsigned i = 0; i < NCALLS; i++) {
			barrier(me, ++step);
			syscall(kCalls[i], -1L, 0L, 0L, 0L, 0L, 0L);
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t other;
	sigset_t go;
	int sig;

	if (argc != 2 || (rounds = atol(argv[1])) <= 0)
		return 2;
	sigemptyset(&go);
	sigaddset(&go, SIGUSR1);
	sigprocmask(SIG_BLOCK, &go, NULL);
	sigwait(&go, &sig);
	if (pthread_create(&other, NULL, run, (void *)1L) != 0)
		return 3;
	run((void *)0L);
	pthread_join(other, NULL);
	return 0;
}
