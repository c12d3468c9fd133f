// SPDX-License-Identifier: GPL-2.0
/* sysfunc: calls of named kernel functions, timed from entry to return.
 *
 * Entry and return probes (kprobe.multi/kretprobe.multi with the function
 * index as the attach cookie; single kprobes with the same cookie where
 * kprobe.multi is missing; or fentry/fexit copies with the index built in)
 * keep a shadow stack per thread, so each call gets its own duration however
 * calls nest or recurse, and its self time (duration less the time in traced
 * functions it called). --by-syscall adds sys_enter/sys_exit, which note the
 * syscall a thread is in. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "sysfunc.h"
#include "syscalls_arch.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by userspace before load. */
const volatile __u32 nfuncs = 0;
const volatile __u8 arg_kinds[SYSFUNC_MAX_FUNCS][6];  /* sysfunc_arg_kind per argument */
const volatile __u32 filter_flags = 0;                 /* sysfunc_filter_flags */
const volatile __u32 filter_uid = 0;
const volatile __u32 skip_tgid = 0;
const volatile char filter_comm[SYSLAT_COMM_LEN];
const volatile bool trace = false;
const volatile bool kernel_stack = false;
const volatile __u64 threshold_ns = 0;
const volatile bool by_syscall = false;
const volatile bool syscall_filter = false;            /* -S: only calls inside these syscalls */
const volatile __u64 syscall_bits[SYSLAT_NR_TABLE / 64];

/* Changed at run time. */
__u32 epoch = 0;           /* min/max half in use (see struct func_stats) */
bool filter_pids_on = false;  /* -p, or add_process */
bool follow_forks = false;    /* children of selected processes are selected (add_process) */
struct func_counters counters = {};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);  /* threads at once; set by userspace */
	__type(key, __u32);          /* tid */
	__type(value, struct thread_state);
} threads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);      /* --trace: as threads */
	__type(key, __u32);
	__type(value, struct trace_state);
} trace_frames SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);      /* nfuncs */
	__type(key, __u32);
	__type(value, struct func_stats);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);      /* nfuncs * 2 */
	__type(key, __u32);
	__type(value, struct func_minmax);
} minmax SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1);      /* --by-syscall: 16384 */
	__type(key, struct func_sys_key);
	__type(value, struct func_sys_value);
} sys_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);   /* tgid (-p), or tid (tid_set) */
	__type(value, __u8);
} pid_set SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} tid_set SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);  /* --trace: ring_buffer_bytes */
} events SEC(".maps");

/* A new thread's state is copied from these (too big for the BPF stack). */
const struct thread_state zero_state = {};
const struct trace_state zero_trace = {};

