// What `-p PID` follows: syscount/syslat/sysslow count every thread of PID,
// the threads it starts later included, and none of its child processes,
// with the BPF backend and with the ptrace fallback alike; systrace follows
// as strace does (new threads and children only with -f).
// tests/workloads/wl_spawn.c starts a thread (getppid) and two children
// (getpgrp) once it gets SIGUSR1.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/syscall.h>

#include <map>
#include <regex>
#include <sstream>

#include "test_support.h"

namespace {

const std::string kSystrace = SYSLAT_BUILD_DIR "/systrace";
constexpr int kThreadCalls = 37, kForkCalls = 11, kCloneCalls = 13;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// A workload that says "ready" and sleeps in rt_sigsuspend until SIGUSR1.
class Gated {
 public:
  explicit Gated(const std::vector<std::string>& argv) : process_(argv) {
    REQUIRE(process_.wait_for_stderr("ready"));
    REQUIRE(slt::wait_asleep_in(pid(), SYS_rt_sigsuspend));
    switches_ = slt::voluntary_switches(pid());
  }
  pid_t pid() const { return process_.pid(); }
  // A ptrace attach interrupts rt_sigsuspend, which restarts under the
  // tracer (an attach stop and an entry stop later it sleeps again); a
  // signal sent before that would end the call unseen.
  void wait_restarted() { REQUIRE(slt::wait_asleep_in(pid(), SYS_rt_sigsuspend, switches_ + 2)); }
  void go_and_wait() {
    process_.signal(SIGUSR1);
    REQUIRE(process_.wait(20).status == 0);
  }

 private:
  slt::Background process_;
  long switches_ = 0;
};

std::vector<std::string> spawner() {
  return {slt::workload("wl_spawn"), std::to_string(kThreadCalls), std::to_string(kForkCalls),
          std::to_string(kCloneCalls)};
}

// `syscount --backend BACKEND -j -p PID` over wl_spawn's run: its table.
slt::Table count_attached(const std::string& backend) {
  Gated target(spawner());
  slt::Background run({slt::syscount_bin(), "--backend", backend, "-j", "-p", std::to_string(target.pid())});
  REQUIRE(run.wait_for_stderr("Tracing syscalls", 15));
  if (backend == "ptrace") target.wait_restarted();
  target.go_and_wait();
  const auto r = run.wait(15);  // ends with the process
  INFO(backend << ": " << r.err);
  REQUIRE(r.status == 0);
  std::vector<nlohmann::json> reports;
  for (const auto& line : lines_of(r.out)) reports.push_back(nlohmann::json::parse(line));
  return slt::sum_syscalls(reports);
}

}  // namespace

TEST_CASE("syscount -p: the ptrace fallback counts new threads and not child processes, as BPF does",
          "[privileged][trace]") {
  const slt::Table ptrace = count_attached("ptrace");
  const slt::Table bpf = count_attached("bpf");
  INFO("ptrace:\n" << slt::to_string(ptrace) << "bpf:\n" << slt::to_string(bpf));
  for (const auto* t : {&ptrace, &bpf}) {
    CHECK(t->count("getppid") == 1);
    if (t->count("getppid")) CHECK(t->at("getppid") == slt::Counts{kThreadCalls, 0});  // the thread's
    CHECK(t->count("getpgrp") == 0);  // the children's
    CHECK(t->count("clone3") == 1);   // main's: the thread
    if (t->count("clone")) CHECK(t->at("clone") == slt::Counts{2, 0});  // main's: the children
  }
  // The rest alike, but for what depends on timing: whether the join had to
  // wait (futex), and the rt_sigsuspend in flight when each attached (the
  // ptrace attach restarts it, BPF sees only its end).
  const std::vector<std::string> timing = {"futex", "rt_sigsuspend"};
  const std::string diff =
      slt::compare_tables(slt::without(ptrace, timing), slt::without(bpf, timing), "ptrace", "bpf");
  INFO(diff);
  CHECK(diff.empty());
}

// How many lines of each call `TOOL -p PID [-f]` writes over the target's run.
std::map<std::string, int> trace_attached(const std::string& tool, bool follow, const std::vector<std::string>& target_argv) {
  Gated target(target_argv);
  slt::TempDir dir;
  std::vector<std::string> argv = {tool == "systrace" ? kSystrace : "strace", "-p", std::to_string(target.pid()), "-o",
                                   dir.file("trace.txt")};
  if (follow) argv.push_back("-f");
  slt::Background run(argv);
  REQUIRE(run.wait_for_stderr(tool + ": Process " + std::to_string(target.pid()) + " attached", 15));
  target.wait_restarted();
  target.go_and_wait();
  const auto r = run.wait(15);
  INFO(tool << (follow ? " -f" : "") << ": " << r.err);
  REQUIRE(r.status == 0);
  // Lines may start with "[pid N] " (several threads) or "N " (-f -o). strace
  // splits a call another thread interrupted: "getppid( <unfinished ...>" and
  // "<... getppid resumed>"; each call is counted at its first line.
  static const std::regex call(R"(^(?:\[pid +\d+\] |\d+ +)?([a-z_0-9]+)\()");
  std::map<std::string, int> calls;
  for (const auto& line : lines_of(slt::read_file(dir.file("trace.txt")))) {
    std::smatch m;
    if (std::regex_search(line, m, call)) ++calls[m[1]];
  }
  return calls;
}

int calls_of(const std::map<std::string, int>& calls, const std::string& name) {
  auto it = calls.find(name);
  return it == calls.end() ? 0 : it->second;
}

// strace -p without -f traces only the thread named, and follows neither new
// threads nor children; with -f it attaches every thread and follows both.
TEST_CASE("systrace -p follows threads and children only with -f, as strace -p does", "[privileged][trace]") {
  // wl_threads 3 5: three threads there before the attach make 5, 10 and 15 getppid.
  const std::vector<std::string> threads = {slt::workload("wl_threads"), "3", "5"};
  for (const bool follow : {false, true}) {
    INFO((follow ? "with -f" : "without -f"));
    const auto ours = trace_attached("systrace", follow, spawner());
    const auto theirs = trace_attached("strace", follow, spawner());
    CHECK(calls_of(ours, "getppid") == (follow ? kThreadCalls : 0));  // the new thread's
    CHECK(calls_of(ours, "getpgrp") == (follow ? kForkCalls + kCloneCalls : 0));  // the children's
    CHECK(calls_of(theirs, "getppid") == calls_of(ours, "getppid"));
    CHECK(calls_of(theirs, "getpgrp") == calls_of(ours, "getpgrp"));
    const auto ours_threads = trace_attached("systrace", follow, threads);
    const auto theirs_threads = trace_attached("strace", follow, threads);
    CHECK(calls_of(ours_threads, "getppid") == (follow ? 30 : 0));
    CHECK(calls_of(theirs_threads, "getppid") == calls_of(ours_threads, "getppid"));
  }
}
