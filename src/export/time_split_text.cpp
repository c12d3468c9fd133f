#include "export/time_split_text.h"

#include <fmt/format.h>

#include <array>

#include "util/duration.h"

namespace syslat::exporter {
namespace {

struct Part {
  const char* name;
  uint64_t ns;
};

// The four parts in the order they are always shown.
std::array<Part, 4> parts(const core::TimeSplit& s, uint64_t total_ns) {
  return {{{"on-CPU", s.oncpu_ns(total_ns)},
           {"runqueue", s.runq_ns},
           {"I/O", s.iowait_ns},
           {"sleep", s.sleep_ns}}};
}

}  // namespace

std::string percent_of(uint64_t part_ns, uint64_t total_ns) {
  return fmt::format("{:.1f}", total_ns ? 100.0 * static_cast<double>(part_ns) / static_cast<double>(total_ns) : 0.0);
}

std::string split_shares(const core::TimeSplit& split, uint64_t total_ns) {
  std::string out;
  for (const Part& p : parts(split, total_ns)) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}%", p.name, percent_of(p.ns, total_ns));
  }
  return out;
}

std::string split_durations(const core::TimeSplit& split, uint64_t total_ns) {
  std::string out;
  for (const Part& p : parts(split, total_ns)) {
    if (!out.empty() && p.ns == 0) continue;
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", p.name, util::format_duration_ns(p.ns));
  }
  if (split.switches)
    out += fmt::format(" (switched out {} {})", split.switches, split.switches == 1 ? "time" : "times");
  return out;
}

}  // namespace syslat::exporter
