// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The "floor" of docs/performance.md: empty programs on the raw_syscalls tracepoints.
 * Whatever they cost is the price of being attached at all; every syslat
 * configuration is reported as a multiple of it. floor_loader autoloads only
 * the variant asked for. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* BTF-typed tracepoints (what syslat itself uses where the kernel allows). */
SEC("tp_btf/sys_enter")
int BPF_PROG(floor_btf_enter, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(floor_btf_exit, struct pt_regs *regs, long ret)
{
	return 0;
}

/* The same pair reading the clock once each: the least any tool that times
 * every call pays (floor_loader --clock). The volatile store keeps the call. */
SEC("tp_btf/sys_enter")
int BPF_PROG(floor_btf_enter_clock, struct pt_regs *regs, long id)
{
	volatile __u64 now = bpf_ktime_get_ns();

	(void)now;
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(floor_btf_exit_clock, struct pt_regs *regs, long ret)
{
	volatile __u64 now = bpf_ktime_get_ns();

	(void)now;
	return 0;
}

/* An empty program on sched_switch (floor_loader --switch): what a tool that
 * follows tasks switched out in the middle of a call pays for being there at
 * every context switch, before it does anything. */
SEC("tp_btf/sched_switch")
int BPF_PROG(floor_btf_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return 0;
}

/* Classic perf-event tracepoints (what libbpf-tools syscount uses). */
SEC("tracepoint/raw_syscalls/sys_enter")
int floor_tp_enter(void *ctx)
{
	return 0;
}

SEC("tracepoint/raw_syscalls/sys_exit")
int floor_tp_exit(void *ctx)
{
	return 0;
}

/* Raw (untyped) tracepoints, for reference. */
SEC("raw_tp/sys_enter")
int floor_raw_enter(void *ctx)
{
	return 0;
}

SEC("raw_tp/sys_exit")
int floor_raw_exit(void *ctx)
{
	return 0;
}
