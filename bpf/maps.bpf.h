/* Maps and globals of the syslat object. Included once, by syslat.bpf.c. */
#ifndef MAPS_BPF_H
#define MAPS_BPF_H

/* Load-time configuration (rodata, frozen): the verifier drops the code of
 * features that are off, so the default path pays nothing for them. */
const volatile bool timed = false;        /* sys_enter attached, durations recorded */
const volatile bool per_process = false;  /* -P */
const volatile bool stacks = false;       /* --stacks: calls per (process, user stack, syscall) */
const volatile __u32 stack_sample = 1;    /* --stacks: 1 call in N walked (random gaps, mean N); 1: every call */
const volatile bool follow_forks = false; /* -- CMD: children of traced processes are traced */
const volatile bool compat_abi = false;   /* the kernel runs 32-bit (ia32) syscalls */
const volatile __u32 cpu_rows = 1;        /* rows per slot: present CPUs + 1 shared */
const volatile __u32 other_slot = 0;      /* last slot: unknown numbers that did not fit */
const volatile __u32 hist_slots = 0;      /* histograms in the hists array (per CPU row) */
const volatile bool hist_identity = false; /* every slot has one: slot s uses histogram s */
const volatile bool slow_mode = false;    /* sysslow: keep args at entry, emit slow calls */
const volatile bool count_slow = false;   /* count calls over their threshold per slot (stats.slow) */
const volatile bool slow_ustack = false;  /* --stack: the user stack of each slow call */
const volatile bool slow_kstack = false;  /* --kstack: the kernel stack where it blocked longest */
const volatile bool split_states = false; /* timed: where each call's time went (on CPU, runqueue, I/O, sleep) */

/* Number -> slot per ABI, and per-slot flags (see syslat.h). */
const volatile __u16 slot_of[SYSLAT_NABIS][SYSLAT_NR_TABLE];
const volatile __u8 slot_flags[SYSLAT_MAX_SLOTS];
const volatile __u16 rt_sigreturn_slot[SYSLAT_NABIS];
const volatile __u16 sigreturn_slot[SYSLAT_NABIS];  /* i386's non-rt sigreturn */
const volatile __s32 rt_sigreturn_nr[SYSLAT_NABIS];  /* their numbers (what sys_enter saw) */
const volatile __s32 sigreturn_nr[SYSLAT_NABIS];
const volatile __u8 slot_path_arg[SYSLAT_MAX_SLOTS];  /* 1 + the path argument to read at entry, 0: none */
const volatile __u8 slot_fd_args[SYSLAT_MAX_SLOTS];   /* bit i: argument i is a file descriptor */

/* Run from inside a PID namespace (a container): every PID the user gives or
 * sees is one of that namespace. */
const volatile bool in_pidns = false;
const volatile __u64 pidns_dev = 0;
const volatile __u64 pidns_ino = 0;

/* Runtime state userspace rewrites through the mmap'ed .bss. Filters are
 * double-buffered: userspace fills the set not in use, then flips
 * hot.filter_index, so a change never passes through a half-written filter. */
struct hot_globals hot;
__u64 tgid_bits[2][SYSLAT_PID_WORDS];
__u64 tid_bits[2][SYSLAT_PID_WORDS];
/* -- CMD: the launched command and the processes it forks (kernel-maintained,
 * so outside the double buffer). */
__u64 follow_bits[SYSLAT_PID_WORDS];

/* stats: slot * cpu_rows + row; hists: hist * cpu_rows + row (see
 * hist_of_slot). Userspace sizes both before load (hists has one entry when
 * not timed) and reads them through mmap, no syscall per poll. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct syscall_stats);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct syscall_hist);
} hists SEC(".maps");

/* Slot -> 1 + its histogram, 0 while it has none: assigned on first use
 * when the histogram budget does not cover every slot (else hist_identity).
 * HIST_CLAIMED while a CPU is assigning one, HIST_NONE once the budget was
 * spent before this slot's turn; userspace takes any value past the budget
 * for "no histogram". */
#define HIST_CLAIMED 0xfffffffeu
#define HIST_NONE 0xffffffffu
__u32 hist_of_slot[SYSLAT_MAX_SLOTS];

/* Entry timestamp of the call the task running on this CPU is in. It stays
 * valid only while that task runs: sched_switch parks it in the task's storage
 * when the task is switched out and brings it back when it is switched in. So
 * sys_exit only ever looks here, and the common non-blocking call never
 * touches task storage. */
