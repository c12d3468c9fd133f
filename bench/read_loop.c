/* read_loop: the workload of the sysfunc benchmark (scripts/bench_func.py).
 * A tight loop of read(fd, buf, 1) on /dev/zero: one call of vfs_read each,
 * the kernel function sysfunc and libbpf-tools funclatency are told to trace,
 * timed with CLOCK_MONOTONIC and reported as getppid_loop does:
 *
 *   ns_per_call=812.4 mean_ns=815.0 min_batch_ns=801.2 cpu_share=0.999 calls=200000 batches=10 pid=123
 *
 * With -s it first prints "waiting pid=PID" and waits for SIGUSR1 (or
 * SIGCONT after a stop), so that a tool can be attached to its PID
 * (`-p PID`) before the timed part starts. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BENCH_NAME "read_loop"
#include "bench_util.h"

#define MAX_BATCHES 1000

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-c CPU] [-s] [-b BATCHES] CALLS\n"
		"  -c CPU      pin to this CPU before measuring\n"
		"  -s          print \"waiting pid=PID\", then wait for SIGUSR1 before the loop\n"
		"  -b BATCHES  split CALLS into this many timed batches (default 10)\n",
		prog);
}

static void spin_read(int fd, long n)
{
	char buf[1];

	for (long i = 0; i < n; i++)
		if (read(fd, buf, 1) != 1)
			die("read /dev/zero");
}

int main(int argc, char **argv)
{
	long batches = 10, calls;
	double batch_ns[MAX_BATCHES], total_ns = 0;
	int cpu = -1, wait_signal = 0, opt;

	while ((opt = getopt(argc, argv, "c:sb:h")) != -1) {
		switch (opt) {
		case 'c': cpu = (int)parse_count(optarg, "cpu"); break;
		case 's': wait_signal = 1; break;
		case 'b': batches = parse_count(optarg, "batches"); break;
		default: usage(argv[0]); return opt == 'h' ? 0 : 2;
		}
	}
	if (optind != argc - 1) {
		usage(argv[0]);
		return 2;
	}
	calls = parse_count(argv[optind], "call count");
	if (batches < 1 || batches > MAX_BATCHES || calls < batches) {
		fprintf(stderr, "read_loop: need 1 <= batches <= %d and calls >= batches\n", MAX_BATCHES);
		return 2;
	}
	pin_thread(0, cpu);
	int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open /dev/zero");
	if (wait_signal) {
		sigset_t set;
		int sig;

		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigprocmask(SIG_BLOCK, &set, NULL);
		printf("waiting pid=%d\n", (int)getpid());
		fflush(stdout);
		sigwait(&set, &sig);
	}
	long per_batch = calls / batches;
	spin_read(fd, per_batch / 10 + 1);  /* warm-up */
	double cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	for (long b = 0; b < batches; b++) {
		double t0 = clock_ns(CLOCK_MONOTONIC);
		spin_read(fd, per_batch);
		double t1 = clock_ns(CLOCK_MONOTONIC);
		batch_ns[b] = (t1 - t0) / per_batch;
		total_ns += t1 - t0;
	}
	double cpu_share = (clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0) / total_ns;
	qsort(batch_ns, batches, sizeof(batch_ns[0]), cmp_double);
	double median = batches % 2 ? batch_ns[batches / 2]
				    : (batch_ns[batches / 2 - 1] + batch_ns[batches / 2]) / 2;
	printf("ns_per_call=%.1f mean_ns=%.1f min_batch_ns=%.1f cpu_share=%.3f calls=%ld batches=%ld pid=%d\n",
	       median, total_ns / (per_batch * batches), batch_ns[0], cpu_share, per_batch * batches, batches,
	       (int)getpid());
	return 0;
}
