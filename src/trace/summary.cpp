#include "trace/summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "core/errno_names.h"
#include "core/report.h"

namespace syslat::trace {

std::optional<uint64_t> call_duration_ns(const Call& c) {
  if (!c.returned || !c.entry_seen || c.exit_ns < c.entry_ns) return std::nullopt;
  return c.exit_ns - c.entry_ns;
}

bool call_failed(const Call& c) { return c.returned && core::is_error_return(c.ret); }

void add_call(core::SyscallStats& s, const Call& c, bool timed, bool histogram) {
  if (!c.entry_seen) {
    ++s.entry_not_seen;
    return;
  }
  ++s.calls;
  s.errors += call_failed(c);
  const auto ns = timed ? call_duration_ns(c) : std::nullopt;
  if (!ns) return;
  ++s.timed;
  s.total_ns += *ns;
  const uint64_t shown = std::max<uint64_t>(*ns, 1);  // a min of 0 would mean "none"
  s.min_ns = s.min_ns == 0 ? shown : std::min(s.min_ns, shown);
  s.max_ns = std::max(s.max_ns, *ns);
  if (histogram) ++s.hist.counts[hist_bucket(*ns)];
}

std::string summary_table(const core::SyscallMap& calls) {
  std::vector<std::pair<core::SyscallId, const core::SyscallStats*>> rows;
  core::SyscallStats total;
  for (const auto& [id, s] : calls) {
    rows.emplace_back(id, &s);
    total.calls += s.calls;
    total.errors += s.errors;
    total.total_ns += s.total_ns;
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return a.second->total_ns > b.second->total_ns; });
  const char* rule = "------ ----------- ----------- --------- --------- ----------------\n";
  std::string out = "% time     seconds  usecs/call     calls    errors syscall\n";
  out += rule;
  auto row = [&](double percent, const core::SyscallStats& s, const std::string& name) {
    const uint64_t usecs = s.calls ? s.total_ns / 1000 / s.calls : 0;
    const std::string errors = s.errors ? std::to_string(s.errors) : "";
    out += fmt::format("{:6.2f} {:11.6f} {:11} {:9} {:>9} {}\n", percent, static_cast<double>(s.total_ns) / 1e9, usecs,
                       s.calls, errors, name);
  };
  for (const auto& [id, s] : rows) {
    const double percent = total.total_ns ? 100.0 * static_cast<double>(s->total_ns) / static_cast<double>(total.total_ns) : 0.0;
    row(percent, *s, core::display_name(id));
  }
  out += rule;
  row(100.0, total, "total");
  return out;
}

bool set_selects(const core::SyscallSet& set, core::SyscallId id) {
  if (id.abi == core::Abi::Native) return id.nr >= 0 && static_cast<size_t>(id.nr) < core::kSetOther ? set.test(id.nr) : set.test(core::kSetOther);
  if (const core::SyscallInfo* info = core::find_syscall(id.nr, id.abi)) {
    if (auto twin = core::syscall_number(info->name); twin && static_cast<size_t>(*twin) < core::kSetOther)
      return set.test(static_cast<size_t>(*twin));
  }
  return set.test(core::kSetOther);
}

}  // namespace syslat::trace
