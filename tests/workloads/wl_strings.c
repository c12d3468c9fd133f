/* wl_strings: string arguments a tracer must read safely (seed scenario 2).
 *
 * After start-up, through raw syscall(2), in this order:
 *   write(1, "normal string\n", 14)                      -> 14
 *   open(NULL, O_RDONLY)                                 -> -1 EFAULT
 *   readlink("/proc/self/exe", buf, 4096)                -> length of the path
 *   open(P1, O_RDONLY) where P1 = "/nonexistent/x" + 'a' * 20, placed so
 *        that it starts 7 bytes before a page boundary and ends (with its
 *        NUL) on the next, mapped page                   -> -1 ENOENT
 *   open(P2, O_RDONLY) where P2 is 16 'A's filling the end of a page whose
 *        next page is unmapped: no NUL                   -> -1 EFAULT
 *   write(1, "\001\002tab\there\n\"q\"\\\n", 16)         -> 16 (escapes)
 *   exit_group(0) */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	static const char raw[] = "\001\002tab\there\n\"q\"\\\n";
	char buf[4096];
	long page = sysconf(_SC_PAGESIZE);
	char *map = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (map == MAP_FAILED)
		return 1;
	munmap(map + 2 * page, page); /* page 2 unmapped: P2 runs into it */
	char *p1 = map + page - 7;
	strcpy(p1, "/nonexistent/xaaaaaaaaaaaaaaaaaaaa");
	char *p2 = map + 2 * page - 16;
	memset(p2, 'A', 16);

	syscall(SYS_write, 1, "normal string\n", 14);
	syscall(SYS_open, NULL, O_RDONLY);
	syscall(SYS_readlink, "/proc/self/exe", buf, sizeof buf);
	syscall(SYS_open, p1, O_RDONLY);
	syscall(SYS_open, p2, O_RDONLY);
	syscall(SYS_write, 1, raw, sizeof raw - 1);
	syscall(SYS_exit_group, 0);
	return 0;
}
