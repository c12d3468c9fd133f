// The stats model: what a poll of a source yields and what reports aggregate.
// Everything here is a delta over some time span, so spans merge by addition
// (min/max by min/max): an interval report is the merge of the polls in it.
#pragma once

#include <climits>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/histogram.h"
#include "core/syscall_table.h"

namespace syslat::core {

// Where a call switched out waited (bpf/syslat.h, syslat_state).
enum class OffState : uint8_t { Runq = 0, IoWait = 1, Sleep = 2 };
// "runq", "iowait", "sleep": JSON, CSV and metric labels.
std::string_view off_state_key(OffState s);
// "runqueue", "I/O", "sleep": text.
std::string_view off_state_text(OffState s);

// Where timed calls' time went off the CPU (docs/design.md, "Where a call's
// time goes"): waiting on a runqueue, for I/O, or asleep. On CPU is the rest
// of their duration, so the four parts add up to it exactly.
struct TimeSplit {
  uint64_t runq_ns = 0;
  uint64_t iowait_ns = 0;
  uint64_t sleep_ns = 0;
  uint64_t switched = 0;  // calls switched out at least once
  uint64_t switches = 0;  // times they were switched out

  void merge(const TimeSplit& other);
  uint64_t off_ns() const { return runq_ns + iowait_ns + sleep_ns; }
  // Of calls that took total_ns in all.
  uint64_t oncpu_ns(uint64_t total_ns) const { return total_ns > off_ns() ? total_ns - off_ns() : 0; }
};

struct SyscallStats {
  uint64_t calls = 0;
  uint64_t errors = 0;
  uint64_t timed = 0;     // calls with a known duration (the rest: untimed mode,
                          // exit/exit_group, or in flight when tracing started)
  uint64_t total_ns = 0;  // over the timed calls
  uint64_t min_ns = 0;    // 0 = no timed call
  uint64_t max_ns = 0;
  uint64_t entry_not_seen = 0;  // timed mode: returned without a seen entry (in
                               // flight at start, or skipped by seccomp/ptrace)
  uint64_t slow = 0;      // timed calls at or over their slow threshold (when counted)
  TimeSplit split;        // of total_ns; zero unless states are split
  Histogram hist;         // empty unless timed (per-process stats have none)

  void merge(const SyscallStats& other);
  uint64_t avg_ns() const { return timed ? total_ns / timed : 0; }
  uint64_t oncpu_ns() const { return split.oncpu_ns(total_ns); }
  bool empty() const { return calls == 0; }
};

// Syscall -> stats; only syscalls with calls. Numbers without a slot keep
// their own value (e.g. 999, -1); kUnknownOverflow holds those that did not
// fit the kernel's per-number table.
using SyscallMap = std::map<SyscallId, SyscallStats>;
inline constexpr int kUnknownOverflow = INT32_MIN;

void merge_into(SyscallMap& into, const SyscallMap& from);

struct ProcessStats {
  uint32_t pid = 0;
  std::string comm;
  SyscallMap syscalls;
};

// Things that were not recorded normally. Never silent (docs/cli.md).
struct Health {
  uint64_t proc_map_full = 0;  // -P entries that did not fit the kernel map
  uint64_t park_failed = 0;    // blocking calls whose entry time could not be kept
  uint64_t events_lost = 0;    // ring-buffer drops
  uint64_t recursion_misses = 0;  // calls our programs did not run for (the kernel's per-program count)
  uint64_t hist_lost = 0;      // histogram counts lost to a 32-bit bucket wrapping (polling stalled)
  uint64_t hist_full = 0;      // timed calls of a syscall that got no histogram (memory budget spent)

  void merge(const Health& other);
  uint64_t lost() const { return proc_map_full + park_failed + events_lost + recursion_misses + hist_lost + hist_full; }
};

// One span of time as seen by a source.
struct Sample {
  uint64_t start_ns = 0;  // CLOCK_MONOTONIC
  uint64_t end_ns = 0;
  SyscallMap syscalls;
  std::map<uint32_t, ProcessStats> processes;
  Health health;

  // Appends a later, adjacent span.
  void merge(const Sample& later);
  double seconds() const { return end_ns > start_ns ? (end_ns - start_ns) / 1e9 : 0.0; }
  uint64_t entry_not_seen() const;
};

}  // namespace syslat::core
