// The BPF source used directly: filters changed after attach, and the
// reading of the kernel's arrays (histogram wrap detection).
#include <catch2/catch.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "collect/bpf_source.h"
#include "collect/mapped_array.h"
#include "collect/stats_reader.h"
#include "core/slot_layout.h"
#include "core/syscall_table.h"
#include "test_support.h"

using namespace syslat;

TEST_CASE("changing filters after attach never opens a window where other processes are counted", "[privileged]") {
  // Two processes loop on different calls; only the first is selected, by
  // PID (and alternately by PID and user), and the filter is rewritten over
  // and over while both run.
  slt::Background selected({slt::workload("wl_loop"), "getppid", "200", "1"});
  slt::Background other({slt::workload("wl_loop"), "getpgrp", "200", "0"});
  collect::BpfOptions options;
  auto source = collect::BpfSource::load(options);
  REQUIRE(source);
  core::FilterSpec by_pid;
  by_pid.pids = {static_cast<uint32_t>(selected.pid())};
  core::FilterSpec by_pid_and_uid = by_pid;
  by_pid_and_uid.uid = 0;
  REQUIRE((*source)->apply(by_pid));
  REQUIRE((*source)->attach());

  // At least 100 rewrites and 0.5 s: 100 alone can take a few ms, too short
  // to tell that the selected process was counted all along.
  core::Sample total;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
  for (int i = 0; i < 100 || std::chrono::steady_clock::now() < until; ++i) {
    REQUIRE((*source)->apply(i % 2 ? by_pid : by_pid_and_uid));
    total.merge((*source)->poll());
  }
  total.merge((*source)->poll());
  const auto getppid = *core::syscall_number("getppid");
  const auto getpgrp = *core::syscall_number("getpgrp");
  REQUIRE(total.syscalls.count(getppid) == 1);
  CHECK(total.syscalls.at(getppid).calls > 1000);  // the selected one ran all along
  CHECK(total.syscalls.count(getpgrp) == 0);       // the other never got through
}

TEST_CASE("a bad cgroup leaves the filter in force unchanged", "[privileged]") {
  slt::Background other({slt::workload("wl_loop"), "getpgrp", "200", "0"});
  auto source = collect::BpfSource::load({});
  REQUIRE(source);
  core::FilterSpec by_uid;
  by_uid.uid = 65534;  // nobody: nothing of ours runs as nobody
  REQUIRE((*source)->apply(by_uid));
  REQUIRE((*source)->attach());
  core::FilterSpec bad = by_uid;
  bad.cgroup_path = "/proc";  // not a cgroup v2 directory
  CHECK_FALSE((*source)->apply(bad));
  usleep(200'000);
  const auto sample = (*source)->poll();
  CHECK(sample.syscalls.count(*core::syscall_number("getpgrp")) == 0);
}

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
