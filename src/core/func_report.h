// sysfunc's report: one span of the function model (core/func_stats.h),
// named, ranked and cut to what the user asked for. Renderers only format it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/func_stats.h"
#include "core/report.h"

namespace syslat::core {

// The keys that mean something for a function: count, rate, time, avg, max
// and self; errors and offcpu do not.
std::optional<SortKey> parse_func_sort_key(std::string_view text);

struct FuncReportOptions {
  SortKey sort = SortKey::Time;
  bool sort_self = false;  // --sort self (SortKey has no such key: syscalls have no self time)
  size_t top = 10;         // 0 = all
  bool by_syscall = false; // the breakdown per syscall is what the run is for
};

struct FuncRow {
  uint32_t index = 0;  // the function's index in the sample
  std::string name;
  FuncStats stats;
  double rate = 0;  // calls per second over the report's span
  uint64_t p50_ns = 0, p90_ns = 0, p99_ns = 0;
};

// --by-syscall: one traced function's time within one syscall.
struct FuncInSyscallRow {
  std::string function;
  FuncInSyscall time;
};

// A node of a syscall's call tree: calls of `function` from its parent node
// (the node before it at depth - 1; depth 0: from the syscall itself).
struct FuncTreeNode {
  int depth = 0;
  std::string function;
  std::string parent;  // "" at depth 0
  FuncInSyscall time;  // inclusive of every call, recursive ones too
};

struct SyscallBreakdown {
  std::string syscall;  // display name
  int nr = 0;
  SyscallTime total;
  std::vector<FuncInSyscallRow> functions;  // by inclusive time, largest first
  std::vector<FuncTreeNode> tree;           // depth first, siblings by inclusive time

  // Time in no traced function: each traced nanosecond is the self time of
  // exactly one traced function (the innermost on the stack), so the rest
  // of the syscall's time is its total less every function's self time.
  uint64_t untraced_ns() const;
};

// Call trees deeper than this are cut (the shadow stack holds 32 frames).
inline constexpr int kMaxTreeDepth = 8;

struct FuncReport {
  std::string time;   // RFC 3339, when the span ended
  std::string start;  // RFC 3339, when it began
  double interval_s = 0;
  std::string attach;  // "kprobe.multi", "kprobe", "fentry"
  std::vector<FuncRow> functions;  // ranked and cut; functions without calls are left out
  size_t functions_hidden = 0;     // rows cut by --top
  size_t functions_traced = 0;     // how many functions were attached
  uint64_t total_calls = 0;        // over every traced function, shown or not
  bool by_syscall_run = false;               // --by-syscall / syslat --kernel
  std::vector<SyscallBreakdown> by_syscall;  // by the syscall's total time, largest first; cut by --top
  size_t syscalls_hidden = 0;
  FuncHealth health;
};

// `names` are the traced functions by index.
FuncReport build_func_report(const FuncSample& span, const std::vector<std::string>& names,
                             const FuncReportOptions& options, std::string time);

}  // namespace syslat::core
