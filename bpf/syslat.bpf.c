// SPDX-License-Identifier: GPL-2.0
/* syslat: per-syscall counts, errors and latency histograms on the
 * raw_syscalls sys_enter/sys_exit tracepoints.
 *
 * Modes (set before load, see maps.bpf.h):
 *  - counting: only sys_exit is attached; one array update per call.
 *  - timed: sys_enter stores the entry time in a per-CPU slot; sched_switch
 *    parks it in task storage when the task blocks; sys_exit consumes it.
 * Every program comes as a BTF-typed raw tracepoint (tp_btf, the cheap one)
 * and as a classic tracepoint (fallback); userspace autoloads one family. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "syslat.h"
#include "syscalls_arch.bpf.h"
#include "maps.bpf.h"
#include "filter.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define SYSLAT_EEXIST 17
#define SYSLAT_PF_KTHREAD 0x00200000

static const __u32 zero = 0;

static __always_inline __u64 is_error(long ret)
{
	return (unsigned long)ret >= (unsigned long)-4095;
}

/* How a recorded call was timed. */
enum call_timing {
	CALL_UNTIMED,    /* counting mode, or a call that never returns (exit) */
	CALL_TIMED,      /* duration known */
	CALL_UNPAIRED,   /* timed mode, but the entry was never seen */
};

static __always_inline void record(long slot, __u64 err, enum call_timing timing, __u64 dur)
{
	__u32 idx = bpf_get_smp_processor_id() * SYSLAT_NSLOTS + (__u32)slot;
	struct syscall_stats *s = bpf_map_lookup_elem(&stats, &idx);
	struct syscall_hist *h;
	__u32 b;

	if (!s)
		return;
	s->calls++;
	s->errors += err;
	if (!timed || timing == CALL_UNTIMED)
		return;
	if (timing == CALL_UNPAIRED) {
		s->unpaired++;
		return;
	}
	s->total_ns += dur;
	if (dur > s->max_ns)
		s->max_ns = dur;
	if (dur - 1 < s->min_ns - 1) /* min_ns 0 means "none yet" */
		s->min_ns = dur;
	h = bpf_map_lookup_elem(&hists, &idx);
	if (!h)
		return;
	b = hist_bucket(dur);
	if (b >= HIST_NBUCKETS)
		b = HIST_OVERFLOW;
	h->count[b]++;
}

static __always_inline void remember_comm(__u32 tgid)
{
	char comm[SYSLAT_COMM_LEN];

	bpf_get_current_comm(comm, sizeof(comm));
	bpf_map_update_elem(&proc_comm, &tgid, comm, BPF_ANY);
}

static __always_inline void record_process(__u32 tgid, long slot, __u64 err,
					   enum call_timing timing, __u64 dur)
{
	struct proc_key key = { .tgid = tgid, .nr = (__u32)slot };
	struct proc_stats *ps = bpf_map_lookup_elem(&proc_stats, &key);

	if (!ps) {
		struct proc_stats fresh = {};
		long rc = bpf_map_update_elem(&proc_stats, &key, &fresh, BPF_NOEXIST);

		if (rc && rc != -SYSLAT_EEXIST) {
			__sync_fetch_and_add(&counters.proc_map_full, 1);
			return;
		}
		ps = bpf_map_lookup_elem(&proc_stats, &key);
		if (!ps)
			return;
		remember_comm(tgid);
	}
	ps->calls++;
	ps->errors += err;
	if (timing == CALL_TIMED) {
		ps->timed++;
		ps->total_ns += dur;
	}
}

/* ---- sys_enter (timed mode only) ---------------------------------------- */

static __always_inline int handle_enter(long nr)
{
	long slot = enter_slot(nr);
	__u32 flags = filter.flags;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct entry_slot *s;

	if ((flags & SYSLAT_FILTER_TASK_MASK) && !task_selected(flags, pid_tgid))
		return 0;
	if ((flags & SYSLAT_FILTER_SYSCALL) && !syscall_selected(slot))
		return 0;
	s = bpf_map_lookup_elem(&entry_slots, &zero);
	if (!s)
		return 0;
	s->ts = bpf_ktime_get_ns();
	s->tid = (__u32)pid_tgid;
	s->nr = (__u32)slot;
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter_btf, struct pt_regs *regs, long id)
{
	return handle_enter(id);
}

SEC("tracepoint/raw_syscalls/sys_enter")
int sys_enter_tp(struct trace_event_raw_sys_enter *ctx)
{
	return handle_enter(ctx->id);
}

