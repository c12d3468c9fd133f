// Faults on every long-running tool (syscount, syslat, sysslow, syslat-top -b,
// syslatd, systrace): stop signals, a traced process that exits, execs or is
// killed, no privilege, a closed output pipe, the tool itself SIGKILLed. Each
// ends with what a user needs (a report, status 0, a one-line reason) and no
// BPF program or link of ours left behind (ids seen held while running).
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>
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
