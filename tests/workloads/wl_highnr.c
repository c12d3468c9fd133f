/* wl_highnr N: N x syscall(0x100000027), which the kernel runs as getpid (39):
 * it takes the syscall number from the low 32 bits of rax. Exits 3 if the
 * kernel did not run getpid. Then exit_group(0). */
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	long n = atol(argv[1]);
	long pid = syscall(SYS_getpid);
	for (long i = 0; i < n; i++) {
		if (syscall(0x100000000L | SYS_getpid) != pid)
			return 3;
	}
	return 0;
}
