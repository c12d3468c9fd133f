/* wl_badnr: syscalls with numbers the kernel has no entry for, no signals.
 *
 * After start-up: 5 x syscall(-1) and 3 x syscall(999), each failing with
 * ENOSYS, then exit_group(0). A tracer must name them "[unknown: -1]" and
 * "[unknown: 999]"; in particular syscall(-1), whose number at sys_exit is
 * the same -1 an rt_sigreturn reports, must not be taken for rt_sigreturn. */
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	for (int i = 0; i < 5; i++)
		syscall(-1);
	for (int i = 0; i < 3; i++)
		syscall(999);
	return 0;
}
