/* wl_inline: code inlined two calls deep, for the source lines of inlined
 * frames. Built with -g -O2 (tests/CMakeLists.txt); the two static inline
 * functions are always_inline as well, so they are inlined whatever the
 * build type, and DWARF describes each as a DW_TAG_inlined_subroutine:
 *
 *   main -> syslat_inline_outer -> [inlined] checksum_step -> [inlined] mix
 *
 * Each call site is marked with a comment "SITE: <name>" on its own line.
 * Runs syslat_inline_outer once, writes "ready" to stderr, then sleeps in
 * pause() until killed: a live process for the symbolizer to read. */
#include <stdio.h>
#include <unistd.h>

#ifdef __clang__
#define KEEP_FRAME __attribute__((noinline))
#else
#define KEEP_FRAME __attribute__((noipa))
#endif

static inline __attribute__((always_inline)) unsigned mix(unsigned hash, unsigned c)
{
	return (hash ^ c) * 16777619u; /* SITE: mix body */
}

static inline __attribute__((always_inline)) unsigned checksum_step(unsigned hash, const char *s)
{
	while (*s)
		hash = mix(hash, (unsigned char)*s++); /* SITE: mix */
	return hash;
}

KEEP_FRAME unsigned syslat_inline_outer(const char *s)
{
	return checksum_step(2166136261u, s) + 1; /* SITE: checksum_step */
}

int main(int argc, char **argv)
{
	volatile unsigned sink = syslat_inline_outer(argc > 1 ? argv[1] : "syslat");

	(void)sink;
	fputs("ready\n", stderr);
	for (;;)
		pause();
}
