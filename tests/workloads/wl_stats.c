/* wl_stats DIR: a controlled workload for statistics (seed scenario 5).
 *
 * After start-up, through raw syscall(2): 100 times
 *   openat(AT_FDCWD, DIR/stats-N, O_WRONLY|O_CREAT|O_TRUNC, 0600), write 100
 *   bytes, close;
 * 10 x getpid; 1 x openat(AT_FDCWD, DIR/missing/x, O_RDONLY) -> ENOENT;
 * then exit_group(0). So: openat 101 (1 error), write 100, close 100,
 * getpid 10. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[4096], data[100];
	if (argc != 2)
		return 2;
	memset(data, 'd', sizeof data);
	for (int i = 0; i < 100; i++) {
		snprintf(path, sizeof path, "%s/stats-%d", argv[1], i);
		long fd = syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		syscall(SYS_write, fd, data, sizeof data);
		syscall(SYS_close, fd);
	}
	for (int i = 0; i < 10; i++)
		syscall(SYS_getpid);
	snprintf(path, sizeof path, "%s/missing/x", argv[1]);
	syscall(SYS_openat, AT_FDCWD, path, O_RDONLY);
	syscall(SYS_exit_group, 0);
	return 0;
}
