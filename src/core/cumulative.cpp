#include "core/cumulative.h"

namespace syslat::core {
namespace {

void add_counts(CallCountMap& into, const SyscallMap& from) {
  for (const auto& [id, st] : from) {
    CallCounts& c = into[id];
    c.calls += st.calls;
    c.errors += st.errors;
  }
}

}  // namespace

void CumulativeStats::fold_exited(const std::function<bool(uint32_t)>& alive) {
  for (auto it = processes_.begin(); it != processes_.end();) {
    if (alive(it->first)) {
      ++it;
      continue;
    }
    for (const auto& [id, c] : it->second.syscalls) {
      other_[id].calls += c.calls;
      other_[id].errors += c.errors;
    }
    it = processes_.erase(it);
  }
}

// The row a poll's counts of `pid` go to: its own, a new one while there is
// room (made by folding exited pids, checked once per poll), or nullptr for
// "other".
ProcessCounts* CumulativeStats::place_for(uint32_t pid, const std::function<bool(uint32_t)>& alive,
                                          bool& checked_exits) {
  if (auto it = processes_.find(pid); it != processes_.end()) return &it->second;
  if (processes_.size() >= max_processes_ && !checked_exits) {
    checked_exits = true;
    fold_exited(alive);
  }
  if (processes_.size() >= max_processes_) return nullptr;
  return &processes_[pid];
}

void CumulativeStats::add(const Sample& poll, const std::function<bool(uint32_t)>& alive) {
  merge_into(syscalls_, poll.syscalls);
  health_.merge(poll.health);
  bool checked_exits = false;
  for (const auto& [pid, ps] : poll.processes) {
    ProcessCounts* row = place_for(pid, alive, checked_exits);
    if (!row) {
      add_counts(other_, ps.syscalls);
      continue;
    }
    if (row->comm.empty()) row->comm = ps.comm;
    add_counts(row->syscalls, ps.syscalls);
  }
}

}  // namespace syslat::core
