// How a launched command (`-- CMD`) ends with the tool: a stop signal or -d
// is passed on to it, the tool waits for it and exits with its status; a
// second signal kills it; it inherits none of the tool's fds.
#include <catch2/catch.hpp>

#include <dirent.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "test_support.h"

namespace {

const std::string kSyscount = slt::syscount_bin();

// Pids of the processes whose comm is `comm` (the tests run uniquely named
// copies of their workloads, so these are ours).
std::vector<pid_t> pids_with_comm(const std::string& comm) {
  std::vector<pid_t> pids;
  DIR* d = opendir("/proc");
  if (!d) return pids;
  while (dirent* e = readdir(d)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid > 0 && slt::read_file("/proc/" + std::to_string(pid) + "/comm") == comm + "\n") pids.push_back(pid);
  }
  closedir(d);
  return pids;
}

// A uniquely named copy of a workload; any process of it still running at the
// end of the test is killed (a tool that fails the test may leave it behind).
class NamedWorkload {
 public:
  explicit NamedWorkload(const std::string& name)
      : comm_(slt::unique_comm("wlcmd")), path_(slt::copy_executable(slt::workload(name), dir_.file(comm_))) {}
  ~NamedWorkload() {
    for (pid_t pid : pids_with_comm(comm_)) kill(pid, SIGKILL);
  }
  const std::string& path() const { return path_; }
  bool running() const { return !pids_with_comm(comm_).empty(); }

 private:
  slt::TempDir dir_;
  std::string comm_, path_;
};

int lines_containing(const std::string& text, const std::string& what) {
  int n = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) n += line.find(what) != std::string::npos;
  return n;
}

// syscount [backend...] -d 1 -- a command that would sleep 30 s: the
// command gets SIGTERM at the deadline, the tool waits for it and exits 143.
// Returns the report's calls per syscall.
auto run_to_deadline(std::vector<std::string> backend) {
  NamedWorkload sleeper("wl_sleep");
  slt::TempDir dir;
  std::vector<std::string> argv = {kSyscount};
  argv.insert(argv.end(), backend.begin(), backend.end());
  argv.insert(argv.end(), {"-d", "1", "-j", "-o", dir.file("out.json"), "--", sleeper.path(), "1", "30000000000"});
  const auto r = slt::run(argv, 15);
  INFO("status " << r.status << "\nstderr: " << r.err);
  CHECK(r.elapsed_s < 5);
  CHECK_FALSE(sleeper.running());
  CHECK(r.status == 143);
  CHECK(lines_containing(r.err, "syscount: sent SIGTERM to ") == 1);
  return slt::sum_syscalls(slt::read_ndjson(dir.file("out.json")));
}

}  // namespace

TEST_CASE("syscount -d 1 -- CMD: CMD gets SIGTERM at the deadline, the tool waits for it and exits 143 with a report", "[privileged]") {
  const auto table = run_to_deadline({});
  INFO(slt::to_string(table));
  CHECK(table.count("execve") == 1);
  CHECK(table.count("nanosleep") == 1);  // ended by the signal, but seen
}

TEST_CASE("SIGINT to syscount -- CMD is passed on to CMD, and the tool exits with its status and counts its handler", "[privileged]") {
  NamedWorkload waiter("wl_signal_wait");
  slt::TempDir dir;
  slt::Background tool({kSyscount, "-j", "-o", dir.file("out.json"), "--", waiter.path()});
  REQUIRE(tool.wait_for_stderr("ready"));  // written by the command
  tool.signal(SIGINT);                     // the tool alone, not its process group
  const auto r = tool.wait(10);
  INFO("status " << r.status << "\nstdout: " << r.out << "\nstderr: " << r.err);
  CHECK(r.status == 7);
  CHECK(r.out == "got SIGINT\n");
  CHECK(lines_containing(r.err, "syscount: sent SIGINT to ") == 1);
  CHECK_FALSE(waiter.running());
  const auto table = slt::sum_syscalls(slt::read_ndjson(dir.file("out.json")));
  INFO(slt::to_string(table));
  CHECK(table.at("write") == slt::Counts{2, 0});  // "ready", then the handler's
  CHECK(table.at("exit_group") == slt::Counts{1, 0});
  CHECK(table.at("pause").errors == 1);
}

