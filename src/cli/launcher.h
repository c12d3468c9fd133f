// `-- CMD`: the command is forked early but held at a gate until tracing is
// attached, then released to execve. Nothing it does before execve counts.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "util/expected.h"
#include "util/run_as.h"
#include "util/fd.h"

namespace syslat::cli {

// argv[0] as a path, looked up on PATH if it has no '/'. Errors name the
// command ("-- CMD: command not found: 'x' ..."). Resolved before forking,
// like strace, so the child makes exactly one execve.
util::Expected<std::string> resolve_command(const std::string& name);

class LaunchedCommand {
 public:
  // Resolves argv[0] on PATH (errors: command not found / not executable) and
  // forks a child that waits at the gate.
  // `who`: --run-as, the user it runs as (nullptr: as we run).
  static util::Expected<LaunchedCommand> spawn(const std::vector<std::string>& argv,
                                               const util::RunAs* who = nullptr);

  LaunchedCommand(LaunchedCommand&&) noexcept;
  LaunchedCommand& operator=(LaunchedCommand&&) = delete;
  // An unreleased child is told to give up (it exits 127); a released one
  // still running is killed (the tool is failing: it must not run on
  // untraced). Either way it is reaped.
  ~LaunchedCommand();

  pid_t pid() const { return pid_; }
  void release();  // let it execve
  void signal(int sig);  // unless already reaped
  // Reaps it if it has exited; returns true then.
  bool reap_if_exited();
  bool exited() const { return exited_; }
  // Once exited: its exit status, or 128 + signal number, as a shell reports it.
  int exit_status() const { return status_; }

 private:
  LaunchedCommand(pid_t pid, util::UniqueFd gate) : pid_(pid), gate_(std::move(gate)) {}
  pid_t pid_ = -1;
  util::UniqueFd gate_;  // write end; closing it without a byte aborts the child
  bool exited_ = false;
  int status_ = 0;
};

class RunLoop;

// `command` under the run's stop rules (RunLoop::announced: the first stop
// request passed on and said, a second one kills it); its exit ends the run
// (RunLoop::End::CommandExited). `name` is what it was started as.
void follow_command(RunLoop& run, LaunchedCommand& command, const std::string& prog, const std::string& name);

}  // namespace syslat::cli
