/* wl_i386 N: built as a 32-bit static program (-m32 -static), it makes
 * N x getppid through the i386 ABI (number 64), then exit_group(0). With
 * N = 0 it only checks that the kernel runs 32-bit programs at all. */
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	long n = atol(argv[1]);
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return 0;
}
