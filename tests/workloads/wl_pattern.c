/* wl_pattern FILE: the tracer's reference pattern (seed scenario 1).
 *
 * After start-up, through raw syscall(2):
 *   getpid()
 *   open(FILE, O_WRONLY|O_CREAT|O_TRUNC, 0666)  -> fd
 *   write(fd, "test data", 9)
 *   close(fd)
 *   exit_group(0) */
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	syscall(SYS_getpid);
	long fd = syscall(SYS_open, argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0666);
	syscall(SYS_write, fd, "test data", 9);
	syscall(SYS_close, fd);
	syscall(SYS_exit_group, 0);
	return 0;
}
