// The model a scraped exporter needs (syslatd): everything since start, as
// monotonic counters. Polls (deltas) add up here; per-process counts are kept
// for at most `max_processes` pids, the rest folded into one "other" row so
// memory and the number of series stay bounded however many processes come
// and go.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "core/stats.h"

namespace syslat::core {

struct CallCounts {
  uint64_t calls = 0;
  uint64_t errors = 0;
};
using CallCountMap = std::map<SyscallId, CallCounts>;

struct ProcessCounts {
  std::string comm;  // as first seen: a pid's series keep one name
  CallCountMap syscalls;
};

class CumulativeStats {
 public:
  explicit CumulativeStats(size_t max_processes) : max_processes_(max_processes) {}

  // Adds one poll. `alive(pid)` is asked only when a new pid finds the table
  // full: a kept pid that has exited gives its place up (its counts move to
  // "other", so every counter stays monotonic).
  void add(const Sample& poll, const std::function<bool(uint32_t)>& alive);

  const SyscallMap& syscalls() const { return syscalls_; }
  const std::map<uint32_t, ProcessCounts>& processes() const { return processes_; }
  const CallCountMap& other_processes() const { return other_; }
  const Health& health() const { return health_; }

 private:
  ProcessCounts* place_for(uint32_t pid, const std::function<bool(uint32_t)>& alive, bool& checked_exits);
  void fold_exited(const std::function<bool(uint32_t)>& alive);

  size_t max_processes_;
  SyscallMap syscalls_;
  std::map<uint32_t, ProcessCounts> processes_;
  CallCountMap other_;
  Health health_;
};

}  // namespace syslat::core
