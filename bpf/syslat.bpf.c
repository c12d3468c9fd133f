// SPDX-License-Identifier: GPL-2.0
/* syslat: per-syscall counts, errors and latency histograms on the
 * raw_syscalls sys_enter/sys_exit tracepoints (BTF-typed, tp_btf).
 *
 * Modes (set before load, see maps.bpf.h):
 *  - counting: only sys_exit is attached; one array update per call.
 *  - timed: sys_enter stores the entry time in a per-CPU slot; sched_switch
 *    parks it in task storage while the task is switched out and brings it
 *    back when it runs again; sys_exit consumes it. */
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
	return (unsigned long)ret >= (unsigned long)-SYSLAT_MAX_ERRNO;
}

/* How a recorded call was timed. */
enum call_timing {
	CALL_UNTIMED,         /* counting mode, or a call that never returns (exit) */
	CALL_TIMED,           /* duration known */
	CALL_ENTRY_NOT_SEEN,  /* timed mode, but no entry was seen for this exit */
};

/* A returning call's time off the CPU, copied out of its entry: the rest of
 * sys_exit then holds one kind of pointer to it (the stack), not a map value
 * or a task storage value as the entry came from, which would have the
 * verifier walk everything after take_start once per kind. */
struct call_split {
	__u64 off_ns[SYSLAT_OFF_STATES];  /* by syslat_state */
	__u64 off_since;                  /* last switched out */
	__u32 switches;                   /* 0: never switched out (all zero in timed mode) */
	__u32 off_state;
};

/* ---- the current task, without a helper call -----------------------------
 * A helper call the verifier does not inline costs ~25 ns on a kernel with
 * return-thunk mitigations (AMD SRSO "safe RET"): more than all the rest of
 * a count.
 * The hot path needs the task for its ABI (i386 or native) and its IDs, so
 * it finds it through the one thing every syscall tracepoint is given: the
 * task's pt_regs, which sit at the top of its own kernel stack. A per-CPU
 * cache maps the regs of the last task seen on the CPU to that task. Two
 * live tasks never share a stack; a stack is reused only after its task
 * exited, and every exit moves hot.task_exits on (sched_process_exit, which
 * is attached before and detached after the syscall programs), which empties
 * every cache. So a hit is the current task, exactly. The cached pointer is
 * read-only (bpf_rdonly_cast: loads that cannot fault).
 *
 * Kernels without bpf_rdonly_cast (before 6.2) call the helper every time:
 * the syscall programs come in two builds, `cached` or not, and userspace
 * loads one of each pair. The kfunc is a weak extern, unresolved there, and
 * a kernel before 5.16 refuses a program that holds its call even where it
 * can never run, so only the cached build (not loaded by default: "?") has
 * it. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

static __always_inline struct task_struct *this_task(struct pt_regs *regs, bool cached)
{
	struct task_cache *c;
	struct task_struct *task;
	__u64 exits;

	if (!cached)
		return bpf_get_current_task_btf();
	c = bpf_map_lookup_elem(&task_cache_map, &zero);
	exits = *(volatile __u64 *)&hot.task_exits;
	if (c && c->regs == (__u64)regs && c->exits == exits)
		return bpf_rdonly_cast((void *)c->task, bpf_core_type_id_kernel(struct task_struct));
	task = bpf_get_current_task_btf();
	if (c) {
		c->regs = (__u64)regs;
		c->task = (__u64)task;
		c->exits = exits;
	}
	return task;
}

/* *task, looked up the first time a path needs it: a count with no i386
 * syscalls to tell apart and no filter needs no task at all. */
static __always_inline struct task_struct *task_of(struct task_struct **task, struct pt_regs *regs, bool cached)
{
	if (!*task)
		*task = this_task(regs, cached);
	return *task;
}

/* ---- syscall number -> slot ---------------------------------------------- */

static __always_inline __u32 current_abi(struct task_struct **task, struct pt_regs *regs, bool cached)
{
	if (!compat_abi)
		return SYSLAT_ABI_NATIVE;
	return task_in_compat_syscall(task_of(task, regs, cached)) ? SYSLAT_ABI_COMPAT : SYSLAT_ABI_NATIVE;
}

/* The slot of (abi, nr); other_slot for a number without one. */
static __always_inline __u32 slot_for(__u32 abi, long nr)
{
	__u32 slot, idx = nr;

	if ((unsigned long)nr >= SYSLAT_NR_TABLE)
		return other_slot;
	barrier_var(idx); /* keep the mask: the verifier needs it, the compiler would drop it */
	slot = slot_of[abi & 1][idx & (SYSLAT_NR_TABLE - 1)];
	return slot == SYSLAT_SLOT_NONE ? other_slot : slot;
}

static __always_inline __u8 flags_of(__u32 slot)
{
	return slot_flags[slot & (SYSLAT_MAX_SLOTS - 1)];
}

/* ---- recording ------------------------------------------------------------ */

/* A private row is written by its CPU only; the shared row by any CPU that
 * came online after start, so with atomic adds. */
static __always_inline void add(__u64 *counter, __u64 v, bool shared)
{
	if (shared)
		__sync_fetch_and_add(counter, v);
	else
		*counter += v;
}

/* This CPU's row, and whether it is the shared one. */
static __always_inline __u32 cpu_row(bool *shared)
{
	__u32 cpu = bpf_get_smp_processor_id();

	*shared = cpu >= cpu_rows - 1;
	return *shared ? cpu_rows - 1 : cpu;
}

static __always_inline void mark_used(__u32 slot)
{
	__sync_fetch_and_or(&hot.used_slots[(slot >> 6) & (SYSLAT_MAX_SLOTS / 64 - 1)], 1ull << (slot & 63));
}

