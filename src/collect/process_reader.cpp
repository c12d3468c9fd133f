#include "collect/process_reader.h"

#include <bpf/bpf.h>

#include <cstring>

#include "collect/row_hash.h"

#include "util/proc.h"

namespace syslat::collect {

ProcessReader::ProcessReader(int stats_fd, int comm_fd, uint32_t cpu_rows, const core::SlotLayout& layout)
    : stats_fd_(stats_fd), comm_fd_(comm_fd), rows_(cpu_rows), layout_(layout) {}

std::map<ProcessReader::Key, proc_stats> ProcessReader::read_all() const {
  std::map<Key, proc_stats> all;
  for (const auto& [key, sum] : read_row_sums<proc_key>(stats_fd_, rows_)) all[{key.tgid, key.slot}] = sum;
  return all;
}

std::string process_name(uint32_t tgid, int comm_fd) {
  if (tgid == 0) return "[other pid ns]";  // tasks with no PID in our namespace (see current_ids)
  if (auto comm = util::proc_comm(static_cast<pid_t>(tgid)); comm && !comm->empty()) return *comm;
  char kernel_comm[SYSLAT_COMM_LEN] = {};
  if (bpf_map_lookup_elem(comm_fd, &tgid, kernel_comm) == 0) return std::string(kernel_comm, strnlen(kernel_comm, sizeof(kernel_comm)));
  return "?";
}

void ProcessReader::forget(uint32_t tgid) {
  for (auto it = last_.lower_bound({tgid, 0}); it != last_.end() && it->first.first == tgid;) {
    proc_key key{tgid, it->first.second};
    bpf_map_delete_elem(stats_fd_, &key);
    it = last_.erase(it);
  }
  bpf_map_delete_elem(comm_fd_, &tgid);
}

void ProcessReader::find_reaped() {
  reaped_.clear();
  for (auto it = last_.begin(); it != last_.end(); it = last_.upper_bound({it->first.first, UINT32_MAX})) {
    const uint32_t tgid = it->first.first;
    if (!util::process_alive(static_cast<pid_t>(tgid))) reaped_.insert(tgid);
  }
}

void ProcessReader::read(core::Sample& out) {
  for (const auto& [key, now] : read_all()) {
    proc_stats& last = last_[key];
    core::SyscallStats d;
    d.calls = now.calls - last.calls;
    d.errors = now.errors - last.errors;
    d.timed = now.timed - last.timed;
    d.total_ns = now.total_ns - last.total_ns;
    last = now;
    if (!d.calls) continue;
    core::ProcessStats& ps = out.processes[key.first];
    if (ps.syscalls.empty()) {
      ps.pid = key.first;
      ps.comm = process_name(key.first, comm_fd_);
    }
    // Per process, numbers outside the slots share one row.
    ps.syscalls[layout_.id(key.second)].merge(d);
  }
  for (uint32_t tgid : reaped_) forget(tgid);
  reaped_.clear();
}

}  // namespace syslat::collect
