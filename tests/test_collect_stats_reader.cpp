// StatsReader on kernel-shaped arrays in ordinary shared memory (no BPF):
// a histogram bucket whose u32 count wrapped while polling stalled is
// reported as lost, a row caught half-written is not, and a row is read
// with all of a call's parts or none of them.
#include <catch2/catch.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>

#include "collect/mapped_array.h"
#include "collect/stats_reader.h"
#include "core/slot_layout.h"
#include "core/syscall_table.h"
#include "histogram_checks.h"

using namespace syslat;

namespace {

// Kernel-shaped arrays in ordinary shared memory, so a test can play the
// kernel's part.
template <class T>
collect::MappedArray<T> fake_array(size_t count) {
  const int fd = memfd_create("fake-bpf-array", MFD_CLOEXEC);
  REQUIRE(fd >= 0);
  REQUIRE(ftruncate(fd, static_cast<off_t>(sizeof(T) * count + 4096)) == 0);
  auto mapped = collect::MappedArray<T>::map(fd, count);
  close(fd);
  REQUIRE(mapped);
  return std::move(*mapped);
}

// A reader over kernel-shaped arrays of `rows` CPU rows, with `read` marked
// used and given histogram = slot (no table): the test writes row 0 of
// `read` (`row`, `hist`) as the kernel would.
struct ReadRow {
  const core::SlotLayout layout = core::SlotLayout::build(false);
  const core::SyscallId read_id = *core::syscall_number("read");
  const uint32_t slot = layout.slot_of[0][static_cast<size_t>(read_id.nr)];
  __u64 used[SYSLAT_MAX_SLOTS / 64] = {};
  collect::MappedArray<syscall_stats> stats;
  collect::MappedArray<syscall_hist> hists;
  syscall_stats& row;
  syscall_hist& hist;
  collect::StatsReader reader;

  explicit ReadRow(uint32_t rows)
      : stats(fake_array<syscall_stats>(layout.size() * rows)),
        hists(fake_array<syscall_hist>(layout.size() * rows)),
        row(stats[size_t{slot} * rows]),
        hist(hists[size_t{slot} * rows]),
        reader(std::move(stats), std::move(hists), used, nullptr, layout, rows) {
    used[slot / 64] |= 1ull << (slot % 64);
  }
};

}  // namespace

TEST_CASE("a histogram bucket that wrapped while polling stalled is reported as lost", "[collect]") {
  const auto layout = core::SlotLayout::build(false);
  const uint32_t rows = 2;
  auto stats = fake_array<syscall_stats>(layout.size() * rows);
  auto hists = fake_array<syscall_hist>(layout.size() * rows);
  syscall_stats* st = &stats[0];
  syscall_hist* h = &hists[0];
  __u64 used[SYSLAT_MAX_SLOTS / 64] = {};
  __u32 hist_of_slot[SYSLAT_MAX_SLOTS] = {};
  collect::StatsReader reader(std::move(stats), std::move(hists), used, hist_of_slot, layout, rows);

  const uint32_t slot = layout.slot_of[0][static_cast<size_t>(*core::syscall_number("read"))];
  used[slot / 64] |= 1ull << (slot % 64);
  hist_of_slot[slot] = 3;  // its histogram is the third
  // Row 1 of `read`: 2^32 + 7 timed calls, all in one bucket, whose u32
  // count therefore reads 7.
  const size_t i = size_t{slot} * rows + 1;
  const size_t hi = size_t{2} * rows + 1;
  st[i].calls = (uint64_t{1} << 32) + 7;
  h[hi].count[hist_bucket(300)] = 7;
  core::Sample first;
  reader.read(first);
  const auto& read_stats = first.syscalls.at(*core::syscall_number("read"));
  CHECK(read_stats.calls == (uint64_t{1} << 32) + 7);
  CHECK(read_stats.timed == 7);
  CHECK(first.health.hist_lost == uint64_t{1} << 32);

  // A row caught half-written (calls bumped, bucket not yet) is no wrap.
  st[i].calls += 3;
  h[hi].count[hist_bucket(300)] += 2;
  core::Sample second;
  reader.read(second);
  CHECK(second.health.hist_lost == 0);
  CHECK(second.syscalls.at(*core::syscall_number("read")).calls == 3);
}

