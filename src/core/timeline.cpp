#include "core/timeline.h"

namespace syslat::core {

Timeline::Timeline(uint64_t column_ns, size_t max_columns)
    : column_ns_(column_ns ? column_ns : 1), max_columns_(max_columns < 2 ? 2 : max_columns) {}

void Timeline::add(const Sample& sample) {
  if (sample.syscalls.empty() && sample.end_ns <= sample.start_ns) return;
  if (columns_.empty() || sample.end_ns > columns_.back().start_ns + column_ns_) {
    if (columns_.size() == max_columns_) halve();
    if (columns_.empty() || sample.end_ns > columns_.back().start_ns + column_ns_) {
      Column next;
      next.start_ns = columns_.empty() ? sample.start_ns : columns_.back().end_ns;
      columns_.push_back(std::move(next));
    }
  }
  Column& c = columns_.back();
  c.end_ns = sample.end_ns;
  for (const auto& [id, stats] : sample.syscalls) {
    c.calls[id] += stats.calls;
    if (stats.hist.empty()) continue;
    const Log2Counts counts = log2_counts(stats.hist);
    Log2Counts& into = c.latency[id];
    for (size_t i = 0; i < counts.size(); ++i) into[i] += counts[i];
  }
}

// Each pair of neighbours becomes one column twice as long.
void Timeline::halve() {
  std::vector<Column> merged;
  for (size_t i = 0; i < columns_.size(); i += 2) {
    Column c = std::move(columns_[i]);
    if (i + 1 < columns_.size()) {
      const Column& next = columns_[i + 1];
      c.end_ns = next.end_ns;
      for (const auto& [id, n] : next.calls) c.calls[id] += n;
      for (const auto& [id, counts] : next.latency) {
        Log2Counts& into = c.latency[id];
        for (size_t b = 0; b < counts.size(); ++b) into[b] += counts[b];
      }
    }
    merged.push_back(std::move(c));
  }
  columns_ = std::move(merged);
  column_ns_ *= 2;
}

}  // namespace syslat::core
