/* wl_enosys: signal handlers that return into a failed -ENOSYS call.
 *
 * After start-up: rt_sigaction (SIGALRM handler), setitimer (every 200 us),
 * then syscall(999) -- no such syscall, -ENOSYS -- in a loop until the
 * handler has run 200 times, then setitimer (off), write(1, "signals N\n")
 * and exit_group(0). The timer mostly fires inside or right after a
 * syscall(999), so the registers the handler's rt_sigreturn restores hold
 * -ENOSYS: each of those rt_sigreturn calls "fails" with ENOSYS (strace
 * counts them so). Exactly N rt_sigreturn calls (N = 200, or 201 if one more
 * tick lands before the timer is off; the printed N is the truth). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

static volatile long handled;

static void on_alarm(int sig)
{
	(void)sig;
	handled++;
}

int main(void)
{
	struct sigaction sa;
	struct itimerval every = { { 0, 200 }, { 0, 200 } }, off = { { 0, 0 }, { 0, 0 } };
	char line[64];
	int len;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &every, NULL);
	while (handled < 200)
		syscall(999);
	setitimer(ITIMER_REAL, &off, NULL);
	len = snprintf(line, sizeof(line), "signals %ld\n", handled);
	syscall(SYS_write, 1, line, len);
	syscall(SYS_exit_group, 0);
	return 0;
}