TEST_CASE("a poll's min and max are those of exactly the calls in its histogram (a kernel update in between)",
          "[collect]") {
  // A thread plays the kernel updating one private row the way sys_exit
  // does, with a pause between max and the histogram: a reader that takes
  // min/max and the histogram at different moments splits the call between
  // two polls, one with the max and no count, the next with the count and
  // no max (whose percentiles are then clamped to a wrong max).
  ReadRow f(2);
  syscall_stats& row = f.row;
  syscall_hist& hist = f.hist;
  collect::StatsReader& reader = f.reader;
  const core::SyscallId read_id = f.read_id;

  std::atomic<bool> done{false};
  std::thread kernel([&] {
    for (uint64_t k = 1; k <= 200; ++k) {
      const uint64_t dur = 1000 * k;  // each call the new max
      __atomic_fetch_add(&row.seq, SYSLAT_SEQ_BEGIN, __ATOMIC_SEQ_CST);
      __atomic_fetch_add(&row.calls, 1, __ATOMIC_SEQ_CST);
      __atomic_fetch_add(&row.total_ns, dur, __ATOMIC_SEQ_CST);
      if (dur > __atomic_load_n(&row.max_ns, __ATOMIC_SEQ_CST)) __atomic_store_n(&row.max_ns, dur, __ATOMIC_SEQ_CST);
      if (dur - 1 < __atomic_load_n(&row.min_ns, __ATOMIC_SEQ_CST) - 1) __atomic_store_n(&row.min_ns, dur, __ATOMIC_SEQ_CST);
      usleep(200);
      __atomic_fetch_add(&hist.count[hist_bucket(dur)], 1, __ATOMIC_SEQ_CST);
      __atomic_fetch_add(&row.seq, SYSLAT_SEQ_END, __ATOMIC_SEQ_CST);
      usleep(100);
    }
    done = true;
  });
  core::SyscallStats total;
  int polls = 0, bad = 0;
  std::string first_bad;
  while (!done || polls == 0) {
    core::Sample s;
    reader.read(s);
    ++polls;
    if (auto it = s.syscalls.find(read_id); it != s.syscalls.end()) {
      total.merge(it->second);
      if (auto e = slt::check_extremes(it->second); !e.ok && bad++ == 0) first_bad = e.why;
    }
  }
  kernel.join();
  core::Sample last;
  reader.read(last);
  if (auto it = last.syscalls.find(read_id); it != last.syscalls.end()) total.merge(it->second);
  INFO(polls << " polls; first inconsistent one: " << first_bad);
  CHECK(bad == 0);
  CHECK(total.calls == 200);
  CHECK(total.timed == 200);
  CHECK(total.max_ns == 200'000);
  CHECK(total.min_ns == 1000);
}

TEST_CASE("a row whose writer stays in the middle of an update is left for the next poll, not read as zeros",
          "[collect]") {
  // A program preempted between its seq's begin and end: the poll that
  // cannot get a stable reading reports nothing of the row (it used to
  // report a zero reading, so the next delta wrapped to ~2^64 calls), and
  // the next poll has the call with the extremes swapped out meanwhile.
  ReadRow f(1);
  syscall_stats& row = f.row;
  syscall_hist& hist = f.hist;
  collect::StatsReader& reader = f.reader;
  const core::SyscallId read_id = f.read_id;

  const auto call = [&](uint64_t dur, bool finish) {
    row.seq += SYSLAT_SEQ_BEGIN;
    row.calls += 1;
    row.total_ns += dur;
    row.max_ns = std::max<uint64_t>(row.max_ns, dur);
    row.min_ns = row.min_ns ? std::min<uint64_t>(row.min_ns, dur) : dur;
    if (!finish) return;
    hist.count[hist_bucket(dur)] += 1;
    row.seq += SYSLAT_SEQ_END;
  };
  call(1000, true);
  core::Sample first;
  reader.read(first);
  REQUIRE(first.syscalls.count(read_id));
  CHECK(first.syscalls.at(read_id).calls == 1);

  call(5000, false);  // stays in progress through the next poll
  core::Sample stuck;
  reader.read(stuck);
  CHECK(stuck.syscalls.count(read_id) == 0);

  hist.count[hist_bucket(5000)] += 1;  // the update ends
  row.seq += SYSLAT_SEQ_END;
  core::Sample after;
  reader.read(after);
  REQUIRE(after.syscalls.count(read_id));
  const auto& s = after.syscalls.at(read_id);
  CHECK(s.calls == 1);
  CHECK(s.timed == 1);
  CHECK(s.max_ns == 5000);
  CHECK(s.min_ns == 5000);
  CHECK(s.total_ns == 5000);
}
