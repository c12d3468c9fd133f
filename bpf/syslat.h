/* The one header shared by the BPF object and the C++ side: every struct that
 * crosses the kernel/user boundary, and the histogram bucket math (so both
 * sides agree on it by construction). Plain C types, no pointers. */
#ifndef SYSLAT_H
#define SYSLAT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Syscall slots. Userspace numbers the syscalls of each ABI it knows
 * (x86_64, and i386 for 32-bit callers) into dense slots 0..nslots-1 and
 * hands the BPF side a number -> slot table before load, so arrays hold only
 * real syscalls. A number without a slot (syscall(999), syscall(-1), ...) is
 * counted per (ABI, number) in the unknown_nrs hash; only if that hash is full
 * does it land in the last slot, "other". Counted either way, never dropped
 * or misnamed. */
#define SYSLAT_MAX_SLOTS 1024
#define SYSLAT_NR_TABLE 512           /* numbers 0..511 of each ABI may have a slot */
#define SYSLAT_SLOT_NONE 0xffff

enum syslat_abi {
	SYSLAT_ABI_NATIVE = 0,  /* x86_64 (arm64 on arm64) */
	SYSLAT_ABI_COMPAT = 1,  /* i386 (int $0x80, sysenter, 32-bit binaries) */
	SYSLAT_NABIS = 2,
};

/* What the BPF side must know about a slot (slot_flags[] in rodata). */
enum syslat_slot_flags {
	SYSLAT_SLOT_FORK = 1u << 0,       /* clone/fork/vfork/clone3: the child's 0 return is no call */
	SYSLAT_SLOT_EXEC = 1u << 1,       /* execve/execveat: arms a launched command */
	SYSLAT_SLOT_NORETURN = 1u << 2,   /* exit/exit_group: counted at task exit */
};

/* The kernel's MAX_ERRNO (include/linux/err.h): a failed syscall returns
 * -1..-SYSLAT_MAX_ERRNO; any other value, however large as unsigned (an
 * address from mmap), is a result. */
#define SYSLAT_MAX_ERRNO 4095

/* PID/TID filter bitmaps cover PID_MAX_LIMIT (2^22) on 64-bit kernels. */
#define SYSLAT_PID_BITS 22
#define SYSLAT_PID_WORDS ((1u << SYSLAT_PID_BITS) / 64)

/* Log-linear latency histogram in nanoseconds (HdrHistogram-style): values
 * below HIST_SUB are exact; above, each power of two is split into HIST_SUB
 * linear sub-buckets, so a bucket is at most 1/8 of its lower bound wide and
 * a percentile is within 8% of the true value (core/histogram.cpp). Values of
 * 2^HIST_MAX_POW ns (~275 s) and more share the last (overflow) bucket. */
#define HIST_SUB_BITS 3
#define HIST_SUB (1u << HIST_SUB_BITS)
#define HIST_MAX_POW 38
#define HIST_NBUCKETS ((HIST_MAX_POW - HIST_SUB_BITS + 1) * HIST_SUB + 1)
#define HIST_OVERFLOW (HIST_NBUCKETS - 1)

/* floor(log2(v)) for v > 0, branch-light so the BPF side stays cheap. */
static inline __u32 syslat_log2(__u64 v)
{
	__u32 r, s;

	r = (v > 0xFFFFFFFFull) << 5; v >>= r;
	s = (v > 0xFFFF) << 4; v >>= s; r |= s;
	s = (v > 0xFF) << 3; v >>= s; r |= s;
	s = (v > 0xF) << 2; v >>= s; r |= s;
	s = (v > 0x3) << 1; v >>= s; r |= s;
	r |= (__u32)(v >> 1);
	return r;
}

static inline __u32 hist_bucket(__u64 ns)
{
	__u32 msb;

	if (ns < HIST_SUB)
		return (__u32)ns;
	msb = syslat_log2(ns);
	if (msb >= HIST_MAX_POW)
		return HIST_OVERFLOW;
	return (msb - HIST_SUB_BITS + 1) * HIST_SUB +
	       (__u32)((ns >> (msb - HIST_SUB_BITS)) & (HIST_SUB - 1));
}

/* Inclusive lower bound of bucket idx; bucket idx covers [lo(idx), lo(idx+1)). */
static inline __u64 hist_bucket_lo(__u32 idx)
{
	__u32 group, sub;

	if (idx < HIST_SUB)
		return idx;
	group = idx / HIST_SUB;
	sub = idx % HIST_SUB;
	return (__u64)(HIST_SUB + sub) << (group - 1);
}

