// The stop rules of every long-running tool (cli/run_loop.h), each case in a
// child process of its own: the rules block signals for the whole process,
// and the test process must keep its own.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/run_loop.h"
#include "util/time.h"

using syslat::cli::RunLoop;
using Step = syslat::trace::Tracer::Step;

namespace {

std::string name(RunLoop::End end) {
  switch (end) {
    case RunLoop::End::Signal: return "Signal";
    case RunLoop::End::Duration: return "Duration";
    case RunLoop::End::TargetsExited: return "TargetsExited";
    case RunLoop::End::OutputClosed: return "OutputClosed";
    case RunLoop::End::CommandExited: return "CommandExited";
    case RunLoop::End::Tool: return "Tool";
  }
  return "?";
}

// What `body` returns, computed in a child process (its own signal mask and
// dispositions); "crashed" or "threw" if it did not get that far.
std::string in_child(const std::function<std::string()>& body) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    std::string out;
    try {
      out = body();
    } catch (...) {
      out = "threw";
    }
    (void)!write(fds[1], out.data(), out.size());
    _exit(0);
  }
  close(fds[1]);
  std::string out;
  char buf[256];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? out : "crashed";
}

std::unique_ptr<RunLoop> make_run(const std::vector<uint32_t>& pids = {}) {
  auto run = RunLoop::create(pids);
  if (!run) throw std::runtime_error(run.error().message);
  return std::move(*run);
}

uint64_t ms_from_now(uint64_t ms) { return syslat::util::monotonic_ns() + ms * 1'000'000; }

// The run's outcome, with a guard: ended by the tool after 2 s at the latest.
std::string outcome(RunLoop& run) {
  run.loop().at(ms_from_now(2000), [&run] { run.end(RunLoop::End::Tool); });
  const RunLoop::Outcome o = run.run();
  return name(o.why) + (o.signo ? " " + std::to_string(o.signo) : "");
}

// A launched command as the rules see it: what they do to it, in order.
RunLoop::Command recorded_command(std::string& log) {
  return {4242, [&log](int sig) { log += "pass_on " + std::to_string(sig) + "; "; }, [&log] { log += "kill; "; }};
}

}  // namespace

TEST_CASE("run loop: SIGINT, SIGTERM and SIGHUP end a run without command", "[run_loop]") {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    CHECK(in_child([sig] {
      auto run = make_run();
      raise(sig);  // blocked: waits in the signalfd
      return outcome(*run);
    }) == "Signal " + std::to_string(sig));
  }
}

TEST_CASE("run loop: SIGHUP ignored at start (nohup) goes on being ignored, SIGINT and SIGTERM ignored still stop", "[run_loop]") {
  CHECK(in_child([] {
    signal(SIGHUP, SIG_IGN);
    auto run = make_run();
    raise(SIGHUP);
    return outcome(*run);
  }) == "Tool");
  for (int sig : {SIGINT, SIGTERM}) {
    CHECK(in_child([sig] {
      signal(sig, SIG_IGN);  // a background job of a script (`cmd &`)
      auto run = make_run();
      raise(sig);
      return outcome(*run);
    }) == "Signal " + std::to_string(sig));
  }
}

TEST_CASE("run loop: with a command the first stop signal is passed on, the second kills it, and the run waits for it", "[run_loop]") {
  CHECK(in_child([] {
    std::string log;
    auto run = make_run();
    run->set_command(recorded_command(log));
    raise(SIGINT);
    run->loop().at(ms_from_now(50), [] { raise(SIGTERM); });
    run->loop().at(ms_from_now(100), [&] { run->end(RunLoop::End::CommandExited); });
    return log + outcome(*run);
  }) == "pass_on 2; kill; CommandExited");
}

TEST_CASE("run loop: a command's exit read with a stop signal wins: the signal is not passed on", "[run_loop]") {
  CHECK(in_child([] {
    std::string log;
    auto run = make_run();
    run->set_command(recorded_command(log));
    run->on_child([&] { run->end(RunLoop::End::CommandExited); });
    raise(SIGINT);
    raise(SIGCHLD);
    return log + outcome(*run);
  }) == "CommandExited");
}

TEST_CASE("run loop: -d ends a run without command, and sends a command SIGTERM as timeout(1) does", "[run_loop]") {
  CHECK(in_child([] {
    auto run = make_run();
    run->set_duration(0.05);
    const uint64_t start = syslat::util::monotonic_ns();
    const std::string why = outcome(*run);
    return why + (syslat::util::monotonic_ns() - start >= 50'000'000 ? "" : " too soon");
  }) == "Duration");
  CHECK(in_child([] {
    std::string log;
    auto run = make_run();
    run->set_command(recorded_command(log));
    run->set_duration(0.05);
    run->loop().at(ms_from_now(100), [] { raise(SIGINT); });  // after -d: the second request
    run->loop().at(ms_from_now(150), [&] { run->end(RunLoop::End::CommandExited); });
    return log + outcome(*run);
  }) == "pass_on 15; kill; CommandExited");
}

TEST_CASE("run loop: the run ends once every -p target has exited", "[run_loop]") {
  CHECK(in_child([] {
    std::vector<pid_t> targets;
    for (int i = 0; i < 2; ++i) {
      const pid_t pid = fork();
      if (pid == 0) {
        pause();
        _exit(0);
      }
      targets.push_back(pid);
    }
    auto run = make_run({static_cast<uint32_t>(targets[0]), static_cast<uint32_t>(targets[1])});
    std::string log;
    run->loop().at(ms_from_now(50), [&] { kill(targets[0], SIGKILL); });
    run->loop().at(ms_from_now(150), [&] {
      log += run->ended() ? "ended with one left; " : "one left; ";
      kill(targets[1], SIGKILL);
    });
    return log + outcome(*run);
  }) == "one left; TargetsExited");
}

TEST_CASE("run loop: a closed output ends a run without command quietly, not one with a command, nor syslatd's", "[run_loop]") {
  CHECK(in_child([] {
    auto run = make_run();
    raise(SIGPIPE);
    return outcome(*run);
  }) == "OutputClosed");
  CHECK(in_child([] {
    std::string log;
    auto run = make_run();
    run->set_command(recorded_command(log));
    raise(SIGPIPE);
    run->loop().at(ms_from_now(100), [&] { run->end(RunLoop::End::CommandExited); });
    return log + outcome(*run);
  }) == "CommandExited");
  CHECK(in_child([] {
    auto run = make_run();
    run->keep_running_when_output_closed();
    raise(SIGPIPE);
    run->loop().at(ms_from_now(100), [&] { run->end(RunLoop::End::Tool); });
    return outcome(*run);
  }) == "Tool");
}

TEST_CASE("run loop: a tracer is stepped at once, again while busy, on SIGCHLD when idle, until done", "[run_loop]") {
  CHECK(in_child([] {
    std::string log;
    auto run = make_run();
    int steps = 0;
    run->drive_tracer([&] {
      ++steps;
      if (steps <= 3) return log += "busy; ", Step::Busy;
      if (steps == 4) {
        log += "idle; ";
        run->loop().at(ms_from_now(50), [] { raise(SIGCHLD); });  // the next stop
        return Step::Idle;
      }
      return log += "done; ", Step::Done;
    });
    return log + outcome(*run);
  }) == "busy; busy; busy; idle; done; TargetsExited");
  CHECK(in_child([] {
    std::string log;
    auto run = make_run();
    run->set_command(recorded_command(log));
    run->drive_tracer([] { return Step::Done; });
    return log + outcome(*run);
  }) == "CommandExited");
}
