/* wl_pause: a signal interrupting pause() (seed scenario 4).
 *
 * After start-up: rt_sigaction(SIGUSR1, handler), fork (clone); the child
 * sleeps 200 ms and sends SIGUSR1 to the parent, then exits; the parent
 * calls pause(), which the signal interrupts (the handler runs, then
 * rt_sigreturn returns -1 EINTR to pause), then wait4(child) and
 * write(1, "handled 1\n", 10), exit_group(0). Exit status 1 if the handler
 * did not run. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		struct timespec ts = {0, 200 * 1000 * 1000};
		nanosleep(&ts, NULL);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	pause();
	waitpid(pid, NULL, 0);
	if (!handled)
		return 1;
	write(1, "handled 1\n", 10);
	return 0;
}
