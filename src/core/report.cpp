#include "core/report.h"

#include <algorithm>

#include "core/syscall_table.h"
#include "syslat.h"

namespace syslat::core {
namespace {

uint64_t sort_value(const SyscallStats& s, SortKey key) {
  switch (key) {
    case SortKey::Count:
    case SortKey::Rate: return s.calls;
    case SortKey::Time: return s.total_ns;
    case SortKey::Avg: return s.avg_ns();
    case SortKey::Max: return s.max_ns;
    case SortKey::Errors: return s.errors;
    case SortKey::OffCpu: return s.split.off_ns();
  }
  return s.calls;
}

// Descending by the key, then by count, then in input (syscall number or PID)
// order: rows keep their places from one report to the next.
template <class T, class Stats>
void rank(std::vector<T>& items, SortKey key, Stats stats_of) {
  std::stable_sort(items.begin(), items.end(), [&](const T& a, const T& b) {
    const SyscallStats& sa = stats_of(a);
    const SyscallStats& sb = stats_of(b);
    const uint64_t va = sort_value(sa, key), vb = sort_value(sb, key);
    if (va != vb) return va > vb;
    if (sa.calls != sb.calls) return sa.calls > sb.calls;
    return false;
  });
}

std::vector<Row> make_rows(const SyscallMap& syscalls, double seconds, bool timed) {
  std::vector<Row> rows;
  rows.reserve(syscalls.size());
  for (const auto& entry : syscalls) {
    const SyscallStats& st = entry.second;
    Row r;
    r.id = entry.first;
    r.name = slot_name(entry.first);
    r.stats = st;
    r.rate = seconds > 0 ? st.calls / seconds : 0;
    if (timed) {
      r.p50_ns = clamped_percentile_ns(st.hist, 0.50, st.min_ns, st.max_ns);
      r.p90_ns = clamped_percentile_ns(st.hist, 0.90, st.min_ns, st.max_ns);
      r.p99_ns = clamped_percentile_ns(st.hist, 0.99, st.min_ns, st.max_ns);
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

void cut(std::vector<Row>& rows, size_t top) {
  if (top && rows.size() > top) rows.resize(top);
}

}  // namespace

std::optional<SortKey> parse_sort_key(std::string_view t) {
  if (t == "count") return SortKey::Count;
  if (t == "rate") return SortKey::Rate;
  if (t == "time" || t == "total") return SortKey::Time;
  if (t == "avg") return SortKey::Avg;
  if (t == "max") return SortKey::Max;
  if (t == "errors") return SortKey::Errors;
  if (t == "offcpu") return SortKey::OffCpu;
  return std::nullopt;
}

std::string slot_name(SyscallId id) {
  if (id.nr == kUnknownOverflow) return "[unknown: other numbers]";
  return syscall_name(id.nr, id.abi);
}

std::string display_name(SyscallId id) {
  std::string name = slot_name(id);
  if (id.abi == Abi::I386) name += " [i386]";
  return name;
}

Report build_report(const Sample& span, const ReportOptions& o, std::string time) {
  Report rep;
  rep.kind = o.kind;
  rep.time = std::move(time);
  rep.interval_s = span.seconds();
  rep.timed = o.timed;
  rep.states = o.timed && o.states;
  rep.health = span.health;
  rep.entry_not_seen = span.entry_not_seen();
  for (const auto& [nr, st] : span.syscalls) rep.total.merge(st);

  rep.syscalls = make_rows(span.syscalls, rep.interval_s, o.timed);
  rank(rep.syscalls, o.sort, [](const Row& r) -> const SyscallStats& { return r.stats; });
  rep.syscalls_hidden = o.top && rep.syscalls.size() > o.top ? rep.syscalls.size() - o.top : 0;
  cut(rep.syscalls, o.top);

  if (o.per_process) {
    for (const auto& [pid, ps] : span.processes) {
      ProcessRows p;
      p.pid = pid;
      p.comm = ps.comm;
      for (const auto& [nr, st] : ps.syscalls) p.total.merge(st);
      p.rows = make_rows(ps.syscalls, rep.interval_s, o.timed);
      rank(p.rows, o.sort, [](const Row& r) -> const SyscallStats& { return r.stats; });
      cut(p.rows, o.top);
      rep.processes.push_back(std::move(p));
    }
    rank(rep.processes, o.sort, [](const ProcessRows& p) -> const SyscallStats& { return p.total; });
    if (o.top && rep.processes.size() > o.top) rep.processes.resize(o.top);
  }
  return rep;
}

}  // namespace syslat::core
