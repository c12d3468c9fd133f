/* pipe_mix: the multi-threaded workloads. Two threads make small
 * read/write syscalls on pipes (or getppid) at the same time, one per CPU
 * (this is where shared, non-per-CPU maps in a tracer start to bounce cache
 * lines).
 *
 *   local     (default) each thread writes SIZE bytes into its own pipe and
 *             reads them back: never blocks, so the time is syscalls only
 *   stream    thread 0 writes SIZE-byte chunks, thread 1 reads them (pays for
 *             sleeps and cross-CPU wake-ups whenever the pipe runs empty/full)
 *   pingpong  thread 0 writes to pipe A and reads pipe B, thread 1 echoes
 *             (wake-up latency bound)
 *   getppid   each thread a getppid loop: the threads share nothing in the
 *             kernel, so whatever makes them slower than one loop alone is a
 *             tracer's state shared between the CPUs (e.g. one hash entry
 *             per process and syscall)
 *
 * Each thread makes CALLS syscalls after WARMUP untimed ones. Output, one line:
 *
 *   ns_per_call=412.3 elapsed_ms=824.6 cpu_share=0.998 calls=4000000 threads=2 mode=local size=64 total_calls=4400000
 *
 * total_calls counts the warm-up too (both threads).
 * ns_per_call = elapsed wall time * 2 threads / all syscalls, i.e. the wall
 * time of one call in one thread while both run side by side. cpu_share is
 * the smaller of the two threads' CPU time over the elapsed time: in local
 * mode it is ~1 unless another task shared a CPU (stream and pingpong sleep,
 * so there it is low by design). */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define BENCH_NAME "pipe_mix"
#include "bench_util.h"

#define MAX_SIZE 4096

enum mode { MODE_LOCAL, MODE_STREAM, MODE_PINGPONG, MODE_GETPPID };

static const char *const mode_names[] = { "local", "stream", "pingpong", "getppid" };

struct worker {
	int index;
	int cpu;
	enum mode mode;
	size_t size;
	long warmup_calls;
	long calls;
	double cpu_ns; /* thread CPU time of the timed part */
	int in_fd, out_fd;
	pthread_barrier_t *barrier;
};

static void xread(int fd, char *buf, size_t size)
{
	size_t got = 0;

	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);
		if (n <= 0)
			die("read");
		got += n;
	}
}

static void xwrite(int fd, const char *buf, size_t size)
{
	if (write(fd, buf, size) != (ssize_t)size)
		die("write");
}

/* calls is a per-thread syscall count; local and ping-pong do two per iteration. */
static void run_calls(struct worker *w, long calls)
{
	char buf[MAX_SIZE];

	memset(buf, 'x', sizeof(buf));
	if (w->mode == MODE_GETPPID) {
		for (long i = 0; i < calls; i++)
			syscall(SYS_getppid);
		return;
	}
	if (w->mode == MODE_STREAM) {
		for (long i = 0; i < calls; i++) {
			if (w->index == 0)
				xwrite(w->out_fd, buf, w->size);
			else
				xread(w->in_fd, buf, w->size);
		}
		return;
	}
	for (long i = 0; i < calls / 2; i++) {
		if (w->mode == MODE_LOCAL) {
			xwrite(w->out_fd, buf, w->size);
			xread(w->in_fd, buf, w->size);
		} else if (w->index == 0) {
			xwrite(w->out_fd, buf, w->size);
			xread(w->in_fd, buf, w->size);
		} else {
			xread(w->in_fd, buf, w->size);
			xwrite(w->out_fd, buf, w->size);
		}
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	pin_thread(w->index, w->cpu);
	run_calls(w, w->warmup_calls);
	pthread_barrier_wait(w->barrier);
	double cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	run_calls(w, w->calls);
	w->cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	pthread_barrier_wait(w->barrier);
	return NULL;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-m local|stream|pingpong|getppid] [-s SIZE] [-c CPU0,CPU1] [-w WARMUP] CALLS\n"
		"  CALLS       timed syscalls per thread\n"
		"  -s SIZE     bytes per read/write (default 64, at most %d)\n"
		"  -c A,B      pin thread 0 to CPU A and thread 1 to CPU B\n"
		"  -w WARMUP   untimed calls per thread first (default CALLS/10)\n",
		prog, MAX_SIZE);
}

int main(int argc, char **argv)
{
	struct worker w[2];
	pthread_t tid[2];
	pthread_barrier_t barrier;
	enum mode mode = MODE_LOCAL;
	long size = 64, warmup = -1, calls;
	int cpus[2] = { -1, -1 }, a_to_b[2], b_to_a[2], opt;

	while ((opt = getopt(argc, argv, "m:s:c:w:h")) != -1) {
		switch (opt) {
		case 'm':
			if (!strcmp(optarg, "local"))
				mode = MODE_LOCAL;
			else if (!strcmp(optarg, "stream"))
				mode = MODE_STREAM;
			else if (!strcmp(optarg, "pingpong"))
				mode = MODE_PINGPONG;
			else if (!strcmp(optarg, "getppid"))
				mode = MODE_GETPPID;
			else {
				usage(argv[0]);
				return 2;
			}
			break;
		case 's': size = atol(optarg); break;
		case 'c':
			if (sscanf(optarg, "%d,%d", &cpus[0], &cpus[1]) != 2) {
				usage(argv[0]);
				return 2;
			}
			break;
		case 'w': warmup = atol(optarg); break;
		default: usage(argv[0]); return opt == 'h' ? 0 : 2;
		}
	}
	if (optind != argc - 1 || size < 1 || size > MAX_SIZE) {
		usage(argv[0]);
		return 2;
	}
	calls = atol(argv[optind]);
	if (calls < 2) {
		usage(argv[0]);
		return 2;
	}
	calls &= ~1L; /* local and ping-pong work in pairs */
	if (warmup < 0)
		warmup = calls / 10;
	warmup &= ~1L;
	if (pipe(a_to_b) || pipe(b_to_a))
		die("pipe");
	pthread_barrier_init(&barrier, NULL, 3);
	for (int i = 0; i < 2; i++) {
		w[i] = (struct worker){
			.index = i, .cpu = cpus[i], .mode = mode, .size = size,
			.warmup_calls = warmup, .calls = calls, .barrier = &barrier,
			.in_fd = i == 0 ? b_to_a[0] : a_to_b[0],
			.out_fd = i == 0 ? a_to_b[1] : b_to_a[1],
		};
		if (mode == MODE_LOCAL) /* each thread loops through its own pipe */
			w[i].in_fd = i == 0 ? a_to_b[0] : b_to_a[0];
		if (pthread_create(&tid[i], NULL, worker_main, &w[i]))
			die("pthread_create");
	}
	pthread_barrier_wait(&barrier);
	double t0 = clock_ns(CLOCK_MONOTONIC);
	pthread_barrier_wait(&barrier);
	double elapsed = clock_ns(CLOCK_MONOTONIC) - t0;
	for (int i = 0; i < 2; i++)
		pthread_join(tid[i], NULL);
	double cpu_share = (w[0].cpu_ns < w[1].cpu_ns ? w[0].cpu_ns : w[1].cpu_ns) / elapsed;
	printf("ns_per_call=%.1f elapsed_ms=%.1f cpu_share=%.3f calls=%ld threads=2 mode=%s size=%ld total_calls=%ld\n",
	       elapsed / calls, elapsed / 1e6, cpu_share, 2 * calls,
	       mode_names[mode], size, 2 * (calls + warmup));
	return 0;
}
