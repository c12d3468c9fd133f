// The run over time, for the HTML report's heatmaps: per column (a span of
// the run) and syscall, its calls and its latencies in log2 buckets. Bounded:
// when the columns are full, neighbours merge and each column then spans
// twice the time, so an hour's run costs what a few minutes' does.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "core/histogram.h"
#include "core/stats.h"

namespace syslat::core {

class Timeline {
 public:
  struct Column {
    uint64_t start_ns = 0;  // CLOCK_MONOTONIC, as the samples'
    uint64_t end_ns = 0;
    std::map<SyscallId, uint64_t> calls;
    std::map<SyscallId, Log2Counts> latency;  // timed calls only
  };

  explicit Timeline(uint64_t column_ns = 1'000'000'000, size_t max_columns = 240);

  // The next poll's sample (samples come in order and do not overlap).
  void add(const Sample& sample);
  const std::vector<Column>& columns() const { return columns_; }
  uint64_t column_ns() const { return column_ns_; }

 private:
  void halve();

  uint64_t column_ns_;
  size_t max_columns_;
  std::vector<Column> columns_;
};

}  // namespace syslat::core
