/* wl_wallclock FIFO COUNT: opens FIFO for reading (1 x openat, blocking until
 * a writer opens it), then COUNT times: reads CLOCK_REALTIME (vDSO, no
 * syscall), 1 x read(fd, buf, 1) that blocks until the writer sends a byte,
 * CLOCK_REALTIME again. Then 1 x write to stdout of one line per read,
 * "BEFORE_NS AFTER_NS" (ns since the epoch, as this process saw them), and
 * exit_group(0). Exits 3 if a read did not return one byte. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long realtime_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
	static char out[100 * 44];
	size_t len = 0;
	char c;

	if (argc != 3)
		return 2;
	long count = atol(argv[2]);
	if (count < 1 || count > 100)
		return 2;
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		return 3;
	for (long i = 0; i < count; i++) {
		long long before = realtime_ns();
		long got = syscall(SYS_read, fd, &c, 1);
		long long after = realtime_ns();
		if (got != 1)
			return 3;
		len += snprintf(out + len, sizeof(out) - len, "%lld %lld\n", before, after);
	}
	syscall(SYS_write, 1, out, len);
	syscall(SYS_exit_group, 0);
	return 0;
}
