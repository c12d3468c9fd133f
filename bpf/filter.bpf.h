/* Filters: cheapest test first, and none at all when filter.flags is 0.
 * PID/TID sets are direct-indexed bitmaps over the whole PID space, so a
 * filtered-out task costs one load and a bit test, never a hash lookup. */
#ifndef FILTER_BPF_H
#define FILTER_BPF_H

static __always_inline __u64 *pid_word(__u64 *bits, __u32 pid)
{
	return &bits[(pid >> 6) & (SYSLAT_PID_WORDS - 1)];
}

static __always_inline bool pid_bit(__u64 *bits, __u32 pid)
{
	return *pid_word(bits, pid) & (1ull << (pid & 63));
}

static __always_inline bool comm_matches(void)
{
	__u64 comm[SYSLAT_COMM_LEN / 8];
	__u64 *want = (__u64 *)filter.comm;

	bpf_get_current_comm(comm, sizeof(comm)); /* NUL-padded */
	return comm[0] == want[0] && comm[1] == want[1];
}

static __always_inline bool task_selected(__u32 flags, __u64 pid_tgid)
{
	if ((flags & SYSLAT_FILTER_TGID) && !pid_bit(tgid_bits, pid_tgid >> 32))
		return false;
	if ((flags & SYSLAT_FILTER_TID) && !pid_bit(tid_bits, (__u32)pid_tgid))
		return false;
	if ((flags & SYSLAT_FILTER_UID) && (__u32)bpf_get_current_uid_gid() != filter.uid)
		return false;
	if ((flags & SYSLAT_FILTER_CGROUP) && bpf_current_task_under_cgroup(&cgroup_map, 0) != 1)
		return false;
	if ((flags & SYSLAT_FILTER_COMM) && !comm_matches())
		return false;
	return true;
}

static __always_inline bool syscall_selected(long slot)
{
	return filter.syscall_bits[(slot >> 6) & (SYSLAT_NSLOTS / 64 - 1)] & (1ull << (slot & 63));
}

static __always_inline bool call_selected(__u32 flags, long slot, long ret)
{
	if ((flags & SYSLAT_FILTER_SYSCALL) && !syscall_selected(slot))
		return false;
	if ((flags & SYSLAT_FILTER_FAILED) && !((unsigned long)ret >= (unsigned long)-4095))
		return false;
	if ((flags & SYSLAT_FILTER_ERRNO) && ret != -(long)filter.errno_value)
		return false;
	return true;
}

/* `-- CMD`: the launched child is in the TGID set from fork on, but nothing
 * it does before its execve is the command's; its execve is (strace counts it
 * too). The successful execve's exit arms it. */
static __always_inline bool launched_command_started(__u32 flags, __u64 pid_tgid, long slot, long ret)
{
	if (!(flags & SYSLAT_FILTER_TGID) || filter.pending_exec_tgid != pid_tgid >> 32)
		return true;
	if (slot != NR_execve && slot != NR_execveat)
		return false;
	if (ret == 0)
		filter.pending_exec_tgid = 0;
	return true;
}

static __always_inline void follow_child(__u32 parent_tgid, __u32 child)
{
	if (!pid_bit(tgid_bits, parent_tgid) || filter.pending_exec_tgid == parent_tgid)
		return;
	__sync_fetch_and_or(pid_word(tgid_bits, child), 1ull << (child & 63));
}

/* A followed process that is gone must not select whoever reuses its PID. */
static __always_inline void forget_exited(struct task_struct *task, __u64 pid_tgid)
{
	__u32 tgid = pid_tgid >> 32, tid = (__u32)pid_tgid;

	if (BPF_CORE_READ(task, signal, live.counter) == 0)
		__sync_fetch_and_and(pid_word(tgid_bits, tgid), ~(1ull << (tgid & 63)));
	else if (tid != tgid)
		__sync_fetch_and_and(pid_word(tgid_bits, tid), ~(1ull << (tid & 63)));
}

#endif
