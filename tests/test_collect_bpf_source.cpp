// The BPF source used directly: filters changed after attach. (The reading
// of the kernel's arrays is a unit test: test_collect_stats_reader.cpp.)
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "collect/bpf_env.h"
#include "collect/bpf_source.h"
#include "core/syscall_set.h"
#include "core/syscall_table.h"
#include "histogram_checks.h"
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
    if (auto e = slt::check_extremes(it->second); !e.ok && bad++ == 0) first_bad = e.why;
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
    uint64_t unrecorded = 0, waited_out = 0;
    const uint64_t other_cpus = std::thread::hardware_concurrency() - 1;
    for (const auto& [id, st] : s.syscalls) {
      const uint64_t no_hist = st.calls - st.entry_not_seen - st.timed;  // timed calls in no histogram
      if (st.timed) {
        // Only a first call that found the claim of another CPU still in
        // progress after its wait (a long interrupt, or a VM's stolen time,
        // in the claimer's few instructions) goes without: one per other CPU.
        ++with_hist;
        waited_out += no_hist;
        CHECK(no_hist <= other_cpus);
      } else {
        ++without;
        unrecorded += no_hist;
      }
    }
    INFO("load " << load << ": " << with_hist << " syscalls with a histogram, " << without << " without, "
                 << waited_out << " calls that waited out a claim");
    REQUIRE(with_hist + without == 40);
    CHECK(with_hist == kHistograms);
    CHECK(s.health.hist_full == unrecorded + waited_out);
  }
}

TEST_CASE("the hot path counts and times exactly with and without its task cache (kernels before 6.2 have none)",
          "[privileged]") {
  auto kernel = collect::check_bpf_environment(false);
  REQUIRE(kernel);
  const core::SyscallId getppid = *core::syscall_number("getppid");
  for (const bool cache : {false, true}) {
    if (cache && !kernel->rdonly_cast) continue;  // this kernel has only the helper path
    for (const bool timed : {false, true}) {
      INFO("task cache " << cache << ", timed " << timed);
      slt::Background gate({slt::workload("wl_gate"), "5000"});
      REQUIRE(gate.wait_for_stderr("ready"));
      collect::BpfOptions options;
      options.kernel = *kernel;
      options.kernel.rdonly_cast = cache;
      options.timed = timed;
      auto source = collect::BpfSource::load(options);
      REQUIRE(source);
      core::FilterSpec filter;
      filter.pids = {static_cast<uint32_t>(gate.pid())};
      REQUIRE((*source)->apply(filter));
      REQUIRE((*source)->attach());
      gate.signal(SIGUSR1);
      REQUIRE(gate.wait(10).status == 0);
      (*source)->detach();
      const core::Sample s = (*source)->poll();
      REQUIRE(s.syscalls.count(getppid) == 1);
      CHECK(s.syscalls.at(getppid).calls == 5000);
      CHECK(s.syscalls.at(getppid).timed == (timed ? 5000u : 0u));
    }
  }
}
