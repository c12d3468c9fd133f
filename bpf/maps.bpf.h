/* Maps and globals of the syslat object. Included once, by syslat.bpf.c. */
#ifndef MAPS_BPF_H
#define MAPS_BPF_H

/* Load-time configuration (rodata, frozen): the verifier drops the code of
 * features that are off, so the default path pays nothing for them. */
const volatile bool timed = false;        /* sys_enter attached, durations recorded */
const volatile bool per_process = false;  /* -P */
const volatile bool follow_forks = false; /* -- CMD: children of traced processes are traced */

/* Runtime state userspace rewrites through the mmap'ed .bss. */
struct syslat_filter filter;
__u64 tgid_bits[SYSLAT_PID_WORDS];
__u64 tid_bits[SYSLAT_PID_WORDS];
struct syslat_counters counters;

/* cpu * SYSLAT_NSLOTS + slot; userspace sizes both before load (hists has one
 * entry when not timed) and reads them through mmap, no syscall per poll. */
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

/* Entry timestamp of the call the task running on this CPU is in. It stays
 * valid only until that task is switched out: sched_switch then parks it in
 * task storage. So at sys_exit a slot that names the current TID belongs to
 * this very call, and the common non-blocking call never touches task storage. */
struct entry_slot {
	__u64 ts;
	__u32 tid;  /* 0 = empty (TID 0 is the idle task, which makes no syscalls) */
	__u32 nr;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct entry_slot);
} entry_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct entry_slot);
} parked SEC(".maps");

/* Signal handler frames set up for a task and not yet returned from: each
 * ends in one rt_sigreturn (see was_sigreturn). */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u32);
} handler_frames SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __s32);
	__type(value, struct unknown_stats);
} unknown_nrs SEC(".maps");

/* -P: sized by userspace (--max-processes); inserts that do not fit are counted. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1);
	__type(key, struct proc_key);
	__type(value, struct proc_stats);
} proc_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[SYSLAT_COMM_LEN]);
} proc_comm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_map SEC(".maps");

#endif
