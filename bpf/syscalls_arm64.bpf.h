/* arm64 syscall numbers the BPF side must know by number (it has no table);
 * arm64 uses the generic numbers of <asm-generic/unistd.h>. Everything else
 * is named in userspace from the generated table.
 * Included through syscalls_arch.bpf.h, which picks the file by
 * __TARGET_ARCH_*; keep the same names as syscalls_x86.bpf.h. */
#ifndef SYSCALLS_ARM64_BPF_H
#define SYSCALLS_ARM64_BPF_H

#if !defined(__TARGET_ARCH_arm64)
#error "syscalls_arm64.bpf.h is for -D__TARGET_ARCH_arm64; include syscalls_arch.bpf.h"
#endif

#define NR_exit 93
#define NR_exit_group 94
#define NR_rt_sigreturn 139
#define NR_clone 220
#define NR_execve 221
#define NR_execveat 281
#define NR_clone3 435
/* arm64 has no fork or vfork (libc uses clone). NR_fork/NR_vfork are left
 * undefined on purpose: a placeholder such as -1 would match rt_sigreturn,
 * which reports -1 at exit here too. Test SYSLAT_ARCH_HAS_FORK instead. */
#define SYSLAT_ARCH_HAS_FORK 0

/* The syscall number the kernel works with, from a struct pt_regs *:
 * pt_regs->syscallno (s32; NO_SYSCALL, -1, after rt_sigreturn and outside a
 * syscall). */
#define SYSLAT_REGS_SYSCALL_NR(regs) ((int)BPF_CORE_READ((regs), syscallno))

#endif
