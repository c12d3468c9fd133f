/* wl_states MODE ...: calls whose time goes mostly to one known place, for
 * the on-CPU/runqueue/I/O-wait/sleep split (tests/test_cli_states.cpp).
 * (Calls that sleep: wl_sleep COUNT 20000000.)
 *
 * cpu N MIB [CPU [fifo]]: N x MIB MiB of getrandom(buf, len, 0), each
 *   looping on short returns (more getrandom calls, never fewer): work done
 *   on the CPU, in the kernel. With CPU, pinned to that CPU first
 *   (sched_setaffinity); with fifo also SCHED_FIFO priority 1, so that no
 *   ordinary task takes that CPU from it (exits 3 if not allowed).
 * direct PATH N: N x pread64 of 1 MiB from PATH opened O_RDONLY|O_DIRECT
 *   (buffer aligned to 4096), at offsets 0, 1 MiB, ... wrapping at the
 *   file's size (at least 1 MiB): block I/O waited for in io_schedule.
 * spin CPU: pinned to CPU, spins in user space until killed; no syscall
 *   after start-up.
 *
 * cpu and direct then write one line to stdout: the number of getrandom or
 * pread64 calls made, and exit_group(0); 1 on a failed call. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MIB (1024L * 1024L)

static int pin(const char *cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(atoi(cpu), &set);
	return sched_setaffinity(0, sizeof set, &set);
}

static int cpu_mode(int argc, char **argv)
{
	if (argc < 4 || argc > 6)
		return 2;
	long n = atol(argv[2]), len = atol(argv[3]) * MIB, calls = 0;
	char *buf = malloc(len);

	if (!buf || len <= 0)
		return 2;
	memset(buf, 0, len); /* fault it in now, not inside the calls */
	if (argc >= 5 && pin(argv[4]) != 0)
		return 1;
	if (argc == 6) {
		struct sched_param sp = { .sched_priority = 1 };

		if (strcmp(argv[5], "fifo"))
			return 2;
		if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0)
			return 3;
	}
	for (long i = 0; i < n; i++) {
		for (long done = 0; done < len;) {
			long r = syscall(SYS_getrandom, buf + done, len - done, 0);

			calls++;
			if (r <= 0)
				return 1;
			done += r;
		}
	}
	printf("%ld\n", calls);
	return 0;
}

static int direct_mode(int argc, char **argv)
{
	if (argc != 4)
		return 2;
	long n = atol(argv[3]);
	int fd = open(argv[2], O_RDONLY | O_DIRECT);
	void *buf;
	off_t size;

	if (fd < 0 || posix_memalign(&buf, 4096, MIB) != 0)
		return 1;
	size = lseek(fd, 0, SEEK_END);
	if (size < MIB)
		return 1;
	memset(buf, 0, MIB);
	for (long i = 0; i < n; i++) {
		if (syscall(SYS_pread64, fd, buf, MIB, (i * MIB) % (size / MIB * MIB)) != MIB)
			return 1;
	}
	printf("%ld\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "cpu"))
		return cpu_mode(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "direct"))
		return direct_mode(argc, argv);
	if (argc == 3 && !strcmp(argv[1], "spin")) {
		if (pin(argv[2]) != 0)
			return 1;
		for (volatile unsigned long x = 0;; x++)
			;
	}
	return 2;
}
