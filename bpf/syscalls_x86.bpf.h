/* x86_64 syscall numbers the BPF side must know by number (it has no table).
 * Everything else is named in userspace from the generated table.
 * Included through syscalls_arch.bpf.h, which picks the file by
 * __TARGET_ARCH_*; keep the same names in syscalls_arm64.bpf.h. */
#ifndef SYSCALLS_X86_BPF_H
#define SYSCALLS_X86_BPF_H

#if !defined(__TARGET_ARCH_x86)
#error "syscalls_x86.bpf.h is for -D__TARGET_ARCH_x86; include syscalls_arch.bpf.h"
#endif

#define NR_rt_sigreturn 15
#define NR_clone 56
#define NR_fork 57
#define NR_vfork 58
#define NR_execve 59
#define NR_exit 60
#define NR_exit_group 231
#define NR_execveat 322
#define NR_clone3 435
#define SYSLAT_ARCH_HAS_FORK 1

/* The syscall number the kernel works with, from a struct pt_regs *: the low
 * 32 bits of orig_ax (syscall_get_nr() and the sys_enter/sys_exit tracepoints
 * use them that way; -1 after rt_sigreturn and outside a syscall). */
#define SYSLAT_REGS_SYSCALL_NR(regs) ((int)BPF_CORE_READ((regs), orig_ax))

#endif
