// Where counting naively at the tracepoints goes wrong: calls that exit
// without entering (seccomp), the number the kernel really runs, renamed
// threads, 32-bit callers and PID namespaces.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include "test_support.h"

using slt::Counts;
using slt::Table;

namespace {

const std::string kSyscount = slt::syscount_bin();

const nlohmann::json* row_named(const nlohmann::json& report, const std::string& name) {
  for (const auto& row : report.at("syscalls"))
    if (row.at("name") == name) return &row;
  return nullptr;
}

}  // namespace

TEST_CASE("calls a seccomp filter fails before entry are counted as entry-not-seen, never timed", "[privileged]") {
  // Per round: getppid(0) runs, ~20 ms of spinning without a syscall,
  // getppid(1) is failed by seccomp (EPERM) without ever entering.
  const std::vector<std::string> wl = {slt::workload("wl_seccomp"), "5"};
  SECTION("every call counted; only the ones that entered are timed") {
    const auto r = slt::run_json(kSyscount, {"-L", "-S", "getppid"}, wl);
    INFO(r.describe() << slt::to_string(r.table));
    REQUIRE(r.run.status == 0);
    REQUIRE(r.reports.size() == 1);
    CHECK(r.table.at("getppid") == Counts{10, 5});
    const auto* row = row_named(r.reports[0], "getppid");
    REQUIRE(row);
    CHECK(row->at("timed_count") == 5);
    CHECK(r.reports[0].at("entry_not_seen") == 5);
    CHECK(row->at("max_ns").get<uint64_t>() < 10'000'000);  // getppid is ~1 us, never the 20 ms spin
  }
  SECTION("an exit filtered out by -x still consumes its entry") {
    // Only the failed calls are recorded. The successful getppid(0) before
    // each of them entered and was filtered out at exit; if its entry time
    // were left behind, the never-entered getppid(1) would take it and show
    // up timed at ~20 ms.
    const auto r = slt::run_json(kSyscount, {"-L", "-x", "-S", "getppid"}, wl);
    INFO(r.describe() << slt::to_string(r.table));
    REQUIRE(r.run.status == 0);
    REQUIRE(r.reports.size() == 1);
    CHECK(r.table.at("getppid") == Counts{5, 5});
    const auto* row = row_named(r.reports[0], "getppid");
    REQUIRE(row);
    CHECK(row->at("timed_count") == 0);
    CHECK(row->at("max_ns") == 0);
    CHECK(r.reports[0].at("entry_not_seen") == 5);
  }
}

TEST_CASE("the text report names exits without a seen entry for what they are", "[privileged]") {
  slt::TempDir dir;
  const auto r = slt::run({kSyscount, "-L", "-S", "getppid", "-o", dir.file("out"), "--", slt::workload("wl_seccomp"), "2"});
  REQUIRE(r.status == 0);
  const std::string text = slt::read_file(dir.file("out"));
  INFO(text);
  CHECK(text.find("2 calls returned without a seen entry (in flight when tracing started, or skipped by "
                  "seccomp/ptrace): counted, not timed") != std::string::npos);
}

TEST_CASE("syscall(0x100000027) counts as getpid, the call the kernel runs", "[privileged]") {
  for (const std::vector<std::string>& options : {std::vector<std::string>{}, {"-L"}}) {
    const auto r = slt::run_json(kSyscount, options, {slt::workload("wl_highnr"), "77"});
    INFO(r.describe() << slt::to_string(r.table));
    REQUIRE(r.run.status == 0);  // 3 would mean the kernel did not run getpid
    REQUIRE(r.table.count("getpid") == 1);
    CHECK(r.table.at("getpid") == Counts{78, 0});  // + the one the workload makes to compare
    for (const auto& [name, counts] : r.table) CHECK(name.find("unknown") == std::string::npos);
    if (options.size()) CHECK(r.reports[0].at("entry_not_seen") == 0);  // enter and exit agree on the number
  }
}

TEST_CASE("syscount -n matches the process name, so renamed threads still match, and --thread-comm the thread name", "[privileged]") {
  slt::TempDir dir;
  const std::string name = slt::unique_comm("wlrn");
  const std::string copy = slt::copy_executable(slt::workload("wl_rename"), dir.file(name));
  {
    slt::Tracer tracer(kSyscount, {"-n", name, "-S", "getppid"});
    REQUIRE(slt::run({copy, "345"}).status == 0);
    const auto r = tracer.stop();
    INFO(r.describe());
    CHECK(r.table == Table{{"getppid", {345, 0}}});
  }
  {
    slt::Tracer tracer(kSyscount, {"-n", name, "--thread-comm", "-S", "getppid"});
    REQUIRE(slt::run({copy, "345"}).status == 0);
    const auto r = tracer.stop();
    INFO(r.describe());
    CHECK(r.table.empty());  // the thread making them is called renamed-thread
  }
  {
    slt::Tracer tracer(kSyscount, {"-n", "renamed-thread", "--thread-comm", "-S", "getppid"});
    REQUIRE(slt::run({copy, "345"}).status == 0);
    const auto r = tracer.stop();
    INFO(r.describe());
    CHECK(r.table.at("getppid").count >= 345);  // others may name a thread so too
  }
}

