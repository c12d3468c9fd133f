/* path_block: a workload whose calls carry a path and block, so that a
 * tracer's per-call work on path arguments and on tasks switched out in the
 * middle of a call really runs (getppid has no argument and never blocks).
 *
 * Two threads pinned to the same CPU take turns through a pair of pipes.
 * Each iteration of a thread makes five calls:
 *
 *   openat(AT_FDCWD, PATH, O_RDONLY)  close(fd)  newfstatat(AT_FDCWD, PATH)
 *   write(1 byte to the other thread)  read(1 byte from it)
 *
 * Thread 1 reads first, so the two alternate: each read finds its pipe empty
 * and blocks until the other thread writes, and the CPU goes from one thread
 * to the other in the middle of a call (about one switch per thread and
 * iteration; if a write's wake-up preempts the writer, the switch happens in
 * the write instead). Both threads on one CPU: a switch costs no cross-CPU
 * wake-up, which on a VM would drown everything else in noise.
 *
 * Output, one line:
 *
 *   ns_per_call=1830.2 mean_ns=1841.0 cpu_share=0.995 switches_per_call=0.200 calls=400000 batches=10 cpu=1 total_calls=440000 path=/tmp/...
 *
 * ns_per_call is the median batch of thread 0's iterations over the calls
 * both threads made meanwhile (they run by turns, so that is the wall time
 * of one call). cpu_share is the two threads' CPU time over the wall time
 * (well under 1: another task shared the CPU); switches_per_call counts the
 * context switches of both threads (getrusage) per call: proof the blocking
 * happened. total_calls counts the warm-up too. PATH is a file the program
 * creates in /tmp (and removes) unless -p names one. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define BENCH_NAME "path_block"
#include "bench_util.h"

#define CALLS_PER_ITER 5
#define MAX_BATCHES 1000

struct worker {
	int index;
	int cpu;
	const char *path;
	int in_fd, out_fd;
	long warmup_iters, iters, batches;
	double *batch_ns;      /* thread 0 only: ns per call of each batch */
	double cpu_ns;         /* thread CPU time of the timed part */
	long switches;         /* context switches in the timed part */
	pthread_barrier_t *barrier;
};

static long thread_switches(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		die("getrusage");
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

static void path_calls(const char *path)
{
	struct stat st;
	int fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("openat");
	close(fd);
	/* newfstatat itself: glibc's stat() may pick statx or fstatat64. */
	if (syscall(SYS_newfstatat, AT_FDCWD, path, &st, 0))
		die("newfstatat");
}

static void pass(int fd_out)
{
	char byte = 'x';

	if (write(fd_out, &byte, 1) != 1)
		die("write");
}

static void take(int fd_in)
{
	char byte;

	if (read(fd_in, &byte, 1) != 1)
		die("read");
}

/* Thread 0 passes the turn before it waits for it, thread 1 after. */
static void run_iters(struct worker *w, long n)
{
	for (long i = 0; i < n; i++) {
		if (w->index == 1)
			take(w->in_fd);
		path_calls(w->path);
		pass(w->out_fd);
		if (w->index == 0)
			take(w->in_fd);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	long per_batch = w->iters / w->batches;

	pin_thread(w->index, w->cpu);
	run_iters(w, w->warmup_iters);
	pthread_barrier_wait(w->barrier);
	long sw0 = thread_switches();
	double cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	for (long b = 0; b < w->batches; b++) {
		double t0 = clock_ns(CLOCK_MONOTONIC);
		run_iters(w, per_batch);
		/* Both threads made per_batch iterations meanwhile (they go by turns). */
		if (w->batch_ns)
			w->batch_ns[b] = (clock_ns(CLOCK_MONOTONIC) - t0) / (2.0 * CALLS_PER_ITER * per_batch);
	}
	w->cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	w->switches = thread_switches() - sw0;
	pthread_barrier_wait(w->barrier);
	return NULL;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-c CPU] [-p PATH] [-w WARMUP] [-b BATCHES] CALLS\n"
		"  CALLS       timed calls of both threads together (%d per iteration of a thread)\n"
		"  -c CPU      pin both threads to this CPU\n"
		"  -p PATH     the file to open and stat (default: one made in /tmp)\n"
		"  -w WARMUP   untimed calls first (default CALLS/10)\n"
		"  -b BATCHES  split the timed calls into this many batches (default 10)\n",
		prog, CALLS_PER_ITER);
}

