/* wl_stacks [ROUNDS]: two functions that make known numbers of known
 * syscalls from known source lines, for the stack profiles (--stacks) and
 * the source lines of symbolized frames.
 *
 *   main -> load_config -> read_one_file -> openat, read, close (200 each)
 *   main -> serve -> write (1000, to /dev/null)
 *
 * times ROUNDS (default 1). Each call site is marked with a comment
 * "SITE: <name>" on its own line, so a test finds its line number in this
 * file (grep -n) and compares it with what the symbolizer and addr2line say.
 * Built with -g twice (tests/CMakeLists.txt): wl_stacks with frame pointers,
 * wl_stacks_nofp with -O2 -fomit-frame-pointer (as Debian builds its
 * packages). Both keep the three functions as real, named calls. Writes
 * "done" to stderr and exits 0 (1 when /proc/self/stat cannot be opened or read). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#ifdef __clang__
#define KEEP_FRAME __attribute__((noinline))
#else
#define KEEP_FRAME __attribute__((noipa))
#endif

#define CONFIG_FILES 200
#define REQUESTS 1000

KEEP_FRAME static int read_one_file(const char *path)
{
	char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC); /* SITE: openat */
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf)); /* SITE: read */
	close(fd); /* SITE: close */
	return n < 0 ? -1 : 0;
}

KEEP_FRAME static int load_config(void)
{
	for (int i = 0; i < CONFIG_FILES; i++)
		if (read_one_file("/proc/self/stat") != 0) /* SITE: read_one_file */
			return -1;
	return 0;
}

KEEP_FRAME static void serve(int out)
{
	static const char reply[] = "HTTP/1.1 200 OK\r\n\r\n";
	for (int i = 0; i < REQUESTS; i++)
		if (write(out, reply, sizeof(reply) - 1) < 0) /* SITE: write */
			_exit(1);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 1;
	int out = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (out < 0)
		return 1;
	for (int r = 0; r < rounds; r++) {
		if (load_config() != 0) /* SITE: load_config */
			return 1;
		serve(out); /* SITE: serve */
	}
	fputs("done\n", stderr);
	return 0;
}
