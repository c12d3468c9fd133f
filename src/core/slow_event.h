// One slow call as the model knows it (sysslow): who, what, how long, the
// raw arguments, and what the kernel captured with it. Renderers get it with
// the decoded call and symbolized stacks alongside (see SlowRecord).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/stats.h"
#include "core/syscall_table.h"

namespace syslat::core {

struct SlowEvent {
  uint64_t time_ns = 0;  // when it returned, CLOCK_REALTIME
  uint32_t pid = 0, tid = 0, uid = 0;
  std::string comm;  // the thread's
  SyscallId id;
  int64_t ret = 0;
  uint64_t duration_ns = 0;
  std::array<uint64_t, 6> args{};
  std::optional<std::string> path;  // the path argument, read in the kernel at entry
  // What fd arguments referred to when the call returned, as /proc/PID/fd
  // shows it ("pipe:[123]", "/etc/passwd"), found where the call ran (the BPF
  // side: in the kernel). nullopt: no file under that number then (the call
  // closed it, or it was never open). An fd not here is looked up in
  // /proc/PID/fd, if the process is still there.
  std::map<int, std::optional<std::string>> fd_targets;
  // The call already decoded where its memory was readable (the ptrace
  // backend decodes in the tracer thread); renderers then use it as is.
  std::optional<std::string> decoded;
  std::vector<uint64_t> user_stack;    // innermost first
  std::vector<uint64_t> kernel_stack;  // where it blocked longest
  // Where its time went (the BPF backend with states split); the block the
  // kernel stack is of: its state and length.
  std::optional<TimeSplit> split;
  std::optional<std::pair<OffState, uint64_t>> kernel_stack_block;
};

// An event ready to show: decoded arguments and symbolized stacks.
struct SlowRecord {
  SlowEvent event;
  std::string call;    // "read(7<pipe:[123]>, 0x7ffd..., 8192)"
  std::string result;  // "= 8192", "= -1 EAGAIN (Resource temporarily unavailable)"
  std::vector<std::string> user_stack;
  std::vector<std::string> kernel_stack;
};

}  // namespace syslat::core
