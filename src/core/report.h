// A report: one span of the stats model, named, ranked and cut to what the
// user asked for. Renderers (text, JSON, CSV) only format it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/stats.h"

namespace syslat::core {

enum class ReportKind { Count, Lat };
enum class SortKey { Count, Rate, Time, Avg, Max, Errors, OffCpu };

std::optional<SortKey> parse_sort_key(std::string_view text);

struct ReportOptions {
  ReportKind kind = ReportKind::Count;
  SortKey sort = SortKey::Count;
  size_t top = 10;  // 0 = all
  bool timed = false;
  bool states = false;  // timed calls carry their on-CPU/runqueue/I/O/sleep split
  bool per_process = false;
};

struct Row {
  SyscallId id;      // nr may be kUnknownOverflow
  std::string name;  // without an ABI marker
  SyscallStats stats;
  double rate = 0;  // calls per second over the report's span
  uint64_t p50_ns = 0, p90_ns = 0, p99_ns = 0;
};

struct ProcessRows {
  uint32_t pid = 0;
  std::string comm;
  SyscallStats total;  // over all its syscalls
  std::vector<Row> rows;
};

struct Report {
  ReportKind kind = ReportKind::Count;
  std::string time;   // RFC 3339, when the span ended
  std::string start;  // RFC 3339, when it began (set by whoever knows the wall clock)
  double interval_s = 0;
  bool timed = false;
  bool states = false;  // rows carry the on-CPU/runqueue/I/O/sleep split
  std::vector<Row> syscalls;  // ranked and cut
  size_t syscalls_hidden = 0; // rows cut by --top
  std::vector<ProcessRows> processes;
  SyscallStats total;  // over every syscall of the span, shown or not
  Health health;
  uint64_t entry_not_seen = 0;
};

// "read", or "[unknown: N]" (docs/cli.md); "[unknown: other numbers]" for
// kUnknownOverflow. No ABI marker (renderers add one for i386).
std::string slot_name(SyscallId id);

// slot_name as tables and streams show it: 32-bit calls marked "read [i386]"
// (their numbers and some names differ from x86_64's).
std::string display_name(SyscallId id);

Report build_report(const Sample& span, const ReportOptions& options, std::string time);

}  // namespace syslat::core