/* ---- sched_switch (timed mode only): park the slot of a task that blocks */

static __always_inline void park_slot(__u32 prev_tid, struct task_struct *prev)
{
	struct entry_slot *s = bpf_map_lookup_elem(&entry_slots, &zero);
	struct entry_slot *p;

	if (!s || !s->tid)
		return;
	/* exit/exit_group never return: nothing to keep for them. */
	if (s->tid == prev_tid && s->nr != NR_exit && s->nr != NR_exit_group) {
		p = bpf_task_storage_get(&parked, prev, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (p)
			*p = *s;
		else
			__sync_fetch_and_add(&counters.park_failed, 1);
	}
	s->tid = 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	park_slot(prev->pid, prev);
	return 0;
}

SEC("tracepoint/sched/sched_switch")
int sched_switch_tp(struct trace_event_raw_sched_switch *ctx)
{
	/* The switch has not happened yet: current is still prev. */
	park_slot(ctx->prev_pid, bpf_get_current_task_btf());
	return 0;
}

/* Entry time of the call now returning on this task, or 0 if never seen. */
static __always_inline __u64 take_start(__u32 tid, long slot)
{
	struct entry_slot *s = bpf_map_lookup_elem(&entry_slots, &zero);
	struct entry_slot *p;

	if (s && s->tid == tid) {
		/* Not switched out since entry (else it would have been parked). */
		s->tid = 0;
		return s->nr == slot ? s->ts : 0;
	}
	p = bpf_task_storage_get(&parked, bpf_get_current_task_btf(), 0, 0);
	if (p && p->tid && p->nr == slot) {
		p->tid = 0;
		return p->ts;
	}
	return 0;
}

/* ---- sys_exit ------------------------------------------------------------ */

/* rt_sigreturn restores the interrupted registers and sets orig_ax to -1, so
 * its sys_exit reports -1, just like a genuine syscall(-1). Every handler
 * frame the kernel sets up (signal_deliver) ends in one rt_sigreturn, so a
 * task with frames outstanding is returning from one. (A handler that
 * longjmps out leaves its frame counted: only a later genuine syscall(-1) of
 * that task would then be taken for a sigreturn.) */
static __always_inline bool was_sigreturn(void)
{
	__u32 *frames = bpf_task_storage_get(&handler_frames, bpf_get_current_task_btf(), 0, 0);

	if (!frames || !*frames)
		return false;
	(*frames)--;
	return true;
}

/* Map the number the kernel reports at sys_exit to a slot; *raw keeps the
 * number itself for calls outside the slots. */
static __always_inline long exit_slot(long *raw)
{
	if ((unsigned long)*raw < SYSLAT_NR_OTHER)
		return *raw;
	if (*raw == -1 && was_sigreturn())
		return *raw = NR_rt_sigreturn;
	return SYSLAT_NR_OTHER;
}

static __always_inline void note_handler_frame(unsigned long handler)
{
	__u32 *frames;

	if (handler <= 1) /* SIG_DFL, SIG_IGN: no frame */
		return;
	frames = bpf_task_storage_get(&handler_frames, bpf_get_current_task_btf(), 0,
				      BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (frames)
		(*frames)++;
}

SEC("tp_btf/signal_deliver")
int BPF_PROG(signal_deliver_btf, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	if (ka)
		note_handler_frame((unsigned long)ka->sa.sa_handler);
	return 0;
}

SEC("tracepoint/signal/signal_deliver")
int signal_deliver_tp(struct trace_event_raw_signal_deliver *ctx)
{
	note_handler_frame(ctx->sa_handler);
	return 0;
}

/* A number outside the slots: counted per number, the slot only if full. */
static __always_inline bool record_unknown(long raw, __u64 err)
{
	__s32 key = (__s32)raw;
	struct unknown_stats fresh = { .calls = 1, .errors = err };
	struct unknown_stats *u = bpf_map_lookup_elem(&unknown_nrs, &key);

	if (!u && bpf_map_update_elem(&unknown_nrs, &key, &fresh, BPF_NOEXIST) == 0)
		return true;
	if (!u)
		u = bpf_map_lookup_elem(&unknown_nrs, &key); /* inserted meanwhile */
	if (!u)
		return false;
	__sync_fetch_and_add(&u->calls, 1);
	__sync_fetch_and_add(&u->errors, err);
	return true;
}

static __always_inline int handle_exit(long raw_nr, long ret)
{
	long slot = exit_slot(&raw_nr);
	__u32 flags = filter.flags;
	__u64 pid_tgid = 0, err = is_error(ret), dur = 0, start;
	enum call_timing timing = CALL_UNTIMED;

	if (is_fork_child_return(slot, ret))
		return 0;
	if (flags) {
		if (flags & SYSLAT_FILTER_TASK_MASK) {
			pid_tgid = bpf_get_current_pid_tgid();
			if (!task_selected(flags, pid_tgid))
				return 0;
			if (!launched_command_started(flags, pid_tgid, slot, ret))
				return 0;
		}
		if (!call_selected(flags, slot, ret))
			return 0;
	}
	if (timed) {
		if (!pid_tgid)
			pid_tgid = bpf_get_current_pid_tgid();
		start = take_start((__u32)pid_tgid, slot);
		if (start) {
			dur = bpf_ktime_get_ns() - start;
			timing = CALL_TIMED;
		} else {
			timing = CALL_UNPAIRED;
		}
		if ((flags & SYSLAT_FILTER_MIN_DURATION) &&
		    (timing != CALL_TIMED || dur < filter.min_duration_ns))
			return 0;
	}
	if (slot != SYSLAT_NR_OTHER || !record_unknown(raw_nr, err))
		record(slot, err, timing, dur);
	if (per_process) {
		if (!pid_tgid)
			pid_tgid = bpf_get_current_pid_tgid();
		record_process(pid_tgid >> 32, slot, err, timing, dur);
	}
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_btf, struct pt_regs *regs, long ret)
{
	return handle_exit(regs->orig_ax, ret);
}

SEC("tracepoint/raw_syscalls/sys_exit")
int sys_exit_tp(struct trace_event_raw_sys_exit *ctx)
{
	return handle_exit(ctx->id, ctx->ret);
}

/* ---- task exit: exit/exit_group never reach sys_exit ---------------------
 * A task leaving through the exit or exit_group syscall still has that number
 * in orig_ax; one killed by a signal or by another thread's exit_group has
 * the number of whatever call it was in (which already went through sys_exit)
 * or -1. So counting here counts exactly the calls that never return. */

static __always_inline bool exit_call_selected(__u32 flags, __u64 pid_tgid, long nr)
{
	if (!flags)
		return true;
	if ((flags & SYSLAT_FILTER_TASK_MASK) && !task_selected(flags, pid_tgid))
		return false;
	if ((flags & SYSLAT_FILTER_TGID) && filter.pending_exec_tgid == pid_tgid >> 32)
		return false;
	/* Never fails and has no duration: out under -x, -e and --min-duration. */
	return call_selected(flags, nr, 0) && !(flags & SYSLAT_FILTER_MIN_DURATION);
}

static __always_inline void handle_task_exit(struct task_struct *task)
{
	struct pt_regs *regs;
	__u32 flags = filter.flags;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	long nr;

	if (BPF_CORE_READ(task, flags) & SYSLAT_PF_KTHREAD)
		return;
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	nr = BPF_CORE_READ(regs, orig_ax);
	if ((nr == NR_exit || nr == NR_exit_group) && exit_call_selected(flags, pid_tgid, nr)) {
		record(nr, 0, CALL_UNTIMED, 0);
		if (per_process)
			record_process(pid_tgid >> 32, nr, 0, CALL_UNTIMED, 0);
	}
	/* Only after the exit call itself was judged with the task still selected. */
	if (follow_forks)
		forget_exited(task, pid_tgid);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_process_exit_btf, struct task_struct *task)
{
	handle_task_exit(task);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int sched_process_exit_tp(void *ctx)
{
	handle_task_exit(bpf_get_current_task_btf());
	return 0;
}

/* ---- fork (follow_forks only): children of traced processes are traced --- */

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_process_fork_btf, struct task_struct *parent, struct task_struct *child)
{
	if (child->tgid != parent->tgid) /* a new process, not a thread */
		follow_child(parent->tgid, child->tgid);
	return 0;
}

SEC("tracepoint/sched/sched_process_fork")
int sched_process_fork_tp(struct trace_event_raw_sched_process_fork *ctx)
{
	/* The classic event has no tgid: a new thread's TID gets a bit too,
	 * which forget_exited() clears when that thread exits. */
	follow_child(bpf_get_current_pid_tgid() >> 32, ctx->child_pid);
	return 0;
}
