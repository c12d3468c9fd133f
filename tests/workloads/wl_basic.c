/* wl_basic N M K: a fixed number of simple calls, then exit.
 *
 * After the C runtime's start-up (the same for every N M K), it makes exactly
 *   N x getppid
 *   M x openat(AT_FDCWD, "/nonexistent/syslat-wl-basic", O_RDONLY) -> ENOENT
 *   1 x open("/dev/null", O_WRONLY)   (only when K > 0; `open`, not `openat`,
 *                                      so the openat row stays M/M)
 *   K x write(fd, "x", 1) to /dev/null
 *   1 x exit_group(0)
 * All through raw syscall(2), so libc adds nothing between them. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 4)
		return 2;
	long n = atol(argv[1]), m = atol(argv[2]), k = atol(argv[3]);

	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	for (long i = 0; i < m; i++)
		syscall(SYS_openat, AT_FDCWD, "/nonexistent/syslat-wl-basic", O_RDONLY);
	if (k > 0) {
		long fd = syscall(SYS_open, "/dev/null", O_WRONLY);
		for (long i = 0; i < k; i++)
			syscall(SYS_write, fd, "x", 1);
	}
	syscall(SYS_exit_group, 0);
	return 0;
}
