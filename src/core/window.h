// Windowed views of the stats model for the dashboard: the last 1 s, 10 s,
// 60 s or everything since start. Polls arrive as adjacent Samples; the
// window keeps just enough of them to answer each view without holding one
// sample per poll for a minute: the last second at poll resolution, older
// time in one-second slots, and a running total since start.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>

#include "core/stats.h"

namespace syslat::core {

enum class WindowSpan { Last1s, Last10s, Last60s, SinceStart };

WindowSpan next_window_span(WindowSpan span);
const char* window_span_label(WindowSpan span);  // "1s", "10s", "60s", "all"

class SampleWindow {
 public:
  // A poll's sample; each starts where the previous one ended.
  void add(const Sample& sample);

  // The merge of the samples covering at least the last `span` (as far as
  // they go back); its start_ns/end_ns say what it really covers, so rates
  // over it are exact. A 10 s view covers 10 to 11 s: whole slots plus the
  // current, partial one.
  Sample view(WindowSpan span) const;

  const Sample& since_start() const { return total_; }

 private:
  static constexpr uint64_t kSlotNs = 1'000'000'000;
  static constexpr size_t kSlots = 60;

  std::deque<Sample> recent_;  // poll resolution, about the last second
  std::deque<Sample> slots_;   // closed one-second slots, newest last
  Sample open_slot_;           // the slot being filled
  Sample total_;               // since start
  // Merges of the newest 10 and 60 closed slots, kept until a slot closes:
  // a refresh then merges two samples instead of up to sixty.
  mutable std::optional<Sample> closed_10s_, closed_60s_;
};

}  // namespace syslat::core
