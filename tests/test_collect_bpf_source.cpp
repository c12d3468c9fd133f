// The BPF source used directly: filters changed after attach, and the
// reading of the kernel's arrays (histogram wrap detection).
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "collect/bpf_source.h"
#include "collect/mapped_array.h"
#include "collect/stats_reader.h"
#include "core/slot_layout.h"
#include "core/syscall_set.h"
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

namespace {

// The bucket a non-zero duration falls in, and whether [lo, hi) of the
// histogram's highest and lowest non-empty buckets hold max and min.
struct Extremes {
  bool ok = true;
  std::string why;
};

Extremes check_extremes(const core::SyscallStats& s) {
  Extremes e;
  int lowest = -1, highest = -1;
  for (int b = 0; b < static_cast<int>(HIST_NBUCKETS); ++b) {
    if (!s.hist.counts[b]) continue;
    if (lowest < 0) lowest = b;
    highest = b;
  }
  if (highest < 0) {
    if (s.max_ns || s.min_ns) e = {false, "min/max " + std::to_string(s.min_ns) + "/" + std::to_string(s.max_ns) +
                                              " with an empty histogram"};
    return e;
  }
  const auto in_bucket = [](uint64_t v, int b) {
    return v >= hist_bucket_lo(b) && (b == static_cast<int>(HIST_OVERFLOW) || v < hist_bucket_lo(b + 1));
  };
  if (!in_bucket(s.max_ns, highest))
    e = {false, "max " + std::to_string(s.max_ns) + " outside the highest bucket [" +
                    std::to_string(hist_bucket_lo(highest)) + ", " + std::to_string(hist_bucket_lo(highest + 1)) + ")"};
  else if (!in_bucket(s.min_ns, lowest))
    e = {false, "min " + std::to_string(s.min_ns) + " outside the lowest bucket [" +
                    std::to_string(hist_bucket_lo(lowest)) + ", " + std::to_string(hist_bucket_lo(lowest + 1)) + ")"};
  return e;
}

}  // namespace

TEST_CASE("a poll's min and max are those of exactly the calls in its histogram (a kernel update in between)",
          "[collect]") {
  // A thread plays the kernel updating one private row the way sys_exit
  // does, with a pause between max and the histogram: a reader that takes
  // min/max and the histogram at different moments splits the call between
  // two polls, one with the max and no count, the next with the count and
  // no max (whose percentiles are then clamped to a wrong max).
  const auto layout = core::SlotLayout::build(false);
  const uint32_t rows = 2;
  auto stats = fake_array<syscall_stats>(layout.size() * rows);
  auto hists = fake_array<syscall_hist>(layout.size() * rows);
  syscall_stats* st = &stats[0];
  syscall_hist* h = &hists[0];
  __u64 used[SYSLAT_MAX_SLOTS / 64] = {};
  collect::StatsReader reader(std::move(stats), std::move(hists), used, nullptr, layout, rows);
  const core::SyscallId read_id = *core::syscall_number("read");
  const uint32_t slot = layout.slot_of[0][static_cast<size_t>(read_id.nr)];
  used[slot / 64] |= 1ull << (slot % 64);
  syscall_stats& row = st[size_t{slot} * rows];
  syscall_hist& hist = h[size_t{slot} * rows];  // slot s uses histogram s (no table)

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
      if (auto e = check_extremes(it->second); !e.ok && bad++ == 0) first_bad = e.why;
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

TEST_CASE("every poll's max and min lie in its histogram's highest and lowest buckets (real kernel)", "[privileged]") {
  // Two loops of the same call on both CPUs, polled back to back: any
  // update the reader catches half-done shows as a max or min outside the
  // poll's histogram.
  slt::Background a({slt::workload("wl_loop"), "getppid", "100000", "0"});
  slt::Background b({slt::workload("wl_loop"), "getppid", "100000", "0"});
  collect::BpfOptions options;
  options.timed = true;
  auto source = collect::BpfSource::load(options);
  REQUIRE(source);
  core::FilterSpec filter;
  filter.pids = {static_cast<uint32_t>(a.pid()), static_cast<uint32_t>(b.pid())};
  REQUIRE((*source)->apply(filter));
  REQUIRE((*source)->attach());
  const core::SyscallId getppid = *core::syscall_number("getppid");
  int polls = 0, bad = 0;
  uint64_t calls = 0;
  std::string first_bad;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (std::chrono::steady_clock::now() < until) {
    const core::Sample s = (*source)->poll();
    ++polls;
    auto it = s.syscalls.find(getppid);
    if (it == s.syscalls.end()) continue;
    calls += it->second.calls;
    if (auto e = check_extremes(it->second); !e.ok && bad++ == 0) first_bad = e.why;
  }
  INFO(polls << " polls, " << calls << " calls; " << bad << " inconsistent, the first: " << first_bad);
  CHECK(calls > 100'000);
  CHECK(bad == 0);
}

TEST_CASE("histograms given on first use: CPUs that race for one never use up the budget", "[privileged]") {
  // 40 syscalls, each first made by both CPUs at once, and room for 20
  // histograms: exactly 20 syscalls get one, and every timed call of the
  // other 20 is counted as hist_full. Reloaded a few times, as each load
  // gives each syscall one first call.
  constexpr uint32_t kHistograms = 20;
  constexpr int kLoads = 8;
  for (int load = 0; load < kLoads; ++load) {
    slt::Background w({slt::workload("wl_lockstep"), "50"});
    REQUIRE(slt::wait_asleep_in(w.pid(), SYS_rt_sigtimedwait));
    collect::BpfOptions options;
    options.timed = true;
    options.max_histograms = kHistograms;
    auto source = collect::BpfSource::load(options);
    REQUIRE(source);
    core::FilterSpec filter;
    filter.pids = {static_cast<uint32_t>(w.pid())};
    // wl_lockstep's 40 calls (see its kCalls).
    filter.syscalls = *core::parse_syscall_list(
        "read,write,fstat,lseek,ioctl,pread64,pwrite64,readv,writev,dup,sendfile,connect,accept,sendto,"
        "recvfrom,sendmsg,recvmsg,shutdown,bind,listen,getsockname,getpeername,setsockopt,getsockopt,fcntl,"
        "flock,fsync,fdatasync,ftruncate,getdents,fchdir,fchmod,fchown,fstatfs,readahead,fgetxattr,"
        "flistxattr,fremovexattr,getdents64,fadvise64");
    REQUIRE((*source)->apply(filter));
    REQUIRE((*source)->attach());
    w.signal(SIGUSR1);
    const auto done = w.wait();
    REQUIRE(done.status == 0);
    const core::Sample s = (*source)->poll();
    uint32_t with_hist = 0, without = 0;
    uint64_t unrecorded = 0;
    for (const auto& [id, st] : s.syscalls) {
      if (st.timed) ++with_hist;
      else ++without, unrecorded += st.calls - st.entry_not_seen;
    }
    INFO("load " << load << ": " << with_hist << " syscalls with a histogram, " << without << " without");
    REQUIRE(with_hist + without == 40);
    CHECK(with_hist == kHistograms);
    CHECK(s.health.hist_full == unrecorded);
  }
}
