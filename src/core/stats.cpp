#include "core/stats.h"

#include <algorithm>

namespace syslat::core {

namespace {

struct StateNames {
  std::string_view key, text;
};
// By OffState.
constexpr StateNames kStateNames[] = {{"runq", "runqueue"}, {"iowait", "I/O"}, {"sleep", "sleep"}};

}  // namespace

std::string_view off_state_key(OffState s) { return kStateNames[static_cast<size_t>(s)].key; }
std::string_view off_state_text(OffState s) { return kStateNames[static_cast<size_t>(s)].text; }

void TimeSplit::merge(const TimeSplit& o) {
  runq_ns += o.runq_ns;
  iowait_ns += o.iowait_ns;
  sleep_ns += o.sleep_ns;
  switched += o.switched;
  switches += o.switches;
}

void SyscallStats::merge(const SyscallStats& o) {
  // 0 means "no value" for min/max.
  if (o.min_ns) min_ns = min_ns ? std::min(min_ns, o.min_ns) : o.min_ns;
  max_ns = std::max(max_ns, o.max_ns);
  calls += o.calls;
  errors += o.errors;
  timed += o.timed;
  total_ns += o.total_ns;
  entry_not_seen += o.entry_not_seen;
  slow += o.slow;
  split.merge(o.split);
  hist += o.hist;
}

void merge_into(SyscallMap& into, const SyscallMap& from) {
  for (const auto& [id, st] : from) into[id].merge(st);
}

void Health::merge(const Health& o) {
  proc_map_full += o.proc_map_full;
  park_failed += o.park_failed;
  events_lost += o.events_lost;
  recursion_misses += o.recursion_misses;
  hist_lost += o.hist_lost;
  hist_full += o.hist_full;
}

void Sample::merge(const Sample& later) {
  if (start_ns == 0) start_ns = later.start_ns;
  end_ns = std::max(end_ns, later.end_ns);
  merge_into(syscalls, later.syscalls);
  for (const auto& [pid, ps] : later.processes) {
    auto& mine = processes[pid];
    mine.pid = pid;
    if (!ps.comm.empty()) mine.comm = ps.comm;
    merge_into(mine.syscalls, ps.syscalls);
  }
  health.merge(later.health);
}

uint64_t Sample::entry_not_seen() const {
  uint64_t n = 0;
  for (const auto& [id, st] : syscalls) n += st.entry_not_seen;
  return n;
}

}  // namespace syslat::core
