/* wl_stack FIFO: a known user stack, blocked in read(), for the stack
 * symbolizer's tests. Built with symbols and frame pointers
 * (tests/CMakeLists.txt); the two frames below keep their names (no
 * inlining, cloning or sibling calls).
 *
 *   main -> syslat_outer_frame -> syslat_blocking_read_here -> read(FIFO)
 *
 * Opens FIFO read-write (so the open does not wait for a writer), writes to
 * stderr
 *   ready <syslat_blocking_read_here> <syslat_outer_frame> <return address> <read>
 * (runtime addresses, "%p"): the return address is where
 * syslat_blocking_read_here returns to in syslat_outer_frame, and <read> is
 * libc's read. Then it blocks in read() until a byte arrives and exits 0 (1
 * on a bad argument or a failed open or read).
 *
 * wl_stack FIFO dlopen LIBRARY SYMBOL: the same, but the byte 'd' first
 * makes it dlopen LIBRARY and write "loaded <SYMBOL's address>" (or
 * "loaded 0x0"), then wait for the next byte: a module mapped after the
 * symbolizer's first look at the process.
 *
 * wl_stack FIFO exec PROG: the same, but the byte 'e' makes it exec
 * PROG FIFO (with the FIFO still open): the same PID, another program.
 *
 * Built a second time as wl_stack_renamed (-DWL_STACK_RENAMED), where the
 * two frames are syslat_renamed_read_here and syslat_renamed_outer_frame:
 * the same layout, other names (tests/CMakeLists.txt); and as wl_stack_nofp,
 * optimized without frame pointers (-O2 -fomit-frame-pointer), for the user
 * unwinder (its frames come from .eh_frame).
 *
 * syslat_blocking_read_here never returns, so the call to it is the last
 * instruction of syslat_outer_frame: its return address is past the end of
 * syslat_outer_frame, and only a lookup at ip-1 finds the caller. */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifdef __clang__
#define KEEP_FRAME __attribute__((noinline))
#else
#define KEEP_FRAME __attribute__((noipa))
#endif

#ifdef WL_STACK_RENAMED
#define syslat_blocking_read_here syslat_renamed_read_here
#define syslat_outer_frame syslat_renamed_outer_frame
#endif

static const char *library, *symbol; /* wl_stack FIFO dlopen LIBRARY SYMBOL */
static const char *program, *fifo;  /* wl_stack FIFO exec PROG */

__attribute__((noreturn)) KEEP_FRAME void syslat_blocking_read_here(int fd);
KEEP_FRAME void syslat_outer_frame(int fd);

void syslat_blocking_read_here(int fd)
{
	char buf[128];
	char byte;
	int len = snprintf(buf, sizeof(buf), "ready %p %p %p %p\n", (void *)syslat_blocking_read_here,
			   (void *)syslat_outer_frame, __builtin_return_address(0), (void *)read);

	write(2, buf, (size_t)len);
	while (read(fd, &byte, 1) == 1) {
		if (byte == 'e' && program != NULL) {
			execl(program, program, fifo, (char *)NULL);
			_exit(1);
		}
		if (byte != 'd' || library == NULL)
			_exit(0);
		void *handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
		len = snprintf(buf, sizeof(buf), "loaded %p\n", handle ? dlsym(handle, symbol) : NULL);
		write(2, buf, (size_t)len);
	}
	_exit(1);
}

KEEP_FRAME void syslat_outer_frame(int fd)
{
	syslat_blocking_read_here(fd);
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[2], "dlopen") == 0) {
		library = argv[3];
		symbol = argv[4];
	} else if (argc == 4 && strcmp(argv[2], "exec") == 0) {
		program = argv[3];
	} else if (argc != 2) {
		return 1;
	}
	fifo = argv[1];
	int fd = open(argv[1], O_RDWR);
	if (fd < 0)
		return 1;
	syslat_outer_frame(fd);
}
