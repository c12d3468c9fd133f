// Faults on every long-running tool (syscount, syslat, sysslow, syslat-top -b,
// syslatd, systrace): stop signals, a traced process that exits, execs or is
// killed, no privilege, a closed output pipe, the tool itself SIGKILLed. Each
// ends with what a user needs (a report, status 0, a one-line reason) and no
// BPF program or link of ours left behind (ids seen held while running).
#include <catch2/catch.hpp>

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "test_support.h"

namespace {

std::string bin(const std::string& name) { return std::string(SYSLAT_BUILD_DIR "/") + name; }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

size_t count_lines_starting(const std::string& text, const std::string& prefix) {
  size_t n = 0;
  for (const auto& l : lines_of(text)) n += l.rfind(prefix, 0) == 0;
  return n;
}

// Lines of stderr that are neither the start-up notice nor an expected
// one: what a user would read as an error.
std::string unexpected_stderr(const std::string& err, const std::vector<std::string>& expected_prefixes) {
  std::string out;
  for (const auto& l : lines_of(err)) {
    bool ok = false;
    for (const auto& p : expected_prefixes) ok = ok || l.rfind(p, 0) == 0;
    if (!ok) out += l + "\n";
  }
  return out;
}

std::string tracer_pid(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string l; std::getline(in, l);)
    if (l.rfind("TracerPid:", 0) == 0) return l.substr(l.find_first_not_of(" \t", 10));
  return "";
}

int free_port() {
  static int next = 20000 + getpid() % 20000;
  return next++;
}

// A long-running tool: how to start it (given a target pid that loops),
// the stderr line that says it runs, and what its end must show.
struct Tool {
  std::string label;
  std::function<std::vector<std::string>(pid_t target)> argv;
  std::string ready;  // stderr prefix once running
  bool bpf = true;
  std::function<bool(const slt::RunResult&)> ended_well;  // the final report or clean end
};

std::vector<Tool> tools() {
  const auto pid = [](pid_t p) { return std::to_string(p); };
  const int port = free_port();
  return {
      {"syscount", [](pid_t) { return std::vector<std::string>{bin("syscount")}; }, "Tracing syscalls", true,
       [](const slt::RunResult& r) { return r.out.rfind("SYSCALL", 0) == 0; }},
      {"syslat -p", [=](pid_t t) { return std::vector<std::string>{bin("syslat"), "-p", pid(t)}; }, "Tracing syscalls", true,
       [](const slt::RunResult& r) { return r.out.find("getpgrp") != std::string::npos && r.out.find("p50 ") != std::string::npos; }},
      {"syslat -i 1", [](pid_t) { return std::vector<std::string>{bin("syslat"), "-i", "1"}; }, "Tracing syscalls", true,
       [](const slt::RunResult& r) { return r.out.find("p50 ") != std::string::npos; }},
      {"sysslow -p", [=](pid_t t) { return std::vector<std::string>{bin("sysslow"), "-p", pid(t), "--threshold", "5ms"}; },
       "Tracing slow syscalls", true,
       [](const slt::RunResult& r) {
         const auto l = lines_of(r.out);
         return !l.empty() && l.back().find(" slow call") != std::string::npos;
       }},
      {"syslat-top -b", [](pid_t) { return std::vector<std::string>{bin("syslat-top"), "-b"}; }, "Tracing syscalls", true,
       [](const slt::RunResult& r) { return r.out.find(" syslat-top ") != std::string::npos; }},
      {"syslatd", [=](pid_t) { return std::vector<std::string>{bin("syslatd"), "--listen", "127.0.0.1:" + std::to_string(port)}; },
       "syslatd: serving", true,
       [](const slt::RunResult& r) { return count_lines_starting(r.err, "syslatd: stopped") == 1; }},
      {"systrace -c -p", [=](pid_t t) { return std::vector<std::string>{bin("systrace"), "-c", "-p", pid(t)}; },
       "systrace: Process", false,
       [](const slt::RunResult& r) {
         return r.err.find("detached") != std::string::npos && r.err.find(" total\n") != std::string::npos &&
                r.err.find("getpgrp") != std::string::npos;
       }},
  };
}

