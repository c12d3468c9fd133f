/* getppid_loop: the reference workload of docs/performance.md. A tight loop of
 * syscall(SYS_getppid) (no vDSO shortcut, no glibc caching), timed with
 * CLOCK_MONOTONIC and reported as ns per call on one machine-parsable line:
 *
 *   ns_per_call=193.4 mean_ns=195.0 min_batch_ns=191.2 cpu_share=0.999 calls=2000000 batches=10 cpu=1 total_calls=2200000 proc_cpu_ns=430000000
 *
 * The N calls are split into batches; ns_per_call is the median batch, so a
 * batch that lost the CPU to an unrelated task (compiles, kworkers) does not
 * move the result. mean_ns is total elapsed / N, for reference. cpu_share is
 * this thread's CPU time (CLOCK_THREAD_CPUTIME_ID) over the wall time of the
 * timed part: well below 1, another task shared the CPU for long enough to
 * skew even the median, and the caller should not trust the run.
 * total_calls counts the warm-up too, and proc_cpu_ns is the process's own
 * user+system time (getrusage) at the end: under a tracer that launched it,
 * the tracer's CPU time is what its rusage holds beyond this. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define BENCH_NAME "getppid_loop"
#include "bench_util.h"

#define MAX_BATCHES 1000

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-c CPU] [-w WARMUP] [-b BATCHES] CALLS\n"
		"  -c CPU      pin to this CPU before measuring\n"
		"  -w WARMUP   untimed calls first (default: CALLS/10, at most 200000)\n"
		"  -b BATCHES  split CALLS into this many timed batches (default 10)\n",
		prog);
}

static int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "getppid_loop: cannot pin to CPU %d: %s\n", cpu, strerror(errno));
		return -1;
	}
	return 0;
}

static void spin_getppid(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
}

int main(int argc, char **argv)
{
	long warmup = -1, batches = 10, calls;
	double batch_ns[MAX_BATCHES], total_ns = 0;
	int cpu = -1, opt;

	while ((opt = getopt(argc, argv, "c:w:b:h")) != -1) {
		switch (opt) {
		case 'c': cpu = (int)parse_count(optarg, "cpu"); break;
		case 'w': warmup = parse_count(optarg, "warm-up"); break;
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
		fprintf(stderr, "getppid_loop: need 1 <= batches <= %d and calls >= batches\n",
			MAX_BATCHES);
		return 2;
	}
	if (warmup < 0)
		warmup = calls / 10 < 200000 ? calls / 10 : 200000;
	if (cpu >= 0 && pin_to_cpu(cpu))
		return 1;

	spin_getppid(warmup);
	long per_batch = calls / batches;
	double cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	for (long b = 0; b < batches; b++) {
		double t0 = clock_ns(CLOCK_MONOTONIC);
		spin_getppid(per_batch);
		double t1 = clock_ns(CLOCK_MONOTONIC);
		batch_ns[b] = (t1 - t0) / per_batch;
		total_ns += t1 - t0;
	}
	double cpu_share = (clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0) / total_ns;
	double mean = total_ns / (per_batch * batches);
	qsort(batch_ns, batches, sizeof(batch_ns[0]), cmp_double);
	double median = batches % 2 ? batch_ns[batches / 2]
				    : (batch_ns[batches / 2 - 1] + batch_ns[batches / 2]) / 2;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double proc_cpu_ns = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e9 +
			     (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e3;
	printf("ns_per_call=%.1f mean_ns=%.1f min_batch_ns=%.1f cpu_share=%.3f calls=%ld batches=%ld cpu=%d "
	       "total_calls=%ld proc_cpu_ns=%.0f\n",
	       median, mean, batch_ns[0], cpu_share, per_batch * batches, batches, sched_getcpu(),
	       warmup + per_batch * batches, proc_cpu_ns);
	return 0;
}
