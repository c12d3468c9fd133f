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

std::string cgroup2_mount() {
  std::ifstream in("/proc/self/mountinfo");
  for (std::string line; std::getline(in, line);) {
    const auto dash = line.find(" - cgroup2 ");
    if (dash == std::string::npos) continue;
    std::istringstream fields(line.substr(0, dash));
    std::string id, parent, devno, root, mount;
    fields >> id >> parent >> devno >> root >> mount;
    return mount;
  }
  throw std::runtime_error("no cgroup2 mount");
}

// A cgroup v2 directory made for the test (parents too), removed afterwards.
class TestCgroup {
 public:
  explicit TestCgroup(const std::string& relative) : path_(cgroup2_mount() + "/" + relative) {
    for (size_t slash = path_.find('/', 1); slash != std::string::npos; slash = path_.find('/', slash + 1)) {
      const std::string parent = path_.substr(0, slash);
      if (mkdir(parent.c_str(), 0755) == 0) made_.push_back(parent);
    }
    if (mkdir(path_.c_str(), 0755) != 0) throw std::runtime_error("cannot create cgroup " + path_);
    made_.push_back(path_);
  }
  ~TestCgroup() {
    // Workloads have exited (or were killed and reaped) by now; the kernel
    // may take a moment to let go of the cgroup.
    for (auto it = made_.rbegin(); it != made_.rend(); ++it)
      for (int i = 0; i < 100 && rmdir(it->c_str()) != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  TestCgroup(const TestCgroup&) = delete;
  TestCgroup& operator=(const TestCgroup&) = delete;

  const std::string& path() const { return path_; }
  uint64_t id() const {
    struct stat st {};
    if (stat(path_.c_str(), &st) != 0) throw std::runtime_error("cannot stat " + path_);
    return st.st_ino;
  }
  void add(pid_t pid) const { std::ofstream(path_ + "/cgroup.procs") << pid << '\n'; }

 private:
  std::string path_;
  std::vector<std::string> made_;
};

std::string unit_base() { return "syslat-test-" + std::to_string(getpid()); }

// Two identical gated workloads, one inside the cgroup and one outside; the
// tool is started with `options`, then both are let go.
void check_counts_only_inside(const TestCgroup& cgroup, const std::vector<std::string>& options) {
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
  const auto r = slt::run(argv, 10);
  INFO("status " << r.status << "\nstdout: " << r.out << "\nstderr: " << r.err);
  CHECK(r.status == 2);
  CHECK(r.out.empty());
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.find(names) != std::string::npos);
  for (const auto& m : mentions) CHECK(r.err.find(m) != std::string::npos);
}

}  // namespace

TEST_CASE("syscount --unit NAME counts only the tasks of that unit's cgroup", "[privileged]") {
  TestCgroup cgroup(unit_base() + ".service");
  SECTION("a bare name means NAME.service") { check_counts_only_inside(cgroup, {"--unit", unit_base()}); }
  SECTION("the full unit name") { check_counts_only_inside(cgroup, {"--unit", unit_base() + ".service"}); }
}

TEST_CASE("syscount -c ID counts only the tasks of the cgroup with that id (its inode number)", "[privileged]") {
  TestCgroup cgroup(unit_base() + ".service");
  check_counts_only_inside(cgroup, {"-c", std::to_string(cgroup.id())});
}

TEST_CASE("syscount --unit naming two cgroups is rejected, naming both", "[privileged]") {
  TestCgroup top(unit_base() + ".service");
  TestCgroup nested(unit_base() + "-other/" + unit_base() + ".service");
  check_rejected({"--unit", unit_base()}, "--unit", {top.path(), nested.path()});
}

TEST_CASE("syscount -c with the id of a removed cgroup is rejected", "[privileged]") {
  uint64_t id = 0;
  {
    TestCgroup gone(unit_base() + "-gone");
    id = gone.id();
  }
  check_rejected({"-c", std::to_string(id)}, "-c/--cgroup", {std::to_string(id)});
  check_rejected({"--unit", unit_base() + "-gone"}, "--unit", {unit_base() + "-gone.service"});
}
