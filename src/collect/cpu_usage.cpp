#include "collect/cpu_usage.h"

#include <algorithm>
#include <sstream>
#include <string>

#include "util/files.h"
#include "util/proc.h"

namespace syslat::collect {
namespace {

constexpr uint64_t kKeepNs = 61'000'000'000;

// stime: field 15 of /proc/PID/stat.
uint64_t process_system_ticks(uint32_t pid) {
  return util::proc_stat_number(static_cast<pid_t>(pid), 15).value_or(0);
}

}  // namespace

CpuTimes read_cpu_times(const std::vector<uint32_t>& pids) {
  CpuTimes t;
  auto stat = util::read_small_file("/proc/stat");  // the first line is all we need
  if (!stat) return t;
  std::istringstream in(stat->substr(0, stat->find('\n')));
  std::string cpu;
  in >> cpu;  // "cpu": the sum over every CPU
  uint64_t v = 0;
  // user nice system idle iowait irq softirq steal (guest time is inside user)
  for (int i = 0; i < 8 && in >> v; ++i) {
    t.total_ticks += v;
    if (i == 2) t.system_ticks = v;
  }
  if (!pids.empty()) {
    t.system_ticks = 0;
    for (uint32_t pid : pids) t.system_ticks += process_system_ticks(pid);
  }
  return t;
}

void CpuHistory::add(uint64_t monotonic_ns, const CpuTimes& times) {
  readings_.push_back({monotonic_ns, times});
  while (readings_.size() > 2 && monotonic_ns - readings_[1].at_ns > kKeepNs) readings_.pop_front();
}

std::optional<double> CpuHistory::share_since(uint64_t start_ns) const {
  if (readings_.size() < 2) return std::nullopt;
  const Reading* from = &readings_.front();
  for (const Reading& r : readings_) {
    if (r.at_ns > start_ns) break;
    from = &r;
  }
  const Reading& to = readings_.back();
  if (from == &to || to.times.total_ticks <= from->times.total_ticks) return std::nullopt;
  // A process that exited takes its ticks with it: never below zero.
  const double sys = to.times.system_ticks > from->times.system_ticks
                         ? static_cast<double>(to.times.system_ticks - from->times.system_ticks)
                         : 0.0;
  return std::min(1.0, sys / static_cast<double>(to.times.total_ticks - from->times.total_ticks));
}

}  // namespace syslat::collect