/* Where a call that was switched out waited (sched_switch): runnable on a
 * runqueue (preempted, or yielding), asleep with in_iowait set (io_schedule:
 * block I/O), or asleep otherwise (locks, futexes, timers, pipes, sockets).
 * The rest of its duration it was on a CPU. */
enum syslat_state {
	SYSLAT_STATE_RUNQ = 0,
	SYSLAT_STATE_IOWAIT = 1,
	SYSLAT_STATE_SLEEP = 2,
	SYSLAT_OFF_STATES = 3,
};

/* Per (syscall slot, CPU row) counters, in an mmap-able array indexed
 * slot * cpu_rows + row. Rows are sized by the CPUs present at start, not the
 * possible ones (a VM may allow 256 and run 2); the last row is shared, with
 * atomic adds, by any CPU brought online later. A private row is written only
 * by its CPU (programs on these tracepoints run with preemption disabled), so
 * updates are plain adds. Userspace swaps min_ns/max_ns back to 0 each time it
 * reads them, which makes them per-poll values; everything else is cumulative.
 *
 * In timed mode every update of a row (its counters and its histogram) is
 * bracketed by `seq`: the low 32 bits count updates in progress, the high 32
 * bits updates done (begin adds 1; end adds 2^32 - 1, which takes the 1 back
 * and carries one into the high half), so it works for the shared row's many
 * writers too. Userspace reads a row, and swaps its min/max out, only between
 * two equal readings of `seq` with nothing in progress: each call then lands
 * in one poll with all of its parts, and a poll's max is the max of exactly
 * the calls in its histogram. */
struct syscall_stats {
	__u64 calls;
	__u64 errors;     /* return value in [-SYSLAT_MAX_ERRNO, -1] */
	__u64 total_ns;   /* timed mode only, over calls with a known start */
	__u64 min_ns;     /* 0 = no timed call since the last read */
	__u64 max_ns;
	__u64 entry_not_seen; /* timed mode: exits without a seen entry (in flight at attach,
			       * or never entered: seccomp RET_ERRNO/TRAP, ptrace-skipped) */
	__u64 slow;       /* count_slow: timed calls at or over their slot's slow threshold */
	__u64 seq;        /* timed mode: updates in progress (low half) and done (high half) */
	/* split_states: where the timed calls' time went off the CPU (on CPU is
	 * total_ns less these), on a second cache line that only calls switched
	 * out touch. */
	__u64 off_ns[SYSLAT_OFF_STATES]; /* by syslat_state: runqueue, I/O wait, sleep */
	__u64 switched;   /* timed calls switched out at least once */
	__u64 switches;   /* times they were switched out */
	__u64 _pad[3];
};

#define SYSLAT_SEQ_BEGIN 1ull
#define SYSLAT_SEQ_END ((1ull << 32) - 1)
#define SYSLAT_SEQ_IN_PROGRESS(seq) ((__u32)(seq) != 0)

/* Per (histogram, CPU row) histogram, indexed hist * cpu_rows + row, where a
 * syscall slot is given a histogram the first time one of its calls is timed
 * (hist_of_slot): histograms are sized by a memory budget, not by every slot,
 * so a 256-CPU machine does not pay for syscalls nobody makes. Cumulative u32 counts.
 * Userspace takes wrap-safe deltas and checks their sum against the u64 call
 * counts, so a poll stalled for 2^32 calls of one bucket is reported, not
 * silently wrong. */
struct syscall_hist {
	__u32 count[HIST_NBUCKETS];
	__u32 _pad[3];
};

/* Calls with a number outside the slots, keyed by (number, ABI). */
struct unknown_key {
	__s32 nr;
	__u32 abi;
};

struct unknown_stats {
	__u64 calls;
	__u64 errors;
};

/* Per-process counters (-P): a hash keyed by (tgid, slot) whose value is one
 * struct proc_stats per CPU row (same rows as the stats array; a per-CPU hash
 * would be sized, and copied every poll, by *possible* CPUs). */
struct proc_key {
	__u32 tgid;
	__u32 slot;
};

struct proc_stats {
	__u64 calls;
	__u64 errors;
	__u64 timed;      /* calls with a known duration */
	__u64 total_ns;   /* over those */
	__u64 off_ns;     /* split_states: of which off the CPU (runqueue, I/O, sleep) */
};