// A process that loops on getpgrp with a 10 ms sleep per batch (slow for sysslow -p).
struct Looper {
  slt::Background proc{{slt::workload("wl_loop"), "getpgrp", "200", "10"}};
};

}  // namespace

TEST_CASE("SIGINT, SIGTERM and SIGHUP end every long-running tool: final report, status 0, no BPF program or link left", "[privileged][faults]") {
  Looper target;
  for (const auto& tool : tools()) {
    for (const int sig : {SIGINT, SIGTERM, SIGHUP}) {
      INFO(tool.label << ", signal " << sig);
      slt::Background run(tool.argv(target.proc.pid()));
      REQUIRE(run.wait_for_stderr(tool.ready, 15));
      const slt::BpfIds held = slt::bpf_ids_of(run.pid());
      if (tool.bpf) {
        // The check below can fail: while running, the ids are there.
        REQUIRE(held.progs.size() >= 2);
        REQUIRE(!held.links.empty());
        REQUIRE(slt::bpf_left_behind(held, 0) != "");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      run.signal(sig);
      const auto r = run.wait(10);
      INFO("status " << r.status << "\nstdout:\n" << r.out.substr(0, 3000) << "\nstderr:\n" << r.err);
      CHECK(r.status == 0);
      CHECK(tool.ended_well(r));
      // Nothing but the tool's own notices (systrace -c: its table goes to stderr).
      if (tool.bpf) CHECK(unexpected_stderr(r.err, {tool.ready, "syslatd: SIG", "syslatd: stopped"}) == "");
      if (tool.bpf) CHECK(slt::bpf_left_behind(held) == "");
      if (!tool.bpf) CHECK(tracer_pid(target.proc.pid()) == "0");  // detached, running on
      REQUIRE(target.proc.running());
    }
  }
}

namespace {

// A line "Name:\tvalue" of /proc/PID/status, the value.
std::string status_field(pid_t pid, const std::string& name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string l; std::getline(in, l);)
    if (l.rfind(name + ":", 0) == 0) return l.substr(l.find_first_not_of(" \t", name.size() + 1));
  return "";
}

// The signal masks of the process's signalfds (fdinfo's "sigmask:" lines).
std::vector<uint64_t> signalfd_masks(pid_t pid) {
  std::vector<uint64_t> masks;
  const std::string dir = "/proc/" + std::to_string(pid) + "/fdinfo";
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::ifstream in(dir + "/" + e->d_name);
      for (std::string l; std::getline(in, l);)
        if (l.rfind("sigmask:", 0) == 0) masks.push_back(std::stoull(l.substr(8), nullptr, 16));
    }
    closedir(d);
  }
  return masks;
}

uint64_t bit(int sig) { return uint64_t{1} << (sig - 1); }

}  // namespace

TEST_CASE("Every long-running tool runs in one thread, with no signal handler: its stop signals come from a signalfd", "[privileged][faults]") {
  Looper target;
  std::vector<Tool> all = tools();
  all.push_back({"syslat --backend ptrace -p",
                 [](pid_t t) { return std::vector<std::string>{bin("syslat"), "--backend", "ptrace", "-p", std::to_string(t)}; },
                 "Tracing syscalls", false, [](const slt::RunResult& r) { return r.out.find("getpgrp") != std::string::npos; }});
  const uint64_t stops = bit(SIGINT) | bit(SIGTERM) | bit(SIGHUP) | bit(SIGCHLD) | bit(SIGPIPE);
  for (const auto& tool : all) {
    INFO(tool.label);
    slt::Background run(tool.argv(target.proc.pid()));
    REQUIRE(run.wait_for_stderr(tool.ready, 15));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    // No thread of its own for an HTTP server or a tracer: one loop.
    CHECK(status_field(run.pid(), "Threads") == "1");
    // No handler: a signal cannot interrupt what it is doing. (A sanitizer
    // build's runtime catches the fault signals, to report a crash.)
    const uint64_t faults = bit(SIGSEGV) | bit(SIGBUS) | bit(SIGFPE) | bit(SIGILL);
    CHECK((std::stoull(status_field(run.pid(), "SigCgt"), nullptr, 16) & ~faults) == 0);
    CHECK((std::stoull(status_field(run.pid(), "SigBlk"), nullptr, 16) & stops) == stops);
    const auto masks = signalfd_masks(run.pid());
    CHECK(std::count_if(masks.begin(), masks.end(), [&](uint64_t m) { return (m & stops) == stops; }) == 1);
    run.signal(SIGTERM);
    const auto r = run.wait(10);
    INFO("stdout:\n" << r.out.substr(0, 2000) << "\nstderr:\n" << r.err);
    CHECK(r.status == 0);
    CHECK(tool.ended_well(r));
  }
}

