/* wl_thread_exec: execve from a thread that is not the group leader.
 *
 * After start-up: the main thread starts a thread (clone with CLONE_THREAD)
 * and waits in pause(); the thread calls
 * execve("/bin/echo", ["echo", "exec from a thread"], envp). The kernel
 * kills the leader, and the thread takes over the leader's PID: echo then
 * runs as the original process and prints "exec from a thread\n".
 *
 * The thread execs only once the leader sleeps inside pause(): without the
 * wait, a fast thread could exec while the leader was still in
 * pthread_create's return path, and no pause() would ever be traced. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

/* Whether the leader is asleep (S) inside pause: stat's state and the
 * syscall number /proc reports for a task blocked in a call. */
static int leader_in_pause(void)
{
	char path[64], buf[512];
	FILE *f;
	int in_pause = 0, sleeping = 0;

	snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)getpid());
	if ((f = fopen(path, "r"))) {
		long nr;
		in_pause = fscanf(f, "%ld", &nr) == 1 && nr == SYS_pause;
		fclose(f);
	}
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)getpid());
	if ((f = fopen(path, "r"))) {
		if (fgets(buf, sizeof buf, f)) {
			const char *end = strrchr(buf, ')');
			sleeping = end && end[1] == ' ' && end[2] == 'S';
		}
		fclose(f);
	}
	return in_pause && sleeping;
}

static void *run(void *arg)
{
	(void)arg;
	while (!leader_in_pause())
		usleep(1000);
	char *argv[] = {"echo", "exec from a thread", NULL};
	execve("/bin/echo", argv, environ);
	_exit(127);
}

int main(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, run, NULL) != 0)
		return 1;
	for (;;)
		pause();
}
