/* libclock_step.so, for LD_PRELOAD: CLOCK_REALTIME as this process sees it
 * jumps CLOCK_STEP_NS (signed) ahead once the file CLOCK_STEP_FILE exists,
 * as an NTP step would move it, while CLOCK_MONOTONIC goes on unchanged. The
 * machine's clock is never touched: other tests run at the same time. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);

int clock_gettime(clockid_t clock, struct timespec *ts)
{
	static clock_gettime_fn real;
	const char *file = getenv("CLOCK_STEP_FILE");
	const char *step = getenv("CLOCK_STEP_NS");

	if (!real)
		real = (clock_gettime_fn)dlsym(RTLD_NEXT, "clock_gettime");
	int ret = real(clock, ts);
	if (ret != 0 || (clock != CLOCK_REALTIME && clock != CLOCK_REALTIME_COARSE))
		return ret;
	if (!file || !step || access(file, F_OK) != 0)
		return ret;
	long long ns = ts->tv_sec * 1000000000LL + ts->tv_nsec + atoll(step);
	ts->tv_sec = ns / 1000000000LL;
	ts->tv_nsec = ns % 1000000000LL;
	return ret;
}