namespace {

// A tool watching one process (-p), for the fates of that process.
struct Targeted {
  std::string label;
  std::vector<std::string> argv;  // without -p PID
  std::string ready;
  std::vector<std::string> stderr_ok;  // prefixes allowed on stderr
};

std::vector<Targeted> targeted() {
  return {
      {"syscount -p", {bin("syscount")}, "Tracing syscalls", {"Tracing syscalls"}},
      {"syslat -p", {bin("syslat")}, "Tracing syscalls", {"Tracing syscalls"}},
      {"sysslow -p", {bin("sysslow"), "--threshold", "5ms"}, "Tracing slow syscalls", {"Tracing slow syscalls"}},
      {"syslat-top -b -p", {bin("syslat-top"), "-b", "-i", "0.2"}, "Tracing syscalls", {"Tracing syscalls"}},
      {"systrace -p", {bin("systrace"), "-o", "/dev/null"}, "systrace: Process", {"systrace: Process"}},
  };
}

}  // namespace

TEST_CASE("A -p target that exits or is killed with SIGKILL mid-run: every tool reports and ends with status 0, no error", "[privileged][faults]") {
  for (const bool killed : {false, true}) {
    for (const auto& tool : targeted()) {
      INFO(tool.label << (killed ? ": target SIGKILLed" : ": target exits"));
      slt::Background target({slt::workload("wl_gate"), "3000"});
      REQUIRE(target.wait_for_stderr("ready"));
      std::vector<std::string> argv = tool.argv;
      argv.insert(argv.end(), {"-p", std::to_string(target.pid())});
      slt::Background run(argv);
      REQUIRE(run.wait_for_stderr(tool.ready, 15));
      const slt::BpfIds held = slt::bpf_ids_of(run.pid());
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      target.signal(killed ? SIGKILL : SIGUSR1);
      target.wait(10);
      const auto r = run.wait(10);  // ends by itself
      INFO("status " << r.status << (r.timed_out ? " (timed out)" : "") << "\nstdout:\n" << r.out.substr(0, 3000)
                     << "\nstderr:\n" << r.err);
      CHECK(!r.timed_out);
      CHECK(r.status == 0);
      CHECK(unexpected_stderr(r.err, tool.stderr_ok) == "");
      if (tool.label == "systrace -p") {
        CHECK(r.err.find("detached") != std::string::npos);
      } else {
        CHECK(!held.progs.empty());
        CHECK(!r.out.empty());  // the final report (or frame)
        if (!killed && tool.label != "sysslow -p") CHECK(r.out.find("getppid") != std::string::npos);
        // Only the target's calls: never the tool's own start-up (bpf) from before the filter was set.
        for (const auto& l : lines_of(r.out)) CHECK(l.rfind(" bpf ", 0) == std::string::npos);
        for (const auto& l : lines_of(r.out)) CHECK(l.rfind(">bpf ", 0) == std::string::npos);
        CHECK(slt::bpf_left_behind(held) == "");
      }
    }
  }
}

