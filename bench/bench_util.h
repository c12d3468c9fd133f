/* What the benchmark workloads share: their clock, their argument parsing,
 * their exits on error. Each includes it after defining BENCH_NAME, the
 * name its messages start with (and _GNU_SOURCE, before any include). */
#ifndef SYSLAT_BENCH_UTIL_H
#define SYSLAT_BENCH_UTIL_H

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline void die(const char *what)
{
	fprintf(stderr, BENCH_NAME ": %s: %s\n", what, strerror(errno));
	exit(1);
}

static inline double clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* A non-negative count from the command line, or exit 2. */
static inline long parse_count(const char *s, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0) {
		fprintf(stderr, BENCH_NAME ": bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Pins the calling thread to cpu (none when cpu < 0), or exits. */
static inline void pin_thread(int index, int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set)) {
		fprintf(stderr, BENCH_NAME ": cannot pin thread %d to CPU %d\n", index, cpu);
		exit(1);
	}
}

#endif
