// Why a session stops: SIGINT/SIGTERM/SIGHUP, the launched command exiting,
// or every -p target exiting. One poll(2) over a signalfd and pidfds.
#pragma once

#include <cstdint>
#include <vector>

#include "cli/launcher.h"
#include "util/expected.h"
#include "util/fd.h"

namespace syslat::cli {

class StopEvents {
 public:
  enum class Reason { Timeout, Signal, TargetsExited, CommandExited };
  struct Event {
    Reason reason = Reason::Timeout;
    int signo = 0;    // Signal: the last stop signal read
    int signals = 0;  // Signal: how many stop signals were read (a second one escalates)
    bool data_ready = false;  // the watched data fd is readable (with any reason)
    bool input_ready = false; // the watched input fd (the dashboard's keyboard) is readable
    bool input_closed = false;  // ... or hung up: the terminal is gone
    bool output_closed = false; // a write met a closed pipe (SIGPIPE, as in `| head`)
  };

  // Blocks SIGINT, SIGTERM, SIGHUP (unless ignored, as under nohup),
  // SIGCHLD and SIGPIPE, delivered through the signalfd from now on, and
  // watches the given processes. A write to a closed pipe then fails with
  // EPIPE instead of killing us, and the run can end cleanly (status 0).
  static util::Expected<StopEvents> create(const std::vector<uint32_t>& pids);

  // Waits up to timeout_ms (or until something happened). The command's
  // exit wins over a stop signal read at the same time.
  Event wait(int timeout_ms, LaunchedCommand* command);

  // Also wake when `fd` is readable (sysslow's ring buffer); -1: none.
  void watch_data(int fd) { data_fd_ = fd; }
  // Also wake when `fd` is readable (syslat-top's terminal); -1: none.
  void watch_input(int fd) { input_fd_ = fd; }

 private:
  StopEvents() = default;
  util::UniqueFd signal_fd_;
  std::vector<util::UniqueFd> pid_fds_;
  size_t exited_ = 0;
  int data_fd_ = -1;
  int input_fd_ = -1;
};

}  // namespace syslat::cli
