/* wl_thread_exec: execve from a thread that is not the group leader.
 *
 * After start-up: the main thread starts a thread (clone with CLONE_THREAD)
 * and waits in pause(); the thread calls
 * execve("/bin/echo", ["echo", "exec from a thread"], envp). The kernel
 * kills the leader, and the thread takes over the leader's PID: echo then
 * runs as the original process and prints "exec from a thread\n". */
#include <pthread.h>
#include <unistd.h>

extern char **environ;

static void *run(void *arg)
{
	(void)arg;
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
