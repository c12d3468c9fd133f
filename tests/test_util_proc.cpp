// util/proc: names as the kernel keeps them (raw bytes, newlines included),
// numbers from status and stat found however odd the name before them, and
// whether a process is alive.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <utility>

#include "util/proc.h"

using namespace syslat::util;

namespace {

// What `read(tid)` gives in a new thread named `name`, with its name set and
// still alive (the test's own threads keep theirs; Catch's checks stay in
// this thread).
template <class F>
auto in_thread_named(const std::string& name, F read) {
  decltype(read(pid_t{})) result{};
  bool named = false;
  std::thread t([&] {
    named = prctl(PR_SET_NAME, name.c_str()) == 0;
    result = read(gettid());
  });
  t.join();
  REQUIRE(named);
  return result;
}

constexpr pid_t kNoSuchPid = 1 << 30;  // above PID_MAX_LIMIT

}  // namespace

TEST_CASE("proc_comm: the name byte for byte, only the kernel's newline taken off", "[proc]") {
  const auto comm = [](pid_t tid) { return proc_comm(tid); };
  CHECK(in_thread_named("plain", comm) == "plain");
  CHECK(in_thread_named("two\nlines", comm) == "two\nlines");
  CHECK(in_thread_named("ends\n", comm) == "ends\n");
  CHECK(in_thread_named("\x1b[2J\t", comm) == "\x1b[2J\t");
  CHECK(in_thread_named("", comm) == "");
  CHECK_FALSE(proc_comm(kNoSuchPid));
}

TEST_CASE("proc_status_number: the first number of a status line", "[proc]") {
  CHECK(proc_status_number(getpid(), "Uid") == getuid());
  CHECK(proc_status_number(getpid(), "Pid") == static_cast<uint64_t>(getpid()));
  // A name made to look like a status line stays in the Name line (the
  // kernel escapes it there), so it cannot stand for Uid.
  const auto uid_tgid = in_thread_named("x\nUid:\t4242", [](pid_t tid) {
    return std::pair(proc_status_number(tid, "Uid"), proc_status_number(tid, "Tgid"));
  });
  CHECK(uid_tgid.first == getuid());
  CHECK(uid_tgid.second == static_cast<uint64_t>(getpid()));
  CHECK_FALSE(proc_status_number(getpid(), "Name"));  // not a number
  CHECK_FALSE(proc_status_number(getpid(), "NoSuchLine"));
  CHECK_FALSE(proc_status_number(getpid(), "Ui"));  // a prefix of a name is not the name
  CHECK_FALSE(proc_status_number(kNoSuchPid, "Uid"));
}

TEST_CASE("proc_stat_number: fields counted after the comm, whatever it holds", "[proc]") {
  CHECK(proc_stat_number(getpid(), 4) == static_cast<uint64_t>(getppid()));
  CHECK(proc_stat_number(getpid(), 5) == static_cast<uint64_t>(getpgrp()));
  const auto ppid_start = in_thread_named("a) 1 2 (b", [](pid_t tid) {
    return std::pair(proc_stat_number(tid, 4), proc_stat_number(tid, 22));
  });
  CHECK(ppid_start.first == static_cast<uint64_t>(getppid()));
  REQUIRE(ppid_start.second);
  CHECK(*ppid_start.second >= proc_stat_number(getpid(), 22).value_or(UINT64_MAX));  // the thread started later
  CHECK_FALSE(proc_stat_number(getpid(), 3));  // the state: a letter
  CHECK_FALSE(proc_stat_number(getpid(), 2));  // the comm itself
  CHECK_FALSE(proc_stat_number(getpid(), 1000));
  CHECK_FALSE(proc_stat_number(kNoSuchPid, 4));
}

TEST_CASE("process_alive: a running or unreaped process is alive, a reaped one is not", "[proc]") {
  CHECK(process_alive(getpid()));
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    pause();
    _exit(0);
  }
  CHECK(process_alive(child));
  kill(child, SIGKILL);
  siginfo_t info{};
  REQUIRE(waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT) == 0);
  CHECK(process_alive(child));  // a zombie still holds its pid
  REQUIRE(waitpid(child, nullptr, 0) == child);
  CHECK_FALSE(process_alive(child));
}

TEST_CASE("process_alive: no pid names a process group or every process", "[proc]") {
  CHECK_FALSE(process_alive(0));   // kill(0, 0) would ask about our process group
  CHECK_FALSE(process_alive(-1));  // ... and kill(-1, 0) about every process we may signal
  CHECK_FALSE(process_alive(-static_cast<pid_t>(getpgrp())));
}

TEST_CASE("process_alive: a process we may not signal (another user's) is alive", "[proc]") {
  // A child that gives up root asks about init, which it may not signal (EPERM).
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (getuid() == 0 && setuid(65534) != 0) _exit(2);
    if (kill(1, 0) == 0) _exit(3);  // still allowed: nothing to learn here
    _exit(process_alive(1) ? 0 : 1);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 3) {
    WARN("this process may signal pid 1: the EPERM case is not exercised");
    return;
  }
  CHECK(WEXITSTATUS(status) == 0);
}
