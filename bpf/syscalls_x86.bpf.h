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
 * syscall(0x100000027) is getpid. -1 after rt_sigreturn. */
#define SYSLAT_REGS_SYSCALL_NR(regs) ((long)(int)BPF_CORE_READ((regs), orig_ax))

/* TS_COMPAT in thread_info.status (arch/x86/include/asm/thread_info.h): the
 * task is in a 32-bit syscall (in_ia32_syscall()). */
#define SYSLAT_TS_COMPAT 0x0002

/* A direct (CO-RE relocated) load through the trusted task pointer: on every
 * sys_exit, so no probe-read helper call. */
static __always_inline bool task_in_compat_syscall(struct task_struct *task)
{
	return task->thread_info.status & SYSLAT_TS_COMPAT;
}

#endif