static void report(struct worker w[2], double elapsed, long batches, const char *path)
{
	long calls = 2 * CALLS_PER_ITER * (w[0].iters / batches) * batches;
	double *b = w[0].batch_ns;

	qsort(b, batches, sizeof(b[0]), cmp_double);
	double median = batches % 2 ? b[batches / 2] : (b[batches / 2 - 1] + b[batches / 2]) / 2;
	long total = 2 * CALLS_PER_ITER * (w[0].iters / batches * batches + w[0].warmup_iters);

	printf("ns_per_call=%.1f mean_ns=%.1f cpu_share=%.3f switches_per_call=%.3f calls=%ld batches=%ld cpu=%d "
	       "total_calls=%ld path=%s\n",
	       median, elapsed / calls, (w[0].cpu_ns + w[1].cpu_ns) / elapsed,
	       (double)(w[0].switches + w[1].switches) / calls, calls, batches, w[0].cpu, total, path);
}

int main(int argc, char **argv)
{
	char tmp_path[] = "/tmp/syslat-bench-path.XXXXXX";
	const char *path = NULL;
	long warmup = -1, batches = 10, calls;
	int cpu = -1, opt, to_1[2], to_0[2];
	double batch_ns[MAX_BATCHES];
	struct worker w[2];
	pthread_t tid[2];
	pthread_barrier_t barrier;

	while ((opt = getopt(argc, argv, "c:p:w:b:h")) != -1) {
		switch (opt) {
		case 'c': cpu = (int)parse_count(optarg, "cpu"); break;
		case 'p': path = optarg; break;
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
	long iters = calls / (2 * CALLS_PER_ITER);
	if (batches < 1 || batches > MAX_BATCHES || iters < batches) {
		fprintf(stderr, "path_block: need 1 <= batches <= %d and CALLS >= %d x batches\n",
			MAX_BATCHES, 2 * CALLS_PER_ITER);
		return 2;
	}
	if (warmup < 0)
		warmup = calls / 10;
	if (!path) {
		int fd = mkstemp(tmp_path);

		if (fd < 0)
			die("mkstemp");
		close(fd);
		path = tmp_path;
	}
	if (pipe(to_1) || pipe(to_0))
		die("pipe");
	pthread_barrier_init(&barrier, NULL, 3);
	for (int i = 0; i < 2; i++) {
		w[i] = (struct worker){
			.index = i, .cpu = cpu, .path = path, .iters = iters, .batches = batches,
			.warmup_iters = warmup / (2 * CALLS_PER_ITER), .barrier = &barrier,
			.batch_ns = i == 0 ? batch_ns : NULL,
			.in_fd = i == 0 ? to_0[0] : to_1[0],
			.out_fd = i == 0 ? to_1[1] : to_0[1],
		};
		if (pthread_create(&tid[i], NULL, worker_main, &w[i]))
			die("pthread_create");
	}
	pthread_barrier_wait(&barrier);
	double t0 = clock_ns(CLOCK_MONOTONIC);
	pthread_barrier_wait(&barrier);
	double elapsed = clock_ns(CLOCK_MONOTONIC) - t0;
	for (int i = 0; i < 2; i++)
		pthread_join(tid[i], NULL);
	report(w, elapsed, batches, path);
	if (path == tmp_path)
		unlink(tmp_path);
	return 0;
}
