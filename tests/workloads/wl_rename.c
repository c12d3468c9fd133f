/* wl_rename N: a thread renames itself ("renamed-thread") and makes N
 * getppid; the main thread waits for it and makes none. Then exit_group(0).
 * The process name (the main thread's comm) stays what the program was
 * started as. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static long n;

static void *worker(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "renamed-thread", 0, 0, 0);
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	n = atol(argv[1]);
	pthread_t t;
	if (pthread_create(&t, NULL, worker, NULL))
		return 3;
	pthread_join(t, NULL);
	return 0;
}
