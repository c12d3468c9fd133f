// sysslow: one event per call at or over its threshold, with the arguments
// decoded, path arguments read in the kernel, and the user stack.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <regex>
#include <sstream>

#include "test_support.h"

namespace {

std::string sysslow_bin() { return std::string(SYSLAT_BUILD_DIR) + "/sysslow"; }

// `sysslow OPTIONS -j -o FILE -- CMD`: the events (type "slow") of the run.
struct SlowRun {
  slt::RunResult run;
  std::vector<nlohmann::json> events;
  std::vector<nlohmann::json> other;  // lost / slow_summary objects
  std::string text;
};

// The number of the first line of tests/workloads/FILE that contains `text`.
unsigned source_line(const std::string& file, const std::string& text) {
  std::istringstream lines(slt::read_file(std::string(SYSLAT_SOURCE_DIR "/tests/workloads/") + file));
  std::string line;
  for (unsigned n = 1; std::getline(lines, line); ++n)
    if (line.find(text) != std::string::npos) return n;
  FAIL("no line " << text << " in " << file);
  return 0;
}

// Argument i of an event as the decoder shows a pointer: 0x7ffd...
std::string pointer_arg(const nlohmann::json& event, int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%#llx", static_cast<unsigned long long>(event.at("args")[i].get<uint64_t>()));
  return buf;
}

SlowRun run_slow(const std::vector<std::string>& options, const std::vector<std::string>& command) {
  slt::TempDir dir;
  std::vector<std::string> argv = {sysslow_bin()};
  argv.insert(argv.end(), options.begin(), options.end());
  argv.insert(argv.end(), {"-j", "-o", dir.file("out.json"), "--"});
  argv.insert(argv.end(), command.begin(), command.end());
  SlowRun r;
  r.run = slt::run(argv, 60);
  r.text = slt::read_file(dir.file("out.json"));
  for (const auto& j : slt::read_ndjson(dir.file("out.json"))) (j.at("type") == "slow" ? r.events : r.other).push_back(j);
  return r;
}

}  // namespace

