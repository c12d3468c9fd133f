// sysslow --threshold auto: each auto syscall's slow threshold learned from
// its latency baseline (core/anomaly.h), moved as the baseline learns.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "core/anomaly.h"
#include "core/threshold_spec.h"

namespace syslat::core {

// A call slower than factor x the p99.9 of an unusually bad past interval
// (the median of the intervals' p99.9 plus two robust spreads: their usual
// worst calls, and how much that varies) is slow, and never one faster than
// the floor: below a millisecond, preemption, interrupts and a VM's stolen
// time alone make "slow" calls of every cheap syscall.
struct AutoThresholdConfig {
  double factor = 1.5;
  double robust_units = 2;
  uint64_t floor_ns = 1'000'000;
};

struct LearnedThreshold {
  uint64_t threshold_ns = 0;
  uint64_t baseline_p999_ns = 0;  // the median of the past intervals' p99.9
};

struct LearnedThresholds {
  ThresholdSpec spec;  // what to set now: `given`, with the learned values as NAME=DUR
  std::map<std::string, LearnedThreshold> learned;  // by name; auto syscalls not yet learned are absent
};

// `given`'s fixed thresholds, and for each of its auto syscalls whose
// baseline is ready, the learned one. An auto syscall not learned yet keeps
// given.for_name(name) (the default: 10 ms, or a bare DUR given as well).
LearnedThresholds learned_thresholds(const ThresholdSpec& given, const AnomalyDetector& detector,
                                     const AutoThresholdConfig& config = {});

}  // namespace syslat::core
