/* wl_hostile DIR DELAY_MS REPEAT: names made to attack a terminal.
 * Renames itself (prctl PR_SET_NAME) to "\e]0;pwned\a\x9b[2J" (ESC, BEL and
 * the C1 byte CSI between printable text) and makes, REPEAT times:
 *   10 x getppid;
 *   1 x openat(AT_FDCWD, "DIR/f\e]0;pwned\a\x9b[2J\xc2\x9b.fifo", O_RDONLY)
 *     of a FIFO (created once; \xc2\x9b is CSI again, as valid UTF-8), which
 *     blocks for about DELAY_MS until a child opens it for writing;
 *   1 x read(fd, buf, 1), blocking about DELAY_MS more until the child writes
 *     (the fd stays open: sysslow resolves it from /proc/PID/fd).
 * The child (fork; it inherits the name) sleeps, opens, sleeps and writes.
 * Then it stays 300 ms (1 x nanosleep), so that sysslow still finds
 * /proc/PID/fd when it decodes the last read. Run from a copy whose file
 * name holds escapes too, its stack frames name such a file. Exits 0 when
 * all went as described. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static void writer(const char *path, long delay)
{
	sleep_ms(delay);
	int fd = open(path, O_WRONLY);
	sleep_ms(delay);
	_exit(fd >= 0 && write(fd, "x", 1) == 1 ? 0 : 1);
}

/* Not inlined: a frame of its own for sysslow --stack to name. */
__attribute__((noinline)) long hostile_read(const char *path)
{
	char c;
	int fd = open(path, O_RDONLY);
	long ret = fd >= 0 ? read(fd, &c, 1) : -1;

	__asm__ volatile("" ::: "memory");
	return ret;
}

int main(int argc, char **argv)
{
	char path[4096];

	if (argc != 4)
		return 2;
	long delay = atol(argv[2]);
	long repeat = atol(argv[3]);
	if (prctl(PR_SET_NAME, "\x1b]0;pwned\a\x9b[2J") != 0)
		return 3;
	snprintf(path, sizeof(path), "%s/f\x1b]0;pwned\a\x9b[2J\xc2\x9b.fifo", argv[1]);
	unlink(path);
	if (mkfifo(path, 0600) != 0)
		return 3;
	for (long r = 0; r < repeat; r++) {
		for (int i = 0; i < 10; i++)
			syscall(SYS_getppid);
		pid_t pid = fork();
		if (pid == 0)
			writer(path, delay);
		int status = 0;
		if (hostile_read(path) != 1 || waitpid(pid, &status, 0) != pid || status != 0)
			return 4;
	}
	sleep_ms(300);
	return 0;
}
