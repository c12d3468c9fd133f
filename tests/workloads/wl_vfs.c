/* wl_vfs FILE READS OPENS: known calls of the VFS, for sysfunc.
 *
 * Opens FILE, writes "ready" to stderr and waits for SIGUSR1; then makes
 * exactly READS x read(fd, buf, 1) (each a vfs_read of FILE: give it at least
 * READS bytes for every read to return 1) and OPENS x openat(FILE) + close,
 * writes "done" to stderr and waits for SIGUSR1 again (so the test reads its
 * counts while the PID is still its own), then exit_group(0). Raw syscall(2)s
 * only after start-up. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	sigset_t set;
	int sig;
	char c;

	if (argc != 4)
		return 2;
	long reads = atol(argv[2]), opens = atol(argv[3]);
	long fd = syscall(SYS_openat, AT_FDCWD, argv[1], O_RDONLY);
	if (fd < 0)
		return 1;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	syscall(SYS_write, 2, "ready\n", 6);
	sigwait(&set, &sig);
	for (long i = 0; i < reads; i++)
		syscall(SYS_read, fd, &c, 1);
	for (long i = 0; i < opens; i++) {
		long f = syscall(SYS_openat, AT_FDCWD, argv[1], O_RDONLY);
		if (f >= 0)
			syscall(SYS_close, f);
	}
	syscall(SYS_write, 2, "done\n", 5);
	sigwait(&set, &sig);
	syscall(SYS_exit_group, 0);
	return 0;
}
