// systrace's output: strace-style lines (or NDJSON with -j) for each call,
// signal and exit, buffered and written when the tracer would otherwise wait
// (so a line never waits for the next event), and the -c summary.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <unordered_map>

#include "cli/trace_options.h"
#include "core/stats.h"
#include "decode/format.h"
#include "trace/tracer.h"

namespace syslat::cli {

class TracePrinter final : public trace::Handler {
 public:
  // out_fd: where lines go (stderr or -o FILE); to_file: strace's "PID "
  // prefix with -f instead of "[pid N] ".
  TracePrinter(const TraceOptions& options, int out_fd, bool to_file);
  ~TracePrinter() override;

  void on_entry(const trace::Call& call) override;
  void on_call(const trace::Call& call) override;
  void on_signal(pid_t tid, const siginfo_t& info) override;
  void on_exit(pid_t tid, int status) override;
  void on_group_stop(pid_t tid, int sig) override;
  void on_exec_tid(pid_t former, pid_t tid) override;
  void on_idle() override { flush(); }
  void on_tracees(size_t count) override { tracees_ = count; }

  // The -c table, written to the output.
  void write_summary();
  void flush();
  // Called once when the output can no longer be written (a reader that
  // went away, a full disk): tracing on would only lose every line.
  void on_output_gone(std::function<void()> f) { on_gone_ = std::move(f); }
  // Why the output went (EPIPE: the reader closed it); 0 while it works.
  int output_errno() const { return output_errno_; }

 private:
  struct Who {
    uint32_t uid = 0;
    std::string comm;
  };
  void line_start(pid_t tid, uint64_t realtime_ns);
  void json_call(const trace::Call& call, const std::string& decoded, const std::string& result);
  const Who& who(pid_t tid);

  const TraceOptions& o_;
  int fd_;
  bool to_file_;
  size_t tracees_ = 1;
  std::string buf_;
  int output_errno_ = 0;
  std::function<void()> on_gone_;
  decode::CallContext ctx_;
  std::unordered_map<pid_t, std::string> at_entry_;  // execve: decoded before its memory is replaced
  std::unordered_map<pid_t, Who> who_;               // -j: uid and comm per thread
  core::SyscallMap stats_;
};

}  // namespace syslat::cli
