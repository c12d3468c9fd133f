/* Shared by bpf/sysfunc.bpf.c and collect/func_source.cpp: the structs that
 * cross the kernel/user boundary for sysfunc (kernel function tracing).
 * Plain C types, no pointers. */
#ifndef SYSFUNC_H
#define SYSFUNC_H

#include "syslat.h"

#define SYSFUNC_MAX_FUNCS 1024   /* functions one run may trace (array size; kprobe.multi cookies) */
#define SYSFUNC_MAX_DEPTH 32     /* shadow-stack frames per thread; deeper calls: stack_overflow */
#define SYSFUNC_FENTRY_COPIES 16 /* fentry/fexit program pairs in the object: --fentry's cap */
#define SYSFUNC_NAME_LEN 64      /* file name bytes kept per trace event (NUL-terminated) */
#define SYSFUNC_NO_SYSCALL (-1)
#define SYSFUNC_SYSCALL_TOTAL 0xffffffffu /* by_syscall key func: the syscall's own calls and time */

/* What a function's argument is, for the file name of a trace event (FuncArgKind). */
enum sysfunc_arg_kind {
	SYSFUNC_ARG_VALUE = 0,
	SYSFUNC_ARG_FILE = 1,    /* struct file *: f_path.dentry->d_name */
	SYSFUNC_ARG_DENTRY = 2,  /* struct dentry *: d_name */
	SYSFUNC_ARG_PATH = 3,    /* struct path *: dentry->d_name */
};

/* Per (function, CPU): cumulative since load; userspace takes deltas. */
struct func_stats {
	__u64 calls;
	__u64 total_ns;
	__u64 self_ns;
	__u64 hist[HIST_NBUCKETS];
};

/* Per (function * 2 + half, CPU): min/max are double-buffered by the global
 * `epoch`: programs write half epoch & 1; userspace flips epoch, waits out
 * running programs, then reads and clears the other half (a key no program
 * writes any more), so a poll's min/max are those of its own calls. */
struct func_minmax {
	__u64 min_ns;  /* 0 = no call */
	__u64 max_ns;
};

/* Key of the --by-syscall per-CPU hash: (native syscall number, function
 * index, parent). parent SYSFUNC_PARENT_ALL: the function's row in the
 * syscall, whoever called it; else an edge of the call tree: calls of func
 * made from the traced function parent (SYSFUNC_PARENT_NONE: from no traced
 * function). func SYSFUNC_SYSCALL_TOTAL (parent ALL): the syscall's own calls
 * and time. */
#define SYSFUNC_PARENT_ALL 0xfffffffeu
#define SYSFUNC_PARENT_NONE 0xffffffffu
struct func_sys_key {
	__s32 nr;
	__u32 func;
	__u32 parent;
	__u32 _pad;
};

struct func_sys_value {
	__u64 calls;
	__u64 inclusive_ns;  /* in a row, the outermost instance only (recursion counts once) */
	__u64 self_ns;
};

/* Not recorded normally; never silent (core::FuncHealth). */
struct func_counters {
	__u64 stack_overflow;  /* calls nested deeper than SYSFUNC_MAX_DEPTH */
	__u64 unmatched;       /* returns without their entry, frames dropped above a return */
	__u64 events_lost;     /* ring buffer full */
	__u64 threads_full;    /* no room for a thread's shadow stack: its calls not seen */
	__u64 by_syscall_full; /* --by-syscall rows and edges that found the hash full */
};

/* One --trace call. */
struct func_event {
	__u32 func;
	__u32 pid;
	__u32 tid;
	__s32 name_arg;          /* argument the name came from; -1 none */
	__u64 start_ns;          /* CLOCK_MONOTONIC */
	__u64 duration_ns;
	__u64 args[6];
	__u64 ret;
	__s32 kstack_bytes;      /* bpf_get_stack result; <= 0 none */
	__u32 _pad;
	char comm[SYSLAT_COMM_LEN];
	char name[SYSFUNC_NAME_LEN];
	__u64 kstack[SYSLAT_STACK_DEPTH];
};

/* The shadow stack of a thread (hash keyed by tid); in the header only so
 * the skeleton, which holds a zeroed copy, compiles. */
struct frame {
	__u32 func;
	__u32 _pad;
	__u64 start_ns;
	__u64 child_ns;   /* time in traced functions it called */
};

struct thread_state {
	__u32 depth;
	__u32 overflow;   /* entries not pushed (stack full): their returns are skipped */
	__s32 syscall;    /* SYSFUNC_NO_SYSCALL outside a (selected) syscall */
	__u32 _pad;
	__u64 sys_start_ns;
	struct frame frames[SYSFUNC_MAX_DEPTH];
};

/* --trace: what entry saw, per frame, for the event at return. */
struct trace_frame {
	__u64 args[6];
	__s32 name_arg;
	__u32 _pad;
	char name[SYSFUNC_NAME_LEN];
};

struct trace_state {
	struct trace_frame frames[SYSFUNC_MAX_DEPTH];
};

/* Filter flags (rodata, plus filter_pids_on in bss for add_process). */
enum sysfunc_filter_flags {
	SYSFUNC_FILTER_TGID = 1u << 0,
	SYSFUNC_FILTER_TID = 1u << 1,
	SYSFUNC_FILTER_UID = 1u << 2,
	SYSFUNC_FILTER_COMM = 1u << 3,
	SYSFUNC_FILTER_THREAD_COMM = 1u << 4,
	SYSFUNC_FILTER_CGROUP = 1u << 5,
	SYSFUNC_FILTER_SKIP_TGID = 1u << 6,
};

#endif /* SYSFUNC_H */
