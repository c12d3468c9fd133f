/* What the BPF side must know of the arm64 syscall ABI (the generic numbers
 * of <asm-generic/unistd.h>, turned into slots by userspace). Included through
 * syscalls_arch.bpf.h; syscalls_x86.bpf.h has the same names. */
#ifndef SYSCALLS_ARM64_BPF_H
#define SYSCALLS_ARM64_BPF_H

#if !defined(__TARGET_ARCH_arm64)
#error "syscalls_arm64.bpf.h is for -D__TARGET_ARCH_arm64; include syscalls_arch.bpf.h"
#endif

/* pt_regs->syscallno (s32; NO_SYSCALL, -1, after rt_sigreturn and outside a
 * syscall). */
#define SYSLAT_REGS_SYSCALL_NR(regs) ((long)(int)(regs)->syscallno)

/* 32-bit (AArch32) callers are not told apart yet: the i386 table is the only
 * compat table, and userspace leaves compat_abi off on arm64. */
static __always_inline bool task_in_compat_syscall(struct task_struct *task)
{
	return false;
}

/* arm64 frames are all rt (no compat syscalls are counted, see above). */
static __always_inline bool handler_frame_is_plain(unsigned long sa_flags)
{
	return false;
}

/* The six arguments of the call entering: x0 (as it was at entry, orig_x0)
 * and x1..x5. */
static __always_inline void read_syscall_args(struct pt_regs *regs, bool compat, __u64 *a)
{
	a[0] = regs->orig_x0;
	a[1] = regs->regs[1];
	a[2] = regs->regs[2];
	a[3] = regs->regs[3];
	a[4] = regs->regs[4];
	a[5] = regs->regs[5];
}

#endif
