#include "collect/process_reader.h"

#include <bpf/bpf.h>

#include <cerrno>
#include <vector>

#include "util/proc.h"

namespace syslat::collect {

ProcessReader::ProcessReader(int stats_fd, int comm_fd, uint32_t cpu_rows, const core::SlotLayout& layout)
    : stats_fd_(stats_fd), comm_fd_(comm_fd), rows_(cpu_rows), layout_(layout) {}

// Sums each key's per-CPU-row values. Batched: a few syscalls per poll, not one
// per entry.
std::map<ProcessReader::Key, proc_stats> ProcessReader::read_all() const {
  constexpr uint32_t kChunk = 256;
  std::vector<proc_key> keys(kChunk);
  std::vector<proc_stats> values(size_t{kChunk} * rows_);
  std::map<Key, proc_stats> all;
  uint64_t token = 0;
  bool first = true;
  for (;;) {
    uint32_t count = kChunk;
    int rc = bpf_map_lookup_batch(stats_fd_, first ? nullptr : &token, &token, keys.data(), values.data(),
                                  &count, nullptr);
    const bool done = rc != 0;
    if (rc != 0 && errno != ENOENT) count = 0;
    for (uint32_t i = 0; i < count; ++i) {
      proc_stats sum{};
      for (uint32_t row = 0; row < rows_; ++row) {
        const proc_stats& v = values[size_t{i} * rows_ + row];
        sum.calls += v.calls;
        sum.errors += v.errors;
        sum.timed += v.timed;
        sum.total_ns += v.total_ns;
      }
      all[{keys[i].tgid, keys[i].slot}] = sum;
    }
    if (done) break;
    first = false;
  }
  return all;
}

std::string ProcessReader::comm_of(uint32_t tgid) const {
  if (tgid == 0) return "[other pid ns]";  // tasks with no PID in our namespace (see current_ids)
  if (auto comm = util::proc_comm(static_cast<pid_t>(tgid)); comm && !comm->empty()) return *comm;
  char kernel_comm[SYSLAT_COMM_LEN] = {};
  if (bpf_map_lookup_elem(comm_fd_, &tgid, kernel_comm) == 0) return std::string(kernel_comm);
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
      ps.comm = comm_of(key.first);
    }
    // Per process, numbers outside the slots share one row.
    ps.syscalls[layout_.id(key.second)].merge(d);
  }
  for (uint32_t tgid : reaped_) forget(tgid);
  reaped_.clear();
}

}  // namespace syslat::collect