TEST_CASE("A -p target that execs stays traced under its new image until it exits", "[privileged][faults]") {
  // Before the exec: 300 getppid; after it, wl_basic's 200 (or wl_sleep's 2 x 30 ms sleeps).
  auto start_target = [](const std::vector<std::string>& then) {
    std::vector<std::string> argv = {slt::workload("wl_gate"), "300"};
    argv.insert(argv.end(), then.begin(), then.end());
    auto target = std::make_unique<slt::Background>(argv);
    REQUIRE(target->wait_for_stderr("ready"));
    return target;
  };
  const std::vector<std::string> basic = {slt::workload("wl_basic"), "200", "0", "0"};

  SECTION("syscount and syslat: exact counts across the exec") {
    for (const auto& tool : {slt::syscount_bin(), slt::syslat_bin()}) {
      auto target = start_target(basic);
      slt::Tracer tracer(tool, {"-p", std::to_string(target->pid())});
      target->signal(SIGUSR1);
      REQUIRE(target->wait(10).status == 0);
      const auto r = tracer.finish(10);
      INFO(r.describe() << slt::to_string(r.table));
      REQUIRE(r.run.status == 0);
      CHECK(r.table.at("getppid") == slt::Counts{500, 0});
      CHECK(r.table.at("execve") == slt::Counts{1, 0});
      CHECK(r.table.at("exit_group") == slt::Counts{1, 0});
    }
  }
  SECTION("sysslow: the new image's slow calls, under its name") {
    auto target = start_target({slt::workload("wl_sleep"), "2", "30000000"});
    slt::TempDir dir;
    slt::Background run({bin("sysslow"), "--threshold", "20ms", "-j", "-o", dir.file("out.json"), "-p",
                         std::to_string(target->pid())});
    REQUIRE(run.wait_for_stderr("Tracing slow syscalls", 15));
    target->signal(SIGUSR1);
    REQUIRE(target->wait(10).status == 0);
    const auto r = run.wait(10);
    INFO(r.err << slt::read_file(dir.file("out.json")));
    REQUIRE(r.status == 0);
    size_t sleeps = 0;
    uint64_t summary_events = 0;
    for (const auto& e : slt::read_ndjson(dir.file("out.json"))) {
      if (e.at("type") == "slow" && e.at("syscall") == "nanosleep" && e.at("comm") == "wl_sleep") ++sleeps;
      if (e.at("type") == "slow_summary") summary_events = e.at("events").get<uint64_t>();
    }
    CHECK(sleeps == 2);
    CHECK(summary_events >= 2);
  }
  SECTION("syslat-top -b: goes on after the exec, ends when the process exits") {
    auto target = start_target({slt::workload("wl_loop"), "getpgrp", "100", "20", "25"});  // ~0.5 s after the exec
    slt::Background run({bin("syslat-top"), "-b", "-i", "0.2", "-p", std::to_string(target->pid())});
    REQUIRE(run.wait_for_stderr("Tracing syscalls", 15));
    target->signal(SIGUSR1);
    REQUIRE(target->wait(10).status == 0);
    const auto r = run.wait(10);
    INFO(r.err << r.out.substr(0, 4000));
    CHECK(r.status == 0);
    CHECK(!r.timed_out);
    CHECK(r.out.find(">getpgrp ") != std::string::npos);  // the new image's loop, selected at the top
  }
  SECTION("systrace -p: the calls of the new image") {
    auto target = start_target(basic);
    slt::TempDir dir;
    slt::Background run({bin("systrace"), "-o", dir.file("trace.txt"), "-p", std::to_string(target->pid())});
    REQUIRE(run.wait_for_stderr("systrace: Process", 15));
    target->signal(SIGUSR1);
    REQUIRE(target->wait(10).status == 0);
    const auto r = run.wait(10);
    const std::string trace = slt::read_file(dir.file("trace.txt"));
    INFO(r.err << trace.substr(0, 3000));
    CHECK(r.status == 0);
    CHECK(count_lines_starting(trace, "getppid()") == 500);
    CHECK(count_lines_starting(trace, "execve(\"" + slt::workload("wl_basic") + "\"") == 1);
    CHECK(lines_of(trace).back() == "+++ exited with 0 +++");
  }
}

