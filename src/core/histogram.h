// Latency histograms in the kernel's log-linear nanosecond buckets
// (bpf/syslat.h owns the bucket math), their percentiles, and the coarse
// log2 view shown to users.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "syslat.h"

namespace syslat::core {

struct Histogram {
  std::array<uint64_t, HIST_NBUCKETS> counts{};

  Histogram& operator+=(const Histogram& other);
  uint64_t total() const;
  bool empty() const;

  // q in (0,1]: the value at rank ceil(q*total), linearly interpolated inside
  // its bucket (bucket i spans [hist_bucket_lo(i), hist_bucket_lo(i+1)); the
  // overflow bucket reports its lower bound). 0 if empty. q is clamped to
  // (0,1].
  uint64_t percentile_ns(double q) const;
};

// percentile_ns clamped to the true extremes of the calls it counts
// (interpolation inside a bucket can land past them); 0 if empty.
uint64_t clamped_percentile_ns(const Histogram& histogram, double q, uint64_t min_ns, uint64_t max_ns);

struct Log2Bucket {
  uint64_t lo_ns;
  uint64_t hi_ns;  // exclusive; UINT64_MAX for the open last bucket
  uint64_t count;
};

// Display buckets folded exactly from the fine ones: [0,1024), [1024,2048),
// ..., [2^29,2^30), [2^30,inf). Trimmed to the range from the first to the
// last non-empty bucket (empty ones in between are kept); empty if no data.
std::vector<Log2Bucket> log2_buckets(const Histogram& histogram);

// The same display buckets, untrimmed (a heatmap's rows over time): counts
// per display bucket, and bucket i's bounds.
inline constexpr size_t kLog2Buckets = 22;  // [0,2^10), one per power of two, [2^30,inf)
using Log2Counts = std::array<uint64_t, kLog2Buckets>;
Log2Counts log2_counts(const Histogram& histogram);
Log2Bucket log2_bucket(size_t index, uint64_t count = 0);

// The largest fine-bucket boundary <= ns: a bound a cumulative count can be
// exact at. Powers of two are boundaries; between 2^k and 2^(k+1) they are
// 2^k/HIST_SUB apart; at most hist_bucket_lo(HIST_OVERFLOW) (~275 s).
uint64_t bucket_bound_at_or_below(uint64_t ns);

// For each bound (ascending), the calls in fine buckets that end at or below
// it: Prometheus's cumulative `le` counts. A bound between boundaries counts
// as the boundary below it (see bucket_bound_at_or_below). The overflow
// bucket is in none.
std::vector<uint64_t> cumulative_counts(const Histogram& histogram, std::span<const uint64_t> bounds_ns);

// A display bucket's label: its true bounds to 3 significant digits (the
// bounds are powers of two of ns, not round decimal numbers): [2^20, 2^21)
// ns is "1.05-2.10ms" (1.048576 ms up to 2.097152 ms); the first is
// "0-1.02us", then "1.02-2.05us", ..., "524us-1.05ms", ..., "537ms-1.07s",
// and the open last one ">=1.07s".
std::string log2_label(const Log2Bucket& bucket);

}  // namespace syslat::core
