/* The syscall ABI of the arch being compiled (-D__TARGET_ARCH_x86 or
 * -D__TARGET_ARCH_arm64, as cmake/BpfObject.cmake passes it). Each arch
 * header defines the same names:
 *   SYSLAT_REGS_SYSCALL_NR(regs): the number the kernel runs, from a
 *     struct pt_regs *, read with CO-RE;
 *   task_in_compat_syscall(task): the task is in a 32-bit (compat) syscall;
 *   read_syscall_args(regs, compat, args): the six arguments at entry.
 * Syscall numbers themselves come from the generated tables, as slots. */
#ifndef SYSCALLS_ARCH_BPF_H
#define SYSCALLS_ARCH_BPF_H

#if defined(__TARGET_ARCH_x86)
#include "syscalls_x86.bpf.h"
#elif defined(__TARGET_ARCH_arm64)
#include "syscalls_arm64.bpf.h"
#else
#error "the syscall ABI of this architecture is not described yet"
#endif

#endif
