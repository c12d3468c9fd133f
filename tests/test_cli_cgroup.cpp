// -c ID and --unit NAME: both find a cgroup v2 directory at option-parsing
// time; only tasks in it are counted. The cgroups are made here, under the
// cgroup2 mount found in /proc/self/mountinfo, named like systemd units.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_support.h"

using slt::Table;

namespace {

std::string unit_base() { return "syslat-test-" + std::to_string(getpid()); }

// Two identical gated workloads, one inside the cgroup and one outside; the
// tool is started with `options`, then both are let go.
void check_counts_only_inside(const slt::TestCgroup& cgroup, const std::vector<std::string>& options) {
  slt::Background inside({slt::workload("wl_gate"), "777"});
  slt::Background outside({slt::workload("wl_gate"), "777"});
  REQUIRE(inside.wait_for_stderr("ready"));
  REQUIRE(outside.wait_for_stderr("ready"));
  cgroup.add(inside.pid());
  slt::Tracer tracer(slt::syscount_bin(), options);
  inside.signal(SIGUSR1);
  outside.signal(SIGUSR1);
  REQUIRE(inside.wait(10).status == 0);
  REQUIRE(outside.wait(10).status == 0);
  const auto r = tracer.stop();
  INFO(r.describe());
  REQUIRE(r.run.status == 0);
  // One wl_gate run; the one outside would double every row.
  const Table expected = {{"rt_sigsuspend", {1, 1}}, {"rt_sigreturn", {1, 1}},
                          {"getppid", {777, 0}}, {"exit_group", {1, 0}}};
  const std::string diff = slt::compare_tables(r.table, expected, "syscount", "expected");
  INFO(diff);
  CHECK(diff.empty());
}

void check_rejected(const std::vector<std::string>& args, const std::string& names,
                    const std::vector<std::string>& mentions = {}) {
  std::vector<std::string> argv = {slt::syscount_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto r = slt::check_rejected(argv, names);
  INFO(r.describe());
  CHECK(r.problem == "");
  for (const auto& m : mentions) CHECK(r.run.err.find(m) != std::string::npos);
}

}  // namespace

TEST_CASE("syscount --unit NAME counts only the tasks of that unit's cgroup", "[privileged]") {
  slt::TestCgroup cgroup(unit_base() + ".service");
  SECTION("a bare name means NAME.service") { check_counts_only_inside(cgroup, {"--unit", unit_base()}); }
  SECTION("the full unit name") { check_counts_only_inside(cgroup, {"--unit", unit_base() + ".service"}); }
}

TEST_CASE("syscount -c ID counts only the tasks of the cgroup with that id (its inode number)", "[privileged]") {
  slt::TestCgroup cgroup(unit_base() + ".service");
  check_counts_only_inside(cgroup, {"-c", std::to_string(cgroup.id())});
}

TEST_CASE("syscount --unit naming two cgroups is rejected, naming both", "[privileged]") {
  slt::TestCgroup top(unit_base() + ".service");
  slt::TestCgroup nested(unit_base() + "-other/" + unit_base() + ".service");
  check_rejected({"--unit", unit_base()}, "--unit", {top.path(), nested.path()});
}

TEST_CASE("syscount -c with the id of a removed cgroup is rejected", "[privileged]") {
  uint64_t id = 0;
  {
    slt::TestCgroup gone(unit_base() + "-gone");
    id = gone.id();
  }
  check_rejected({"-c", std::to_string(id)}, "-c/--cgroup", {std::to_string(id)});
  check_rejected({"--unit", unit_base() + "-gone"}, "--unit", {unit_base() + "-gone.service"});
}
