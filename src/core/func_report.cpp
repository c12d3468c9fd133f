#include "core/func_report.h"

#include <algorithm>
#include <map>
#include <utility>

#include "core/syscall_table.h"

namespace syslat::core {
namespace {

uint64_t sort_value(const FuncStats& s, const FuncReportOptions& o) {
  if (o.sort_self) return s.self_ns;
  switch (o.sort) {
    case SortKey::Count:
    case SortKey::Rate: return s.calls;
    case SortKey::Avg: return s.avg_ns();
    case SortKey::Max: return s.max_ns;
    case SortKey::Time:
    case SortKey::Errors:
    case SortKey::OffCpu: break;
  }
  return s.total_ns;
}

// Depth first from the calls the syscall made itself; a function already on
// the path (recursion) is shown, not entered again.
void add_subtree(std::vector<FuncTreeNode>& tree, const std::map<uint32_t, std::vector<std::pair<uint32_t, FuncInSyscall>>>& children,
                 uint32_t parent, int depth, std::vector<uint32_t>& path, const std::vector<std::string>& names) {
  const auto it = children.find(parent);
  if (it == children.end() || depth >= kMaxTreeDepth) return;
  for (const auto& [func, time] : it->second) {
    tree.push_back({depth, names[func], parent == FuncEdge::kFromSyscall ? "" : names[parent], time});
    if (std::find(path.begin(), path.end(), func) != path.end()) continue;
    path.push_back(func);
    add_subtree(tree, children, func, depth + 1, path, names);
    path.pop_back();
  }
}

std::vector<FuncTreeNode> call_tree(const FuncSample& span, int nr, const std::vector<std::string>& names) {
  std::map<uint32_t, std::vector<std::pair<uint32_t, FuncInSyscall>>> children;
  for (const auto& [edge, time] : span.edges)
    if (edge.nr == nr && edge.func < names.size() && (edge.parent == FuncEdge::kFromSyscall || edge.parent < names.size()) &&
        time.calls)
      children[edge.parent].emplace_back(edge.func, time);
  for (auto& [parent, list] : children)
    std::stable_sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.second.inclusive_ns > b.second.inclusive_ns; });
  std::vector<FuncTreeNode> tree;
  std::vector<uint32_t> path;
  add_subtree(tree, children, FuncEdge::kFromSyscall, 0, path, names);
  return tree;
}

}  // namespace

uint64_t SyscallBreakdown::untraced_ns() const {
  uint64_t traced = 0;
  for (const auto& f : functions) traced += f.time.self_ns;
  return total.total_ns > traced ? total.total_ns - traced : 0;
}

std::optional<SortKey> parse_func_sort_key(std::string_view text) {
  auto key = parse_sort_key(text);
  if (!key || *key == SortKey::Errors || *key == SortKey::OffCpu) return std::nullopt;
  return key;
}

FuncReport build_func_report(const FuncSample& span, const std::vector<std::string>& names,
                             const FuncReportOptions& o, std::string time) {
  FuncReport rep;
  rep.time = std::move(time);
  rep.interval_s = span.seconds();
  rep.functions_traced = names.size();
  rep.by_syscall_run = o.by_syscall;
  rep.health = span.health;
  const double seconds = span.seconds();
  for (uint32_t i = 0; i < span.functions.size() && i < names.size(); ++i) {
    const FuncStats& st = span.functions[i];
    rep.total_calls += st.calls;
    if (st.empty()) continue;
    FuncRow r;
    r.index = i;
    r.name = names[i];
    r.stats = st;
    r.rate = seconds > 0 ? st.calls / seconds : 0;
    r.p50_ns = clamped_percentile_ns(st.hist, 0.50, st.min_ns, st.max_ns);
    r.p90_ns = clamped_percentile_ns(st.hist, 0.90, st.min_ns, st.max_ns);
    r.p99_ns = clamped_percentile_ns(st.hist, 0.99, st.min_ns, st.max_ns);
    rep.functions.push_back(std::move(r));
  }
  // Descending by the key, then by count, then in the order given: rows
  // keep their places from one report to the next.
  std::stable_sort(rep.functions.begin(), rep.functions.end(), [&](const FuncRow& a, const FuncRow& b) {
    const uint64_t va = sort_value(a.stats, o), vb = sort_value(b.stats, o);
    if (va != vb) return va > vb;
    return a.stats.calls > b.stats.calls;
  });
  if (o.top && rep.functions.size() > o.top) {
    rep.functions_hidden = rep.functions.size() - o.top;
    rep.functions.resize(o.top);
  }

  for (const auto& [nr, total] : span.syscalls) {
    SyscallBreakdown b;
    b.nr = nr;
    b.syscall = display_name(SyscallId(nr));
    b.total = total;
    for (const auto& [key, t] : span.by_syscall)
      if (key.first == nr && key.second < names.size() && t.calls) b.functions.push_back({names[key.second], t});
    std::stable_sort(b.functions.begin(), b.functions.end(), [](const FuncInSyscallRow& x, const FuncInSyscallRow& y) {
      return x.time.inclusive_ns > y.time.inclusive_ns;
    });
    b.tree = call_tree(span, nr, names);
    rep.by_syscall.push_back(std::move(b));
  }
  std::stable_sort(rep.by_syscall.begin(), rep.by_syscall.end(),
                   [](const SyscallBreakdown& x, const SyscallBreakdown& y) { return x.total.total_ns > y.total.total_ns; });
  if (o.top && rep.by_syscall.size() > o.top) {
    rep.syscalls_hidden = rep.by_syscall.size() - o.top;
    rep.by_syscall.resize(o.top);
  }
  return rep;
}

}  // namespace syslat::core
