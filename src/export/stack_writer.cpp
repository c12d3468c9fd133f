#include "export/stack_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "export/text_report.h"
#include "export/time_split_text.h"
#include "util/duration.h"
#include "util/escape.h"

namespace syslat::exporter {
namespace {

// A frame of a folded line: escaped (no control bytes reach a terminal, no
// newline splits a line), without the separator between frames (';'). Spaces
// stay (C++ names have them): readers split the value off at the last one.
std::string folded_frame(std::string_view name) {
  std::string text = util::escaped(name);
  for (char& c : text)
    if (c == ';') c = ':';
  return text;
}

std::vector<const core::StackRow*> ranked(const core::StackProfile& profile, bool by_calls) {
  std::vector<const core::StackRow*> rows;
  for (const auto& row : profile.rows) rows.push_back(&row);
  std::stable_sort(rows.begin(), rows.end(), [by_calls](const core::StackRow* a, const core::StackRow* b) {
    return by_calls || a->total_ns == b->total_ns ? a->calls > b->calls : a->total_ns > b->total_ns;
  });
  return rows;
}

std::string totals(uint64_t calls, uint64_t total_ns, bool by_calls) {
  if (by_calls) return count_of(calls, "call", "calls");
  return fmt::format("{}, {}", count_of(calls, "call", "calls"), util::format_duration_ns(total_ns));
}

}  // namespace

void write_folded(std::ostream& out, const core::StackProfile& profile, StackWeight weight) {
  for (const core::StackRow& row : profile.rows) {
    const uint64_t value = weight == StackWeight::Calls ? row.calls : (row.total_ns + 500) / 1000;
    if (value == 0) continue;
    const std::vector<std::string> path = core::flame_path(row);
    std::string line = folded_frame(path.front());
    for (size_t i = 1; i < path.size(); ++i) line += ";" + folded_frame(path[i]);
    out << line << ' ' << value << '\n';
  }
}

void write_stacks_text(std::ostream& out, const core::StackProfile& profile, size_t top, bool by_calls) {
  const auto rows = ranked(profile, by_calls);
  const size_t shown = top == 0 ? rows.size() : std::min(top, rows.size());
  uint64_t all_ns = 0, all_calls = 0;
  for (const auto* row : rows) {
    all_ns += row->total_ns;
    all_calls += row->calls;
  }
  out << fmt::format("\nSTACKS ({} of {}, by {}):\n", shown, rows.size(), by_calls ? "calls" : "syscall time");
  for (size_t i = 0; i < shown; ++i) {
    const core::StackRow& row = *rows[i];
    out << "    " << util::escaped(row.syscall) << '\n';
    if (!row.missing.empty()) out << "    [" << row.missing << "]\n";
    for (const auto& frame : row.frames)
      for (const auto& text : core::frame_texts(frame)) out << "    " << util::escaped(text) << '\n';
    if (row.first_call_stack) out << "    [its first call's stack: calls from others may share this row]\n";
    const std::string share = by_calls ? percent_of(row.calls, all_calls) : percent_of(row.total_ns, all_ns);
    out << fmt::format("    -  {} ({})\n        {} ({}% of all)\n\n", util::escaped(row.comm), row.pid,
                       totals(row.calls, row.total_ns, by_calls), share);
  }
}

void write_by_function_text(std::ostream& out, const core::StackProfile& profile, size_t top, bool by_calls,
                            const std::vector<std::string>& skipped) {
  const auto rows = core::by_function(profile, by_calls, skipped);
  const size_t shown = top == 0 ? rows.size() : std::min(top, rows.size());
  std::string outside = "libc and ld.so";
  if (skipped != core::kDefaultSkippedModules) {
    outside.clear();
    for (const auto& prefix : skipped) outside += (outside.empty() ? "" : ", ") + util::escaped(prefix) + "*";
    if (outside.empty()) outside = "nothing: no module skipped";
  }
  out << fmt::format("\nBY FUNCTION ({} of {}; the innermost frame outside {}):\n", shown, rows.size(), outside);
  out << fmt::format("{:>7} {:<15} {:<32} {:>9} {:>10} {:>6}  {}\n", "PID", "COMM", "FUNCTION", "CALLS",
                     by_calls ? "" : "TIME", "SHARE", "SYSCALLS");
  for (size_t i = 0; i < shown; ++i) {
    const core::FunctionRow& f = rows[i];
    std::string function = util::escaped(f.function);
    if (!f.location.empty()) function += " (" + util::escaped(f.location) + ")";
    std::string syscalls;
    for (const auto& [name, calls] : f.syscalls)
      syscalls += fmt::format("{}{} {}", syscalls.empty() ? "" : ", ", name, calls);
    const std::string share = by_calls || f.process_total_ns == 0 ? percent_of(f.calls, f.process_calls)
                                                                  : percent_of(f.total_ns, f.process_total_ns);
    out << fmt::format("{:>7} {:<15} {:<32} {:>9} {:>10} {:>5}%  {}\n", f.pid, util::escaped(f.comm), function,
                       f.calls, by_calls ? "" : util::format_duration_ns(f.total_ns), share, syscalls);
  }
}

void write_stack_notes(std::ostream& out, const core::StackProfile& profile) {
  if (const std::string note = core::sampling_note(profile); !note.empty()) out << "SAMPLED: " << note << '\n';
  uint64_t lost_stack_calls = 0;
  for (const auto& row : profile.rows)
    if (!row.missing.empty() && row.missing.starts_with("stack lost")) lost_stack_calls += row.calls;
  uint64_t first_call_rows = 0, first_call_calls = 0;
  for (const auto& row : profile.rows)
    if (row.first_call_stack) {
      ++first_call_rows;
      first_call_calls += row.calls;
    }
  if (first_call_rows)
    out << "APPROX: " << count_of(first_call_calls, "call", "calls") << " in "
        << count_of(first_call_rows, "row", "rows")
        << " show their first call's stack: in code without frame pointers the kernel's key cannot tell "
           "stacks apart (docs/cli.md)\n";
  if (profile.rows_lost)
    out << "LOST: " << count_of(profile.rows_lost, profile.sample_every > 1 ? "sampled call" : "call",
                                profile.sample_every > 1 ? "sampled calls" : "calls")
        << " not profiled: the (process, stack, syscall) table was full (--max-stacks)\n";
  if (lost_stack_calls)
    out << "LOST: " << count_of(lost_stack_calls, "call", "calls")
        << " profiled without their stack (shown under [stack lost: ...])\n";
  if (profile.stacks_unnamed)
    out << "LOST: " << count_of(profile.stacks_unnamed, "stack", "stacks")
        << " not named: their process was gone before its maps were read (it lived a few ms); "
           "their frames are hex\n";
}

}  // namespace syslat::exporter
