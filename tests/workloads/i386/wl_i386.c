/* wl_i386 N [PROG ARGS...]: built as a 32-bit static program (-m32
 * -static), it makes N x getppid through the i386 ABI (number 64), then
 * exit_group(0) -- or, given PROG, execve(PROG, [PROG, ARGS...]) through
 * the i386 ABI (number 11, not x86_64's 59), and from there on whatever
 * PROG does (exit 127 if the execve fails). PROG's path is read from our
 * stack, which the execve replaces: a tracer must read it at the call's
 * entry. With N = 0 and no PROG it only checks that the kernel runs 32-bit
 * programs at all. */
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	long n = atol(argv[1]);
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	if (argc > 2) {
		syscall(SYS_execve, argv[2], argv + 2, environ);
		syscall(SYS_exit_group, 127);
	}
	return 0;
}
