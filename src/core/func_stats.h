// The model of sysfunc (kernel function tracing): what a poll of the function
// source yields. Like core/stats.h, every value is a delta over a span, so
// spans merge by addition (min/max by min/max).
#pragma once

#include <array>
#include <climits>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/histogram.h"

namespace syslat::core {

// Calls of one traced kernel function. Every call is timed (entry and
// return are both probed); a call whose return was not seen is not counted
// here but in FuncHealth.
struct FuncStats {
  uint64_t calls = 0;
  uint64_t total_ns = 0;  // inclusive: from entry to return
  uint64_t self_ns = 0;   // total_ns less the time in traced functions it called
  uint64_t min_ns = 0;    // 0 = no call
  uint64_t max_ns = 0;
  Histogram hist;         // of each call's inclusive time, the syscall buckets

  void merge(const FuncStats& other);
  uint64_t avg_ns() const { return calls ? total_ns / calls : 0; }
  bool empty() const { return calls == 0; }
};

// Time inside one traced function while the thread was in one syscall
// (--by-syscall). Inclusive time counts only the outermost instance of the
// function on the thread's stack, so recursion does not count twice.
struct FuncInSyscall {
  uint64_t calls = 0;
  uint64_t inclusive_ns = 0;
  uint64_t self_ns = 0;

  void merge(const FuncInSyscall& other);
};

// The syscall side of --by-syscall: how many calls and how much time in all,
// so the part in no traced function can be shown.
struct SyscallTime {
  uint64_t calls = 0;
  uint64_t total_ns = 0;

  void merge(const SyscallTime& other);
};

// What was not recorded normally. Never silent.
struct FuncHealth {
  uint64_t missed = 0;          // probe runs the kernel skipped (its nmissed: recursion, kretprobe instances)
  uint64_t stack_overflow = 0;  // calls nested deeper than the shadow stack
  uint64_t unmatched = 0;       // entries whose return was not seen where it should have been (a missed return)
  uint64_t events_lost = 0;     // --trace events the ring buffer had no room for
  uint64_t by_syscall_full = 0; // --by-syscall times that found the kernel's table full

  void merge(const FuncHealth& other);
  uint64_t lost() const { return missed + stack_overflow + unmatched + events_lost + by_syscall_full; }
};

// An edge of the call tree in one syscall (--by-syscall): calls of `func`
// made from the traced function `parent` (kFromSyscall: from no traced
// function, the syscall itself).
struct FuncEdge {
  static constexpr uint32_t kFromSyscall = UINT32_MAX;
  int nr = 0;
  uint32_t parent = kFromSyscall;
  uint32_t func = 0;
  auto operator<=>(const FuncEdge&) const = default;
};

struct FuncSample {
  uint64_t start_ns = 0;  // CLOCK_MONOTONIC
  uint64_t end_ns = 0;
  std::vector<FuncStats> functions;  // by function index (the order given to the source)
  // --by-syscall: (syscall number, function index) -> time; and per syscall.
  std::map<std::pair<int, uint32_t>, FuncInSyscall> by_syscall;
  std::map<FuncEdge, FuncInSyscall> edges;  // the call trees; inclusive time of every call, recursion too
  std::map<int, SyscallTime> syscalls;
  FuncHealth health;

  void merge(const FuncSample& later);  // a later, adjacent span
  double seconds() const { return end_ns > start_ns ? (end_ns - start_ns) / 1e9 : 0.0; }
};

// One call, for --trace: its arguments as the registers held them at entry,
// its return value, and the name of the file its first file-like argument
// (struct file *, struct dentry *, struct path *) referred to, read at entry.
struct FuncEvent {
  uint32_t func = 0;  // function index
  uint32_t pid = 0;
  uint32_t tid = 0;
  std::string comm;   // raw bytes from the kernel: escape before printing
  uint64_t start_ns = 0;  // CLOCK_MONOTONIC
  uint64_t duration_ns = 0;
  std::array<uint64_t, 6> args{};
  uint64_t ret = 0;
  int name_arg = -1;      // which argument name refers to; -1: none
  std::string name;       // raw bytes: escape before printing
  std::vector<uint64_t> kernel_stack;  // --kstack: return addresses, innermost first
};

}  // namespace syslat::core