// Inside `unshare --pid --fork --mount-proc`, PIDs are the namespace's: the
// tool is PID 1 there and the first process it starts is PID 2 -- which, on
// the host, is kthreadd. Counting the host's PID 2 would count nothing.
TEST_CASE("in a PID namespace, -- CMD, -P and -p use the namespace's PIDs", "[privileged]") {
  slt::TempDir dir;
  SECTION("-- CMD and -P") {
    const auto r = slt::run({"unshare", "--pid", "--fork", "--mount-proc", kSyscount, "-P", "-j", "-o",
                             dir.file("out.json"), "--", slt::workload("wl_basic"), "321", "4", "5"},
                            60);
    INFO(r.err);
    REQUIRE(r.status == 0);
    const auto reports = slt::read_ndjson(dir.file("out.json"));
    const Table table = slt::sum_syscalls(reports);
    INFO(slt::to_string(table));
    CHECK(table.at("getppid") == Counts{321, 0});
    CHECK(table.at("openat").errors == 4);
    CHECK(table.at("write") == Counts{5, 0});
    const auto procs = slt::sum_processes(reports);
    REQUIRE(procs.count(2) == 1);  // the command, as the namespace numbers it
    CHECK(procs.at(2).syscalls.at("getppid") == Counts{321, 0});
  }
  SECTION("-p") {
    // The workload waits for SIGUSR1; the script starts syscount -p on it,
    // waits for it to attach, then releases the workload, whose exit ends
    // the run.
    const std::string script =
        "set -e; " + slt::workload("wl_gate") + " 432 2>/dev/null & W=$!; " + kSyscount + " -p $W -j -o " +
        dir.file("out.json") + " 2>" + dir.file("err") + " & S=$!; " +
        "i=0; until grep -q Tracing " + dir.file("err") + "; do i=$((i+1)); [ $i -lt 200 ]; sleep 0.05; done; " +
        "kill -USR1 $W; wait $S; echo W=$W";
    const auto r = slt::run({"unshare", "--pid", "--fork", "--mount-proc", "/bin/sh", "-c", script}, 60);
    INFO(r.out << r.err << slt::read_file(dir.file("err")));
    REQUIRE(r.status == 0);
    CHECK(r.out == "W=2\n");  // the host's PID 2 is kthreadd, which makes no syscalls
    const Table table = slt::sum_syscalls(slt::read_ndjson(dir.file("out.json")));
    INFO(slt::to_string(table));
    CHECK(table.at("getppid") == Counts{432, 0});
    CHECK(table.at("exit_group") == Counts{1, 0});
  }
}

// ia32 emulation: Debian, Ubuntu and RHEL kernels run 32-bit programs. A
// 32-bit static binary makes a known number of getppid (i386 number 64).
TEST_CASE("32-bit (i386) calls are counted under the i386 table", "[privileged]") {
  const std::string bin = slt::workload("wl_i386");
  struct stat st {};
  if (stat(bin.c_str(), &st) != 0) {
    slt::skip("wl_i386 was not built (no 32-bit compiler support: gcc-multilib)");
    return;
  }
  const auto probe = slt::run({bin, "0"});
  if (probe.status != 0) {
    slt::skip("this kernel cannot run 32-bit programs (" + bin + " exited " + std::to_string(probe.status) + ": " +
              probe.err + ")");
    return;
  }
  const auto r = slt::run_json(kSyscount, {"-L"}, {bin, "55"});
  INFO(r.describe() << slt::to_string(r.table));
  REQUIRE(r.run.status == 0);
  bool found = false;
  for (const auto& row : r.reports.at(0).at("syscalls")) {
    if (row.at("name") == "getppid" && row.at("abi") == "i386") {
      found = true;
      CHECK(row.at("nr") == 64);
      CHECK(row.at("count") == 55);
    }
  }
  CHECK(found);
}

// The kernel gives a handler a frame by how it was installed: a 32-bit
// sigaction without SA_SIGINFO gets a plain i386 frame, ended by sigreturn,
// even when the signal arrives while the program runs its own code (no
// 32-bit call in progress to tell the program's ABI by).
TEST_CASE("32-bit signal handlers end in sigreturn or rt_sigreturn as the kernel framed them", "[privileged]") {
  const std::string bin = slt::workload("wl_i386_signals");
  struct stat st {};
  if (stat(bin.c_str(), &st) != 0 || slt::run({slt::workload("wl_i386"), "0"}).status != 0) {
    WARN("SKIPPED: no 32-bit workload, or this kernel cannot run 32-bit programs");
    return;
  }
  const auto r = slt::run_json(kSyscount, {}, {bin, "30"});
  INFO(r.describe() << r.run.out << slt::to_string(r.table));
  REQUIRE(r.run.status == 0);
  long plain = -1, rt = -1;
  REQUIRE(std::sscanf(r.run.out.c_str(), "plain=%ld rt=%ld", &plain, &rt) == 2);
  CHECK(plain >= 33);
  std::map<std::string, int64_t> counts;  // "name/abi"
  for (const auto& report : r.reports)
    for (const auto& row : report.at("syscalls"))
      counts[row.at("name").get<std::string>() + "/" + row.at("abi").get<std::string>()] += row.at("count").get<int64_t>();
  CHECK(counts["sigreturn/i386"] == plain);
  CHECK(counts["rt_sigreturn/i386"] == rt);
  CHECK(counts["rt_sigreturn/x86_64"] == 0);
}
