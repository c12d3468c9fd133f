// syslat-top: the dashboard driven in a real terminal (tmux: send-keys,
// capture-pane) while a workload runs, and its batch mode without one.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <chrono>
#include <functional>
#include <regex>
#include <sstream>
#include <thread>

#include "collect/func_source.h"
#include "test_support.h"

namespace {

std::string top_bin() { return std::string(SYSLAT_BUILD_DIR) + "/syslat-top"; }

// A paced loop of getpgrp (by far the most frequent call on this machine)
// with a 20 ms nanosleep per batch: a slow call under the 10 ms default.
struct Workload {
  slt::TempDir dir;
  std::string comm = slt::unique_comm("wltop");
  std::string path = slt::copy_executable(slt::workload("wl_loop"), dir.file(comm));
  slt::Background proc{{path, "getpgrp", "2000", "20"}};
};

// A tmux server of our own (-L) with one 80x24 window running a shell.
class Tmux {
 public:
  Tmux() : socket_("syslat-test-" + std::to_string(getpid())) {
    std::vector<std::string> args = {"new-session", "-d", "-s", "t", "-x", "80", "-y", "24", "env", "-i",
                                     "PATH=/usr/bin:/bin:/usr/sbin:/sbin", "TERM=xterm-256color", "HOME=/tmp", "PS1=$ "};
    // The ASan build's options reach syslat-top too (its reports land in the
    // pane; a finding makes its exit status, TOP_EXIT, non-zero).
    for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"})
      if (const char* value = getenv(name)) args.push_back(std::string(name) + "=" + value);
    args.push_back("sh");
    const auto r = run(args);
    if (r.status != 0) throw std::runtime_error("tmux new-session failed: " + r.err);
    run({"set-option", "-t", "t", "window-size", "manual"});
  }
  ~Tmux() { run({"kill-server"}); }

  slt::RunResult run(std::vector<std::string> args) {
    args.insert(args.begin(), {"tmux", "-L", socket_});
    return slt::run(args, 10);
  }
  void keys(const std::vector<std::string>& keys) {
    std::vector<std::string> args = {"send-keys", "-t", "t"};
    args.insert(args.end(), keys.begin(), keys.end());
    run(args);
  }
  void type(const std::string& text) { keys({"-l", text}); }
  std::string screen() { return run({"capture-pane", "-p", "-t", "t"}).out; }
  void resize(int w, int h) { run({"resize-window", "-t", "t", "-x", std::to_string(w), "-y", std::to_string(h)}); }