static __always_inline bool comm_equal(const char *comm)
{
	for (int i = 0; i < SYSLAT_COMM_LEN; i++) {
		if (comm[i] != filter_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

/* -p -t -u -n -c (and not the tool itself): cheapest first. */
static __always_inline bool task_selected(__u64 id)
{
	__u32 tgid = id >> 32, tid = (__u32)id;

	if (!filter_flags && !filter_pids_on)
		return true;
	if (filter_pids_on && !bpf_map_lookup_elem(&pid_set, &tgid))
		return false;
	if ((filter_flags & SYSFUNC_FILTER_SKIP_TGID) && tgid == skip_tgid)
		return false;
	if ((filter_flags & SYSFUNC_FILTER_TID) && !bpf_map_lookup_elem(&tid_set, &tid))
		return false;
	if ((filter_flags & SYSFUNC_FILTER_UID) && (__u32)bpf_get_current_uid_gid() != filter_uid)
		return false;
	if ((filter_flags & SYSFUNC_FILTER_CGROUP) && bpf_current_task_under_cgroup(&cgroup_map, 0) != 1)
		return false;
	if (filter_flags & SYSFUNC_FILTER_COMM) {
		char comm[SYSLAT_COMM_LEN] = {};

		if (filter_flags & SYSFUNC_FILTER_THREAD_COMM) {
			bpf_get_current_comm(comm, sizeof(comm));
		} else {
			struct task_struct *task = (struct task_struct *)bpf_get_current_task();
			struct task_struct *leader = BPF_CORE_READ(task, group_leader);

			if (bpf_probe_read_kernel(comm, sizeof(comm), &leader->comm))
				return false;
		}
		if (!comm_equal(comm))
			return false;
	}
	return true;
}

static __always_inline struct thread_state *new_state(__u32 tid)
{
	long err = bpf_map_update_elem(&threads, &tid, &zero_state, BPF_NOEXIST);
	struct thread_state *st = bpf_map_lookup_elem(&threads, &tid);

	if (!st) {
		__sync_fetch_and_add(&counters.threads_full, 1);
		return NULL;
	}
	if (!err)
		st->syscall = SYSFUNC_NO_SYSCALL;
	return st;
}

static __always_inline __u64 reg_arg(struct pt_regs *regs, int n)
{
	switch (n) {
	case 0: return PT_REGS_PARM1_CORE(regs);
	case 1: return PT_REGS_PARM2_CORE(regs);
	case 2: return PT_REGS_PARM3_CORE(regs);
	case 3: return PT_REGS_PARM4_CORE(regs);
	case 4: return PT_REGS_PARM5_CORE(regs);
#if defined(__TARGET_ARCH_x86)
	default: return BPF_CORE_READ(regs, r9);
#elif defined(__TARGET_ARCH_arm64)
	default: return BPF_CORE_READ((struct user_pt_regs *)regs, regs[5]);
#else
	default: return 0;
#endif
	}
}

/* The name of the file a File/Dentry/Path argument refers to. */
static __always_inline void read_name(struct trace_frame *tf, __u32 kind, __u64 arg)
{
	struct dentry *dentry = NULL;
	const unsigned char *name;

	if (kind == SYSFUNC_ARG_FILE)
		dentry = BPF_CORE_READ((struct file *)arg, f_path.dentry);
	else if (kind == SYSFUNC_ARG_DENTRY)
		dentry = (struct dentry *)arg;
	else if (kind == SYSFUNC_ARG_PATH)
		dentry = BPF_CORE_READ((struct path *)arg, dentry);
	if (!dentry)
		return;
	name = BPF_CORE_READ(dentry, d_name.name);
	if (name && bpf_probe_read_kernel_str(tf->name, sizeof(tf->name), name) > 0)
		tf->name_arg = -2;  /* set by the caller */
}

static __always_inline void save_trace(void *ctx, __u32 tid, __u32 d, __u32 func, bool fentry)
{
	struct trace_state *ts = bpf_map_lookup_elem(&trace_frames, &tid);
	struct trace_frame *tf;

	if (!ts) {
		bpf_map_update_elem(&trace_frames, &tid, &zero_trace, BPF_NOEXIST);
		ts = bpf_map_lookup_elem(&trace_frames, &tid);
		if (!ts)
			return;
	}
	tf = &ts->frames[d & (SYSFUNC_MAX_DEPTH - 1)];
	tf->name_arg = -1;
	tf->name[0] = 0;
	for (int i = 0; i < 6; i++) {
		__u64 v = 0;

		if (fentry)
			bpf_get_func_arg(ctx, i, &v);
		else
			v = reg_arg(ctx, i);
		tf->args[i] = v;
	}
	for (int i = 0; i < 6; i++) {
		__u32 kind = arg_kinds[func & (SYSFUNC_MAX_FUNCS - 1)][i];

		if (kind == SYSFUNC_ARG_VALUE || !tf->args[i])
			continue;
		read_name(tf, kind, tf->args[i]);
		if (tf->name_arg == -2)
			tf->name_arg = i;
		break;
	}
}

static __always_inline void on_entry(void *ctx, __u32 func, bool fentry)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct thread_state *st;
	__u32 d;

	if (func >= nfuncs)
		return;
	st = bpf_map_lookup_elem(&threads, &tid);
	if (syscall_filter) {
		/* sys_enter made the state of selected threads in selected syscalls */
		if (!st || st->syscall < 0)
			return;
	} else {
		if (!task_selected(id))
			return;
		if (!st && !(st = new_state(tid)))
			return;
	}
	d = st->depth;
	if (d >= SYSFUNC_MAX_DEPTH) {
		st->overflow++;
		__sync_fetch_and_add(&counters.stack_overflow, 1);
		return;
	}
	if (trace)
		save_trace(ctx, tid, d, func, fentry);
	st->frames[d & (SYSFUNC_MAX_DEPTH - 1)].func = func;
	st->frames[d & (SYSFUNC_MAX_DEPTH - 1)].child_ns = 0;
	st->depth = d + 1;
	/* last: the probe's own work above is not the call's time */
	st->frames[d & (SYSFUNC_MAX_DEPTH - 1)].start_ns = bpf_ktime_get_ns();
}

static __always_inline void add_stats(__u32 func, __u64 dur, __u64 self)
{
	struct func_stats *s = bpf_map_lookup_elem(&stats, &func);
	__u32 key = func * 2 + (epoch & 1);
	struct func_minmax *m = bpf_map_lookup_elem(&minmax, &key);
	__u32 b;

	if (!s || !m)
		return;
	s->calls++;
	s->total_ns += dur;
	s->self_ns += self;
	b = hist_bucket(dur);
	if (b >= HIST_NBUCKETS)  /* never, but the verifier must see it */
		b = HIST_OVERFLOW;
	s->hist[b]++;
	if (m->min_ns == 0 || dur < m->min_ns)
		m->min_ns = dur ? dur : 1;  /* 0 means none */
	if (dur > m->max_ns)
		m->max_ns = dur;
}

static __always_inline void add_sys(__s32 nr, __u32 func, __u32 parent, __u64 incl, __u64 self)
{
	struct func_sys_key key = {.nr = nr, .func = func, .parent = parent};
	struct func_sys_value *v = bpf_map_lookup_elem(&sys_stats, &key);

	if (!v) {
		struct func_sys_value zero = {};

		bpf_map_update_elem(&sys_stats, &key, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&sys_stats, &key);
		if (!v) {
			__sync_fetch_and_add(&counters.by_syscall_full, 1);
			return;
		}
	}
	v->calls++;
	v->inclusive_ns += incl;
	v->self_ns += self;
}

static __always_inline void emit(void *ctx, __u64 id, __u32 func, __u32 idx, __u64 start, __u64 dur, __u64 ret)
{
	__u32 tid = (__u32)id;
	struct trace_state *ts = bpf_map_lookup_elem(&trace_frames, &tid);
	struct trace_frame *tf;
	struct func_event *e;

	if (!ts) {  /* no room for its trace frames at entry */
		__sync_fetch_and_add(&counters.events_lost, 1);
		return;
	}
	tf = &ts->frames[idx & (SYSFUNC_MAX_DEPTH - 1)];
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&counters.events_lost, 1);
		return;
	}
	e->func = func;
	e->pid = id >> 32;
	e->tid = tid;
	e->start_ns = start;
	e->duration_ns = dur;
	for (int i = 0; i < 6; i++)
		e->args[i] = tf->args[i];
	e->ret = ret;
	e->name_arg = tf->name_arg;
	__builtin_memcpy(e->name, tf->name, sizeof(e->name));
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->kstack_bytes = kernel_stack ? bpf_get_stack(ctx, e->kstack, sizeof(e->kstack), 0) : 0;
	bpf_ringbuf_submit(e, 0);
}