TEST_CASE("sysslow: a read blocked 30 ms on a pipe is one event, with the fd shown as the pipe", "[privileged][guest]") {
  const auto r = run_slow({"--threshold", "1s,read=20ms"}, {slt::workload("wl_slowread"), "pipe", "30"});
  INFO(r.run.err << r.text);
  REQUIRE(r.run.status == 0);
  REQUIRE(r.events.size() == 1);
  const auto& e = r.events[0];
  CHECK(e.at("syscall") == "read");
  CHECK(e.at("nr") == 0);
  CHECK(e.at("abi") == "x86_64");
  CHECK(e.at("ret") == 1);
  CHECK(e.at("errno").is_null());
  // At least its threshold. Not the child's 30 ms: the child sleeps from the
  // fork, and a loaded machine can bring the parent to its read late.
  CHECK(e.at("duration_ns").get<uint64_t>() >= 20'000'000);
  CHECK(e.at("duration_ns").get<uint64_t>() < 2'000'000'000);
  CHECK(e.at("comm") == "wl_slowread");
  CHECK(e.at("args").size() == 6);
  CHECK(e.at("args")[2] == 1);  // count
  const std::string decoded = e.at("decoded");
  CHECK(decoded.rfind("read(", 0) == 0);
  CHECK(decoded.find("<pipe:[") != std::string::npos);
  REQUIRE(!r.other.empty());
  CHECK(r.other.back().at("type") == "slow_summary");
  CHECK(r.other.back().at("events") == 1);
  CHECK(r.other.back().at("lost") == 0);
}

TEST_CASE("sysslow: an open of a FIFO that gets a writer after 20 ms shows the FIFO's path", "[privileged][guest]") {
  slt::TempDir dir;
  const std::string fifo = dir.file("the-fifo");
  const auto r = run_slow({"--threshold", "openat=10ms", "--threshold", "1s"},
                          {slt::workload("wl_slowread"), "fifo", "20", fifo});
  INFO(r.run.err << r.text);
  REQUIRE(r.run.status == 0);
  REQUIRE(r.events.size() == 1);
  const auto& e = r.events[0];
  CHECK(e.at("syscall") == "openat");
  CHECK(e.at("duration_ns").get<uint64_t>() >= 20'000'000);
  CHECK(e.at("path") == fifo);
  const std::string decoded = e.at("decoded");
  CHECK(decoded.find("\"" + fifo + "\"") != std::string::npos);
  CHECK(decoded.find("O_RDONLY") != std::string::npos);
}

// The events sysslow shows for a command that has exited before sysslow
// reads them: sysslow (following the command by its name) is stopped while
// the command runs and resumed once the command is gone.
std::vector<nlohmann::json> events_after_exit(const std::string& threshold, const std::vector<std::string>& args) {
  slt::TempDir dir;
  const std::string comm = slt::unique_comm("wlgone");
  const std::string bin = slt::copy_executable(slt::workload("wl_slowread"), dir.file(comm));
  slt::Tracer sysslow(sysslow_bin(), {"--threshold", threshold, "-n", comm});
  kill(sysslow.pid(), SIGSTOP);
  std::vector<std::string> argv = {bin};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto workload = slt::run(argv);
  kill(sysslow.pid(), SIGCONT);
  usleep(300'000);
  const auto r = sysslow.stop();
  INFO(r.describe());
  REQUIRE(workload.status == 0);
  REQUIRE(r.run.status == 0);
  std::vector<nlohmann::json> events;
  for (const auto& j : r.reports)
    if (j.at("type") == "slow") events.push_back(j);
  return events;
}

// The kernel names a slow call's fd arguments as the call returns: a process
// that exits right after it has no /proc/PID/fd left to read by the time the
// event is shown.
TEST_CASE("sysslow: fds of a process gone right after its slow call still show what they were", "[privileged]") {
  slt::TempDir dir;
  SECTION("a pipe") {
    const auto events = events_after_exit("1s,read=25ms", {"pipe", "50", "0"});
    REQUIRE(events.size() == 1);
    const std::string decoded = events[0].at("decoded");
    INFO(decoded);
    CHECK(std::regex_search(decoded, std::regex(R"(^read\(3<pipe:\[[0-9]+\]>, 0x[0-9a-f]+, 1\)$)")));
  }
  SECTION("a file: its path") {
    const std::string fifo = dir.file("the-fifo");
    const auto events = events_after_exit("1s,read=25ms", {"fifo", "50", fifo, "0"});
    REQUIRE(events.size() == 1);
    CHECK(events[0].at("decoded") == "read(3<" + fifo + ">, " + pointer_arg(events[0], 1) + ", 1)");
  }
  SECTION("a path deeper and longer than the kernel keeps: its end, marked") {
    std::string deep = dir.path();
    for (int i = 0; i < 40; ++i) {
      deep += "/level" + std::to_string(i);
      REQUIRE(mkdir(deep.c_str(), 0700) == 0);
    }
    const std::string fifo = deep + "/the-fifo";
    const auto events = events_after_exit("1s,read=25ms", {"fifo", "50", fifo, "0"});
    REQUIRE(events.size() == 1);
    const std::string decoded = events[0].at("decoded");
    INFO(decoded);
    CHECK(decoded.rfind("read(3<.../", 0) == 0);
    CHECK(decoded.find("/level38/level39/the-fifo>, ") != std::string::npos);
    const size_t lt = decoded.find('<'), gt = decoded.find('>');
    const std::string shown = decoded.substr(lt + 4, gt - lt - 4);
    CHECK(fifo.size() > shown.size());
    CHECK(fifo.compare(fifo.size() - shown.size(), shown.size(), shown) == 0);  // a true tail of the path
  }
}

TEST_CASE("sysslow --stack names the function the blocking call was made in", "[privileged]") {
  const auto r = run_slow({"--threshold", "1s,read=20ms", "--stack"}, {slt::workload("wl_slowread"), "pipe", "30"});
  INFO(r.run.err << r.text);
  REQUIRE(r.run.status == 0);
  REQUIRE(r.events.size() == 1);
  const auto& stack = r.events[0].at("stack");
  REQUIRE(stack.size() >= 2);
  // wl_slowread is built with -g: frames show source lines. The first is
  // the instruction after the syscall, somewhere in the function's body; the
  // second the line of the call.
  const std::string first = stack[0].get<std::string>();
  INFO(first);
  const std::string prefix = "syslat_blocking_read_here (wl_slowread.c:";
  REQUIRE(first.rfind(prefix, 0) == 0);
  const unsigned line = std::stoul(first.substr(prefix.size()));
  const unsigned body = source_line("wl_slowread.c", "long syslat_blocking_read_here(int fd, char *buf)");
  CHECK(line > body);
  CHECK(line < source_line("wl_slowread.c", "long syslat_outer_frame(int fd)"));
  CHECK(stack[1].get<std::string>() ==
        "syslat_outer_frame (wl_slowread.c:" +
            std::to_string(source_line("wl_slowread.c", "long ret = syslat_blocking_read_here(fd, buf);")) + ")");
}

TEST_CASE("sysslow --stack: code without frame pointers (and libc's wrappers) unwound from .eh_frame, every frame named",
          "[privileged]") {
  // wl_stacks_nofp: -O2 -fomit-frame-pointer, as Debian builds packages. A
  // frame-pointer walk gives libc's __libc_read and stops; the stack copied
  // with each event and unwound in userspace goes down to _start.
  const auto r = run_slow({"--threshold", "1ns", "-S", "read", "--stack"}, {slt::workload("wl_stacks_nofp"), "1"});
  INFO(r.run.err << r.text);
  REQUIRE(r.run.status == 0);
  const auto at = [](const std::string& function, const std::string& marker) {
    return fmt::format("{} (wl_stacks.c:{})", function, slt::workload_line("wl_stacks.c", marker));
  };
  const std::vector<std::string> expected = {at("read_one_file", "SITE: read"), at("load_config", "SITE: read_one_file"),
                                             at("main", "SITE: load_config")};
  size_t through = 0;
  for (const auto& event : r.events) {
    const auto stack = event.at("stack").get<std::vector<std::string>>();
    if (stack.size() < 5 || stack[1] != expected[0]) continue;
    CHECK(stack[2] == expected[1]);
    CHECK(stack[3] == expected[2]);
    CHECK(stack.back().find("_start") == 0);
    ++through;
  }
  CHECK(through == 200);  // every read of load_config's 200 files
}

TEST_CASE("sysslow text output: time, call, duration and result, then who and the decoded call", "[privileged]") {
  slt::TempDir dir;
  const auto r = slt::run({sysslow_bin(), "--threshold", "1s,read=20ms", "-o", dir.file("out"), "--",
                           slt::workload("wl_slowread"), "pipe", "30"});
  REQUIRE(r.status == 0);
  const std::string text = slt::read_file(dir.file("out"));
  INFO(text);
  CHECK(text.find("read() took ") != std::string::npos);
  CHECK(text.find("  = 1\n") != std::string::npos);
  CHECK(text.find("COMM wl_slowread") != std::string::npos);
  CHECK(text.find("  read(") != std::string::npos);
  CHECK(text.find("1 slow call\n") != std::string::npos);
}

TEST_CASE("sysslow: calls under the threshold cross nothing, and only sysslow takes --stack", "[privileged]") {
  const auto quiet = run_slow({"--threshold", "1s"}, {slt::workload("wl_slowread"), "pipe", "30"});
  REQUIRE(quiet.run.status == 0);
  CHECK(quiet.events.empty());
  // Bad thresholds: tests/test_cli_badinput.cpp.
  const auto misplaced = slt::run({slt::syscount_bin(), "--stack", "-d", "1"});
  CHECK(misplaced.status == 2);
  CHECK(misplaced.err.find("only sysslow") != std::string::npos);
}

TEST_CASE("sysslow: a flood over a full ring buffer is counted, never silent: shown + lost = calls", "[privileged]") {
  // Every getppid is "slow" at 0ns; 200000 of them outrun the reader.
  const uint64_t n = 200000;
  const auto r = run_slow({"--threshold", "0ns", "-S", "getppid"},
                          {slt::workload("wl_basic"), std::to_string(n), "0", "0"});
  INFO(r.run.err);
  REQUIRE(r.run.status == 0);
  REQUIRE(!r.other.empty());
  const auto& summary = r.other.back();
  REQUIRE(summary.at("type") == "slow_summary");
  uint64_t lost_in_stream = 0;
  for (const auto& o : r.other)
    if (o.at("type") == "lost") lost_in_stream += o.at("lost").get<uint64_t>();
  CHECK(summary.at("events").get<uint64_t>() == r.events.size());
  CHECK(summary.at("lost").get<uint64_t>() == lost_in_stream);
  CHECK(r.events.size() + lost_in_stream == n);
  CHECK(lost_in_stream > 0);
}

TEST_CASE("sysslow --kstack shows where in the kernel the call waited", "[privileged]") {
  const auto r = run_slow({"--threshold", "1s,read=20ms", "--kstack"}, {slt::workload("wl_slowread"), "pipe", "30"});
  INFO(r.run.err << r.text);
  REQUIRE(r.run.status == 0);
  REQUIRE(r.events.size() == 1);
  REQUIRE(r.events[0].contains("kstack"));
  const auto& k = r.events[0].at("kstack");
  REQUIRE(k.size() >= 3);
  CHECK(k[0].get<std::string>().rfind("__schedule+0x", 0) == 0);  // our own frames are skipped
  bool in_read = false;
  for (const auto& f : k) in_read |= f.get<std::string>().rfind("vfs_read+0x", 0) == 0;
  CHECK(in_read);
}
