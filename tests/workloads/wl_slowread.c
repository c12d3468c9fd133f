/* wl_slowread pipe DELAY_MS [STAY_MS] | fifo DELAY_MS PATH [STAY_MS]: calls
 * that block for about DELAY_MS, made where a stack walk can see them.
 *
 * pipe: a child writes one byte into a pipe after DELAY_MS; the parent reads
 *   it in syslat_blocking_read_here() (called from syslat_outer_frame()),
 *   with the syscall instruction inline so that the function itself is the
 *   innermost frame: 1 x read(fd of the pipe, buf, 1), blocking ~DELAY_MS.
 * fifo: PATH is created as a FIFO; a child opens it for writing after
 *   DELAY_MS; the parent's openat(AT_FDCWD, PATH, O_RDONLY) blocks until then;
 *   the child writes one byte DELAY_MS later, so the parent's read of it
 *   blocks about as long again.
 * Then it stays STAY_MS (default 300; 1 x nanosleep, none for 0): sysslow
 * symbolizes a slow call's stack from /proc/PID after the event arrives,
 * which a process that is already gone no longer has. Built with frame
 * pointers (tests/CMakeLists.txt). Exits 0 when all went as described. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
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

__attribute__((noinline)) long syslat_blocking_read_here(int fd, char *buf)
{
	/* A stack frame of its own (gcc drops the frame pointer of leaf
	 * functions that need no stack even with -fno-omit-frame-pointer), so
	 * that the walk goes on to syslat_outer_frame. */
	volatile char frame[16];
	long ret;

	frame[0] = 0;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"((long)SYS_read), "D"((long)fd), "S"(buf), "d"(1L)
			 : "rcx", "r11", "memory");
	return ret;
}

__attribute__((noinline)) long syslat_outer_frame(int fd)
{
	char buf[1];
	long ret = syslat_blocking_read_here(fd, buf);

	__asm__ volatile("" ::: "memory"); /* not a tail call: keep this frame */
	return ret;
}

static int child_status(pid_t pid)
{
	int status = 0;
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status) : 99;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	long delay = atol(argv[2]);
	int fifo = !strcmp(argv[1], "fifo");
	long stay = argc == 4 + fifo ? atol(argv[3 + fifo]) : 300;
	if (!strcmp(argv[1], "pipe") && argc <= 4) {
		int p[2];
		if (pipe(p))
			return 3;
		pid_t pid = fork();
		if (pid == 0) {
			sleep_ms(delay);
			_exit(write(p[1], "x", 1) == 1 ? 0 : 1);
		}
		long got = syslat_outer_frame(p[0]);
		if (stay)
			sleep_ms(stay);
		return got == 1 && child_status(pid) == 0 ? 0 : 4;
	}
	if (fifo && (argc == 4 || argc == 5)) {
		const char *path = argv[3];
		unlink(path);
		if (mkfifo(path, 0600))
			return 3;
		pid_t pid = fork();
		if (pid == 0) {
			sleep_ms(delay);
			int w = open(path, O_WRONLY);
			sleep_ms(delay);
			_exit(w >= 0 && write(w, "x", 1) == 1 ? 0 : 1);
		}
		int fd = open(path, O_RDONLY);
		char c;
		long got = fd >= 0 ? read(fd, &c, 1) : -1;
		int status = child_status(pid);
		unlink(path);
		if (stay)
			sleep_ms(stay);
		return got == 1 && status == 0 ? 0 : 4;
	}
	return 2;
}
