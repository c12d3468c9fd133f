// StatsReader on kernel-shaped arrays in ordinary shared memory (no BPF):
// a histogram bucket whose u32 count wrapped while polling stalled is
// reported as lost, a row caught half-written is not.
#include <catch2/catch.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include "collect/mapped_array.h"
#include "collect/stats_reader.h"
#include "core/slot_layout.h"
#include "core/syscall_table.h"

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