/* 1 + the histogram of a slot, given on its first timed call; 0 if it has
 * none (the budget was spent, or, rarely, another CPU is still assigning
 * it). The CPU that claims the slot's cell is the only one to take a
 * histogram from the budget, so a race between CPUs never uses one up. */
static __always_inline __u32 hist_of(__u32 slot)
{
	__u32 *cell, hist, fresh;

	if (hist_identity) /* the budget covers every slot: nothing to look up */
		return slot + 1;
	cell = &hist_of_slot[slot & (SYSLAT_MAX_SLOTS - 1)];
	hist = *cell;
	if (hist == 0) {
		hist = __sync_val_compare_and_swap(cell, 0, HIST_CLAIMED);
		if (hist == 0) {
			fresh = __sync_fetch_and_add(&hot.hists_assigned, 1) + 1;
			hist = fresh <= hist_slots ? fresh : HIST_NONE;
			*(volatile __u32 *)cell = hist;
		}
	}
	/* The claiming CPU runs with preemption off: a few thousand reads (a
	 * few microseconds) outwait its atomic add on a contended line, but
	 * for a long interrupt in between, when this call goes to hist_full. */
	for (int i = 0; i < 4096 && hist == HIST_CLAIMED; i++)
		hist = *(volatile __u32 *)cell;
	return hist >= HIST_CLAIMED ? 0 : hist;
}

/* A private row has one writer, so plain adds keep it ordered: x86 stores
 * are seen in program order. Elsewhere (arm64) the fully ordered atomic. */
static __always_inline void seq_add(__u64 *seq, __u64 v, bool shared)
{
#if defined(__TARGET_ARCH_x86)
	if (!shared) {
		barrier();
		*seq += v;
		barrier();
		return;
	}
#endif
	__sync_fetch_and_add(seq, v);
}

/* A timed call's duration goes into total, min, max and the histogram, or
 * (no histogram left for this syscall) into none of them, so that avg =
 * total / histogram count holds; its time off the CPU (split: the consumed
 * entry, for a call that was switched out) goes with it, so that on CPU =
 * total - off holds too. */
static __always_inline void record_duration(struct syscall_stats *s, __u32 slot, __u32 row, bool shared, __u64 dur,
					    const struct call_split *split)
{
	__u32 hist = hist_of(slot), idx, b;
	struct syscall_hist *h;

	if (!hist) {
		__sync_fetch_and_add(&hot.counters.hist_full, 1);
		return;
	}
	add(&s->total_ns, dur, shared);
	if (split_states && split->switches) {
		for (int i = 0; i < SYSLAT_OFF_STATES; i++)
			add(&s->off_ns[i], split->off_ns[i], shared);
		add(&s->switched, 1, shared);
		add(&s->switches, split->switches, shared);
	}
	/* min/max of the shared row may race; counts never do. */
	if (dur > s->max_ns)
		s->max_ns = dur;
	if (dur - 1 < s->min_ns - 1) /* min_ns 0 means "none yet" */
		s->min_ns = dur;
	idx = (hist - 1) * cpu_rows + row;
	h = bpf_map_lookup_elem(&hists, &idx);
	if (!h)
		return;
	b = hist_bucket(dur);
	if (b >= HIST_NBUCKETS)
		b = HIST_OVERFLOW;
	if (shared)
		__sync_fetch_and_add(&h->count[b], 1);
	else
		h->count[b]++;
}

static __always_inline void record(__u32 slot, __u64 err, enum call_timing timing, __u64 dur, bool slow,
				   const struct call_split *split)
{
	bool shared;
	__u32 row = cpu_row(&shared);
	__u32 idx = slot * cpu_rows + row;
	struct syscall_stats *s = bpf_map_lookup_elem(&stats, &idx);

	if (!s)
		return;
	if (s->calls == 0 || shared)
		mark_used(slot);
	if (!timed) { /* counts only: nothing for userspace to read together */
		add(&s->calls, 1, shared);
		if (err)
			add(&s->errors, 1, shared);
		return;
	}
	seq_add(&s->seq, SYSLAT_SEQ_BEGIN, shared);
	add(&s->calls, 1, shared);
	if (err)
		add(&s->errors, 1, shared);
	if (timing == CALL_ENTRY_NOT_SEEN)
		add(&s->entry_not_seen, 1, shared);
	if (timing == CALL_TIMED)
		record_duration(s, slot, row, shared, dur, split);
	if (slow)
		add(&s->slow, 1, shared);
	seq_add(&s->seq, SYSLAT_SEQ_END, shared);
}

/* The process name (see comm_matches), kept for processes gone by the time
 * userspace reads their rows. */
static __always_inline void remember_comm(__u32 tgid)
{
	char comm[SYSLAT_COMM_LEN];
	struct task_struct *leader = BPF_CORE_READ(bpf_get_current_task_btf(), group_leader);

	if (bpf_probe_read_kernel(comm, sizeof(comm), &leader->comm))
		return;
	bpf_map_update_elem(&proc_comm, &tgid, comm, BPF_ANY);
}

/* One call into a hash of per-CPU-row proc_stats (-P's, --stacks'): the
 * entry for `key` is made on first use from proc_zero; one that does not fit
 * is counted in `full`. */
static __always_inline bool record_group(void *map, const void *key, __u32 tgid, __u64 *full, __u64 err,
					 enum call_timing timing, __u64 dur, const struct call_split *split)
{
	bool created = false;
	struct proc_stats *ps = bpf_map_lookup_elem(map, key);
	bool shared;
	__u32 row;

