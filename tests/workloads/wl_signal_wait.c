/* wl_signal_wait [ignore-term]: waits to be signalled, for the tests of how
 * a launched command is stopped.
 *
 * After start-up: 1 x rt_sigaction (SIGINT handler); with "ignore-term" also
 * 1 x rt_sigaction (SIGTERM ignored); then write(2, "ready\n") -- the test
 * waits for that line -- and pause() until a signal comes. The SIGINT handler
 * makes 1 x write(1, "got SIGINT\n") and exit_group(7), so a tracer sees the
 * pause fail (EINTR/ERESTARTNOHAND) and the handler's write. Any other
 * signal takes its default action (SIGTERM kills it unless ignored). */
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void on_int(int sig)
{
	(void)sig;
	syscall(SYS_write, 1, "got SIGINT\n", 11);
	syscall(SYS_exit_group, 7);
}

int main(int argc, char **argv)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_int;
	sigaction(SIGINT, &sa, NULL);
	if (argc > 1 && strcmp(argv[1], "ignore-term") == 0) {
		sa.sa_handler = SIG_IGN;
		sigaction(SIGTERM, &sa, NULL);
	}
	syscall(SYS_write, 2, "ready\n", 6);
	for (;;)
		syscall(SYS_pause);
}