/* --stacks: calls per (process, user stack, syscall), in a hash whose value
 * is one proc_stats per CPU row, as -P's. stack_id is bpf_get_stackid's
 * result: an id in the user_stacks map, or a negative errno when the stack
 * was not kept (-EEXIST: another stack holds its hash bucket; -ENOMEM: the
 * map is full; -EFAULT: no user stack). Those calls are counted all the same,
 * under that key: a lost stack never loses a call. */
#define SYSLAT_PROFILE_DEPTH 64  /* frames kept of a profiled stack */

struct stack_key {
	__u32 tgid;
	__s32 stack_id;
	__u32 slot;
};

/* A new (tgid, stack, syscall) entry, announced once through a ring buffer
 * with its first call's user registers and the top of its user stack, as
 * `perf record --call-graph dwarf` copies them: userspace unwinds that from
 * .eh_frame, which recovers what the frame-pointer walk cannot (the caller of
 * a libc wrapper built without frame pointers). */
#define SYSLAT_STACK_COPY 16384

struct new_stack_event {
	struct stack_key key;
	__u32 copied;            /* bytes of stack[] read from sp on */
	__u64 ip, sp, bp;        /* user registers at the call */
	__u8 stack[SYSLAT_STACK_COPY];
};

#define SYSLAT_COMM_LEN 16

/* Filter bits in struct syslat_filter.flags. */
enum syslat_filter_flags {
	SYSLAT_FILTER_TGID = 1u << 0,     /* tgid must be set in tgid_bits */
	SYSLAT_FILTER_TID = 1u << 1,      /* tid must be set in tid_bits */
	SYSLAT_FILTER_UID = 1u << 2,
	SYSLAT_FILTER_COMM = 1u << 3,
	SYSLAT_FILTER_CGROUP = 1u << 4,   /* task under the cgroup in cgroup_map[0] */
	SYSLAT_FILTER_SYSCALL = 1u << 5,  /* syscall must be set in syscall_bits */
	SYSLAT_FILTER_FAILED = 1u << 6,   /* only calls that failed */
	SYSLAT_FILTER_ERRNO = 1u << 7,    /* only calls that returned -errno_value */
	SYSLAT_FILTER_MIN_DURATION = 1u << 8,
	SYSLAT_FILTER_THREAD_COMM = 1u << 9, /* -n matches the thread's comm, not the process's */
	SYSLAT_FILTER_SKIP_TGID = 1u << 10,  /* not the process skip_tgid (the dashboard itself) */
	SYSLAT_FILTER_TASK_MASK = SYSLAT_FILTER_TGID | SYSLAT_FILTER_TID | SYSLAT_FILTER_UID | SYSLAT_FILTER_COMM |
				  SYSLAT_FILTER_CGROUP | SYSLAT_FILTER_SKIP_TGID,
};

/* Runtime filter, a BPF global that userspace rewrites through mmap (one of
 * two sets, see maps.bpf.h), so filters change without reloading the programs. */
struct syslat_filter {
	__u32 flags;
	__u32 uid;
	__u32 errno_value;        /* positive errno */
	__u32 skip_tgid;          /* with SYSLAT_FILTER_SKIP_TGID */
	__u64 min_duration_ns;
	char comm[SYSLAT_COMM_LEN];
	__u64 syscall_bits[SYSLAT_MAX_SLOTS / 64];  /* by slot */
};

/* ---- sysslow: slow-call events ------------------------------------------
 * Only calls at or over their slot's threshold cross into userspace, one
 * event each through a ring buffer; a full buffer drops the event (counted in
 * counters.slow_lost), never blocks the traced task. */
#define SYSLAT_PATH_LEN 256      /* a path argument read at entry, NUL-terminated */
#define SYSLAT_STACK_DEPTH 32    /* frames kept of a user or kernel stack */

enum syslat_event_flags {
	SYSLAT_EVENT_PATH = 1u << 0,     /* path holds the call's path argument */
	SYSLAT_EVENT_COMPAT = 1u << 1,   /* a 32-bit (i386) call */
};

/* What a file descriptor argument of a slow call referred to, found in the
 * kernel as the call returned: the process may be gone (and its /proc/PID/fd
 * with it) by the time userspace reads the event. Kinds named by an internal
 * filesystem are told by its magic number; a file on a mounted filesystem by
 * its path, walked up the dentries and mounts to the root. */
#define SYSLAT_EVENT_FDS 2       /* fd arguments resolved per event (the first ones) */
#define SYSLAT_FD_PATH_LEN 256   /* path bytes kept: a deeper path keeps its end */

