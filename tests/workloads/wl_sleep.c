/* wl_sleep COUNT NS: COUNT x nanosleep of NS nanoseconds (raw nanosleep, not
 * clock_nanosleep), then exit_group(0). Nothing else after start-up. */
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	long count = atol(argv[1]);
	long long ns = atoll(argv[2]);
	struct timespec ts = { .tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL };

	for (long i = 0; i < count; i++)
		syscall(SYS_nanosleep, &ts, NULL);
	syscall(SYS_exit_group, 0);
	return 0;
}
