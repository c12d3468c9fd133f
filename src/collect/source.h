// A source fills the stats model. Entry points own one and poll it; renderers
// never see where the data came from.
#pragma once

#include <cstdint>

#include "core/stats.h"

namespace syslat::collect {

// How often the tools poll the BPF source, report or not. The kernel's
// histogram buckets are u32 counters per CPU row, and userspace takes their
// deltas modulo 2^32: right while a bucket gains fewer than 2^32 counts
// between two reads. One CPU makes at most some 20 million calls a second
// (2^32 in about 200 s); read once a second, not even 64 CPUs sharing the
// last row (those brought online after start share it) can wrap one.
inline constexpr uint64_t kPollPeriodNs = 1'000'000'000;
static_assert(kPollPeriodNs / 50 * 64 < (uint64_t{1} << 32),
              "64 CPUs at 20 million calls a second could wrap a bucket between two polls");

class Source {
 public:
  virtual ~Source() = default;
  // Everything recorded since the previous poll (or since attach).
  virtual core::Sample poll() = 0;
};

}  // namespace syslat::collect