enum syslat_fd_kind {
	SYSLAT_FD_NONE = 0,     /* no such argument, or no file under that number at exit */
	SYSLAT_FD_FILE = 1,     /* path holds its path ("/etc/passwd", a named FIFO, a device) */
	SYSLAT_FD_PIPE = 2,     /* pipe:[ino] */
	SYSLAT_FD_SOCKET = 3,   /* socket:[ino] */
	SYSLAT_FD_ANON = 4,     /* anon_inode:PATH, path holds "[eventfd]", "inotify", ... */
	SYSLAT_FD_OTHER = 5,    /* named by another internal filesystem (nsfs, ...): ask /proc */
};

enum syslat_fd_flags {
	SYSLAT_FD_TRUNCATED = 1u << 0,  /* path is the end of a longer or deeper one */
	SYSLAT_FD_DELETED = 1u << 1,    /* the file was unlinked */
};

struct fd_detail {
	__s32 fd;        /* -1 past the call's fd arguments */
	__u16 kind;      /* syslat_fd_kind */
	__u16 flags;     /* syslat_fd_flags */
	__u64 ino;
	__u32 path_len;  /* bytes of path in use; no NUL */
	__u32 _pad;
	char path[SYSLAT_FD_PATH_LEN];
};

struct slow_event {
	__u64 ts_ns;            /* sys_exit, CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u64 duration_ns;
	__s64 ret;
	__u64 args[6];          /* raw, as at entry */
	__u32 pid;              /* tgid, as the user sees it (see current_ids) */
	__u32 tid;
	__u32 uid;
	__u32 slot;
	__u32 flags;            /* syslat_event_flags */
	__s32 ustack_bytes;     /* bpf_get_stack result: bytes of ustack, or < 0 */
	__s32 kstack_bytes;     /* kernel stack where the call blocked longest, or 0 */
	__u32 kstack_state;     /* syslat_state of that block */
	__u64 kstack_off_ns;    /* and how long it lasted */
	__u64 off_ns[SYSLAT_OFF_STATES]; /* time off the CPU by syslat_state; on CPU: the rest */
	__u32 switches;         /* times switched out */
	__u32 _pad;
	char comm[SYSLAT_COMM_LEN];
	char path[SYSLAT_PATH_LEN];
	__u64 ustack[SYSLAT_STACK_DEPTH];
	__u64 kstack[SYSLAT_STACK_DEPTH];
	struct fd_detail fds[SYSLAT_EVENT_FDS];  /* kind NONE past the call's fd arguments */
};

/* sysslow --stack: follows its slow_event in the same ring buffer record
 * (which is then this much longer): the call's user registers and the top of
 * its user stack, for userspace to unwind from .eh_frame where the
 * frame-pointer walk (ustack) stops at a frame without one (Debian builds
 * its packages so: `dd` showed only libc's __write). perf's default copy. */
#define SYSLAT_SLOW_STACK_COPY 8192

struct slow_stack_copy {
	__u64 ip, sp, bp;        /* user registers at the call */
	__u32 copied;            /* bytes of stack[] read from sp on */
	__u32 _pad;
	__u8 stack[SYSLAT_SLOW_STACK_COPY];
};


/* Things that were not recorded normally; never silent. */
struct syslat_counters {
	__u64 proc_map_full;  /* -P: (tgid, syscall) entries that did not fit */
	__u64 stack_map_full; /* --stacks: calls whose (tgid, stack, syscall) entry did not fit */
	__u64 park_failed;    /* timed: no task storage for a blocking call (its latency is lost) */
	__u64 hist_full;      /* timed: calls of a syscall that got no histogram (budget used up) */
	__u64 slow_lost;      /* sysslow: events dropped, ring buffer full */
};

/* The runtime state every call reads, in one .bss global so that it sits on
 * one page: with PTI each syscall starts with a cold TLB, and every further
 * page a program touches costs a page walk. Filters are double-buffered
 * (filter[filter_index & 1], with the PID sets of the same index; see
 * maps.bpf.h). */
struct hot_globals {
	__u32 filter_index;
	__u32 pending_exec_tgid;  /* -- CMD: count nothing of it until its execve returns */
	__u32 hists_assigned;
	__u32 _pad;
	__u64 task_exits;         /* tasks gone since load: each one empties every this_task() cache */
	struct syslat_filter filter[2];
	__u64 used_slots[SYSLAT_MAX_SLOTS / 64];  /* slots ever used: userspace reads only those */
	struct syslat_counters counters;
};

#endif /* SYSLAT_H */
