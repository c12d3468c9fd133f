// The ptrace tracer: launches a command or seizes running processes, follows
// their forks, clones and execs (or only their new threads), and reports
// every completed syscall, every signal delivered and every exit to a handler.
// One object, one thread: all ptrace calls come from the thread that called
// launch()/attach(), which drives it with step() from its event loop (each
// stop of a tracee sends the tracer SIGCHLD) and ends it with finish().
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/syscall_set.h"
#include "core/syscall_table.h"
#include "util/expected.h"
#include "util/run_as.h"

namespace syslat::trace {

struct TracerOptions {
  bool follow_forks = false;  // -f: new processes and threads are traced too
  // New threads of the traced processes are traced too, new processes not
  // (what the BPF backend counts of `-p PID`). Implied by follow_forks.
  bool follow_threads = false;
  // Only these syscalls stop a launched tracee (a seccomp-bpf filter is
  // installed before its execve); nullopt: all stop. Attached processes
  // always stop at every call (the handler filters).
  std::optional<core::SyscallSet> seccomp;
  // A launched command runs as this user (systrace -u, --run-as).
  std::optional<util::RunAs> run_as;
};

// One syscall as the tracer saw it.
struct Call {
  pid_t tid = 0;
  pid_t pid = 0;  // its process (thread group)
  core::SyscallId id;
  std::array<uint64_t, 6> args{};
  int64_t ret = 0;
  bool returned = true;      // false: the call never returned (exit_group, or the process died in it)
  bool entry_seen = true;    // false: it was in flight when we attached; no arguments or duration
  uint64_t entry_ns = 0;     // CLOCK_MONOTONIC at the entry stop
  uint64_t exit_ns = 0;      // at the exit stop (or when the process was found gone)
  uint64_t entry_realtime_ns = 0;  // CLOCK_REALTIME at entry, for -t timestamps
};

class Handler {
 public:
  virtual ~Handler() = default;
  // At the entry stop: the tracee's memory as the call sees it (execve's
  // argv is gone at its exit). Call::ret is not known yet.
  virtual void on_entry(const Call& call) { (void)call; }
  // At the exit stop (or when the call ended without one).
  virtual void on_call(const Call& call) = 0;
  // A signal about to be delivered to tid (it is re-injected afterwards).
  virtual void on_signal(pid_t tid, const siginfo_t& info) { (void)tid, (void)info; }
  // tid is gone: `status` as waitpid reported it.
  virtual void on_exit(pid_t tid, int status) { (void)tid, (void)status; }
  // A stop-signal stopped tid (group-stop, shown by strace as "--- stopped by SIGSTOP ---").
  virtual void on_group_stop(pid_t tid, int sig) { (void)tid, (void)sig; }
  // Thread `former` exec'd and now has the leader's tid (`tid`): its call in
  // progress (the execve) continues under tid; the leader is gone.
  virtual void on_exec_tid(pid_t former, pid_t tid) { (void)former, (void)tid; }
  // Nothing to do until the next stop: a good time to flush output.
  virtual void on_idle() {}
  // The number of traced threads changed (strace adds "[pid N]" once there are two).
  virtual void on_tracees(size_t count) { (void)count; }
};

class Tracer {
 public:
  ~Tracer();
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  // Forks `path` with `argv`, stopped before its execve, and seizes it
  // (PTRACE_O_EXITKILL: it dies with us). Nothing before its execve is
  // reported. Errors: fork or ptrace refused (message says why).
  static util::Expected<std::unique_ptr<Tracer>> launch(const std::string& path, const std::vector<std::string>& argv,
                                                        const TracerOptions& options);
  // Seizes every thread of each process (following neither forks nor
  // threads: only the thread named). Errors name the PID and the reason (no
  // such process, not permitted: ptrace_scope, another tracer).
  static util::Expected<std::unique_ptr<Tracer>> attach(const std::vector<pid_t>& pids, const TracerOptions& options);

  // What step() leaves: Idle, nothing more for now (the next stop sends
  // SIGCHLD); Busy, stops kept coming until its time was up (call it again
  // soon, after the signals and timers waiting meanwhile); Done, no tracee
  // is left.
  enum class Step { Idle, Busy, Done };
  // Handles every stop that is ready, and those that come within a short
  // spin after the last one, for at most a few milliseconds. Never blocks.
  // Before it returns Idle, it takes this thread's pending SIGCHLD (those
  // of stops already handled), so that the loop sleeps until a new stop.
  Step step(Handler& handler);
  // Ends the trace: attached processes are detached (and keep running),
  // launched ones killed. Returns the launched command's status as a shell
  // reports it (0 with -p).
  int finish(Handler& handler);
  pid_t launched_pid() const { return launched_; }

 private:
  struct Tracee {
    pid_t pid = 0;           // thread group
    bool in_syscall = false;
    bool started = true;     // false for the launched process until its execve
    bool seccomp = false;    // a filter stops it only at traced calls: resume with PTRACE_CONT
    bool attached = false;   // seized by attach(): detach at the end
    Call call;               // the call in progress
  };

  explicit Tracer(const TracerOptions& options);
  Tracee& add(pid_t tid, pid_t pid);
  // One stop (or end) that waitpid reported.
  void handle(pid_t tid, int status, Handler& h);
  // A tracee unknown until now: a new thread or child can report before its
  // parent's fork event. Null when it is not followed (then detached).
  Tracee* first_stop(pid_t tid, int status, Handler& h);
  void event_stop(Tracee& t, pid_t tid, int sig, unsigned event, Handler& h);
  void exec_event(pid_t tid, Handler& h);
  void signal_stop(Tracee& t, pid_t tid, int sig, Handler& h);
  void syscall_stop(Tracee& t, pid_t tid, Handler& h, bool seccomp_stop);
  void resume(pid_t tid, const Tracee& t, int sig);
  // tid forked, vforked or cloned (`event`): the child is traced if followed.
  void new_child(pid_t tid, unsigned event, Handler& h);
  // A tracee ended: its call in flight (exit_group) and its end reach h.
  void ended(Tracee& t, pid_t tid, int status, Handler& h);
  void gone(pid_t tid, int status, Handler& h);
  pid_t thread_group(pid_t tid) const;
  // A new tracee of thread group `tgid` is followed (else it is detached).
  bool follows(pid_t tgid) const;

  TracerOptions options_;
  std::unordered_map<pid_t, Tracee> tracees_;
  pid_t launched_ = 0;
  int launched_status_ = 0;
  bool announced_ = false;  // the handler was told the number of tracees
};

}  // namespace syslat::trace