  // Polls the screen until `ok` holds (returns true) or timeout_s passes.
  bool wait_for(const std::function<bool(const std::string&)>& ok, double timeout_s = 10) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (std::chrono::steady_clock::now() < end) {
      last_ = screen();
      if (ok(last_)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  bool wait_text(const std::string& text, double timeout_s = 10) {
    return wait_for([&](const std::string& s) { return s.find(text) != std::string::npos; }, timeout_s);
  }
  const std::string& last() const { return last_; }

 private:
  std::string socket_;
  std::string last_;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// The top panel's selected row: the one starting with '>'.
std::string selected_syscall(const std::string& screen) {
  for (const auto& l : lines_of(screen))
    if (!l.empty() && l[0] == '>') return l.substr(1, l.find(' ') - 1);
  return "";
}

// The syscalls listed in the top panel: the lines between its header and
// the histogram panel's title ("NAME  N calls ...").
std::vector<std::string> top_rows(const std::string& screen) {
  std::vector<std::string> rows;
  bool in_top = false;
  for (const auto& l : lines_of(screen)) {
    if (l.rfind(" SYSCALL", 0) == 0) {
      in_top = true;
    } else if (in_top) {
      if (l.find(" calls  ") != std::string::npos || l.size() < 2) break;
      std::istringstream in(l.substr(1));
      std::string name;
      in >> name;
      rows.push_back(name);
    }
  }
  return rows;
}

bool has_line_starting(const std::string& screen, const std::string& prefix) {
  for (const auto& l : lines_of(screen))
    if (l.rfind(prefix, 0) == 0) return true;
  return false;
}

// The split line under the histogram (the last one in batch output, which
// holds a frame per refresh): " on-CPU 0.1%, runqueue 0.0%, I/O 0.0%, sleep 99.9% ...".
struct SplitLine {
  std::string text;
  double oncpu = -1, runq = -1, iowait = -1, sleep = -1;
};

SplitLine split_line(const std::string& screen) {
  SplitLine out;
  const std::regex shares(R"(^ on-CPU ([\d.]+)%, runqueue ([\d.]+)%, I/O ([\d.]+)%, sleep ([\d.]+)%)");
  for (const auto& l : lines_of(screen)) {
    std::smatch m;
    if (!std::regex_search(l, m, shares)) continue;
    out = {l, std::stod(m[1]), std::stod(m[2]), std::stod(m[3]), std::stod(m[4])};
  }
  return out;
}

}  // namespace

TEST_CASE("syslat-top in an 80x24 terminal: panels, keys, live PID filter, resize, and a usable shell after q", "[privileged]") {
  Workload w;
  Tmux tmux;
  tmux.type("stty -g > /tmp/syslat-top-stty-$$.before; " + top_bin() + " -i 0.5; echo TOP_EXIT=$?; stty -g | cmp - /tmp/syslat-top-stty-$$.before && echo STTY_SAME; rm -f /tmp/syslat-top-stty-$$.before");
  tmux.keys({"Enter"});

  // Top panel: the workload's syscall, selected (highest rate) with its
  // histogram below; the slow panel shows its 20 ms nanosleep.
  REQUIRE(tmux.wait_for([&](const std::string& s) {
    return selected_syscall(s) == "getpgrp" && s.find(w.comm) != std::string::npos;
  }, 15));
  std::string s = tmux.last();
  INFO("first screen:\n" << s);
  const auto lines = lines_of(s);
  CHECK(lines.size() == 24);
  for (const auto& l : lines) CHECK(l.size() <= 80);
  CHECK(s.find("syslat-top") != std::string::npos);
  CHECK(s.find("SYSCALL") != std::string::npos);
  CHECK(s.find("CALLS/s*") != std::string::npos);  // sorted by rate
  CHECK(has_line_starting(s, " getpgrp  "));       // the histogram panel's title
  CHECK(s.find("us |") != std::string::npos);      // its buckets
  CHECK(s.find("nanosleep(") != std::string::npos);

  // s: sort by average latency -> the header marks AVG, the title says so.
  tmux.type("s");
  CHECK(tmux.wait_text("sort avg latency"));
  CHECK(tmux.last().find("AVG*") != std::string::npos);

  // Down: another syscall is selected and its histogram shows.
  const std::string before = selected_syscall(tmux.last());
  tmux.keys({"Down"});
  REQUIRE(tmux.wait_for([&](const std::string& x) { return !selected_syscall(x).empty() && selected_syscall(x) != before; }));
  const std::string now_selected = selected_syscall(tmux.last());
  CHECK(has_line_starting(tmux.last(), " " + now_selected + "  "));

  // p PID Enter: only the workload is counted from now on (the kernel's
  // filter changes; nothing is reloaded). The 1 s window then holds only
  // its calls: getpgrp and nanosleep.
  tmux.type("p");
  REQUIRE(tmux.wait_text("PID filter"));
  tmux.type(std::to_string(w.proc.pid()));
  tmux.keys({"Enter"});
  REQUIRE(tmux.wait_text("pid " + std::to_string(w.proc.pid())));
  tmux.type("ss");  // avg -> time -> rate
  tmux.type("z");  // 10s -> 60s
  CHECK(tmux.wait_text("window 60s"));
  tmux.type("zz");  // -> all -> 1s
  REQUIRE(tmux.wait_text("window 1s"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  REQUIRE(tmux.wait_for([&](const std::string& x) {
    const auto rows = top_rows(x);
    if (rows.empty()) return false;
    for (const auto& r : rows)
      if (r != "getpgrp" && r != "nanosleep") return false;
    return true;
  }, 10));

  // Resize to 120x40: redrawn to the new size; back to 80x24.
  tmux.resize(120, 40);
  REQUIRE(tmux.wait_for([&](const std::string& x) {
    const auto l = lines_of(x);
    size_t widest = 0;  // capture-pane drops trailing blanks: some line reaches past 80
    for (const auto& line : l) widest = std::max(widest, line.size());
    return l.size() == 40 && widest > 80 && widest <= 120 && x.find("SYSCALL") != std::string::npos;
  }));
  // Too small: a notice instead of broken panels, and back.
  tmux.resize(40, 12);
  CHECK(tmux.wait_text("terminal too small"));
  tmux.resize(80, 24);
  REQUIRE(tmux.wait_for([&](const std::string& x) {
    const auto l = lines_of(x);
    return l.size() == 24 && x.find("SYSCALL") != std::string::npos && x.find("too small") == std::string::npos;
  }));

  // ? help, any key closes it; q quits with status 0 and the terminal as it was.
  tmux.type("?");
  CHECK(tmux.wait_text("this help; any key closes it"));
  tmux.type("x");
  CHECK(tmux.wait_text("SYSCALL"));
  tmux.type("q");
  const bool exited = tmux.wait_text("TOP_EXIT=0");
  INFO("last screen (a sanitizer report ends here):\n" << tmux.last());
  REQUIRE(exited);
  CHECK(tmux.wait_text("STTY_SAME"));
  tmux.type("echo ALIVE-$((40+2))");
  tmux.keys({"Enter"});
  CHECK(tmux.wait_text("ALIVE-42"));
}

TEST_CASE("syslat-top without a terminal prints the panels as text every refresh and ends after -d", "[privileged]") {
  Workload w;
  const auto r = slt::run({top_bin(), "-d", "2.2", "-i", "0.5", "-p", std::to_string(w.proc.pid())}, 30);
  INFO(r.err << r.out);
  REQUIRE(r.status == 0);
  CHECK(r.elapsed_s < 6);
  // One frame per refresh: 4 in 2.2 s at 0.5 s.
  size_t frames = 0;
  for (size_t at = 0; (at = r.out.find(" syslat-top ", at)) != std::string::npos; ++at) ++frames;
  CHECK(frames >= 3);
  CHECK(frames <= 5);
  CHECK(r.out.find("filter pid " + std::to_string(w.proc.pid())) != std::string::npos);
  CHECK(has_line_starting(r.out, ">getpgrp "));
  CHECK(has_line_starting(r.out, " getpgrp  "));
  CHECK(r.out.find("us |#") != std::string::npos);
  CHECK(r.out.find(w.comm) != std::string::npos);  // the slow nanosleep
  CHECK(r.out.find("\x1b") == std::string::npos);  // plain text, no escape sequences
  // Under the histogram: where getpgrp's time went (on CPU; it never sleeps).
  const SplitLine sl = split_line(r.out);
  CHECK(sl.text.find("switched out") != std::string::npos);
  CHECK(sl.oncpu + sl.runq + sl.iowait + sl.sleep == Approx(100).margin(0.25));
  CHECK(sl.sleep < 50);
}

TEST_CASE("syslat-top -b ends with a -p target", "[privileged]") {
  // (Bad values: tests/test_cli_badinput.cpp.)
  slt::TempDir dir;
  const std::string comm = slt::unique_comm("wltopb");
  slt::Background quick({slt::copy_executable(slt::workload("wl_loop"), dir.file(comm)), "getpgrp", "100", "100", "10"});
  const auto r = slt::run({top_bin(), "-b", "-i", "0.2", "-p", std::to_string(quick.pid())}, 30);
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.elapsed_s < 5);
}

TEST_CASE("syslat-top resized to 20x10 says the terminal is too small, back at 80x24 draws the full panels again", "[privileged][faults]") {
  Workload w;
  Tmux tmux;
  tmux.type(top_bin() + " -i 0.2; echo TOP_EXIT=$?");
  tmux.keys({"Enter"});
  auto full_panels = [](const std::string& x) {
    const auto l = lines_of(x);
    return l.size() == 24 && x.find("SYSCALL") != std::string::npos && x.find("CALLS/s") != std::string::npos &&
           x.find("too small") == std::string::npos;
  };
  REQUIRE(tmux.wait_for(full_panels, 15));
  tmux.resize(20, 10);
  CHECK(tmux.wait_for([](const std::string& x) {
    const auto l = lines_of(x);
    return l.size() == 10 && x.find("too small") != std::string::npos;
  }));
  INFO("at 20x10:\n" << tmux.last());
  tmux.resize(80, 24);
  CHECK(tmux.wait_for(full_panels));
  INFO("back at 80x24:\n" << tmux.last());
  tmux.type("q");
  CHECK(tmux.wait_text("TOP_EXIT=0"));  // it did not crash on the way
}

// The summary's slow count comes from the kernel's per-syscall counters, so a
// flood the ring buffer cannot hold (every call slow at 0ns) is counted whole.
TEST_CASE("syslat-top counts every slow call of a flood, not only those the ring buffer held", "[privileged]") {
  slt::TempDir dir;
  const std::string comm = slt::unique_comm("wltopfl");
  const std::string bin = slt::copy_executable(slt::workload("wl_basic"), dir.file(comm));
  slt::Background top({top_bin(), "-b", "-i", "0.5", "-n", comm, "-S", "getppid", "--threshold", "0ns", "-d", "6"});
  usleep(1'500'000);  // attached (the first frames are out)
  const uint64_t n = 300000;
  REQUIRE(slt::run({bin, std::to_string(n), "0", "0"}).status == 0);
  const auto r = top.wait(30);
  INFO(r.err);
  REQUIRE(r.status == 0);
  std::smatch m;
  std::string last;  // the last frame's summary line: "... lost L  slow N ..."
  const std::regex summary(R"(lost (\d+)  slow (\d+))");
  for (auto it = std::sregex_iterator(r.out.begin(), r.out.end(), summary); it != std::sregex_iterator(); ++it)
    last = (*it)[0];
  INFO(r.out.substr(r.out.size() > 3000 ? r.out.size() - 3000 : 0));
  REQUIRE(std::regex_search(last, m, std::regex(R"(lost (\d+)  slow (\d+))")));
  CHECK(std::stoull(m[2]) == n);
}

// A sleeper next to a busy loop: by rate the loop's getpgrp comes first,
// nearly all on CPU; s cycles rate, avg, time and then off-CPU time, which
// puts nanosleep first, and its split says where its time went: asleep.
TEST_CASE("syslat-top shows where the selected syscall's time went, and s reaches the off-CPU sort", "[privileged]") {
  Workload w;  // getpgrp x 2000, then a 20 ms nanosleep, in a loop
  slt::TempDir dir;
  const std::string comm = slt::unique_comm("wltopsl");
  slt::Background sleeper({slt::copy_executable(slt::workload("wl_sleep"), dir.file(comm)), "10000", "20000000"});
  Tmux tmux;
  tmux.type(top_bin() + " -i 0.5 -p " + std::to_string(w.proc.pid()) + "," + std::to_string(sleeper.pid()) +
            "; echo TOP_EXIT=$?");
  tmux.keys({"Enter"});

  // By rate: getpgrp, selected; its split line under its histogram.
  REQUIRE(tmux.wait_for([&](const std::string& x) {
    return selected_syscall(x) == "getpgrp" && split_line(x).oncpu >= 0;
  }, 15));
  {
    const std::string& x = tmux.last();
    INFO(x);
    const SplitLine sl = split_line(x);
    CHECK(sl.text.find("switched out: ") != std::string::npos);  // 80 columns: the short form
    CHECK(sl.oncpu + sl.runq + sl.iowait + sl.sleep == Approx(100).margin(0.25));
    CHECK(sl.sleep < 50);  // getpgrp does not sleep (preemption is runqueue, and rare)
    const auto l = lines_of(x);
    CHECK(l.size() == 24);
    for (const auto& line : l) CHECK(line.size() <= 80);
    // It sits right above the slow panel's header, under the histogram.
    for (size_t i = 1; i < l.size(); ++i)
      if (l[i].rfind(" TIME ", 0) == 0) CHECK(l[i - 1] == sl.text);
  }

  // s: avg, time, then off-CPU time: nanosleep first (20 ms a call, asleep),
  // selected, the header and title naming the key.
  tmux.type("s");
  REQUIRE(tmux.wait_text("sort avg latency"));
  tmux.type("s");
  REQUIRE(tmux.wait_text("sort total time"));
  tmux.type("s");
  REQUIRE(tmux.wait_for([&](const std::string& x) {
    return x.find("sort off-CPU time") != std::string::npos && x.find("by off-CPU time") != std::string::npos &&
           selected_syscall(x) == "nanosleep" && split_line(x).sleep >= 0;
  }));
  {
    const std::string& x = tmux.last();
    INFO(x);
    const auto rows = top_rows(x);
    REQUIRE(!rows.empty());
    CHECK(rows.front() == "nanosleep");
    CHECK(has_line_starting(x, " nanosleep  "));  // its histogram
    const SplitLine sl = split_line(x);
    CHECK(sl.sleep >= 95);  // the wake-up's wait for a CPU counts as sleep too
    CHECK(sl.iowait == 0);
    std::smatch m;
    REQUIRE(std::regex_search(sl.text, m, std::regex(R"(switched out: (\d+)/(\d+)$)")));
    CHECK(std::stoull(m[1]) >= 1);
    CHECK(std::stoull(m[1]) <= std::stoull(m[2]));
  }

  // Wider: the long form of the count; redrawn to the new size.
  tmux.resize(120, 40);
  REQUIRE(tmux.wait_for([&](const std::string& x) {
    return lines_of(x).size() == 40 && split_line(x).text.find(" calls)") != std::string::npos;
  }));
  INFO(tmux.last());
  CHECK(split_line(tmux.last()).text.find("  (switched out: ") != std::string::npos);
  CHECK(split_line(tmux.last()).sleep >= 95);
  tmux.resize(80, 24);
  REQUIRE(tmux.wait_for([&](const std::string& x) {
    return lines_of(x).size() == 24 && split_line(x).text.find("switched out: ") != std::string::npos &&
           split_line(x).text.find(" calls)") == std::string::npos;
  }));

  // s once more: back to rate.
  tmux.type("s");
  CHECK(tmux.wait_text("sort rate"));
  tmux.type("q");
  CHECK(tmux.wait_text("TOP_EXIT=0"));
}

TEST_CASE("syslat-top -b --sort offcpu ranks by time off the CPU and prints the selected syscall's split", "[privileged][guest]") {
  Workload w;  // getpgrp: thousands a second, on CPU; nanosleep: 50 a second, asleep
  const auto r = slt::run({top_bin(), "-b", "-d", "2.2", "-i", "0.5", "--sort", "offcpu", "-p", std::to_string(w.proc.pid())}, 30);
  INFO(r.err << r.out);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("sort off-CPU time") != std::string::npos);
  CHECK(has_line_starting(r.out, ">nanosleep "));
  CHECK(has_line_starting(r.out, " nanosleep  "));  // its histogram
  const SplitLine sl = split_line(r.out);           // the last frame's
  CHECK(sl.sleep >= 95);
  CHECK(sl.text.find("switched out") != std::string::npos);
}

TEST_CASE("syslat-top K: where the kernel allows no function probes, the panel says why and the dashboard runs on", "[privileged]") {
  if (syslat::collect::kprobes_missing_reason().empty())
    return slt::skip("this kernel has kprobes: the refusal cannot be shown here");
  Workload w;
  Tmux tmux;
  tmux.type(top_bin() + " -i 0.5 -p " + std::to_string(w.proc.pid()) + "; echo TOP_EXIT=$?");
  tmux.keys({"Enter"});
  REQUIRE(tmux.wait_for([&](const std::string& x) { return selected_syscall(x) == "getpgrp"; }, 15));
  tmux.type("K");
  REQUIRE(tmux.wait_text("KERNEL FUNCTIONS IN getpgrp"));
  REQUIRE(tmux.wait_text("this kernel allows no kernel function probes"));
  CHECK(lines_of(tmux.last()).size() == 24);
  tmux.type("K");  // closed: the histogram again
  REQUIRE(tmux.wait_for([&](const std::string& x) {
    return x.find("KERNEL FUNCTIONS") == std::string::npos && split_line(x).oncpu >= 0;
  }));
  tmux.type("q");
  CHECK(tmux.wait_text("TOP_EXIT=0"));
}
