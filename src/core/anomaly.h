// Latency and rate anomalies per syscall, each interval judged against a
// baseline of past intervals only (docs/design.md, "Anomalies").
//
// Per syscall the detector keeps, over the last `window_intervals`
// intervals, the log2 of each interval's p50 and p99 (from our histogram
// buckets) and of its call rate. The baseline of a statistic is the median
// of its past values, its spread 1.4826 x their MAD (floored: the buckets
// are 1/8 octave wide, and a syscall that never varied must not alarm on a
// bucket's width). A score is in robust units: (log2 now - median) /
// spread. An anomaly is a rise of at least `min_score` units that also
// matters in absolute terms (x min_latency_ratio, x min_rate_ratio), on an
// interval with enough calls; it is reported when it starts, and the score
// is kept for gauges while it lasts. The interval scored is added to the
// baseline only after it is scored; a lasting shift is learned as the
// median moves (after half the window).
//
// The same median of past intervals' p99.9 is what `--threshold auto`
// starts from: a whole slow interval cannot drag it up (an average of the
// intervals' bucket shares would give it a 1/window weight, far more than
// the 0.1 % a p99.9 sits at, and blind the threshold for minutes).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "core/stats.h"

namespace syslat::core {

enum class AnomalyKind { P50, P99, Rate };
// "p50", "p99", "rate": JSON's "what" and metric labels.
std::string_view anomaly_kind_key(AnomalyKind kind);

struct AnomalyConfig {
  double min_score = 5;            // robust units (0: no detection)
  double min_latency_ratio = 2;    // p50/p99 at least x2 the baseline's
  double min_rate_ratio = 4;       // calls/s at least x4 the baseline's
  uint64_t min_calls = 20;         // fewer calls in an interval: its latency is neither judged nor learned
  uint64_t min_tail_calls = 100;   // p99 needs this many (with fewer it is the max)
  uint64_t min_rate_calls = 50;    // a rate anomaly needs this many calls in the interval
  size_t learn_intervals = 10;     // past intervals a baseline needs before it judges
  size_t window_intervals = 60;    // how far back the baseline remembers
  // A p99 (1 % of the calls: a few calls a scheduler burst delays) must
  // stay up this many intervals running before it is an anomaly; a p50 or
  // rate move counts at once.
  size_t tail_sustain_intervals = 2;
};

struct Anomaly {
  SyscallId id;
  AnomalyKind kind;
  double baseline = 0;  // ns (p50, p99) or calls/s (rate): the median of the past intervals
  double now = 0;       // the same, in the interval judged
  double score = 0;     // robust units
};

class AnomalyDetector {
 public:
  explicit AnomalyDetector(AnomalyConfig config = {}) : config_(config) {}

  // Scores one interval (adjacent to the previous one) against the past,
  // then learns from it. Returns the anomalies that start in it, highest
  // score first.
  std::vector<Anomaly> observe(const Sample& interval);

  // Per syscall, its highest score in the last interval judged (0 when not
  // judged or below the baseline): syslatd's gauge.
  const std::map<SyscallId, double>& scores() const { return scores_; }

  // The baseline of a syscall's p50, p99 or p99.9 (q = 0.5, 0.99, 0.999):
  // the median of the past intervals' values, once there are
  // learn_intervals of them; with robust_units, that many robust spreads
  // above it (the value of an unusually bad interval).
  std::optional<uint64_t> baseline_ns(SyscallId id, double q, double robust_units = 0) const;

  // The syscalls with an anomaly going on (started and not over).
  std::vector<SyscallId> active() const;
  // Every syscall seen so far.
  std::vector<SyscallId> syscalls() const;
  size_t intervals_seen() const { return intervals_; }
  const AnomalyConfig& config() const { return config_; }

 private:
  // The past values of one statistic, newest last.
  struct Series {
    std::deque<double> values;
    void push(double value, size_t window);
  };
  struct History {
    Series log_p50, log_p99, log_p999, log_rate;
    std::map<AnomalyKind, size_t> run;   // intervals in a row over the bar, up to the last one judged
    std::map<AnomalyKind, bool> active;  // reported and not over
  };

  void judge(SyscallId id, History& h, AnomalyKind kind, const Series& past, double log_now, double spread_floor,
             double min_ratio, std::vector<Anomaly>& out);
  void learn_latency(History& h, const SyscallStats& stats);

  AnomalyConfig config_;
  std::map<SyscallId, History> history_;
  std::map<SyscallId, double> scores_;
  size_t intervals_ = 0;
};

}  // namespace syslat::core
