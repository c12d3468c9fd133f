// System CPU time, for the dashboard's "sys CPU" figure: how much of the CPU
// time available went to the kernel, machine-wide (/proc/stat) or for the
// selected processes (/proc/PID/stat stime), as a share of every CPU's time.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace syslat::collect {

struct CpuTimes {
  uint64_t system_ticks = 0;  // of the scope: the machine or the processes
  uint64_t total_ticks = 0;   // every CPU's time, busy or idle (/proc/stat)
};

// Reads the cumulative times now; processes that are gone count nothing.
CpuTimes read_cpu_times(const std::vector<uint32_t>& pids);

// Readings over time, to answer "what share over [start, now]".
class CpuHistory {
 public:
  void add(uint64_t monotonic_ns, const CpuTimes& times);
  // The share of the CPU time between the last reading at or before
  // start_ns (else the oldest) and the newest; nullopt without two readings.
  std::optional<double> share_since(uint64_t start_ns) const;
  // A new scope (another PID filter): earlier readings no longer compare.
  void clear() { readings_.clear(); }

 private:
  struct Reading {
    uint64_t at_ns;
    CpuTimes times;
  };
  std::deque<Reading> readings_;  // the last ~61 s
};

}  // namespace syslat::collect
