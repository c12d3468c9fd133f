/* wl_i386_signals N: built as a 32-bit static program. Handlers installed
 * by a 32-bit sigaction get i386 frames: without SA_SIGINFO a plain one,
 * ended by sigreturn (i386 119); with SA_SIGINFO an rt one, ended by
 * rt_sigreturn (i386 173).
 *  - SIGALRM, plain: an interval timer fires while the program spins in its
 *    own code (no syscall in progress) until the handler ran N times;
 *  - SIGUSR1, plain: raised 3 times with kill (delivered as kill returns);
 *  - SIGUSR2, SA_SIGINFO: raised 2 times with kill.
 * Prints "plain=P rt=R", the handler runs of each kind (P >= N + 3: a last
 * timer signal may land before the timer is stopped), and exits 0. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <unistd.h>

static volatile long alarms, usr1, usr2;

static void on_alarm(int sig) { (void)sig; alarms++; }
static void on_usr1(int sig) { (void)sig; usr1++; }
static void on_usr2(int sig, siginfo_t *info, void *uc) { (void)sig, (void)info, (void)uc; usr2++; }

int main(int argc, char **argv)
{
	struct sigaction plain = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct sigaction rt = { .sa_sigaction = on_usr2, .sa_flags = SA_SIGINFO | SA_RESTART };
	struct itimerval every_ms = { { 0, 1000 }, { 0, 1000 } }, off = { { 0, 0 }, { 0, 0 } };
	long n;

	if (argc != 2 || (n = atol(argv[1])) <= 0)
		return 2;
	sigaction(SIGALRM, &plain, NULL);
	plain.sa_handler = on_usr1;
	sigaction(SIGUSR1, &plain, NULL);
	sigaction(SIGUSR2, &rt, NULL);
	setitimer(ITIMER_REAL, &every_ms, NULL);
	while (alarms < n)
		; /* no syscall: each SIGALRM interrupts user code */
	setitimer(ITIMER_REAL, &off, NULL);
	for (int i = 0; i < 3; i++)
		kill(getpid(), SIGUSR1);
	for (int i = 0; i < 2; i++)
		kill(getpid(), SIGUSR2);
	printf("plain=%ld rt=%ld\n", alarms + usr1, usr2);
	return 0;
}