	if (!ps) {
		/* A zeroed value of the map's runtime size (userspace sizes both). */
		void *fresh = bpf_map_lookup_elem(&proc_zero, &zero);
		long rc;

		if (!fresh)
			return false;
		rc = bpf_map_update_elem(map, key, fresh, BPF_NOEXIST);
		if (rc && rc != -SYSLAT_EEXIST) {
			__sync_fetch_and_add(full, 1);
			return false;
		}
		ps = bpf_map_lookup_elem(map, key);
		if (!ps)
			return false;
		remember_comm(tgid);
		created = !rc;
	}
	row = cpu_row(&shared);
	if (row >= cpu_rows) /* for the verifier: the value holds cpu_rows rows */
		return created;
	ps += row;
	add(&ps->calls, 1, shared);
	if (err)
		add(&ps->errors, 1, shared);
	if (timing == CALL_TIMED) {
		add(&ps->timed, 1, shared);
		add(&ps->total_ns, dur, shared);
		if (split_states && split->switches)
			add(&ps->off_ns, split->off_ns[0] + split->off_ns[1] + split->off_ns[2], shared);
	}
	return created;
}

static __always_inline void record_process(__u32 tgid, __u32 slot, __u64 err, enum call_timing timing,
					   __u64 dur, const struct call_split *split)
{
	struct proc_key key = { .tgid = tgid, .slot = slot };

	record_group(&proc_stats, &key, tgid, &hot.counters.proc_map_full, err, timing, dur, split);
}

/* The top of a user stack: as much of `size` bytes from sp on as can be read
 * (the stack may end closer to sp than that); the bytes copied. `size` is a
 * constant once inlined, as bpf_probe_read_user needs. */
static __always_inline __u32 copy_user_stack(void *dst, __u32 size, __u64 sp)
{
	const void *from = (const void *)sp;

	if (!bpf_probe_read_user(dst, size, from))
		return size;
	if (!bpf_probe_read_user(dst, size / 4, from))
		return size / 4;
	if (!bpf_probe_read_user(dst, size / 16, from))
		return size / 16;
	if (!bpf_probe_read_user(dst, size / 64, from))
		return size / 64;
	return 0;
}

/* --stacks: a new entry, announced with its first call's user registers and
 * as much of the top of its user stack as can be read (the stack may end
 * closer to sp than the copy's size). A full buffer only delays the naming
 * to the next poll, without the copy. */
static __always_inline void announce_stack(const struct stack_key *key, struct pt_regs *regs)
{
	struct new_stack_event *e = bpf_ringbuf_reserve(&new_stacks, sizeof(*e), 0);

	if (!e)
		return;
	e->key = *key;
	e->ip = PT_REGS_IP_CORE(regs);
	e->sp = PT_REGS_SP_CORE(regs);
	e->bp = PT_REGS_FP_CORE(regs);
	e->copied = copy_user_stack(e->stack, sizeof(e->stack), e->sp);
	bpf_ringbuf_submit(e, 0);
}

/* --stack-sample N: whether this call's stack is walked. The walk
 * (bpf_get_stackid: the user frames read one by one, the stack map's hash)
 * costs ten times all the rest of a call; a sample of 1 call in N pays it
 * once per N, and userspace scales each syscall's sampled rows up to its
 * exact totals. The gaps are random (uniform in 1..2N-1, mean N), so a
 * loop whose calls repeat with a period is not always sampled at the same
 * call of it. The counter is per CPU: an array lookup the verifier inlines. */
static __always_inline bool stack_sampled(void)
{
	__u32 *left;

	if (stack_sample <= 1)
		return true;
	left = bpf_map_lookup_elem(&stack_countdown, &zero);
	if (!left)
		return false;
	if (*left > 1) {
		*left -= 1;
		return false;
	}
	*left = 1 + bpf_get_prandom_u32() % (2 * stack_sample - 1);
	return true;
}

/* --stacks: the call under its user stack. The stack is the one it was made
 * from: at sys_exit the task's user registers are still those of its entry. */
static __always_inline void record_stack(void *ctx, struct pt_regs *regs, __u32 tgid, __u32 slot, __u64 err,
					 enum call_timing timing, __u64 dur, const struct call_split *split)
{
	struct stack_key key = { .tgid = tgid, .slot = slot };

	if (!stack_sampled())
		return;
	key.stack_id = (__s32)bpf_get_stackid(ctx, &user_stacks, BPF_F_USER_STACK);
	if (record_group(&stack_stats, &key, tgid, &hot.counters.stack_map_full, err, timing, dur, split) && regs)
		announce_stack(&key, regs);
}

