#include "core/window.h"

namespace syslat::core {

WindowSpan next_window_span(WindowSpan span) {
  switch (span) {
    case WindowSpan::Last1s: return WindowSpan::Last10s;
    case WindowSpan::Last10s: return WindowSpan::Last60s;
    case WindowSpan::Last60s: return WindowSpan::SinceStart;
    case WindowSpan::SinceStart: return WindowSpan::Last1s;
  }
  return WindowSpan::Last1s;
}

const char* window_span_label(WindowSpan span) {
  switch (span) {
    case WindowSpan::Last1s: return "1s";
    case WindowSpan::Last10s: return "10s";
    case WindowSpan::Last60s: return "60s";
    case WindowSpan::SinceStart: return "all";
  }
  return "?";
}

void SampleWindow::add(const Sample& sample) {
  total_.merge(sample);

  recent_.push_back(sample);
  // Keep the newest samples that together cover at least one second.
  while (recent_.size() > 1 && sample.end_ns - recent_[1].start_ns >= kSlotNs) recent_.pop_front();

  open_slot_.merge(sample);
  if (open_slot_.end_ns - open_slot_.start_ns >= kSlotNs) {
    slots_.push_back(std::move(open_slot_));
    open_slot_ = Sample{};
    if (slots_.size() > kSlots) slots_.pop_front();
    closed_10s_.reset();
    closed_60s_.reset();
  }
}

Sample SampleWindow::view(WindowSpan span) const {
  if (span == WindowSpan::SinceStart) return total_;
  Sample out;
  if (span == WindowSpan::Last1s) {
    for (const Sample& s : recent_) out.merge(s);
    return out;
  }
  const size_t n = span == WindowSpan::Last10s ? 10 : kSlots;
  std::optional<Sample>& cached = span == WindowSpan::Last10s ? closed_10s_ : closed_60s_;
  // The open slot covers part of the newest second: n - 1 closed slots plus
  // it span at least n - 1 seconds; with n closed ones, at least n.
  if (!cached) {
    cached.emplace();
    for (size_t i = slots_.size() > n ? slots_.size() - n : 0; i < slots_.size(); ++i) cached->merge(slots_[i]);
  }
  out = *cached;
  if (open_slot_.end_ns) out.merge(open_slot_);
  return out;
}

}  // namespace syslat::core
