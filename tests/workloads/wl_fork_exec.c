/* wl_fork_exec: fork + exec + wait (seed scenario 3).
 *
 * After start-up: 1 x fork (glibc: clone(SIGCHLD)); the child calls
 * execve("/bin/echo", ["echo", "hello from child"], envp) and runs echo;
 * the parent calls wait4(child) -> child pid, then exit_group(0). */
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(void)
{
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		char *argv[] = {"echo", "hello from child", NULL};
		execve("/bin/echo", argv, environ);
		_exit(127);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
