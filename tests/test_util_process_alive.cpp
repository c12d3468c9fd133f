#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/process_alive.h"

using syslat::util::process_alive;

TEST_CASE("process_alive: a running or unreaped process is alive, a reaped one is not", "[process_alive]") {
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

TEST_CASE("process_alive: no pid names a process group or every process", "[process_alive]") {
  CHECK_FALSE(process_alive(0));   // kill(0, 0) would ask about our process group
  CHECK_FALSE(process_alive(-1));  // ... and kill(-1, 0) about every process we may signal
  CHECK_FALSE(process_alive(-static_cast<pid_t>(getpgrp())));
}

TEST_CASE("process_alive: a process we may not signal (another user's) is alive", "[process_alive]") {
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
