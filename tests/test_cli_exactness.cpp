// Per syscall name, our counts and errors equal `strace -f -c`'s (which leaves
// out exit and exit_group). Deterministic commands are compared across two
// runs; timing-dependent ones (signals, threads, a shell) in the same run:
// syscount follows the program by a unique comm while strace runs it.
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdio>

#include "test_support.h"

using slt::Counts;
using slt::Table;

namespace {

const std::string kSyscount = slt::syscount_bin();

// Deterministic commands: the same syscalls in every run.
std::vector<std::vector<std::string>> deterministic_commands() {
  return {
      {"/usr/bin/ls", "-la", "/usr"},
      {"/usr/bin/tar", "-cf", "/dev/null", "/usr/include/linux"},
      {"/usr/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=4k", "count=1000"},
      {slt::python3_bin(), "-c", "pass"},
      {slt::workload("wl_basic"), "12345", "77", "321"},
      {slt::workload("wl_forks"), "5"},
  };
}

std::string joined(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

// `BIN OPTIONS -- CMD` against `strace -f -c -- CMD`, in separate runs.
void check_against_strace(const std::string& bin, const std::vector<std::string>& options,
                          const std::vector<std::string>& cmd) {
  const auto ours = slt::run_json(bin, options, cmd);
  INFO(ours.describe());
  REQUIRE(ours.run.status == 0);
  const Table theirs = slt::strace_counts(cmd);
  const std::string diff = slt::compare_tables(slt::without_exits(ours.table), theirs);
  INFO("command: " << joined(cmd) << "\n" << diff);
  CHECK(diff.empty());
}

}  // namespace

TEST_CASE("syscount -- CMD equals strace -f -c for deterministic commands", "[privileged]") {
  slt::run({slt::python3_bin(), "-c", "pass"});  // any .pyc caching happens now, not in between
  for (const auto& cmd : deterministic_commands()) check_against_strace(kSyscount, {}, cmd);
}

TEST_CASE("syscount -L (timing every call) counts the same as strace -f -c", "[privileged]") {
  check_against_strace(kSyscount, {"-L"}, {slt::workload("wl_basic"), "12345", "77", "321"});
  check_against_strace(kSyscount, {"-L"}, {"/usr/bin/ls", "-la", "/usr"});
  check_against_strace(slt::syslat_bin(), {}, {"/usr/bin/tar", "-cf", "/dev/null", "/usr/include/linux"});
}

TEST_CASE("syscount -- CMD counts nothing the tool does before CMD's execve", "[privileged]") {
  const std::vector<std::string> cmd = {slt::workload("wl_basic"), "0", "0", "0"};
  for (const std::vector<std::string>& options : {std::vector<std::string>{}, {"-L"}}) {
    const auto ours = slt::run_json(kSyscount, options, cmd);
    INFO(ours.describe());
    REQUIRE(ours.run.status == 0);
    INFO(slt::to_string(ours.table));
    CHECK(ours.table.at("execve") == Counts{1, 0});
    CHECK(ours.table.at("exit_group") == Counts{1, 0});
    for (const char* ours_only : {"bpf", "perf_event_open", "pipe2", "wait4", "rt_sigprocmask", "clone", "dup2"})
      CHECK(ours.table.count(ours_only) == 0);
    const std::string diff = slt::compare_tables(slt::without_exits(ours.table), slt::strace_counts(cmd));
    INFO(diff);
    CHECK(diff.empty());
  }
}

namespace {

// Runs `strace -f -c -- program args` while `syscount -n <program's name>`
// traces system-wide: both see the very same execution.
void check_same_execution(const std::vector<std::string>& options, const std::string& program,
                          const std::vector<std::string>& args) {
  const std::string comm = program.substr(program.rfind('/') + 1);
  std::vector<std::string> tracer_options = {"-n", comm};
  tracer_options.insert(tracer_options.end(), options.begin(), options.end());
  slt::Tracer tracer(kSyscount, tracer_options);
  std::vector<std::string> cmd = {program};
  cmd.insert(cmd.end(), args.begin(), args.end());
  const Table theirs = slt::strace_counts(cmd);
  const auto ours = tracer.stop();
  INFO(ours.describe());
  REQUIRE(ours.run.status == 0);
  const std::string diff = slt::compare_tables(slt::without_exits(ours.table), theirs);
  INFO("command: " << joined(cmd) << "\n" << diff);
  CHECK(diff.empty());
}

}  // namespace

TEST_CASE("syscount equals strace -f -c on the same run of a shell pipeline", "[privileged]") {
  slt::TempDir dir;
  const std::string sh = slt::copy_executable("/bin/dash", dir.file(slt::unique_comm("sltsh")));
  // Forks, a pipeline, exec, wait4 and SIGCHLD handlers (rt_sigreturn). Only
  // builtins and the copy itself: any other program would have another comm.
  const std::string script = "(echo a; echo b) | " + sh + " -c 'read x; read y; echo $x$y' > /dev/null; " + sh +
                             " -c 'exit 0'; " + sh + " -c 'trap : USR1; (kill -USR1 $$) & wait; wait; exit 3'; true";
  for (const std::vector<std::string>& options : {std::vector<std::string>{}, {"-L"}})
    check_same_execution(options, sh, {"-c", script});
}

TEST_CASE("syscount equals strace -f -c on the same run of threads, futexes and signals", "[privileged]") {
  slt::TempDir dir;
  const std::string mixed = slt::copy_executable(slt::workload("wl_mixed"), dir.file(slt::unique_comm("wlmx")));
  check_same_execution({}, mixed, {});
  check_same_execution({"-L"}, mixed, {});
}

// At sys_exit an rt_sigreturn reports number -1 and returns the restored ax,
// here mostly -ENOSYS: exactly what a genuine syscall(-1) looks like. The
// handler frames counted at signal_deliver tell them apart.
TEST_CASE("rt_sigreturn that restores -ENOSYS is still counted as rt_sigreturn", "[privileged]") {
  for (const std::vector<std::string>& options : {std::vector<std::string>{}, {"-L"}}) {
    const auto r = slt::run_json(kSyscount, options, {slt::workload("wl_enosys")});
    INFO(r.describe());
    REQUIRE(r.run.status == 0);
    INFO("workload: " << r.run.out << slt::to_string(r.table));
    long signals = 0;
    REQUIRE(std::sscanf(r.run.out.c_str(), "signals %ld", &signals) == 1);
    REQUIRE(r.table.count("rt_sigreturn") == 1);
    CHECK(r.table.at("rt_sigreturn").count == uint64_t(signals));
    REQUIRE(r.table.count("[unknown: 999]") == 1);
    CHECK(r.table.at("[unknown: 999]").errors == r.table.at("[unknown: 999]").count);
    CHECK(r.table.count("[unknown: -1]") == 0);
  }
}

TEST_CASE("syscalls the kernel does not know are named by their number", "[privileged]") {
  for (const std::vector<std::string>& options : {std::vector<std::string>{}, {"-L"}}) {
    const auto r = slt::run_json(kSyscount, options, {slt::workload("wl_badnr")});
    INFO(r.describe() << slt::to_string(r.table));
    REQUIRE(r.run.status == 0);
    REQUIRE(r.table.count("[unknown: -1]") == 1);
    CHECK(r.table.at("[unknown: -1]").count == 5);
    CHECK(r.table.at("[unknown: -1]").errors == 5);
    REQUIRE(r.table.count("[unknown: 999]") == 1);
    CHECK(r.table.at("[unknown: 999]").count == 3);
    CHECK(r.table.count("rt_sigreturn") == 0);
  }
}
