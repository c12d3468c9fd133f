#include "core/auto_threshold.h"

#include <algorithm>
#include <cmath>

#include "core/report.h"

namespace syslat::core {

LearnedThresholds learned_thresholds(const ThresholdSpec& given, const AnomalyDetector& detector,
                                     const AutoThresholdConfig& config) {
  LearnedThresholds out{given, {}};
  if (!given.any_auto()) return out;
  for (const SyscallId id : detector.syscalls()) {
    const std::string name = slot_name(id);
    if (!given.is_auto(name)) continue;
    const auto p999 = detector.baseline_ns(id, 0.999);
    const auto bad_p999 = detector.baseline_ns(id, 0.999, config.robust_units);
    if (!p999 || !bad_p999) continue;
    const auto scaled = static_cast<uint64_t>(std::llround(config.factor * static_cast<double>(*bad_p999)));
    // The two ABIs of one name share a threshold: the higher one.
    LearnedThreshold& learned = out.learned[name];
    learned.baseline_p999_ns = std::max(learned.baseline_p999_ns, *p999);
    learned.threshold_ns = std::max({learned.threshold_ns, scaled, config.floor_ns});
    out.spec.by_name[name] = learned.threshold_ns;
  }
  return out;
}

}  // namespace syslat::core