TEST_CASE("A CMD that ignores SIGTERM: the first SIGTERM is passed on, the second kills it, and the tool exits 137", "[privileged]") {
  NamedWorkload waiter("wl_signal_wait");
  slt::TempDir dir;
  slt::Background tool({kSyscount, "-j", "-o", dir.file("out.json"), "--", waiter.path(), "ignore-term"});
  REQUIRE(tool.wait_for_stderr("ready"));
  tool.signal(SIGTERM);
  REQUIRE(tool.wait_for_stderr("syscount: sent SIGTERM to "));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(tool.running());  // still waiting for the command, which ignores it
  CHECK(waiter.running());
  tool.signal(SIGTERM);
  const auto r = tool.wait(10);
  INFO("status " << r.status << "\nstderr: " << r.err);
  CHECK(r.status == 137);
  CHECK(lines_containing(r.err, "syscount: ") == 1);  // one notice, one line
  CHECK_FALSE(waiter.running());
  const auto table = slt::sum_syscalls(slt::read_ndjson(dir.file("out.json")));
  INFO(slt::to_string(table));
  CHECK(table.at("write") == slt::Counts{1, 0});
}

TEST_CASE("SIGHUP ends a system-wide syscount with a final report and status 0", "[privileged]") {
  slt::Tracer tracer(kSyscount, {});
  const auto r = tracer.stop(SIGHUP);
  INFO(r.describe());
  CHECK(r.run.status == 0);
  CHECK(r.reports.size() == 1);
  CHECK(!r.table.empty());
}

TEST_CASE("syscount under nohup (SIGHUP ignored) is not ended by SIGHUP", "[privileged]") {
  slt::Background tool({"/bin/sh", "-c", "trap '' HUP; exec \"$0\"", kSyscount});
  REQUIRE(tool.wait_for_stderr("Tracing syscalls"));
  tool.signal(SIGHUP);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(tool.running());
  tool.signal(SIGINT);
  const auto r = tool.wait(10);
  INFO("stderr: " << r.err);
  CHECK(r.status == 0);
  CHECK(r.out.rfind("SYSCALL", 0) == 0);
}

TEST_CASE("The launched command inherits no fd of the tool, only 0, 1 and 2", "[privileged]") {
  const auto direct = slt::run({slt::workload("wl_fds")});
  REQUIRE(direct.out == "0 1 2\n");  // the test harness leaks nothing itself
  slt::TempDir dir;
  for (const auto& options : std::vector<std::vector<std::string>>{{"-o", dir.file("out.txt")},
                                                                   {"-L", "-P", "-j", "-o", dir.file("out.json")}}) {
    std::vector<std::string> argv = {kSyscount};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.insert(argv.end(), {"--", slt::workload("wl_fds")});
    const auto r = slt::run(argv, 20);
    INFO(options.at(0) << ": status " << r.status << "\nstderr: " << r.err);
    CHECK(r.status == 0);
    CHECK(r.out == "0 1 2\n");
  }
}

TEST_CASE("syscount failing after it spawned CMD (bad -c) never lets CMD run", "[privileged]") {
  NamedWorkload fds("wl_fds");
  const auto r = slt::run({kSyscount, "-c", "/tmp", "--", fds.path()}, 20);
  INFO("stderr: " << r.err);
  CHECK(r.status == 2);
  CHECK(r.out.empty());  // wl_fds prints as soon as it runs
  CHECK_FALSE(fds.running());
}

