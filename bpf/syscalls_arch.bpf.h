/* The syscall numbers and register access the BPF side needs, for the arch
 * being compiled (-D__TARGET_ARCH_x86 or -D__TARGET_ARCH_arm64, as
 * cmake/BpfObject.cmake passes it). Each arch header defines the same names:
 *   NR_rt_sigreturn NR_clone NR_clone3 NR_execve NR_execveat NR_exit
 *   NR_exit_group, NR_fork/NR_vfork only where SYSLAT_ARCH_HAS_FORK is 1,
 *   SYSLAT_REGS_SYSCALL_NR(regs): the syscall number in a struct pt_regs *,
 *   read with CO-RE (needs <bpf/bpf_core_read.h>).
 * The helpers below are the same on every arch. */
#ifndef SYSCALLS_ARCH_BPF_H
#define SYSCALLS_ARCH_BPF_H

#if defined(__TARGET_ARCH_x86)
#include "syscalls_x86.bpf.h"
#elif defined(__TARGET_ARCH_arm64)
#include "syscalls_arm64.bpf.h"
#else
#error "syscall numbers for this architecture are not defined yet"
#endif

/* The child of a successful clone/fork/vfork leaves the kernel through the
 * sys_exit tracepoint (ret_from_fork) with 0 and without ever entering; the
 * call belongs to the parent, so the child's return is not a call. */
static __always_inline bool is_fork_child_return(long nr, long ret)
{
	if (ret != 0)
		return false;
	if (nr == NR_clone || nr == NR_clone3)
		return true;
#if SYSLAT_ARCH_HAS_FORK
	return nr == NR_fork || nr == NR_vfork;
#else
	return false;
#endif
}

static __always_inline long enter_slot(long nr)
{
	return (unsigned long)nr < SYSLAT_NR_OTHER ? nr : SYSLAT_NR_OTHER;
}

#endif
