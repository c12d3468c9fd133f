// The ptrace backend as a stats source (--backend ptrace, or auto when BPF
// cannot load): syscount, syslat and sysslow render it with the same
// writers. Everything happens in the caller's thread (every ptrace call
// must come from the thread that seized the tracees): its event loop calls
// step() on SIGCHLD, poll() takes what was counted since the last poll.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collect/source.h"
#include "core/filter_spec.h"
#include "core/slow_event.h"
#include "core/threshold_spec.h"
#include "trace/tracer.h"
#include "util/expected.h"

namespace syslat::trace {

struct PtraceSourceOptions {
  bool timed = false;        // durations and histograms (lat, -L)
  bool per_process = false;  // -P
  core::FilterSpec filter;   // syscalls, failed_only, errno_value, min_duration_ns apply
  std::optional<core::ThresholdSpec> slow;  // sysslow: calls at least this long become events
  // Either a command (path + argv, followed across forks) or pids.
  std::string path;
  std::vector<std::string> argv;
  std::vector<pid_t> pids;
  std::optional<util::RunAs> run_as;  // --run-as: the command runs as this user
};

class PtraceSource final : public collect::Source {
 public:
  // Launches the command or attaches to the processes; the error says why not.
  static util::Expected<std::unique_ptr<PtraceSource>> start(const PtraceSourceOptions& options);
  ~PtraceSource() override;

  core::Sample poll() override;
  // sysslow: the slow calls since the last call.
  size_t consume_events(const std::function<void(core::SlowEvent&&)>& sink);
  // Handles the stops that are ready (Tracer::step: call it on SIGCHLD),
  // counting the calls they end; after Done the trace is finished().
  Tracer::Step step();
  // The trace is over: every tracee exited (or stop() detached them).
  bool finished() const { return !tracer_; }
  // The launched command's status as a shell reports it, once finished.
  int exit_status() const { return exit_status_; }
  pid_t launched_pid() const { return launched_; }
  // Detaches attached processes (kills a launched command): finished.
  void stop();

 private:
  class Collector;
  PtraceSource() = default;

  std::unique_ptr<Collector> collector_;
  std::unique_ptr<Tracer> tracer_;  // until finished
  int exit_status_ = 0;
  pid_t launched_ = 0;
};

}  // namespace syslat::trace
