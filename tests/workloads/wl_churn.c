/* wl_churn RATE SECONDS CALLS: short-lived processes at a steady rate.
 *
 * For SECONDS it starts RATE processes per second (in 10 ms ticks). Each
 * child makes CALLS x getppid and exit_group(0); the parent reaps every child
 * before the next tick. At the end it prints to stdout the number of
 * children it started and reaped ("children N"), and the rate reached.
 * A child runs no libc exit code: it makes set_robust_list (glibc's fork),
 * CALLS x getppid and one exit_group. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 4)
		return 2;
	long rate = atol(argv[1]), calls = atol(argv[3]);
	double seconds = atof(argv[2]);
	if (rate <= 0 || seconds <= 0 || calls < 0)
		return 2;

	const double tick = 0.01;
	const long per_tick = rate / 100 > 0 ? rate / 100 : 1;
	const double start = now();
	long children = 0;

	for (long t = 0; start + t * tick < start + seconds; t++) {
		for (long i = 0; i < per_tick; i++) {
			pid_t pid = fork();
			if (pid < 0) {
				perror("wl_churn: fork");
				return 1;
			}
			if (pid == 0) {
				for (long c = 0; c < calls; c++)
					syscall(SYS_getppid);
				syscall(SYS_exit_group, 0);
			}
			children++;
		}
		while (waitpid(-1, NULL, 0) > 0)
			;
		double wake = start + (t + 1) * tick, left = wake - now();
		if (left > 0) {
			struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)(left * 1e9) };
			nanosleep(&ts, NULL);
		}
	}
	printf("children %ld rate %.0f/s\n", children, children / (now() - start));
	return 0;
}
