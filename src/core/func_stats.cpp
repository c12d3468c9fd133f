#include "core/func_stats.h"

#include <algorithm>

namespace syslat::core {

void FuncStats::merge(const FuncStats& o) {
  if (o.calls == 0) return;
  min_ns = calls == 0 ? o.min_ns : std::min(min_ns, o.min_ns);
  max_ns = std::max(max_ns, o.max_ns);
  calls += o.calls;
  total_ns += o.total_ns;
  self_ns += o.self_ns;
  hist += o.hist;
}

void FuncInSyscall::merge(const FuncInSyscall& o) {
  calls += o.calls;
  inclusive_ns += o.inclusive_ns;
  self_ns += o.self_ns;
}

void SyscallTime::merge(const SyscallTime& o) {
  calls += o.calls;
  total_ns += o.total_ns;
}

void FuncHealth::merge(const FuncHealth& o) {
  missed += o.missed;
  stack_overflow += o.stack_overflow;
  unmatched += o.unmatched;
  events_lost += o.events_lost;
  by_syscall_full += o.by_syscall_full;
}

void FuncSample::merge(const FuncSample& later) {
  if (start_ns == 0) start_ns = later.start_ns;
  end_ns = later.end_ns;
  if (functions.size() < later.functions.size()) functions.resize(later.functions.size());
  for (size_t i = 0; i < later.functions.size(); ++i) functions[i].merge(later.functions[i]);
  for (const auto& [key, value] : later.by_syscall) by_syscall[key].merge(value);
  for (const auto& [key, value] : later.edges) edges[key].merge(value);
  for (const auto& [nr, value] : later.syscalls) syscalls[nr].merge(value);
  health.merge(later.health);
}

}  // namespace syslat::core