static __always_inline void on_return(void *ctx, __u32 func, bool fentry)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct thread_state *st;
	__u64 now, dur, self, start, ret = 0;
	__u32 d, found = SYSFUNC_MAX_DEPTH;

	if (func >= nfuncs)
		return;
	st = bpf_map_lookup_elem(&threads, &tid);
	if (!st) {
		/* a selected thread's call in flight at attach */
		if (!syscall_filter && task_selected(id))
			__sync_fetch_and_add(&counters.unmatched, 1);
		return;
	}
	if (syscall_filter && st->syscall < 0)
		return;
	if (st->overflow) {  /* the return of the latest entry not pushed */
		st->overflow--;
		return;
	}
	now = bpf_ktime_get_ns();
	d = st->depth;
	for (int i = 0; i < SYSFUNC_MAX_DEPTH; i++) {
		__u32 at;

		if (i >= d)
			break;
		at = (d - 1 - i) & (SYSFUNC_MAX_DEPTH - 1);
		if (st->frames[at].func == func) {
			found = at;
			break;
		}
	}
	if (found >= SYSFUNC_MAX_DEPTH) {
		if (!syscall_filter || st->syscall >= 0)
			__sync_fetch_and_add(&counters.unmatched, 1);
		return;
	}
	if (d - 1 > found)  /* frames above it never returned (missed returns) */
		__sync_fetch_and_add(&counters.unmatched, d - 1 - found);
	start = st->frames[found].start_ns;
	dur = now > start ? now - start : 0;
	self = dur > st->frames[found].child_ns ? dur - st->frames[found].child_ns : 0;
	st->depth = found;
	if (found > 0)
		st->frames[(found - 1) & (SYSFUNC_MAX_DEPTH - 1)].child_ns += dur;
	add_stats(func, dur, self);

	if (by_syscall && st->syscall >= 0) {
		bool outermost = true;

		for (int i = 0; i < SYSFUNC_MAX_DEPTH; i++) {
			if (i >= found)
				break;
			if (st->frames[i].func == func) {
				outermost = false;
				break;
			}
		}
		add_sys(st->syscall, func, SYSFUNC_PARENT_ALL, outermost ? dur : 0, self);
		/* the call tree's edge: from the traced frame below it, if any */
		add_sys(st->syscall, func,
			found > 0 ? st->frames[(found - 1) & (SYSFUNC_MAX_DEPTH - 1)].func : SYSFUNC_PARENT_NONE, dur, self);
	}
	if (trace && dur >= threshold_ns) {
		if (fentry)
			bpf_get_func_ret(ctx, &ret);
		else
			ret = PT_REGS_RC((struct pt_regs *)ctx);
		emit(ctx, id, func, found, start, dur, ret);
	}
}

