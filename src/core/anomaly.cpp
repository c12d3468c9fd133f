#include "core/anomaly.h"

#include <algorithm>
#include <cmath>

namespace syslat::core {
namespace {

// The spread below which nothing is told apart: latencies in octaves (the
// buckets are 1/8 octave wide, percentiles within 8 % of the truth), rates
// in octaves of 1 + calls/s.
constexpr double kLatencySpreadFloor = 0.125;
constexpr double kRateSpreadFloor = 0.25;
// MAD x this estimates a normal distribution's standard deviation: the
// robust units read like z-scores where the data is well behaved.
constexpr double kMadToSigma = 1.4826;

double median_of(std::vector<double> values) {
  const size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  const double upper = values[mid];
  if (values.size() % 2) return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2;
}

struct Robust {
  double center;
  double spread;
};

// Median and floored 1.4826 x MAD of a non-empty set of values.
Robust robust_of(const std::deque<double>& values, double floor) {
  std::vector<double> v(values.begin(), values.end());
  const double center = median_of(v);
  for (double& x : v) x = std::abs(x - center);
  return {center, std::max(kMadToSigma * median_of(std::move(v)), floor)};
}

double log_ns(uint64_t ns) { return std::log2(static_cast<double>(std::max<uint64_t>(ns, 1))); }

}  // namespace

std::string_view anomaly_kind_key(AnomalyKind kind) {
  switch (kind) {
    case AnomalyKind::P50: return "p50";
    case AnomalyKind::P99: return "p99";
    case AnomalyKind::Rate: return "rate";
  }
  return "?";
}

void AnomalyDetector::Series::push(double value, size_t window) {
  values.push_back(value);
  while (values.size() > window) values.pop_front();
}

void AnomalyDetector::judge(SyscallId id, History& h, AnomalyKind kind, const Series& past, double log_now,
                            double spread_floor, double min_ratio, std::vector<Anomaly>& out) {
  if (past.values.size() < std::max<size_t>(config_.learn_intervals, 1)) return;
  const Robust base = robust_of(past.values, spread_floor);
  const double rise = log_now - base.center;
  const double score = rise / base.spread;
  double& gauge = scores_[id];
  gauge = std::max({gauge, score, 0.0});
  const bool over = config_.min_score > 0 && score >= config_.min_score && rise >= std::log2(min_ratio);
  size_t& run = h.run[kind];
  run = over ? run + 1 : 0;
  const size_t needed = kind == AnomalyKind::P99 ? std::max<size_t>(config_.tail_sustain_intervals, 1) : 1;
  const bool anomalous = run >= needed;
  if (anomalous && !h.active[kind]) {
    // Rates are kept as log2(1 + calls/s): a syscall absent so far has a baseline of 0/s.
    const double offset = kind == AnomalyKind::Rate ? 1 : 0;
    out.push_back({id, kind, std::exp2(base.center) - offset, std::exp2(log_now) - offset, score});
  }
  h.active[kind] = anomalous;
}

void AnomalyDetector::learn_latency(History& h, const SyscallStats& stats) {
  const uint64_t total = stats.hist.total();
  if (total < config_.min_calls) return;
  const size_t window = std::max<size_t>(config_.window_intervals, 1);
  h.log_p50.push(log_ns(stats.hist.percentile_ns(0.5)), window);
  if (total < config_.min_tail_calls) return;
  h.log_p99.push(log_ns(stats.hist.percentile_ns(0.99)), window);
  h.log_p999.push(log_ns(stats.hist.percentile_ns(0.999)), window);
}

std::vector<Anomaly> AnomalyDetector::observe(const Sample& interval) {
  const size_t window = std::max<size_t>(config_.window_intervals, 1);
  const double seconds = interval.seconds();
  // A syscall first seen now had no calls in the intervals seen before.
  for (const auto& [id, stats] : interval.syscalls) {
    auto [it, added] = history_.try_emplace(id);
    if (added && seconds > 0)
      for (size_t i = 0; i < std::min(intervals_, window); ++i) it->second.log_rate.push(0, window);
  }
  scores_.clear();
  std::vector<Anomaly> found;
  static const SyscallStats kNone;
  for (auto& [id, h] : history_) {
    const auto it = interval.syscalls.find(id);
    const SyscallStats& stats = it == interval.syscalls.end() ? kNone : it->second;
    // Scored first, learned after: the interval is never in its own baseline.
    const uint64_t timed = stats.hist.total();
    if (timed >= config_.min_calls)
      judge(id, h, AnomalyKind::P50, h.log_p50, log_ns(stats.hist.percentile_ns(0.5)), kLatencySpreadFloor,
            config_.min_latency_ratio, found);
    if (timed >= config_.min_tail_calls)
      judge(id, h, AnomalyKind::P99, h.log_p99, log_ns(stats.hist.percentile_ns(0.99)), kLatencySpreadFloor,
            config_.min_latency_ratio, found);
    if (seconds <= 0) continue;
    const double log_rate = std::log2(1 + static_cast<double>(stats.calls) / seconds);
    if (stats.calls >= config_.min_rate_calls)
      judge(id, h, AnomalyKind::Rate, h.log_rate, log_rate, kRateSpreadFloor, config_.min_rate_ratio, found);
    else
      h.active[AnomalyKind::Rate] = false, h.run[AnomalyKind::Rate] = 0;
    learn_latency(h, stats);
    h.log_rate.push(log_rate, window);
  }
  if (seconds > 0) ++intervals_;
  std::stable_sort(found.begin(), found.end(), [](const Anomaly& a, const Anomaly& b) { return a.score > b.score; });
  return found;
}

std::vector<SyscallId> AnomalyDetector::active() const {
  std::vector<SyscallId> ids;
  for (const auto& [id, h] : history_)
    if (std::any_of(h.active.begin(), h.active.end(), [](const auto& kind_on) { return kind_on.second; })) ids.push_back(id);
  return ids;
}

std::vector<SyscallId> AnomalyDetector::syscalls() const {
  std::vector<SyscallId> ids;
  for (const auto& entry : history_) ids.push_back(entry.first);
  return ids;
}

std::optional<uint64_t> AnomalyDetector::baseline_ns(SyscallId id, double q, double robust_units) const {
  const auto it = history_.find(id);
  if (it == history_.end()) return std::nullopt;
  const History& h = it->second;
  const Series& series = q <= 0.5 ? h.log_p50 : q <= 0.99 ? h.log_p99 : h.log_p999;
  if (series.values.size() < std::max<size_t>(config_.learn_intervals, 1)) return std::nullopt;
  const Robust base = robust_of(series.values, kLatencySpreadFloor);
  return static_cast<uint64_t>(std::llround(std::exp2(base.center + robust_units * base.spread)));
}

}  // namespace syslat::core