struct entry_slot {
	__u64 ts;
	__u32 tid;   /* 0 = empty (TID 0 is the idle task, which makes no syscalls) */
	__u32 nr;    /* the number as sys_enter got it: no slot lookup on the common path */
	/* split_states: the call's time off the CPU so far, written by
	 * sched_switch only, so sys_enter stores nothing more. The fields
	 * belong to the call entered at split_of; a call never switched out
	 * finds another value there. */
	__u64 split_of;
	__u64 off_since;                  /* when it was last switched out */
	__u64 off_ns[SYSLAT_OFF_STATES];  /* by syslat_state */
	__u32 switches;
	__u32 off_state;                  /* the syslat_state it was last switched out in */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct entry_slot);
} entry_slots SEC(".maps");

/* Created for every task outside the scheduler (iterator at start, fork
 * hook after), never in sched_switch: see create_parking(). */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct entry_slot);
} parked SEC(".maps");

/* sysslow: what an event needs of the entry besides its time, kept (and
 * parked, restored) beside the entry slot only in slow mode. */
struct entry_detail {
	__u64 args[6];
	__u32 has_path;
	__u32 _pad;
	char path[SYSLAT_PATH_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct entry_detail);
} entry_details SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct entry_detail);
} parked_details SEC(".maps");

/* --kstack: the kernel stack of a task when a call of it was switched out,
 * tagged with that call's entry time; the last one, and the one it stayed
 * off the CPU longest after. */
struct blocked_stack {
	__u64 entry_ts;
	__s32 bytes;
	__u32 state;   /* syslat_state it was switched out in */
	__u64 off_ns;  /* how long it then stayed off (longest only) */
	__u64 ips[SYSLAT_STACK_DEPTH];
};

struct blocked_stacks {
	struct blocked_stack last, longest;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct blocked_stacks);
} blocked_stacks SEC(".maps");

/* Slow calls (struct slow_event); sized by userspace. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} slow_events SEC(".maps");

/* Per slot: calls that take at least this long are slow (U64_MAX: never),
 * counted with count_slow and sent as events with slow_mode. Userspace
 * rewrites it live. */
__u64 slow_threshold_ns[SYSLAT_MAX_SLOTS];

/* this_task(): the last task seen on this CPU, by its pt_regs. */
struct task_cache {
	__u64 regs;   /* where its pt_regs are: the top of its kernel stack */
	__u64 task;   /* its task_struct */
	__u64 exits;  /* hot.task_exits when it was cached */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct task_cache);
} task_cache_map SEC(".maps");

/* Signal handler frames set up for a task and not yet returned from: each
 * ends in one sigreturn (see sigreturn_slot_of). */
struct handler_frames {
	__u16 rt;     /* SA_SIGINFO frames, or any frame of a 64-bit task */
	__u16 plain;  /* i386 non-SA_SIGINFO frames (end in sigreturn, not rt_sigreturn) */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct handler_frames);
} handler_frames SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct unknown_key);
	__type(value, struct unknown_stats);
} unknown_nrs SEC(".maps");

/* -P: sized by userspace (--max-processes; value = cpu_rows proc_stats);
 * inserts that do not fit are counted. No BTF value type, so that userspace
 * can size the value. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(struct proc_key));
	__uint(value_size, sizeof(struct proc_stats));
} proc_stats SEC(".maps");

/* --stacks: the same values keyed by (tgid, stack id, slot), sized by
 * userspace (--max-stacks), and the user stacks themselves (SYSLAT_PROFILE_DEPTH
 * frames each). Both stay one entry when --stacks is off. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(struct stack_key));
	__uint(value_size, sizeof(struct proc_stats));
} stack_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, SYSLAT_PROFILE_DEPTH * sizeof(__u64));
} user_stacks SEC(".maps");

/* --stack-sample N: calls left on this CPU before the next stack walk. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} stack_countdown SEC(".maps");

/* --stacks: each new (tgid, stack id, slot) entry, so that userspace names
 * the stack at once, while its process still lives (a full buffer only
 * delays that to the next poll). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} new_stacks SEC(".maps");

/* One zeroed proc_stats value of the same runtime size: what a new row starts from. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct proc_stats));
} proc_zero SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[SYSLAT_COMM_LEN]);
} proc_comm SEC(".maps");

/* One cgroup per filter set (index = filter_index). */
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_map SEC(".maps");

#endif