/* A number outside the slots: counted per (abi, number), the slot only if full. */
static __always_inline bool record_unknown(__u32 abi, long nr, __u64 err)
{
	struct unknown_key key = { .nr = (__s32)nr, .abi = abi };
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

/* ---- sys_enter (timed mode only) ---------------------------------------- */

/* sysslow: the arguments, and a path argument as a string while the
 * caller's memory is sure to hold it (execve's is gone at its exit). */
static __always_inline void save_detail(struct pt_regs *regs, __u32 abi, __u32 slot)
{
	struct entry_detail *d = bpf_map_lookup_elem(&entry_details, &zero);
	__u32 path_arg;

	if (!d)
		return;
	read_syscall_args(regs, abi == SYSLAT_ABI_COMPAT, d->args);
	d->has_path = 0;
	path_arg = slot_path_arg[slot & (SYSLAT_MAX_SLOTS - 1)];
	if (path_arg >= 1 && path_arg <= 6)
		d->has_path = bpf_probe_read_user_str(d->path, sizeof(d->path),
						      (const void *)d->args[(path_arg - 1) & 7]) > 0;
}

static __always_inline int on_sys_enter(struct pt_regs *regs, long id, bool cached)
{
	__u32 idx = active_index();
	struct syslat_filter *fs = &hot.filter[idx];
	__u32 flags = fs->flags;
	__u32 abi = SYSLAT_ABI_NATIVE, slot = 0;
	struct task_struct *task = NULL;
	struct entry_slot *s;

	if (follow_forks || (flags & SYSLAT_FILTER_TASK_MASK)) {
		__u64 ids = current_ids(task_of(&task, regs, cached));

		if (follow_forks && !pid_bit(follow_bits, ids >> 32))
			return 0;
		if ((flags & SYSLAT_FILTER_TASK_MASK) && !task_selected(fs, idx, flags, ids))
			return 0;
	}
	/* The slot only when something needs it: the exit pairs by number. */
	if ((flags & SYSLAT_FILTER_SYSCALL) || slow_mode) {
		abi = current_abi(&task, regs, cached);
		slot = slot_for(abi, id);
		if ((flags & SYSLAT_FILTER_SYSCALL) && !syscall_selected(fs, slot))
			return 0;
	}
	s = bpf_map_lookup_elem(&entry_slots, &zero);
	if (!s)
		return 0;
	if (slow_mode)
		save_detail(regs, abi, slot);
	s->ts = bpf_ktime_get_ns();
	s->tid = task_of(&task, regs, cached)->pid; /* the kernel's TID: unique machine-wide */
	s->nr = (__u32)id;
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	return on_sys_enter(regs, id, false);
}

/* Loaded instead of sys_enter where the kernel has bpf_rdonly_cast. */
SEC("?tp_btf/sys_enter")
int BPF_PROG(sys_enter_cached, struct pt_regs *regs, long id)
{
	return on_sys_enter(regs, id, true);
}

/* sysslow: the detail of an entry goes where the entry goes (to the task's
 * storage when it is switched out, back to this CPU's when switched in). */
static __always_inline void move_detail(struct task_struct *task, bool to_task)
{
	struct entry_detail *d = bpf_map_lookup_elem(&entry_details, &zero);
	struct entry_detail *pd = bpf_task_storage_get(&parked_details, task, 0, 0);

	if (!d || !pd)
		return;
	if (to_task)
		*pd = *d;
	else
		*d = *pd;
}

/* --kstack: where the call blocked, tagged with its entry time. */
static __always_inline void park_detail(void *ctx, struct task_struct *task, const struct entry_slot *e)
{
	struct blocked_stacks *bs;

	move_detail(task, true);
	if (!slow_kstack)
		return;
	bs = bpf_task_storage_get(&blocked_stacks, task, 0, 0);
	if (!bs)
		return;
	bs->last.entry_ts = e->ts;
	bs->last.state = e->off_state;
	/* Skip our own two frames (this program and bpf_trace_run): the stack
	 * starts at __schedule. */
	bs->last.bytes = bpf_get_stack(ctx, bs->last.ips, sizeof(bs->last.ips), 2 & BPF_F_SKIP_FIELD_MASK);
}

/* ---- where a call's time goes (split_states) ------------------------------
 * A call switched out waits in one state until it is switched back in; the
 * interval is added to that state when it ends (switch-in, or the exit of a
 * call whose switch-in the tracepoint missed). What is not off the CPU is on
 * it, so the parts add up to the duration by construction. */

/* Runnable (preempted, or switched out while TASK_RUNNING: sched_yield,
 * cond_resched, a signal that cut a sleep short) waits on a runqueue; asleep,
 * it waits for I/O if it went through io_schedule(), which sets in_iowait. */
static __always_inline __u32 off_state_of(bool preempt, struct task_struct *prev)
{
	if (preempt || prev->__state == 0 /* TASK_RUNNING */)
		return SYSLAT_STATE_RUNQ;
	return BPF_CORE_READ_BITFIELD(prev, in_iowait) ? SYSLAT_STATE_IOWAIT : SYSLAT_STATE_SLEEP;
}

static __always_inline void switched_out(struct entry_slot *e, __u64 now, __u32 state)
{
	if (e->split_of != e->ts) { /* the call's first switch */
		e->split_of = e->ts;
		for (int i = 0; i < SYSLAT_OFF_STATES; i++)
			e->off_ns[i] = 0;
		e->switches = 0;
	}
	e->switches++;
	e->off_since = now;
	e->off_state = state;
}

/* An off-CPU interval of d ns, spent in state, ends. (Branches, not an
 * index: the verifier sees each store in bounds.) */
static __always_inline void add_off(__u64 off_ns[SYSLAT_OFF_STATES], __u32 state, __u64 d)
{
	if (state == SYSLAT_STATE_RUNQ)
		off_ns[SYSLAT_STATE_RUNQ] += d;
	else if (state == SYSLAT_STATE_IOWAIT)
		off_ns[SYSLAT_STATE_IOWAIT] += d;
	else
		off_ns[SYSLAT_STATE_SLEEP] += d;
}

/* The off-CPU interval of a parked call ends at now: its length. */
static __always_inline __u64 switched_in(struct entry_slot *e, __u64 now)
{
	__u64 d = now - e->off_since;

	add_off(e->off_ns, e->off_state, d);
	return d;
}

/* --kstack: the last stack becomes the longest when its interval, now over
 * after off_ns, is the call's longest so far. */
static __always_inline void keep_longest_block(struct task_struct *task, __u64 entry_ts, __u64 off_ns)
{
	struct blocked_stacks *bs = bpf_task_storage_get(&blocked_stacks, task, 0, 0);

	if (!bs || bs->last.entry_ts != entry_ts)
		return;
	if (bs->longest.entry_ts == entry_ts && bs->longest.off_ns >= off_ns)
		return;
	bs->longest = bs->last;
	bs->longest.off_ns = off_ns;
}

/* An entry moves between this CPU's slot and the task's storage whole when
 * it carries a split, else only its first 16 bytes. */
static __always_inline void copy_entry(struct entry_slot *to, const struct entry_slot *from)
{
	if (split_states) {
		*to = *from;
		return;
	}
	to->ts = from->ts;
	to->tid = from->tid;
	to->nr = from->nr;
}

/* ---- sched_switch (timed mode only) ---------------------------------------
 * Park the entry of a task switched out in the middle of a call, and bring
 * back the entry of the task switched in. Task storage is only looked up
 * here, never created: on kernels before 6.4 (before local storage moved to
 * bpf_mem_alloc, "bpf: Use bpf_mem_cache_alloc/free in bpf_local_storage_elem")
 * creating it allocates with kmalloc(GFP_ATOMIC) under the runqueue lock.
 * Every task gets its storage beforehand: create_parking_all at start,
 * sched_process_fork for tasks created later. */
SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct entry_slot *s = bpf_map_lookup_elem(&entry_slots, &zero);
	struct entry_slot *p;
	__u64 now = 0, off;

	if (!s)
		return 0;
	if (s->tid) {
		/* (An exit/exit_group entry is parked too: its task's storage goes
		 * with the task.) */
		if (s->tid == prev->pid) {
			p = bpf_task_storage_get(&parked, prev, 0, 0);
			if (p) {
				if (split_states) {
					now = bpf_ktime_get_ns();
					switched_out(s, now, off_state_of(preempt, prev));
				}
				copy_entry(p, s);
				if (slow_mode)
					park_detail(ctx, prev, s);
			} else {
				__sync_fetch_and_add(&hot.counters.park_failed, 1);
			}
		}
		s->tid = 0;
	}
	p = bpf_task_storage_get(&parked, next, 0, 0);
	if (p && p->tid) {
		if (split_states) {
			if (!now)
				now = bpf_ktime_get_ns();
			off = switched_in(p, now);
			if (slow_kstack)
				keep_longest_block(next, p->ts, off);
		}
		copy_entry(s, p);
		p->tid = 0;
		if (slow_mode)
			move_detail(next, false);
	}
	return 0;
}