TEST_CASE("syscount --backend ptrace -- CMD: the same rules, -d sends SIGTERM, a stop signal is passed on with the notice, a second kills", "[privileged]") {
  slt::TempDir dir;
  {
    INFO("-d 1");
    CHECK(run_to_deadline({"--backend", "ptrace"}).count("nanosleep") == 1);
  }
  {
    INFO("SIGINT, passed on");
    NamedWorkload waiter("wl_signal_wait");
    slt::Background tool({kSyscount, "--backend", "ptrace", "-j", "-o", dir.file("int.json"), "--", waiter.path()});
    REQUIRE(tool.wait_for_stderr("ready"));
    tool.signal(SIGINT);
    const auto r = tool.wait(10);
    INFO("status " << r.status << "\nstdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.status == 7);
    CHECK(r.out == "got SIGINT\n");
    CHECK(lines_containing(r.err, "syscount: sent SIGINT to ") == 1);
    CHECK(slt::sum_syscalls(slt::read_ndjson(dir.file("int.json"))).at("write") == slt::Counts{2, 0});
  }
  {
    INFO("SIGTERM ignored, then a second one");
    NamedWorkload waiter("wl_signal_wait");
    slt::Background tool({kSyscount, "--backend", "ptrace", "-j", "-o", dir.file("term.json"), "--", waiter.path(),
                          "ignore-term"});
    REQUIRE(tool.wait_for_stderr("ready"));
    tool.signal(SIGTERM);
    REQUIRE(tool.wait_for_stderr("syscount: sent SIGTERM to "));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(tool.running());
    CHECK(waiter.running());
    tool.signal(SIGTERM);
    const auto r = tool.wait(10);
    INFO("status " << r.status << "\nstderr: " << r.err);
    CHECK(r.status == 137);
    CHECK(lines_containing(r.err, "syscount: ") == 1);
    CHECK_FALSE(waiter.running());
    CHECK(slt::sum_syscalls(slt::read_ndjson(dir.file("term.json"))).at("write") == slt::Counts{1, 0});
  }
}

TEST_CASE("systrace -- CMD: a stop signal is passed on and the trace goes on until CMD exits, a second ends it and CMD", "[privileged]") {
  slt::TempDir dir;
  {
    NamedWorkload waiter("wl_signal_wait");
    slt::Background tool({slt::systrace_bin(), "-o", dir.file("int.txt"), "--", waiter.path()});
    REQUIRE(tool.wait_for_stderr("ready"));
    tool.signal(SIGINT);
    const auto r = tool.wait(10);
    INFO("status " << r.status << "\nstdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.status == 7);
    CHECK(r.out == "got SIGINT\n");
    const std::string trace = slt::read_file(dir.file("int.txt"));
    INFO(trace);
    CHECK(trace.find("--- SIGINT {si_signo=SIGINT, si_code=SI_USER") != std::string::npos);
    CHECK(trace.find("+++ exited with 7 +++") != std::string::npos);
  }
  {
    NamedWorkload waiter("wl_signal_wait");
    slt::Background tool({slt::systrace_bin(), "-o", dir.file("term.txt"), "--", waiter.path(), "ignore-term"});
    REQUIRE(tool.wait_for_stderr("ready"));
    tool.signal(SIGTERM);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(tool.running());  // the command ignores it: the trace goes on
    CHECK(waiter.running());
    tool.signal(SIGTERM);
    const auto r = tool.wait(10);
    INFO("status " << r.status << "\nstderr: " << r.err);
    CHECK(r.status == 137);
    CHECK_FALSE(waiter.running());
  }
}

TEST_CASE("syscount --run-as USER -- CMD runs CMD as USER (uid, groups, HOME), as sudo -u does, and counts it",
          "[privileged]") {
  slt::TempDir dir;
  const std::string json = dir.file("report.json");
  const auto r = slt::run({kSyscount, "--run-as", "nobody", "-j", "-o", json, "--", "/bin/sh", "-c",
                           "id -u; id -G; echo \"$HOME $USER $LOGNAME\"; exit 3"});
  INFO(r.err);
  CHECK(r.status == 3);  // CMD's
  CHECK(r.out == "65534\n65534\n/nonexistent nobody nobody\n");
  // Counted from its execve on, like any command: the shell's forks and execs.
  const std::string report = slt::read_file(json);
  CHECK(report.find("\"name\":\"execve\"") != std::string::npos);
  CHECK(report.find("\"name\":\"wait4\"") != std::string::npos);
}

TEST_CASE("systrace -u USER runs the command as USER, and --run-as is refused with one line where it has no command",
          "[privileged]") {
  const auto r = slt::run({slt::systrace_bin(), "-u", "nobody", "-e", "trace=getuid,geteuid", "--", "/usr/bin/id", "-u"});
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.out == "65534\n");
  CHECK(r.err.find("= 65534") != std::string::npos);
  for (const auto& [argv, names] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{kSyscount, "--run-as", "nobody", "-d", "1"}, "--run-as"},
           {{kSyscount, "--run-as", "no-such-user-here", "--", "/bin/true"}, "--run-as"},
           {{slt::systrace_bin(), "-u", "no-such-user-here", "/bin/true"}, "-u"}}) {
    const auto rejected = slt::check_rejected(argv, names);
    INFO(rejected.describe());
    CHECK(rejected.problem.empty());
  }
}
