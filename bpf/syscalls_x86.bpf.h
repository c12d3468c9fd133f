/* x86_64 syscall numbers the BPF side must know by number (it has no table).
 * Everything else is named in userspace from the generated table. */
#ifndef SYSCALLS_X86_BPF_H
#define SYSCALLS_X86_BPF_H

#if defined(__TARGET_ARCH_x86)
#define NR_rt_sigreturn 15
#define NR_clone 56
#define NR_fork 57
#define NR_vfork 58
#define NR_execve 59
#define NR_exit 60
#define NR_exit_group 231
#define NR_execveat 322
#define NR_clone3 435
#else
#error "syscall numbers for this architecture are not defined yet"
#endif

/* The child of a successful clone/fork/vfork leaves the kernel through the
 * sys_exit tracepoint (ret_from_fork) with 0 and without ever entering; the
 * call belongs to the parent, so the child's return is not a call. */
static __always_inline bool is_fork_child_return(long nr, long ret)
{
	return ret == 0 && (nr == NR_clone || nr == NR_clone3 || nr == NR_fork || nr == NR_vfork);
}

static __always_inline long enter_slot(long nr)
{
	return (unsigned long)nr < SYSLAT_NR_OTHER ? nr : SYSLAT_NR_OTHER;
}

#endif
