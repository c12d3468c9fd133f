#include "core/stack_profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <numeric>

namespace syslat::core {

namespace {

std::string_view base_name(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::vector<std::string> frame_texts(const SymbolizedFrame& frame) {
  std::vector<std::string> texts;
  for (const SourceLine& line : frame.lines) {
    const std::string_view function = line.function.empty() ? std::string_view(frame.symbol) : line.function;
    if (line.file.empty() || line.line == 0)
      texts.push_back(fmt::format("{}", function.empty() ? fmt::format("{:#x}", frame.address) : function));
    else
      texts.push_back(fmt::format("{} ({}:{})", function.empty() ? fmt::format("{:#x}", frame.address) : function,
                                  base_name(line.file), line.line));
  }
  if (!texts.empty()) return texts;
  if (!frame.symbol.empty() && frame.module)
    texts.push_back(fmt::format("{}+{:#x} ({})", frame.symbol, frame.symbol_offset, frame.module->path));
  else if (frame.module)
    texts.push_back(fmt::format("{:#x} ({})", frame.address, frame.module->path));
  else
    texts.push_back(fmt::format("{:#x}", frame.address));
  return texts;
}

std::vector<std::string> frame_functions(const SymbolizedFrame& frame) {
  std::vector<std::string> names;
  for (const SourceLine& line : frame.lines)
    names.push_back(!line.function.empty() ? line.function : !frame.symbol.empty() ? frame.symbol : "[unknown]");
  if (!names.empty()) return names;
  if (!frame.symbol.empty())
    names.push_back(frame.symbol);
  else if (frame.module)
    names.push_back(fmt::format("[{}]", base_name(frame.module->path)));
  else
    names.push_back("[unknown]");
  return names;
}

std::vector<std::string> flame_path(const StackRow& row) {
  std::vector<std::string> path{row.comm};
  if (!row.missing.empty()) path.push_back("[" + row.missing + "]");
  for (auto frame = row.frames.rbegin(); frame != row.frames.rend(); ++frame) {
    const auto names = frame_functions(*frame);
    path.insert(path.end(), names.rbegin(), names.rend());
  }
  path.push_back(row.syscall);
  return path;
}

bool in_skipped_module(const SymbolizedFrame& frame, const std::vector<std::string>& prefixes) {
  if (!frame.module) return false;
  const std::string_view name = base_name(frame.module->path);
  return std::any_of(prefixes.begin(), prefixes.end(), [name](const std::string& p) { return name.starts_with(p); });
}

std::vector<FunctionRow> by_function(const StackProfile& profile, bool by_calls,
                                     const std::vector<std::string>& skipped) {
  std::map<std::pair<uint32_t, std::string>, FunctionRow> rows;
  std::map<uint32_t, std::pair<uint64_t, uint64_t>> process_totals;  // calls, ns
  std::map<std::pair<uint32_t, std::string>, std::map<std::string, uint64_t>> syscalls;
  for (const StackRow& row : profile.rows) {
    auto& [calls, ns] = process_totals[row.pid];
    calls += row.calls;
    ns += row.total_ns;
    std::string function = row.missing.empty() ? "[unknown]" : "[" + row.missing + "]";
    std::string location;
    // Only skipped modules on the stack (the loader starting the
    // program, libc's own threads): named after the innermost one.
    if (!row.frames.empty() && row.frames.front().module)
      function = fmt::format("[{}]", base_name(row.frames.front().module->path));
    for (const SymbolizedFrame& frame : row.frames) {
      if (in_skipped_module(frame, skipped)) continue;
      function = frame_functions(frame).front();
      if (!frame.lines.empty() && !frame.lines.front().file.empty())
        location = std::string(base_name(frame.lines.front().file));
      else if (frame.module)
        location = frame.module->path;
      break;
    }
    FunctionRow& f = rows[{row.pid, function}];
    if (f.function.empty()) {
      f.pid = row.pid;
      f.comm = row.comm;
      f.function = function;
      f.location = location;
    }
    f.calls += row.calls;
    f.errors += row.errors;
    f.total_ns += row.total_ns;
    syscalls[{row.pid, function}][row.syscall] += row.calls;
  }
  std::vector<FunctionRow> out;
  for (auto& [key, f] : rows) {
    f.process_calls = process_totals[f.pid].first;
    f.process_total_ns = process_totals[f.pid].second;
    for (const auto& [name, calls] : syscalls[key]) f.syscalls.emplace_back(name, calls);
    std::stable_sort(f.syscalls.begin(), f.syscalls.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    out.push_back(std::move(f));
  }
  std::stable_sort(out.begin(), out.end(), [by_calls](const FunctionRow& a, const FunctionRow& b) {
    return by_calls || a.total_ns == b.total_ns ? a.calls > b.calls : a.total_ns > b.total_ns;
  });
  return out;
}

std::vector<uint64_t> apportion(uint64_t total, const std::vector<uint64_t>& weights) {
  using u128 = unsigned __int128;
  std::vector<uint64_t> parts(weights.size(), 0);
  const u128 sum = std::accumulate(weights.begin(), weights.end(), u128{0});
  if (sum == 0) return parts;
  std::vector<std::pair<u128, size_t>> remainders;  // largest first get the leftover units
  uint64_t given = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const u128 exact = u128{total} * weights[i];
    parts[i] = static_cast<uint64_t>(exact / sum);
    given += parts[i];
    remainders.emplace_back(exact % sum, i);
  }
  std::stable_sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t k = 0; given < total && k < remainders.size(); ++k, ++given) ++parts[remainders[k].second];
  return parts;
}

std::string stack_syscall_name(SyscallId id) {
  return syscall_name(id.nr, id.abi) + (id.abi == Abi::Native ? "" : " (i386)");
}

std::string sampling_note(const StackProfile& profile) {
  if (profile.sample_every <= 1) return "";
  return fmt::format("stacks sampled: 1 call in {} walked (--stack-sample); {}", profile.sample_every,
                     profile.scaled ? "each syscall's calls and time are exact, their split over stacks estimated"
                                    : "counts are of the sampled calls only");
}

void scale_to_totals(StackProfile& profile, const SyscallMap& totals) {
  profile.scaled = profile.sample_every > 1;
  if (!profile.scaled) return;
  // The kernel profiles numbers without a name under one slot (other_slot:
  // kUnknownOverflow); the report keeps each number apart.
  const SyscallId unknown{Abi::Native, kUnknownOverflow};
  SyscallMap pooled;
  for (const auto& [id, stats] : totals)
    pooled[find_syscall(id.nr, id.abi) ? id : unknown].merge(stats);
  std::map<SyscallId, std::vector<StackRow*>> by_syscall;
  for (StackRow& row : profile.rows) by_syscall[row.id].push_back(&row);
  for (auto& entry : by_syscall) {
    // Not a structured binding: a lambda cannot capture one before C++20's clang 16.
    std::vector<StackRow*>& rows = entry.second;
    const auto it = pooled.find(entry.first);
    const auto split = [&rows](uint64_t StackRow::*field, uint64_t total) {
      std::vector<uint64_t> weights;
      for (const StackRow* row : rows) weights.push_back(row->*field);
      const std::vector<uint64_t> parts = apportion(total, weights);
      for (size_t i = 0; i < rows.size(); ++i) rows[i]->*field = parts[i];
    };
    if (it == pooled.end()) {
      for (StackRow* row : rows)
        for (uint64_t StackRow::*field : {&StackRow::calls, &StackRow::errors, &StackRow::timed, &StackRow::total_ns,
                                          &StackRow::off_cpu_ns})
          row->*field *= profile.sample_every;
      continue;
    }
    const SyscallStats& t = it->second;
    split(&StackRow::calls, t.calls);
    split(&StackRow::errors, t.errors);
    split(&StackRow::timed, t.timed);
    split(&StackRow::off_cpu_ns, t.split.off_ns());
    split(&StackRow::total_ns, t.total_ns);
  }
  // A syscall none of whose calls was sampled: in the profile all the same,
  // without a stack, so that it still adds up to the report.
  for (const auto& [id, t] : pooled) {
    if (t.calls == 0 || by_syscall.contains(id)) continue;
    StackRow row;
    row.comm = "[unsampled]";
    row.missing = "no call of it sampled";
    row.id = id;
    row.syscall = stack_syscall_name(id);
    row.calls = t.calls;
    row.errors = t.errors;
    row.timed = t.timed;
    row.total_ns = t.total_ns;
    row.off_cpu_ns = t.split.off_ns();
    profile.rows.push_back(std::move(row));
  }
}

}  // namespace syslat::core
