/* The anomaly tests' workload (tests/test_cli_anomaly.cpp).
 *
 * wl_anomaly shift STEADY_S SLOW_S [SLOW_MS]: the main thread sleeps 1 ms
 * +- 20 % (raw nanosleep, uniform jitter) for STEADY_S seconds, then SLOW_MS
 * (default 20) ms +- 20 % for SLOW_S seconds; a second thread, all along, makes bursts of 200
 * getppid calls, each burst followed by poll(NULL, 0, 1). At the switch it
 * writes "switch REALTIME_NS\n" to stderr (the only write before the end).
 *
 * wl_anomaly storm QUIET_S STORM_S: the main thread sleeps 1 ms +- 20 % for
 * QUIET_S seconds, writes "storm REALTIME_NS\n" to stderr, then 4 threads
 * contend for one mutex (a short critical section) for STORM_S seconds: a
 * futex storm after a quiet period. */
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile int stop;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static volatile unsigned long shared_counter;

static long long clock_ns(clockid_t clock)
{
	struct timespec t;

	clock_gettime(clock, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Sleeps base_ns +- 20 % with the raw syscall (glibc's may use clock_nanosleep). */
static void jittered_sleep(long long base_ns, unsigned *seed)
{
	long long ns = base_ns * 8 / 10 + (long long)(rand_r(seed) % 1000) * (base_ns * 4 / 10) / 1000;
	struct timespec t = {ns / 1000000000LL, ns % 1000000000LL};

	syscall(SYS_nanosleep, &t, NULL);
}

static void sleep_for(double seconds, long long base_ns, unsigned *seed)
{
	long long end = clock_ns(CLOCK_MONOTONIC) + (long long)(seconds * 1e9);

	while (clock_ns(CLOCK_MONOTONIC) < end)
		jittered_sleep(base_ns, seed);
}

static void *cheap_calls(void *arg)
{
	(void)arg;
	while (!stop) {
		for (int i = 0; i < 200; i++)
			syscall(SYS_getppid);
		poll(NULL, 0, 1);
	}
	return NULL;
}

static void *contend(void *arg)
{
	(void)arg;
	while (!stop) {
		pthread_mutex_lock(&lock);
		for (int i = 0; i < 200; i++)
			shared_counter++;
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

static void say(const char *what)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "%s %lld\n", what, clock_ns(CLOCK_REALTIME));

	if (write(2, line, (size_t)n) < 0)
		exit(1);
}

int main(int argc, char **argv)
{
	unsigned seed = 1;
	pthread_t threads[4];

	if (argc != 4 && !(argc == 5 && strcmp(argv[1], "shift") == 0))
		return 2;
	double first_s = atof(argv[2]), second_s = atof(argv[3]);
	if (strcmp(argv[1], "shift") == 0) {
		pthread_create(&threads[0], NULL, cheap_calls, NULL);
		sleep_for(first_s, 1000000, &seed);
		say("switch");
		sleep_for(second_s, (argc == 5 ? atoll(argv[4]) : 20) * 1000000, &seed);
		stop = 1;
		pthread_join(threads[0], NULL);
		return 0;
	}
	if (strcmp(argv[1], "storm") == 0) {
		sleep_for(first_s, 1000000, &seed);
		say("storm");
		for (int i = 0; i < 4; i++)
			pthread_create(&threads[i], NULL, contend, NULL);
		sleep_for(second_s, 1000000, &seed);
		stop = 1;
		for (int i = 0; i < 4; i++)
			pthread_join(threads[i], NULL);
		return 0;
	}
	return 2;
}
