// What the user asked to see, independent of the source that applies it
// (the BPF source turns it into kernel globals; ptrace applies it itself).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/syscall_set.h"

namespace syslat::core {

struct FilterSpec {
  std::vector<uint32_t> pids;  // processes (all their threads)
  std::vector<uint32_t> tids;  // threads
  std::optional<uint32_t> skip_pid;  // never this process (the dashboard leaves itself out)
  std::optional<uint32_t> uid;
  std::optional<std::string> comm;
  bool thread_comm = false;  // comm is the thread's own, not its process's
  std::optional<std::string> cgroup_path;  // cgroup v2 directory (and below)
  std::optional<SyscallSet> syscalls;
  bool failed_only = false;
  std::optional<int> errno_value;  // positive errno
  uint64_t min_duration_ns = 0;

  bool needs_timing() const { return min_duration_ns > 0; }
};

}  // namespace syslat::core