static __always_inline void create_parking(struct task_struct *task)
{
	bpf_task_storage_get(&parked, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!slow_mode)
		return;
	bpf_task_storage_get(&parked_details, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (slow_kstack)
		bpf_task_storage_get(&blocked_stacks, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
}

SEC("iter/task")
int create_parking_all(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;

	if (task)
		create_parking(task);
	return 0;
}

/* Takes the entry: its time if it is of this call (the number it entered
 * with), and its split if it was switched out during this very call. */
static __always_inline __u64 consume(struct entry_slot *e, __u32 nr, struct call_split *split)
{
	e->tid = 0;
	if (e->nr != nr)
		return 0;
	if (split_states && e->split_of == e->ts) {
		for (int i = 0; i < SYSLAT_OFF_STATES; i++)
			split->off_ns[i] = e->off_ns[i];
		split->off_since = e->off_since;
		split->switches = e->switches;
		split->off_state = e->off_state;
	}
	return e->ts;
}

/* Entry time of the call now returning on this task, or 0 if none was seen;
 * with split_states its split too. Called before the exit-only filters (-x,
 * -e, the launcher gate): an exit that is filtered out must still consume
 * its entry, or a later call that never entered (seccomp) could take it for
 * its own.
 *
 * The entry is normally back in this CPU's slot (sched_switch restores it
 * when the task is switched in). For a task the filters select, it may also
 * still be parked: some kernels switch a task in, now and then, without the
 * sched_switch tracepoint running (docs/design.md), so the parked entry is
 * the fallback. Unselected tasks only get the cheap slot check, so
 * filtering costs other processes no task-storage lookup; an entry of theirs
 * left parked goes back to the slot at their next switch-in and is cleared
 * by their next exit. */
static __always_inline __u64 take_start(struct task_struct *task, __u32 nr, bool selected, bool *from_parked,
					struct call_split *split)
{
	struct entry_slot *s = bpf_map_lookup_elem(&entry_slots, &zero);
	__u32 tid = task->pid;
	struct entry_slot *p;

	if (s && s->tid == tid)
		return consume(s, nr, split);
	if (!selected)
		return 0;
	p = bpf_task_storage_get(&parked, bpf_get_current_task_btf(), 0, 0);
	if (!p || p->tid != tid)
		return 0;
	*from_parked = true; /* its detail is still parked too */
	return consume(p, nr, split);
}

/* An entry taken from the task's storage missed its switch-in: its last
 * interval ends at the exit (and with --kstack may be its longest block). */
static __always_inline void end_split(struct call_split *split, __u64 start, bool from_parked, __u64 now)
{
	__u64 d = now - split->off_since;

	if (!split_states || !from_parked || !split->switches)
		return;
	add_off(split->off_ns, split->off_state, d);
	if (slow_kstack)
		keep_longest_block(bpf_get_current_task_btf(), start, d);
}

/* ---- sysslow: what a slow call's fd arguments refer to -------------------
 * Resolved as the call returns, only for calls that are slow, so the common
 * path pays nothing. The file is looked up in the task's fd table as the
 * kernel does (files->fdt->fd[fd], under the RCU read lock BPF programs run
 * in); an internal filesystem names its files itself (d_op->d_dname:
 * pipes, sockets, anon inodes), anything else gets its path. */

#define SYSLAT_PATH_DEPTH 32              /* dentries and mounts walked up at most */
#define SYSLAT_PIPEFS_MAGIC 0x50495045
#define SYSLAT_SOCKFS_MAGIC 0x534F434B
#define SYSLAT_ANON_INODE_FS_MAGIC 0x09041934

/* A path is built backwards from the middle of a buffer twice its length,
 * so that every masked offset the verifier sees stays inside it. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[2 * SYSLAT_FD_PATH_LEN]);
} path_scratch SEC(".maps");

/* struct mount around a struct vfsmount (fs/mount.h real_mount), and back. */
static __always_inline struct mount *real_mount_of(struct vfsmount *vfsmnt)
{
	return (struct mount *)((char *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
}

static __always_inline struct vfsmount *vfsmount_of(struct mount *mnt)
{
	return (struct vfsmount *)((char *)mnt + bpf_core_field_offset(struct mount, mnt));
}

/* The path of (dentry, vfsmnt) from the root of the mount tree, as d_path
 * walks it: up the dentries, and from a mount's root to where it is mounted. */
static __noinline void resolve_path(struct dentry *dentry, struct vfsmount *vfsmnt, struct fd_detail *out)
{
	char *buf = bpf_map_lookup_elem(&path_scratch, &zero);
	struct mount *mnt = real_mount_of(vfsmnt);
	__u32 off = SYSLAT_FD_PATH_LEN, len; /* the path is buf[off, SYSLAT_FD_PATH_LEN) */
	bool at_root = false;

	if (!buf)
		return;
	for (int i = 0; i < SYSLAT_PATH_DEPTH; i++) {
		struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
		struct dentry *mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
		const unsigned char *name;

		if (dentry == mnt_root || dentry == parent) {
			struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

			if (dentry != mnt_root || up == mnt) { /* the root, or a detached tree's */
				at_root = true;
				break;
			}
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = up;
			vfsmnt = vfsmount_of(up);
			continue;
		}
		len = BPF_CORE_READ(dentry, d_name.len);
		name = BPF_CORE_READ(dentry, d_name.name);
		if (len + 1 > off)
			break;
		off = (off - len - 1) & (SYSLAT_FD_PATH_LEN - 1);
		buf[off] = '/';
		bpf_probe_read_kernel(&buf[off + 1], len & (SYSLAT_FD_PATH_LEN - 1), name);
		dentry = parent;
	}
	if (!at_root)
		out->flags |= SYSLAT_FD_TRUNCATED;
	if (off == SYSLAT_FD_PATH_LEN) { /* the root itself */
		off = SYSLAT_FD_PATH_LEN - 1;
		buf[off] = '/';
	}
	off &= SYSLAT_FD_PATH_LEN - 1;
	out->path_len = SYSLAT_FD_PATH_LEN - off;
	bpf_probe_read_kernel(out->path, sizeof(out->path), &buf[off]);
}

static __noinline void resolve_fd(int fd, struct fd_detail *out)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *file = NULL;
	struct dentry *dentry;
	unsigned long magic;

	out->fd = fd;
	if (fd < 0 || !fdt || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return;
	out->ino = BPF_CORE_READ(file, f_inode, i_ino);
	dentry = BPF_CORE_READ(file, f_path.dentry);
	if (BPF_CORE_READ(dentry, d_op, d_dname)) {
		magic = BPF_CORE_READ(dentry, d_sb, s_magic);
		if (magic == SYSLAT_PIPEFS_MAGIC) {
			out->kind = SYSLAT_FD_PIPE;
		} else if (magic == SYSLAT_SOCKFS_MAGIC) {
			out->kind = SYSLAT_FD_SOCKET;
		} else if (magic == SYSLAT_ANON_INODE_FS_MAGIC) {
			long n = bpf_probe_read_kernel_str(out->path, sizeof(out->path), BPF_CORE_READ(dentry, d_name.name));

			out->kind = SYSLAT_FD_ANON;
			out->path_len = n > 0 ? n - 1 : 0;
		} else {
			out->kind = SYSLAT_FD_OTHER;
		}
		return;
	}
	out->kind = SYSLAT_FD_FILE;
	/* d_unlinked(): unhashed, and not a root */
	if (!BPF_CORE_READ(dentry, d_hash.pprev) && BPF_CORE_READ(dentry, d_parent) != dentry)
		out->flags |= SYSLAT_FD_DELETED;
	resolve_path(dentry, BPF_CORE_READ(file, f_path.mnt), out);
}

/* The first SYSLAT_EVENT_FDS fd arguments of the call in slot. */
static __always_inline void resolve_fds(struct slow_event *e, __u32 slot)
{
	__u8 fd_args = slot_fd_args[slot & (SYSLAT_MAX_SLOTS - 1)];
	__u32 n = 0;

	for (int i = 0; i < SYSLAT_EVENT_FDS; i++) {
		e->fds[i].fd = -1;
		e->fds[i].kind = SYSLAT_FD_NONE;
		e->fds[i].flags = 0;
		e->fds[i].ino = 0;
		e->fds[i].path_len = 0;
	}
	for (int i = 0; i < 6; i++) {
		if (!(fd_args & (1u << i)) || n >= SYSLAT_EVENT_FDS)
			continue;
		resolve_fd((int)e->args[i], &e->fds[n & (SYSLAT_EVENT_FDS - 1)]);
		n++;
	}
}

/* ---- sysslow: one event per call at or over its threshold ---------------- */

/* --kstack: the stack of the call's longest block (end_split has judged
 * the last one, if it ended at the exit), or none. */
static __always_inline void longest_block(struct slow_event *e, struct task_struct *task, __u64 start)
{
	struct blocked_stacks *bs = bpf_task_storage_get(&blocked_stacks, task, 0, 0);

	e->kstack_bytes = 0;
	if (!bs || bs->longest.entry_ts != start || bs->longest.bytes <= 0)
		return;
	__builtin_memcpy(e->kstack, bs->longest.ips, sizeof(e->kstack));
	e->kstack_bytes = bs->longest.bytes;
	e->kstack_state = bs->longest.state;
	e->kstack_off_ns = bs->longest.off_ns;
}

/* --stack: the frame-pointer walk, and the registers and stack top that
 * userspace unwinds from .eh_frame (struct slow_stack_copy, after the event). */
static __always_inline void user_stack_of(void *ctx, struct slow_event *e, struct pt_regs *regs)
{
	struct slow_stack_copy *copy = (void *)(e + 1);

	e->ustack_bytes = bpf_get_stack(ctx, e->ustack, sizeof(e->ustack), BPF_F_USER_STACK);
	copy->ip = PT_REGS_IP_CORE(regs);
	copy->sp = PT_REGS_SP_CORE(regs);
	copy->bp = PT_REGS_FP_CORE(regs);
	copy->copied = copy_user_stack(copy->stack, sizeof(copy->stack), copy->sp);
}

static __always_inline void emit_slow(void *ctx, struct pt_regs *regs, __u32 slot, __u32 abi, long ret, __u64 dur,
				      __u64 now, __u64 ids, __u64 start, const struct call_split *split, bool from_parked)
{
	struct task_struct *task = bpf_get_current_task_btf();
	/* The size must be a constant: slow_ustack is one (frozen rodata). */
	struct slow_event *e = bpf_ringbuf_reserve(&slow_events, sizeof(*e) + (slow_ustack ? sizeof(struct slow_stack_copy) : 0), 0);
	struct entry_detail *d;

	if (!e) {
		__sync_fetch_and_add(&hot.counters.slow_lost, 1);
		return;
	}
	e->ts_ns = now;
	e->duration_ns = dur;
	for (int i = 0; i < SYSLAT_OFF_STATES; i++)
		e->off_ns[i] = split->off_ns[i];
	e->switches = split->switches;
	e->ret = ret;
	e->pid = ids >> 32;
	e->tid = (__u32)ids;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->slot = slot;
	e->flags = abi == SYSLAT_ABI_COMPAT ? SYSLAT_EVENT_COMPAT : 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	d = from_parked ? bpf_task_storage_get(&parked_details, task, 0, 0)
			: bpf_map_lookup_elem(&entry_details, &zero);
	if (d) {
		__builtin_memcpy(e->args, d->args, sizeof(e->args));
		if (d->has_path && bpf_probe_read_kernel_str(e->path, sizeof(e->path), d->path) > 0)
			e->flags |= SYSLAT_EVENT_PATH;
	} else {
		__builtin_memset(e->args, 0, sizeof(e->args));
	}
	resolve_fds(e, d ? slot : other_slot);
	if (slow_ustack)
		user_stack_of(ctx, e, regs);
	else
		e->ustack_bytes = 0;
	if (slow_kstack)
		longest_block(e, task, start);
	else
		e->kstack_bytes = 0;
	bpf_ringbuf_submit(e, 0);
}

/* ---- signals: which -1 is a sigreturn ------------------------------------
 * rt_sigreturn (and i386 sigreturn) restore the interrupted registers and set
 * orig_ax to -1, so their sys_exit reports -1, just like a genuine
 * syscall(-1). Every handler frame the kernel sets up (signal_deliver) ends
 * in one sigreturn, so a task with frames outstanding is returning from one.
 * (A handler that longjmps out leaves its frame counted: only a later genuine
 * syscall(-1) of that task would then be taken for a sigreturn.) */
/* The slot of the sigreturn a -1 is, and *nr set to its number; NONE if
 * it is a genuine syscall(-1). */
static __always_inline __u32 sigreturn_slot_of(__u32 abi, long *nr)
{
	struct handler_frames *f = bpf_task_storage_get(&handler_frames, bpf_get_current_task_btf(), 0, 0);

	if (!f)
		return SYSLAT_SLOT_NONE;
	if (f->rt && !(abi == SYSLAT_ABI_COMPAT && f->plain)) {
		f->rt--;
		*nr = rt_sigreturn_nr[abi & 1];
		return rt_sigreturn_slot[abi & 1];
	}
	if (f->plain) {
		f->plain--;
		*nr = sigreturn_nr[abi & 1];
		return sigreturn_slot[abi & 1];
	}
	return SYSLAT_SLOT_NONE;
}

SEC("tp_btf/signal_deliver")
int BPF_PROG(signal_deliver, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	struct handler_frames *f;

	if (!ka || (unsigned long)ka->sa.sa_handler <= 1) /* SIG_DFL, SIG_IGN: no frame */
		return 0;
	f = bpf_task_storage_get(&handler_frames, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!f)
		return 0;
	/* The frame the kernel sets up (arch setup_rt_frame): rt unless the
	 * handler was installed by a 32-bit sigaction (the kernel marks it then)
	 * without SA_SIGINFO. Not the task's ABI now: a signal that arrives
	 * while a 32-bit program runs its own code finds no 32-bit call in
	 * progress. */
	if (handler_frame_is_plain(ka->sa.sa_flags))
		f->plain++;
	else
		f->rt++;
	return 0;
}

/* ---- sys_exit ------------------------------------------------------------ */

static __always_inline int on_sys_exit(void *ctx, struct pt_regs *regs, long ret, bool cached)
{
	long nr = SYSLAT_REGS_SYSCALL_NR(regs);
	struct task_struct *task = NULL;
	__u32 abi = current_abi(&task, regs, cached);
	__u32 slot = SYSLAT_SLOT_NONE;
	__u32 idx = active_index();
	struct syslat_filter *fs = &hot.filter[idx];
	__u32 flags = fs->flags;
	__u64 ids = 0, err = is_error(ret), dur = 0, start = 0, now = 0;
	enum call_timing timing = CALL_UNTIMED;
	bool selected = true, syscall_ok, from_parked = false, slow;
	struct call_split split;

	if (timed)
		split = (struct call_split){};
	if (nr == -1)
		slot = sigreturn_slot_of(abi, &nr);
	if (slot == SYSLAT_SLOT_NONE)
		slot = slot_for(abi, nr);
	/* Selected as sys_enter selects (task, syscall), so an entry was kept
	 * for it; the exit-only filters come after take_start. */
	if (follow_forks || (flags & SYSLAT_FILTER_TASK_MASK)) {
		ids = current_ids(task_of(&task, regs, cached));
		selected = (!follow_forks || pid_bit(follow_bits, ids >> 32)) &&
			   (!(flags & SYSLAT_FILTER_TASK_MASK) || task_selected(fs, idx, flags, ids));
	}
	syscall_ok = !(flags & SYSLAT_FILTER_SYSCALL) || syscall_selected(fs, slot);
	if (timed)
		start = take_start(task_of(&task, regs, cached), (__u32)nr, selected && syscall_ok, &from_parked, &split);
	if (!selected)
		return 0;
	/* The child of a successful clone/fork/vfork leaves the kernel through
	 * here (ret_from_fork) with 0, never having entered: the call is the
	 * parent's. */
	if (ret == 0 && (flags_of(slot) & SYSLAT_SLOT_FORK))
		return 0;
	/* Before the syscall filter: the launched command's execve arms it
	 * whether or not execve itself is shown. */
	if (follow_forks && !launched_command_started(ids, slot, ret))
		return 0;
	if (!syscall_ok || (flags && !result_selected(fs, flags, ret)))
		return 0;
	if (timed) {
		if (start) {
			now = bpf_ktime_get_ns();
			dur = now - start;
			timing = CALL_TIMED;
			end_split(&split, start, from_parked, now);
		} else {
			timing = CALL_ENTRY_NOT_SEEN;
		}
		if ((flags & SYSLAT_FILTER_MIN_DURATION) &&
		    (timing != CALL_TIMED || dur < fs->min_duration_ns))
			return 0;
	}
	slow = (count_slow || slow_mode) && timing == CALL_TIMED &&
	       dur >= slow_threshold_ns[slot & (SYSLAT_MAX_SLOTS - 1)];
	if (slot != other_slot || !record_unknown(abi, nr, err))
		record(slot, err, timing, dur, slow && count_slow, &split);
	if (per_process || slow_mode || stacks) {
		if (!ids)
			ids = current_ids(task_of(&task, regs, cached));
	}
	if (per_process)
		record_process(ids >> 32, slot, err, timing, dur, &split);
	if (stacks)
		record_stack(ctx, regs, ids >> 32, slot, err, timing, dur, &split);
	if (slow_mode && slow)
		emit_slow(ctx, regs, slot, abi, ret, dur, now, ids, start, &split, from_parked);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	return on_sys_exit(ctx, regs, ret, false);
}

/* Loaded instead of sys_exit where the kernel has bpf_rdonly_cast. */
SEC("?tp_btf/sys_exit")
int BPF_PROG(sys_exit_cached, struct pt_regs *regs, long ret)
{
	return on_sys_exit(ctx, regs, ret, true);
}

/* ---- task exit: exit/exit_group never reach sys_exit ---------------------
 * A task leaving through the exit or exit_group syscall still has that number
 * in orig_ax; one killed by a signal or by another thread's exit_group has
 * the number of whatever call it was in (which already went through sys_exit)
 * or -1. So counting here counts exactly the calls that never return. */

static __always_inline bool exit_call_selected(struct syslat_filter *fs, __u32 idx, __u32 flags, __u64 ids, __u32 slot)
{
	if (follow_forks && (!pid_bit(follow_bits, ids >> 32) || hot.pending_exec_tgid == ids >> 32))
		return false;
	if ((flags & SYSLAT_FILTER_TASK_MASK) && !task_selected(fs, idx, flags, ids))
		return false;
	if ((flags & SYSLAT_FILTER_SYSCALL) && !syscall_selected(fs, slot))
		return false;
	/* Never fails and has no duration: out under -x, -e and --min-duration. */
	return !flags || (result_selected(fs, flags, 0) && !(flags & SYSLAT_FILTER_MIN_DURATION));
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_process_exit, struct task_struct *task)
{
	__u32 idx = active_index();
	struct syslat_filter *fs = &hot.filter[idx];
	__u32 flags = fs->flags;
	__u64 ids = current_ids(task);
	struct entry_slot *s;
	__u32 slot;

	/* Its stack may go to a new task now: every this_task() cache is void. */
	__sync_fetch_and_add(&hot.task_exits, 1);
	if (task->flags & SYSLAT_PF_KTHREAD)
		return 0;
	if (timed) { /* the exit call's entry: it never returns to consume it */
		s = bpf_map_lookup_elem(&entry_slots, &zero);
		if (s && s->tid == task->pid)
			s->tid = 0;
	}
	slot = slot_for(current_abi(&task, NULL, false), SYSLAT_REGS_SYSCALL_NR((struct pt_regs *)bpf_task_pt_regs(task)));
	if ((flags_of(slot) & SYSLAT_SLOT_NORETURN) && exit_call_selected(fs, idx, flags, ids, slot)) {
		struct call_split none = {};

		record(slot, 0, CALL_UNTIMED, 0, false, &none);
		if (per_process)
			record_process(ids >> 32, slot, 0, CALL_UNTIMED, 0, &none);
		/* The task's memory is gone by now: no user stack (-EFAULT). */
		if (stacks)
			record_stack(ctx, NULL, ids >> 32, slot, 0, CALL_UNTIMED, 0, &none);
	}
	/* Only after the exit call itself was judged with the task still selected. */
	if (follow_forks)
		forget_exited(task, ids);
	return 0;
}

/* ---- fork: storage for the timed mode, children of a launched command ---- */

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	if (timed)
		create_parking(child);
	if (follow_forks && child->tgid != parent->tgid) /* a new process, not a thread */
		follow_child(current_ids(parent) >> 32, user_tgid_of(child));
	return 0;
}
