/* Filters: cheapest test first, and none at all when the flags are 0.
 * PID/TID sets are direct-indexed bitmaps over the whole PID space, so a
 * filtered-out task costs one load and a bit test, never a hash lookup. */
#ifndef FILTER_BPF_H
#define FILTER_BPF_H

/* The filter set in force (see maps.bpf.h: double-buffered): its index,
 * which also picks its PID sets and cgroup. */
static __always_inline __u32 active_index(void)
{
	return hot.filter_index & 1;
}

static __always_inline __u64 *pid_word(__u64 *bits, __u32 pid)
{
	return &bits[(pid >> 6) & (SYSLAT_PID_WORDS - 1)];
}

static __always_inline bool pid_bit(__u64 *bits, __u32 pid)
{
	return *pid_word(bits, pid) & (1ull << (pid & 63));
}

/* (tgid << 32 | tid) of the current task (task: this_task() or the
 * tracepoint's own) as the user sees them: in the PID namespace the tool runs
 * in. A task outside that namespace gets 0 (no PID the user could name;
 * system-wide counts still include it). */
static __always_inline __u64 current_ids(struct task_struct *task)
{
	struct bpf_pidns_info ns;

	if (!in_pidns)
		return (__u64)(__u32)task->tgid << 32 | (__u32)task->pid;
	if (bpf_get_ns_current_pid_tgid(pidns_dev, pidns_ino, &ns, sizeof(ns)))
		return 0;
	return (__u64)ns.tgid << 32 | ns.pid;
}

/* PID namespaces nest at most this deep here (the kernel allows 32). */
#define SYSLAT_MAX_PIDNS_LEVEL 8

/* The tgid of a new process (its thread_pid) as the user sees it (see
 * current_ids): its number in our namespace, found among the numbers its pid
 * has at each level. */
static __always_inline __u32 user_tgid_of(struct task_struct *task)
{
	struct pid *pid;
	struct upid up;
	__u32 level;

	if (!in_pidns)
		return BPF_CORE_READ(task, tgid);
	pid = BPF_CORE_READ(task, thread_pid);
	if (!pid)
		return 0;
	level = BPF_CORE_READ(pid, level);
	for (__u32 i = 0; i < SYSLAT_MAX_PIDNS_LEVEL; i++) {
		if (i > level)
			break;
		if (bpf_probe_read_kernel(&up, sizeof(up), &pid->numbers[i]))
			return 0;
		if (BPF_CORE_READ(up.ns, ns.inum) == pidns_ino)
			return up.nr;
	}
	return 0;
}

/* -n: the process name (the thread group leader's comm, what ps and
 * /proc/PID/comm show), so renamed threads of `java` still match `-n java`;
 * --thread-comm compares the thread's own comm. Both are NUL-padded. */
static __always_inline bool comm_matches(struct syslat_filter *fs)
{
	__u64 comm[SYSLAT_COMM_LEN / 8];
	__u64 *want = (__u64 *)fs->comm;

	if (fs->flags & SYSLAT_FILTER_THREAD_COMM) {
		bpf_get_current_comm(comm, sizeof(comm));
	} else {
		struct task_struct *leader = BPF_CORE_READ(bpf_get_current_task_btf(), group_leader);

		if (bpf_probe_read_kernel(comm, sizeof(comm), &leader->comm))
			return false;
	}
	return comm[0] == want[0] && comm[1] == want[1];
}

static __always_inline bool task_selected(struct syslat_filter *fs, __u32 idx, __u32 flags, __u64 ids)
{
	if ((flags & SYSLAT_FILTER_TGID) && !pid_bit(tgid_bits[idx & 1], ids >> 32))
		return false;
	if ((flags & SYSLAT_FILTER_SKIP_TGID) && (__u32)(ids >> 32) == fs->skip_tgid)
		return false;
	if ((flags & SYSLAT_FILTER_TID) && !pid_bit(tid_bits[idx & 1], (__u32)ids))
		return false;
	if ((flags & SYSLAT_FILTER_UID) && (__u32)bpf_get_current_uid_gid() != fs->uid)
		return false;
	if ((flags & SYSLAT_FILTER_CGROUP) &&
	    bpf_current_task_under_cgroup(&cgroup_map, idx & 1) != 1)
		return false;
	if ((flags & SYSLAT_FILTER_COMM) && !comm_matches(fs))
		return false;
	return true;
}

static __always_inline bool syscall_selected(struct syslat_filter *fs, __u32 slot)
{
	return fs->syscall_bits[(slot >> 6) & (SYSLAT_MAX_SLOTS / 64 - 1)] & (1ull << (slot & 63));
}

/* The filters only an exit can judge: the return value. */
static __always_inline bool result_selected(struct syslat_filter *fs, __u32 flags, long ret)
{
	if ((flags & SYSLAT_FILTER_FAILED) && !((unsigned long)ret >= (unsigned long)-SYSLAT_MAX_ERRNO))
		return false;
	if ((flags & SYSLAT_FILTER_ERRNO) && ret != -(long)fs->errno_value)
		return false;
	return true;
}

/* `-- CMD` (a task in follow_bits): nothing the launched command does before
 * its execve counts, but its execve does (strace counts it too). The
 * successful execve's exit arms it. */
static __always_inline bool launched_command_started(__u64 ids, __u32 slot, long ret)
{
	__u32 tgid = ids >> 32;

	if (hot.pending_exec_tgid != tgid)
		return true;
	if (!(slot_flags[slot & (SYSLAT_MAX_SLOTS - 1)] & SYSLAT_SLOT_EXEC))
		return false;
	if (ret == 0)
		hot.pending_exec_tgid = 0;
	return true;
}

static __always_inline void follow_child(__u32 parent_tgid, __u32 child)
{
	if (!child || !pid_bit(follow_bits, parent_tgid) || hot.pending_exec_tgid == parent_tgid)
		return;
	__sync_fetch_and_or(pid_word(follow_bits, child), 1ull << (child & 63));
}

/* A followed process that is gone must not select whoever reuses its PID. */
static __always_inline void forget_exited(struct task_struct *task, __u64 ids)
{
	__u32 tgid = ids >> 32;

	if (tgid && BPF_CORE_READ(task, signal, live.counter) == 0)
		__sync_fetch_and_and(pid_word(follow_bits, tgid), ~(1ull << (tgid & 63)));
}

#endif
