/* wl_loop NAME BATCH SLEEP_MS [BATCHES]: paced calls of one syscall.
 *
 * NAME is getppid, getpgrp or geteuid. Each batch is BATCH x NAME followed by
 * 1 x nanosleep(SLEEP_MS ms). With BATCHES it makes exactly BATCHES batches
 * (BATCHES * BATCH calls of NAME, BATCHES nanosleeps) and exit_group(0);
 * without, it loops until killed. Raw syscall(2)s only after start-up. */
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 4 && argc != 5)
		return 2;
	long nr = !strcmp(argv[1], "getppid") ? SYS_getppid
		: !strcmp(argv[1], "getpgrp") ? SYS_getpgrp
		: !strcmp(argv[1], "geteuid") ? SYS_geteuid : -1;
	if (nr < 0)
		return 2;
	long batch = atol(argv[2]), sleep_ms = atol(argv[3]);
	long batches = argc == 5 ? atol(argv[4]) : -1;
	struct timespec ts = { .tv_sec = sleep_ms / 1000, .tv_nsec = (sleep_ms % 1000) * 1000000L };

	for (long b = 0; batches < 0 || b < batches; b++) {
		for (long i = 0; i < batch; i++)
			syscall(nr);
		syscall(SYS_nanosleep, &ts, NULL);
	}
	syscall(SYS_exit_group, 0);
	return 0;
}
