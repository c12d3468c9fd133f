// The BPF source used directly: filters changed after attach. (The reading
// of the kernel's arrays is a unit test: test_collect_stats_reader.cpp.)
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>

#include "collect/bpf_source.h"
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
