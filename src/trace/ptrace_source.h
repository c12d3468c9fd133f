// The ptrace backend as a stats source (--backend ptrace, or auto when BPF
// cannot load): syscount, syslat and sysslow render it with the same
// writers. The tracer runs in its own thread (every ptrace call must come
// from the thread that seized the tracees); poll() takes a snapshot of what
// it counted under a mutex.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "collect/source.h"
#include "core/filter_spec.h"
#include "core/slow_event.h"
#include "core/threshold_spec.h"
#include "util/expected.h"

namespace syslat::trace {

class Tracer;

struct PtraceSourceOptions {
  bool timed = false;        // durations and histograms (lat, -L)
  bool per_process = false;  // -P
  core::FilterSpec filter;   // syscalls, failed_only, errno_value, min_duration_ns apply
  std::optional<core::ThresholdSpec> slow;  // sysslow: calls at least this long become events
  // Either a command (path + argv, followed across forks) or pids.
  std::string path;
  std::vector<std::string> argv;
  std::vector<pid_t> pids;
};

class PtraceSource final : public collect::Source {
 public:
  // Starts the tracer thread and waits until the command is launched or the
  // processes are attached; the error says why not.
  static util::Expected<std::unique_ptr<PtraceSource>> start(const PtraceSourceOptions& options);
  ~PtraceSource() override;

  core::Sample poll() override;
  // sysslow: the slow calls since the last call.
  size_t consume_events(const std::function<void(core::SlowEvent&&)>& sink);
  // The tracer thread is done: every tracee exited (or stop() detached them).
  bool finished() const { return finished_.load(); }
  // The launched command's status as a shell reports it, once finished.
  int exit_status() const { return exit_status_.load(); }
  pid_t launched_pid() const { return launched_; }
  // Detaches attached processes (kills a launched command) and ends the thread.
  void stop();

 private:
  class Collector;
  PtraceSource() = default;

  std::thread thread_;
  std::unique_ptr<Collector> collector_;
  std::mutex tracer_mu_;
  Tracer* tracer_ = nullptr;  // while run() runs, for stop()
  std::atomic<bool> finished_{false};
  std::atomic<int> exit_status_{0};
  pid_t launched_ = 0;
};

}  // namespace syslat::trace
