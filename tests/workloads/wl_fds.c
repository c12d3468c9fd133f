/* wl_fds: prints the file descriptors it was started with, e.g. "0 1 2\n",
 * ascending, to stdout, then exits 0 (1 if /proc/self/fd cannot be read).
 *
 * After start-up: opendir("/proc/self/fd") (openat, fstat; its own fd is
 * left out of the list), getdents64 until empty, close, 1 x write(1, ...),
 * exit_group(0).
 * Used to check that a tracer launching it leaks none of its own fds. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int ascending(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int main(void)
{
	int fds[1024], n = 0, len = 0;
	char out[8192] = "";
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		return 1;
	while ((e = readdir(d)) != NULL && n < 1024) {
		if (e->d_name[0] == '.')
			continue;
		int fd = atoi(e->d_name);
		if (fd != dirfd(d))
			fds[n++] = fd;
	}
	closedir(d);
	qsort(fds, n, sizeof(int), ascending);
	for (int i = 0; i < n; i++)
		len += snprintf(out + len, sizeof(out) - len, "%s%d", i ? " " : "", fds[i]);
	len += snprintf(out + len, sizeof(out) - len, "\n");
	syscall(SYS_write, 1, out, len);
	return 0;
}
