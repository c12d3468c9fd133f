/* What the BPF side must know of the x86 syscall ABI. Syscall numbers are
 * turned into slots by the table userspace generates (maps.bpf.h), so no
 * number is hard-coded here. */
#ifndef SYSCALLS_X86_BPF_H
#define SYSCALLS_X86_BPF_H

#if !defined(__TARGET_ARCH_x86)
#error "this header is for x86"
#endif

/* The number the kernel runs is the low 32 bits of orig_ax (do_syscall_64
 * takes an int; the classic tracepoint reports the same), so
 * syscall(0x100000027) is getpid. */
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