TEST_CASE("A system-wide run is not ended by a process dying", "[privileged][faults]") {
  for (const auto& argv : std::vector<std::vector<std::string>>{{bin("syscount")}, {bin("sysslow")}, {bin("syslat-top"), "-b"}}) {
    INFO(argv[0]);
    slt::Background run(argv);
    REQUIRE(run.wait_for_stderr("Tracing", 15));
    {
      Looper victim;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      victim.proc.signal(SIGKILL);
      victim.proc.wait(5);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    CHECK(run.running());
    run.signal(SIGINT);
    CHECK(run.wait(10).status == 0);
  }
}

TEST_CASE("Without CAP_BPF (capabilities dropped, or as nobody): every BPF tool exits 1 with one line saying what works without it", "[privileged][faults]") {
  const std::vector<std::vector<std::string>> drops = {
      {"setpriv", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--"},
      {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"}};
  struct Case {
    std::vector<std::string> argv;
    bool has_ptrace;
  };
  const std::vector<Case> cases = {{{bin("syscount"), "-d", "1"}, true},
                                   {{bin("syslat"), "-d", "1"}, true},
                                   {{bin("sysslow"), "-d", "1"}, true},
                                   {{bin("syslat-top"), "-b", "-d", "1"}, false},
                                   {{bin("syslatd"), "--listen", "127.0.0.1:" + std::to_string(free_port())}, false}};
  for (const auto& drop : drops) {
    for (const auto& c : cases) {
      std::vector<std::string> argv = drop;
      argv.insert(argv.end(), c.argv.begin(), c.argv.end());
      const auto r = slt::run(argv, 10);
      INFO(drop[1] << " " << c.argv[0] << ": status " << r.status << "\nstdout: " << r.out << "\nstderr: " << r.err);
      CHECK(r.status == 1);
      CHECK(r.out.empty());
      CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
      CHECK(r.err.find("CAP_BPF") != std::string::npos);
      // syslat-top and syslatd reject --backend ptrace: they must not suggest it.
      if (c.has_ptrace)
        CHECK(r.err.find("use --backend ptrace") != std::string::npos);
      else
        CHECK(r.err.find("has no ptrace backend") != std::string::npos);
    }
  }
}

TEST_CASE("As nobody, --backend auto falls back to ptrace: syslat -p of an own process and sysslow -- CMD, exactly", "[privileged][faults]") {
  slt::TempDir dir;
  const std::vector<std::string> nobody = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"};
  auto as_nobody = [&](std::vector<std::string> argv) {
    argv.insert(argv.begin(), nobody.begin(), nobody.end());
    return argv;
  };
  {
    const std::string gate_bin = slt::copy_executable(slt::workload("wl_gate"), dir.file("wl_gate"));
    slt::Background gate(as_nobody({gate_bin, "321"}));
    REQUIRE(gate.wait_for_stderr("ready"));
    REQUIRE(slt::wait_asleep_in(gate.pid(), SYS_rt_sigsuspend));
    const long switches = slt::voluntary_switches(gate.pid());
    slt::Background run(as_nobody({bin("syslat"), "--backend", "auto", "-j", "-p", std::to_string(gate.pid())}));
    REQUIRE(run.wait_for_stderr("Tracing syscalls", 15));
    // The attach interrupts rt_sigsuspend, which restarts under the tracer
    // (an attach stop and an entry stop later it sleeps again). A signal sent
    // before that ends the call unseen, as it would under strace -p.
    REQUIRE(slt::wait_asleep_in(gate.pid(), SYS_rt_sigsuspend, switches + 2));
    gate.signal(SIGUSR1);
    REQUIRE(gate.wait(10).status == 0);
    const auto r = run.wait(10);
    INFO(r.err << r.out);
    REQUIRE(r.status == 0);
    CHECK(count_lines_starting(r.err, "syslat: BPF unavailable (") == 1);
    std::vector<nlohmann::json> reports;
    for (const auto& l : lines_of(r.out)) reports.push_back(nlohmann::json::parse(l));
    const slt::Table expected = {{"rt_sigsuspend", {1, 1}}, {"rt_sigreturn", {1, 1}}, {"getppid", {321, 0}},
                                 {"exit_group", {1, 0}}};
    const std::string diff = slt::compare_tables(slt::sum_syscalls(reports), expected, "syslat (ptrace)", "expected");
    INFO(diff);
    CHECK(diff.empty());
  }
  {
    const std::string sleep_bin = slt::copy_executable(slt::workload("wl_sleep"), dir.file("wl_sleep"));
    const auto r = slt::run(as_nobody({bin("sysslow"), "--backend", "auto", "--threshold", "20ms", "-j", "--", sleep_bin,
                                       "2", "30000000", "3", "1000000"}), 30);
    INFO(r.err << r.out);
    REQUIRE(r.status == 0);
    CHECK(count_lines_starting(r.err, "sysslow: BPF unavailable (") == 1);
    size_t sleeps = 0, others = 0;
    for (const auto& l : lines_of(r.out)) {
      if (l.find("\"type\":\"slow\"") == std::string::npos) continue;
      const auto e = nlohmann::json::parse(l);
      (e.at("syscall") == "nanosleep" && e.at("duration_ns").get<uint64_t>() >= 20'000'000 ? sleeps : others)++;
    }
    CHECK(sleeps == 2);  // the 1 ms ones are under the threshold
    CHECK(others == 0);
  }
}

namespace {

// `TOOL ARGS | head -1` through sh: the tool's pid, status and stderr, and
// when it and head ended.
struct PipeRun {
  slt::TempDir dir;
  std::unique_ptr<slt::Background> sh;
  explicit PipeRun(const std::vector<std::string>& argv) {
    const std::string d = dir.path();
    const std::string script = "{ \"$@\" 2>" + d + "/err & echo $! >" + d + "/pid; wait $!; echo $? >" + d +
                               "/status; date +%s.%N >" + d + "/tool_end; } | { head -1 >" + d +
                               "/head_out; date +%s.%N >" + d + "/head_end; }";
    std::vector<std::string> sh_argv = {"/bin/sh", "-c", script, "sh"};
    sh_argv.insert(sh_argv.end(), argv.begin(), argv.end());
    sh = std::make_unique<slt::Background>(sh_argv);
  }
  pid_t tool_pid(double timeout_s = 10) {
    for (int i = 0; i < timeout_s * 50; ++i) {
      const std::string p = slt::read_file(dir.file("pid"));
      if (!p.empty() && p.back() == '\n') return std::stoi(p);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }
  std::string file(const std::string& name) const { return slt::read_file(dir.file(name)); }
  double seconds(const std::string& name) const {
    const std::string t = file(name);
    return t.empty() ? -1 : std::stod(t);
  }
};

}  // namespace

TEST_CASE("Output piped into head -1: the tool ends within 2 s of head, status 0, nothing on stderr, no BPF left", "[privileged][faults]") {
  slt::TempDir dir;
  const std::string comm = slt::unique_comm("wlpipe");
  const std::string gate_bin = slt::copy_executable(slt::workload("wl_gate"), dir.file(comm));
  // Endless loops for systrace: head's exit must end the trace, not the command.
  const std::string loop_comm = slt::unique_comm("wlpipeloop");
  const std::string loop_bin = slt::copy_executable(slt::workload("wl_loop"), dir.file(loop_comm));
  slt::Background attached_loop({loop_bin, "getppid", "1000", "10"});
  struct Case {
    std::vector<std::string> argv;
    bool bpf;
    bool gated;  // its output comes only once the gate is released
  };
  const std::vector<Case> cases = {
      {{bin("syscount"), "-i", "1"}, true, false},
      {{bin("syslat"), "-i", "1"}, true, false},
      {{bin("sysslow"), "--threshold", "0ns", "-n", comm}, true, true},
      {{bin("syslat-top"), "-b"}, true, false},
      // The command's output into head (the trace on stderr), then the trace itself into head.
      {{bin("systrace"), "--", "ls", "/"}, false, false},
      {{bin("systrace"), "-o", "/dev/stdout", "--", loop_bin, "getppid", "1000", "10"}, false, false},
      {{bin("systrace"), "-o", "/dev/stdout", "-p", std::to_string(attached_loop.pid())}, false, false},
  };
  for (const auto& c : cases) {
    INFO(c.argv[0] << " " << c.argv[1]);
    std::unique_ptr<slt::Background> gate;
    if (c.gated) {
      gate = std::make_unique<slt::Background>(std::vector<std::string>{gate_bin, "1000000"});
      REQUIRE(gate->wait_for_stderr("ready"));
    }
    PipeRun p(c.argv);
    const pid_t pid = p.tool_pid();
    REQUIRE(pid > 0);
    slt::BpfIds held;
    for (int i = 0; c.bpf && i < 500 && (held.progs.size() < 2 || held.links.empty()); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      held = slt::bpf_ids_of(pid);
    }
    if (c.bpf) REQUIRE(held.progs.size() >= 2);
    if (gate) {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));  // attached by now
      gate->signal(SIGUSR1);
    }
    const auto sh = p.sh->wait(20);
    const std::string err = p.file("err");
    INFO("status " << p.file("status") << "head read: " << p.file("head_out") << "stderr:\n" << err.substr(0, 2000));
    REQUIRE(!sh.timed_out);
    CHECK(p.file("status") == "0\n");
    CHECK(!p.file("head_out").empty());
    const double after_head = p.seconds("tool_end") - p.seconds("head_end");
    INFO("the tool ended " << after_head << " s after head");
    CHECK(after_head < 2.0);
    CHECK(err.find("ipe") == std::string::npos);  // no "Broken pipe", "EPIPE", "SIGPIPE"
    CHECK(err.find("rror") == std::string::npos);
    if (c.bpf) {
      CHECK(unexpected_stderr(err, {"Tracing"}) == "");
      CHECK(slt::bpf_left_behind(held) == "");
    }
  }
  // The launched loop went with the trace; the attached one runs on, untraced.
  CHECK(slt::run({"pgrep", "-x", loop_comm}).out == std::to_string(attached_loop.pid()) + "\n");
  REQUIRE(attached_loop.running());
  CHECK(slt::read_file("/proc/" + std::to_string(attached_loop.pid()) + "/status").find("TracerPid:\t0\n") !=
        std::string::npos);
}

TEST_CASE("syscount and syslatd killed with SIGKILL: the kernel drops their programs and links (nothing pinned)", "[privileged][faults]") {
  for (const auto& argv : std::vector<std::vector<std::string>>{
           {bin("syscount"), "-L"}, {bin("syslatd"), "--listen", "127.0.0.1:" + std::to_string(free_port())}}) {
    INFO(argv[0]);
    slt::Background run(argv);
    REQUIRE(run.wait_for_stderr(argv[0] == bin("syslatd") ? "syslatd: serving" : "Tracing syscalls", 15));
    const slt::BpfIds held = slt::bpf_ids_of(run.pid());
    REQUIRE(held.progs.size() >= 2);
    REQUIRE(!held.links.empty());
    REQUIRE(slt::bpf_left_behind(held, 0) != "");  // listed while it runs
    run.signal(SIGKILL);
    CHECK(run.wait(10).status == 128 + SIGKILL);
    CHECK(slt::bpf_left_behind(held) == "");
  }
}

TEST_CASE("systrace -p started with SIGINT and SIGTERM ignored (`systrace -p PID &` in a script) still detaches on them", "[privileged][faults]") {
  for (const int sig : {SIGINT, SIGTERM}) {
    Looper target;
    slt::Background run({"/bin/sh", "-c", "trap '' INT TERM; exec \"$0\" -o /dev/null -p \"$1\"", bin("systrace"),
                         std::to_string(target.proc.pid())});
    REQUIRE(run.wait_for_stderr("systrace: Process", 15));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    run.signal(sig);
    const auto r = run.wait(5);
    INFO("signal " << sig << ": " << r.err);
    CHECK(!r.timed_out);
    CHECK(r.status == 0);
    CHECK(r.err.find("detached") != std::string::npos);
    CHECK(tracer_pid(target.proc.pid()) == "0");
  }
}
