/* wl_sleep COUNT NS [COUNT NS]...: COUNT x nanosleep of NS nanoseconds for
 * each pair in order (raw nanosleep, not clock_nanosleep), then 1 x write to
 * stdout of each sleep's duration as measured here (clock_gettime through the
 * vDSO: no syscall), one number of ns per line, and exit_group(0).
 * Nothing else after start-up. At most 10000 sleeps in all. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_SLEEPS 10000

static char out[MAX_SLEEPS * 21];

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
	size_t len = 0;
	long done = 0;

	if (argc < 3 || argc % 2 == 0)
		return 2;
	for (int a = 1; a + 1 < argc; a += 2) {
		long count = atol(argv[a]);
		long long ns = atoll(argv[a + 1]);
		struct timespec ts = { .tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL };

		for (long i = 0; i < count && done < MAX_SLEEPS; i++, done++) {
			long long start = now_ns();
			syscall(SYS_nanosleep, &ts, NULL);
			len += snprintf(out + len, sizeof(out) - len, "%lld\n", now_ns() - start);
		}
	}
	syscall(SYS_write, 1, out, len);
	syscall(SYS_exit_group, 0);
	return 0;
}
