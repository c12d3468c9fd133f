// The event loop every long-running tool runs in (syscount, syslat, sysslow
// on either backend, syslat-top, syslatd, systrace), and the rules that end
// a run, written once:
//  - SIGINT, SIGTERM and SIGHUP end it. SIGHUP not when it was ignored at
//    start (nohup asks exactly that); SIGINT and SIGTERM even then, as a
//    background job of a script (`cmd &`) inherits them ignored and could
//    not be stopped cleanly otherwise.
//  - With a launched command the first stop signal is passed on to it and
//    the run goes on until it exits (its status is the run's); a second one
//    kills it, so a command that ignores the first cannot hang us.
//  - -d ends the run, or sends the command SIGTERM as timeout(1) does.
//  - Every -p target exiting ends it.
//  - A closed output (a write met a reader gone, as in `| head`) ends a run
//    without command, quietly: nobody reads what it would print.
// Signals are read from a signalfd, never caught by a handler, so they can
// neither interrupt nor race the code they stop.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "trace/tracer.h"
#include "util/event_loop.h"
#include "util/expected.h"
#include "util/fd.h"

namespace syslat::cli {

class RunLoop {
 public:
  enum class End { Signal, Duration, TargetsExited, OutputClosed, CommandExited, Tool };
  struct Outcome {
    End why = End::Tool;
    int signo = 0;  // End::Signal: which one
  };
  // What the stop rules do to a launched command.
  struct Command {
    pid_t pid = 0;
    std::function<void(int sig)> pass_on;  // the first stop request (a signal, or -d's SIGTERM)
    std::function<void()> kill;            // the second
  };
  // A command whose first stop request is said on stderr ("prog: sent
  // SIGINT to make (pid 12); waiting for it to exit (signal again to kill
  // it)") after `send` passed it on.
  static Command announced(const std::string& prog, const std::string& name, pid_t pid, std::function<void(int)> send,
                           std::function<void()> kill);

  // Blocks the stop signals, SIGCHLD and SIGPIPE (read from the signalfd
  // from now on; a write to a closed pipe fails with EPIPE instead of
  // killing us) and watches the -p processes. Call it before anything is
  // attached or launched: an early Ctrl-C then still ends the run cleanly.
  // A launched command gets the signal dispositions we were given.
  static util::Expected<std::unique_ptr<RunLoop>> create(const std::vector<uint32_t>& pids);
  RunLoop(const RunLoop&) = delete;
  RunLoop& operator=(const RunLoop&) = delete;

  util::EventLoop& loop() { return *loop_; }

  void set_command(Command command) { command_ = std::move(command); }
  // On SIGCHLD: a child changed state (the launched command exited).
  void on_child(std::function<void()> callback) { on_child_ = std::move(callback); }
  // A ptrace tracer: stepped on each SIGCHLD (every stop of a tracee sends
  // one), again at once while stops are left over; no tracee left ends the
  // run (CommandExited with a command, else TargetsExited).
  void drive_tracer(std::function<trace::Tracer::Step()> step);
  // -d: seconds from now; 0 for none.
  void set_duration(double seconds);
  // syslatd: its output is a log, not what the run is for.
  void keep_running_when_output_closed() { end_on_output_closed_ = false; }
  // Polls every poll_ns and, with report_ns > 0, reports every report_ns.
  // The report timer is made first, so that it runs first when both are
  // due: it polls, and moves the next periodic poll one period on.
  void poll_and_report(uint64_t poll_ns, uint64_t report_ns, std::function<void()> poll, std::function<void()> report);

  // Ends the run (the first reason given is the one run() returns).
  void end(End why, int signo = 0);
  bool ended() const { return ended_; }
  // Runs the loop until the run ends.
  Outcome run();

 private:
  explicit RunLoop(std::unique_ptr<util::EventLoop> loop) : loop_(std::move(loop)) {}
  util::Expected<void> watch_target(uint32_t pid);
  void read_signals();
  void stop_request(int sig);
  void step_tracer();
  void step_soon();  // step_tracer() once the loop has looked at its fds and timers

  std::unique_ptr<util::EventLoop> loop_;
  util::UniqueFd signal_fd_;
  std::vector<util::UniqueFd> target_fds_;  // pidfds of the -p processes
  size_t targets_left_ = 0;
  Command command_;
  int stop_requests_ = 0;
  std::function<void()> on_child_;
  std::function<trace::Tracer::Step()> tracer_step_;
  bool step_armed_ = false;
  bool end_on_output_closed_ = true;
  bool ended_ = false;
  Outcome outcome_;
};

}  // namespace syslat::cli
