/* What the BPF side must know of the x86 syscall ABI. Syscall numbers are
 * turned into slots by the table userspace generates (maps.bpf.h), so no
 * number is hard-coded here. Included through syscalls_arch.bpf.h, which
 * picks the file by __TARGET_ARCH_*; syscalls_arm64.bpf.h has the same names. */
#ifndef SYSCALLS_X86_BPF_H
#define SYSCALLS_X86_BPF_H

#if !defined(__TARGET_ARCH_x86)
#error "syscalls_x86.bpf.h is for -D__TARGET_ARCH_x86; include syscalls_arch.bpf.h"
#endif

/* The number the kernel runs is the low 32 bits of orig_ax (do_syscall_64
 * takes an int; syscall_get_nr() and the classic tracepoint the same), so
 * syscall(0x100000027) is getpid. -1 after rt_sigreturn. A direct load
 * through the BTF-typed pointer (CO-RE relocated), not a probe-read helper
 * call: this runs on every sys_exit. */
#define SYSLAT_REGS_SYSCALL_NR(regs) ((long)(int)(regs)->orig_ax)

/* TS_COMPAT in thread_info.status (arch/x86/include/asm/thread_info.h): the
 * task is in a 32-bit syscall (in_ia32_syscall()). */
#define SYSLAT_TS_COMPAT 0x0002

/* A direct (CO-RE relocated) load through the trusted task pointer: on every
 * sys_exit, so no probe-read helper call. */
static __always_inline bool task_in_compat_syscall(struct task_struct *task)
{
	return task->thread_info.status & SYSLAT_TS_COMPAT;
}

/* sigaction flags: SA_SIGINFO (uapi), and SA_IA32_ABI, which the kernel adds
 * to a handler installed by a 32-bit (ia32) sigaction (sigaction_compat_abi,
 * arch/x86/kernel/signal.c) and which picks the frame setup_rt_frame builds. */
#define SYSLAT_SA_SIGINFO 0x00000004u
#define SYSLAT_SA_IA32_ABI 0x02000000u

/* A handler of these flags gets an i386 non-rt frame, ended by sigreturn
 * rather than rt_sigreturn. */
static __always_inline bool handler_frame_is_plain(unsigned long sa_flags)
{
	return (sa_flags & SYSLAT_SA_IA32_ABI) && !(sa_flags & SYSLAT_SA_SIGINFO);
}

/* The six arguments of the call entering, as the kernel passes them: x86_64
 * in di, si, dx, r10, r8, r9; i386 in bx, cx, dx, si, di, bp (32 bits). */
static __always_inline void read_syscall_args(struct pt_regs *regs, bool compat, __u64 *a)
{
	if (compat) {
		a[0] = (__u32)regs->bx;
		a[1] = (__u32)regs->cx;
		a[2] = (__u32)regs->dx;
		a[3] = (__u32)regs->si;
		a[4] = (__u32)regs->di;
		a[5] = (__u32)regs->bp;
		return;
	}
	a[0] = regs->di;
	a[1] = regs->si;
	a[2] = regs->dx;
	a[3] = regs->r10;
	a[4] = regs->r8;
	a[5] = regs->r9;
}

#endif