/* kprobe.multi: one program pair for all functions, the index is the cookie. */
SEC("kprobe.multi")
int BPF_KPROBE(func_entry_multi)
{
	on_entry(ctx, (__u32)bpf_get_attach_cookie(ctx), false);
	return 0;
}

SEC("kretprobe.multi")
int BPF_KRETPROBE(func_return_multi)
{
	on_return(ctx, (__u32)bpf_get_attach_cookie(ctx), false);
	return 0;
}

/* Single kprobes (one link per function, the same cookie). */
SEC("kprobe")
int BPF_KPROBE(func_entry)
{
	on_entry(ctx, (__u32)bpf_get_attach_cookie(ctx), false);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(func_return)
{
	on_return(ctx, (__u32)bpf_get_attach_cookie(ctx), false);
	return 0;
}

/* fentry/fexit: a program per function, so SYSFUNC_FENTRY_COPIES copies,
 * each with its function index built in; userspace sets the target of those
 * it uses and loads only them. */
#define FENTRY_COPY(n)                              \
	SEC("?fentry")                              \
	int fentry_##n(void *ctx)                   \
	{                                           \
		on_entry(ctx, n, true);             \
		return 0;                           \
	}                                           \
	SEC("?fexit")                               \
	int fexit_##n(void *ctx)                    \
	{                                           \
		on_return(ctx, n, true);            \
		return 0;                           \
	}
FENTRY_COPY(0) FENTRY_COPY(1) FENTRY_COPY(2) FENTRY_COPY(3)
FENTRY_COPY(4) FENTRY_COPY(5) FENTRY_COPY(6) FENTRY_COPY(7)
FENTRY_COPY(8) FENTRY_COPY(9) FENTRY_COPY(10) FENTRY_COPY(11)
FENTRY_COPY(12) FENTRY_COPY(13) FENTRY_COPY(14) FENTRY_COPY(15)

/* --by-syscall: the syscall the thread is in (only selected ones with -S). */
SEC("tp_btf/sys_enter")
int BPF_PROG(func_sys_enter, struct pt_regs *regs, long nr)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct thread_state *st;
	bool selected;

	/* a 32-bit (compat) call has another numbering: attributed to no syscall */
	selected = nr >= 0 && nr < SYSLAT_NR_TABLE - 1 && !task_in_compat_syscall(bpf_get_current_task_btf()) &&
		   (!syscall_filter || (syscall_bits[(nr >> 6) & 7] & (1ull << (nr & 63))));
	st = bpf_map_lookup_elem(&threads, &tid);
	if (!selected || !task_selected(id)) {
		if (st)
			st->syscall = SYSFUNC_NO_SYSCALL;
		return 0;
	}
	if (!st && !(st = new_state(tid)))
		return 0;
	st->syscall = nr;
	st->sys_start_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(func_sys_exit, struct pt_regs *regs, long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct thread_state *st = bpf_map_lookup_elem(&threads, &tid);
	__u64 now = bpf_ktime_get_ns();

	if (!st || st->syscall < 0)
		return 0;
	add_sys(st->syscall, SYSFUNC_SYSCALL_TOTAL, SYSFUNC_PARENT_ALL, now - st->sys_start_ns, 0);
	st->syscall = SYSFUNC_NO_SYSCALL;
	if (syscall_filter && st->depth) {
		/* entries whose return was not seen: it cannot come inside a selected call now */
		__sync_fetch_and_add(&counters.unmatched, st->depth);
		st->depth = 0;
	}
	return 0;
}

/* A thread's state goes with it. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(func_task_exit, struct task_struct *task)
{
	__u32 tid = task->pid;

	bpf_map_delete_elem(&threads, &tid);
	if (trace)
		bpf_map_delete_elem(&trace_frames, &tid);
	return 0;
}

/* add_process (`sysfunc -- CMD`): its children are traced too. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(func_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	__u8 one = 1;

	if (follow_forks && ptgid != ctgid && bpf_map_lookup_elem(&pid_set, &ptgid))
		bpf_map_update_elem(&pid_set, &ctgid, &one, BPF_ANY);
	return 0;
}
