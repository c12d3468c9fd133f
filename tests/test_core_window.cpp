#include <catch2/catch.hpp>

#include "core/window.h"

using syslat::core::Sample;
using syslat::core::SampleWindow;
using syslat::core::WindowSpan;

namespace {

constexpr uint64_t kMs = 1'000'000;

// A poll covering [start, end) ms with `calls` reads, each of `ns`.
Sample poll(uint64_t start_ms, uint64_t end_ms, uint64_t calls, uint64_t ns = 1000) {
  Sample s;
  s.start_ns = start_ms * kMs;
  s.end_ns = end_ms * kMs;
  auto& st = s.syscalls[0];
  st.calls = st.timed = calls;
  st.total_ns = calls * ns;
  st.min_ns = st.max_ns = calls ? ns : 0;
  return s;
}

}  // namespace

TEST_CASE("window: each view covers its span from whole polls, with exact rates") {
  SampleWindow w;
  // 100 ms polls for 70 s; second k makes k calls in each of its polls.
  for (uint64_t t = 1000; t < 71000; t += 100) w.add(poll(t, t + 100, t / 1000));
  const Sample one = w.view(WindowSpan::Last1s);
  CHECK(one.end_ns == 71000 * kMs);
  CHECK(one.start_ns == 70000 * kMs);  // the last 10 polls, exactly one second
  CHECK(one.syscalls.at(0).calls == 700);

  const Sample ten = w.view(WindowSpan::Last10s);
  CHECK(ten.end_ns == 71000 * kMs);
  CHECK(ten.start_ns == 61000 * kMs);  // ten closed one-second slots
  uint64_t expected = 0;
  for (uint64_t k = 61; k <= 70; ++k) expected += 10 * k;
  CHECK(ten.syscalls.at(0).calls == expected);

  const Sample sixty = w.view(WindowSpan::Last60s);
  CHECK(sixty.start_ns == 11000 * kMs);
  const Sample all = w.view(WindowSpan::SinceStart);
  CHECK(all.start_ns == 1000 * kMs);
  uint64_t total = 0;
  for (uint64_t k = 1; k <= 70; ++k) total += 10 * k;
  CHECK(all.syscalls.at(0).calls == total);
}

TEST_CASE("window: a partly filled slot is included, so a view never covers less than asked") {
  SampleWindow w;
  for (uint64_t t = 0; t < 12500; t += 250) w.add(poll(t, t + 250, 1));
  const Sample ten = w.view(WindowSpan::Last10s);
  CHECK(ten.end_ns == 12500 * kMs);
  CHECK(ten.seconds() >= 10.0);
  CHECK(ten.seconds() <= 11.0);
  CHECK(ten.syscalls.at(0).calls == static_cast<uint64_t>(ten.seconds() * 4 + 0.5));
  // Before ten seconds have passed, every view shows what there is.
  SampleWindow young;
  young.add(poll(0, 500, 3));
  CHECK(young.view(WindowSpan::Last60s).syscalls.at(0).calls == 3);
  CHECK(young.view(WindowSpan::Last1s).syscalls.at(0).calls == 3);
}

TEST_CASE("window: max and min come from the span, not from all time") {
  SampleWindow w;
  w.add(poll(0, 1000, 1, 5'000'000));  // one 5 ms call in the first second
  for (uint64_t t = 1000; t < 3000; t += 1000) w.add(poll(t, t + 1000, 10, 2000));
  CHECK(w.view(WindowSpan::Last1s).syscalls.at(0).max_ns == 2000);
  CHECK(w.view(WindowSpan::SinceStart).syscalls.at(0).max_ns == 5'000'000);
}

// The dashboard's split line reads each view's split: polls' splits must add
// up through the slots and the cached 10 s/60 s merges as their totals do.
TEST_CASE("window: every view carries the on-CPU/runqueue/I/O/sleep split of its polls") {
  SampleWindow w;
  // 70 s of 250 ms polls from 1 s (a merge takes start 0 for "not started");
  // each: 4 calls of 1 ms, 100 us runqueue, 200 us I/O, 300 us sleep (on CPU:
  // the other 3.4 ms), 3 of them switched out 5 times.
  for (uint64_t t = 1000; t < 71000; t += 250) {
    Sample s = poll(t, t + 250, 4, 1'000'000);
    auto& split = s.syscalls[0].split;
    split.runq_ns = 100'000;
    split.iowait_ns = 200'000;
    split.sleep_ns = 300'000;
    split.switched = 3;
    split.switches = 5;
    w.add(s);
  }
  for (const WindowSpan span : {WindowSpan::Last1s, WindowSpan::Last10s, WindowSpan::Last60s, WindowSpan::SinceStart}) {
    const Sample v = w.view(span);
    const auto& st = v.syscalls.at(0);
    const uint64_t polls = st.calls / 4;
    INFO(syslat::core::window_span_label(span) << ": " << polls << " polls");
    CHECK(polls * 250 * kMs == v.end_ns - v.start_ns);
    CHECK(st.split.runq_ns == polls * 100'000);
    CHECK(st.split.iowait_ns == polls * 200'000);
    CHECK(st.split.sleep_ns == polls * 300'000);
    CHECK(st.split.switched == polls * 3);
    CHECK(st.split.switches == polls * 5);
    CHECK(st.oncpu_ns() == polls * 3'400'000);
  }
  // A view asked again after more polls (the cached merges dropped at a slot's close).
  const uint64_t before = w.view(WindowSpan::Last10s).syscalls.at(0).split.sleep_ns;
  for (uint64_t t = 71000; t < 72000; t += 250) w.add(poll(t, t + 250, 4, 1'000'000));  // no time off CPU
  const Sample later_view = w.view(WindowSpan::Last10s);
  const auto& later = later_view.syscalls.at(0);
  CHECK(later.split.sleep_ns < before);
  CHECK(later.split.sleep_ns == (later.calls / 4 - 4) * 300'000);
}

TEST_CASE("window: z cycles 1s, 10s, 60s, all") {
  using syslat::core::next_window_span;
  CHECK(next_window_span(WindowSpan::Last1s) == WindowSpan::Last10s);
  CHECK(next_window_span(WindowSpan::Last10s) == WindowSpan::Last60s);
  CHECK(next_window_span(WindowSpan::Last60s) == WindowSpan::SinceStart);
  CHECK(next_window_span(WindowSpan::SinceStart) == WindowSpan::Last1s);
}
