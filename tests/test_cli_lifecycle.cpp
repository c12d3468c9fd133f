// How a run starts and ends: SIGINT/SIGTERM/SIGHUP give a final report and leave no
// BPF program, link or map behind; -d stops; -i reports add up; -c selects a
// cgroup.
#include <catch2/catch.hpp>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "test_support.h"

using slt::Counts;
using slt::Table;

namespace {

const std::string kSyscount = slt::syscount_bin();

using slt::BpfIds;
using slt::bpf_ids_of;
using slt::bpftool_ids;
using slt::ids_text;

std::set<int64_t> intersection(const std::set<int64_t>& a, const std::set<int64_t>& b) {
  std::set<int64_t> out;
  for (auto x : a)
    if (b.count(x)) out.insert(x);
  return out;
}

// A cgroup v2 directory created for the test and removed afterwards.

}  // namespace

TEST_CASE("syscount stopped by SIGINT, SIGTERM or SIGHUP: final report, exit 0, no program, link or map of ours left", "[privileged]") {
  for (const int sig : {SIGINT, SIGTERM, SIGHUP}) {
    slt::Background tool({kSyscount, "-L"});
    REQUIRE(tool.wait_for_stderr("Tracing syscalls"));
    const BpfIds held = bpf_ids_of(tool.pid());
    INFO("held: progs " << ids_text(held.progs) << "links " << ids_text(held.links) << "maps " << ids_text(held.maps));
    REQUIRE(held.progs.size() >= 2);
    REQUIRE(held.links.size() >= 2);
    REQUIRE(!held.maps.empty());

    std::map<int64_t, std::string> names;
    CHECK(intersection(bpftool_ids("prog", &names), held.progs) == held.progs);
    CHECK(intersection(bpftool_ids("link"), held.links) == held.links);
    for (auto id : held.progs) {
      INFO("prog " << id << " is named " << names[id]);
      // Ours, by name (the kernel keeps 15 characters of it).
      const std::vector<std::string> ours = {"sys_enter", "sys_exit", "sys_enter_cached", "sys_exit_cached",
                                             "sched_switch", "signal_deliver",
                                             "sched_process_exit", "sched_process_fork", "create_parking_all"};
      CHECK(std::any_of(ours.begin(), ours.end(), [&](const std::string& n) {
        return !names[id].empty() && n.rfind(names[id], 0) == 0;
      }));
    }

    tool.signal(sig);
    const auto r = tool.wait(10);
    INFO("signal " << sig << "\nstdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.status == 0);
    CHECK(r.out.rfind("SYSCALL", 0) == 0);  // the table's header, then rows
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') >= 2);
    std::istringstream err(r.err);
    int tracing_lines = 0;
    for (std::string line; std::getline(err, line);) tracing_lines += line.rfind("Tracing syscalls", 0) == 0;
    CHECK(tracing_lines == 1);

    // Maps are freed asynchronously after the last reference goes: allow a moment.
    std::set<int64_t> progs_left, links_left, maps_left;
    for (int attempt = 0; attempt < 30; ++attempt) {
      progs_left = intersection(bpftool_ids("prog"), held.progs);
      links_left = intersection(bpftool_ids("link"), held.links);
      maps_left = intersection(bpftool_ids("map"), held.maps);
      if (progs_left.empty() && links_left.empty() && maps_left.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    INFO("left behind: progs " << ids_text(progs_left) << "links " << ids_text(links_left) << "maps "
                               << ids_text(maps_left));
    CHECK(progs_left.empty());
    CHECK(links_left.empty());
    CHECK(maps_left.empty());
  }
}

TEST_CASE("syscount started with SIGINT/SIGTERM ignored (nohup, `cmd &`) still stops on them with a report", "[privileged]") {
  for (const int sig : {SIGINT, SIGTERM}) {
    // The shell ignores both, then execs the tool: an ignored disposition
    // survives exec, as it does for a job a non-interactive shell puts in the background.
    slt::Background tool({"/bin/sh", "-c", "trap '' INT TERM; exec \"$0\"", kSyscount});
    REQUIRE(tool.wait_for_stderr("Tracing syscalls"));
    tool.signal(sig);
    const auto r = tool.wait(10);
    INFO("signal " << sig << "\nstdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.status == 0);
    CHECK(r.out.rfind("SYSCALL", 0) == 0);
  }
}

TEST_CASE("syscount --version and syslat --version print the version and exit 0 without tracing", "[privileged]") {
  for (const auto& argv : std::vector<std::vector<std::string>>{{kSyscount, "--version"}, {kSyscount, "-V"},
                                                                {slt::syslat_bin(), "--version"}}) {
    const auto r = slt::run(argv, 10);
    INFO(argv[0] << " " << argv[1] << "\nstdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.status == 0);
    CHECK(r.out.find("(syslat) ") != std::string::npos);
    CHECK(r.err.find("Tracing") == std::string::npos);
  }
}

TEST_CASE("syscount -i 1 -d 3: one report per second, -d ends the run, counts add up", "[privileged]") {
  slt::TempDir dir;
  const std::string comm = slt::unique_comm("wlloop");
  const std::string loop = slt::copy_executable(slt::workload("wl_loop"), dir.file(comm));
  slt::Tracer tracer(kSyscount, {"-n", comm, "-i", "1", "-d", "3"});
  REQUIRE(slt::run({loop, "getppid", "1000", "100", "15"}).status == 0);  // ~1.5 s
  const auto r = tracer.finish(10);
  INFO(r.describe());
  REQUIRE(r.run.status == 0);
  CHECK(r.run.elapsed_s >= 2.9);
  CHECK(r.run.elapsed_s < 6);
  CHECK(r.reports.size() >= 3);
  for (const auto& report : r.reports) {
    CHECK(report.at("type") == "count");
    CHECK(report.at("interval_s").get<double>() > 0);
    CHECK(report.at("interval_s").get<double>() < 1.5);
  }
  INFO(slt::to_string(r.table));
  CHECK(r.table.at("getppid") == Counts{15000, 0});
  CHECK(r.table.at("nanosleep") == Counts{15, 0});
}

TEST_CASE("syscount -i 1 -- CMD: interval reports plus a final one add up to the command's calls", "[privileged]") {
  const auto r = slt::run_json(kSyscount, {"-i", "1"}, {slt::workload("wl_loop"), "getppid", "1000", "100", "25"});
  INFO(r.describe());
  REQUIRE(r.run.status == 0);
  REQUIRE(r.reports.size() >= 3);
  // The first two reports cover a full second of the ~2.5 s run each.
  for (size_t i = 0; i < 2; ++i) {
    INFO("report " << i << ": " << r.reports[i].dump());
    CHECK(slt::sum_syscalls({r.reports[i]}).at("getppid").count >= 3000);
  }
  INFO(slt::to_string(r.table));
  CHECK(r.table.at("getppid") == Counts{25000, 0});
  CHECK(r.table.at("nanosleep") == Counts{25, 0});
  CHECK(r.table.at("execve") == Counts{1, 0});
}

TEST_CASE("syscount -c CGROUP counts only tasks in that cgroup v2 directory", "[privileged]") {
  slt::TestCgroup cgroup(slt::unique_comm("slt-test-"));
  slt::Background gate({slt::workload("wl_gate"), "777"});
  REQUIRE(gate.wait_for_stderr("ready"));
  cgroup.add(gate.pid());
  {
    slt::Tracer tracer(kSyscount, {"-c", cgroup.path()});
    REQUIRE(slt::run({slt::workload("wl_basic"), "999", "0", "0"}).status == 0);  // outside
    gate.signal(SIGUSR1);
    REQUIRE(gate.wait(10).status == 0);
    const auto r = tracer.stop();
    INFO(r.describe());
    REQUIRE(r.run.status == 0);
    const Table expected = {{"rt_sigsuspend", {1, 1}}, {"rt_sigreturn", {1, 1}},
                            {"getppid", {777, 0}}, {"exit_group", {1, 0}}};
    const std::string diff = slt::compare_tables(r.table, expected, "syscount -c", "expected");
    INFO(diff);
    CHECK(diff.empty());
  }
}
