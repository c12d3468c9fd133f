#include "cli/run_loop.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "util/time.h"

namespace syslat::cli {

util::Expected<std::unique_ptr<RunLoop>> RunLoop::create(const std::vector<uint32_t>& pids) {
  auto loop = util::EventLoop::create();
  if (!loop) return loop.error();
  std::unique_ptr<RunLoop> run(new RunLoop(std::move(*loop)));
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, SIGPIPE);
  // Blocked signals are queued even when their disposition is SIG_IGN (as a
  // background job of a script inherits), so the signalfd sees them; the
  // dispositions stay untouched for the command we may launch. SIGHUP is the
  // exception: ignoring it is exactly what nohup asks for.
  struct sigaction hup {};
  if (sigaction(SIGHUP, nullptr, &hup) == 0 && hup.sa_handler != SIG_IGN) sigaddset(&set, SIGHUP);
  if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0)
    return util::make_error(std::string("sigprocmask: ") + std::strerror(errno));
  run->signal_fd_.reset(signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!run->signal_fd_) return util::make_error(std::string("signalfd: ") + std::strerror(errno));
  RunLoop* self = run.get();
  if (auto ok = run->loop_->watch(run->signal_fd_.get(), [self](uint32_t) { self->read_signals(); }); !ok)
    return ok.error();
  for (uint32_t pid : pids)
    if (auto ok = run->watch_target(pid); !ok) return ok.error();
  return run;
}

util::Expected<void> RunLoop::watch_target(uint32_t pid) {
  util::UniqueFd fd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));  // always close-on-exec
  if (!fd) return util::make_error("-p/--pid: cannot watch process " + std::to_string(pid) + ": " + std::strerror(errno));
  const int raw = fd.get();
  // Readable once the process has exited; read once, then closed.
  auto ok = loop_->watch(raw, [this, raw](uint32_t) {
    loop_->unwatch(raw);
    for (auto& target : target_fds_)
      if (target.get() == raw) target.reset();
    if (--targets_left_ == 0) end(End::TargetsExited);
  });
  if (!ok) return ok;
  target_fds_.push_back(std::move(fd));
  ++targets_left_;
  return {};
}

void RunLoop::read_signals() {
  bool child = false;
  bool pipe_closed = false;
  std::vector<int> stops;
  signalfd_siginfo si{};
  while (read(signal_fd_.get(), &si, sizeof si) == sizeof si) {
    const int sig = static_cast<int>(si.ssi_signo);
    if (sig == SIGCHLD) child = true;
    else if (sig == SIGPIPE) pipe_closed = true;
    else stops.push_back(sig);
  }
  // The command's exit first: a stop signal read with it is not passed on
  // to a command that is gone.
  if (child && on_child_) on_child_();
  for (int sig : stops) stop_request(sig);
  if (pipe_closed && end_on_output_closed_ && command_.pid == 0) end(End::OutputClosed);
}

void RunLoop::stop_request(int sig) {
  if (ended_) return;
  if (command_.pid == 0) return end(End::Signal, sig);
  if (++stop_requests_ == 1)
    command_.pass_on(sig);
  else
    command_.kill();
}

void RunLoop::set_duration(double seconds) {
  if (seconds <= 0) return;
  loop_->at(util::monotonic_ns() + static_cast<uint64_t>(seconds * 1e9), [this] {
    if (command_.pid == 0) return end(End::Duration);
    stop_request(SIGTERM);  // as timeout(1) does
  });
}

void RunLoop::drive_tracer(std::function<trace::Tracer::Step()> step) {
  tracer_step_ = std::move(step);
  on_child_ = [this] { step_tracer(); };
  step_soon();  // stops that came before the loop runs are waited for at once
}

void RunLoop::step_soon() {
  if (step_armed_) return;
  step_armed_ = true;
  loop_->at(0, [this] {
    step_armed_ = false;
    step_tracer();
  });
}

void RunLoop::step_tracer() {
  if (ended_) return;
  switch (tracer_step_()) {
    case trace::Tracer::Step::Idle: return;  // the next stop sends a SIGCHLD
    case trace::Tracer::Step::Busy:  // its time was up: signals and timers first, then on
      return step_soon();
    case trace::Tracer::Step::Done:
      return end(command_.pid ? End::CommandExited : End::TargetsExited);
  }
}

void RunLoop::end(End why, int signo) {
  if (ended_) return;
  ended_ = true;
  outcome_ = {why, signo};
  loop_->quit();
}

RunLoop::Outcome RunLoop::run() {
  if (!ended_) loop_->run();
  return outcome_;
}

// With a command, a stop request does not end the run: the command would
// go on untraced. The stop rules pass it on, and kill the command on a
// second one, so one that ignores the first cannot hang us.
RunLoop::Command RunLoop::announced(const std::string& prog, const std::string& name, pid_t pid,
                                    std::function<void(int)> send, std::function<void()> kill) {
  Command command;
  command.pid = pid;
  command.pass_on = [prog, name, pid, send = std::move(send)](int sig) {
    send(sig);
    std::fprintf(stderr, "%s: sent SIG%s to %s (pid %d); waiting for it to exit (signal again to kill it)\n", prog.c_str(),
                 sigabbrev_np(sig), name.c_str(), static_cast<int>(pid));
  };
  command.kill = std::move(kill);
  return command;
}

void RunLoop::poll_and_report(uint64_t poll_ns, uint64_t report_ns, std::function<void()> poll,
                              std::function<void()> report) {
  auto poll_timer = std::make_shared<util::EventLoop::TimerId>(0);
  if (report_ns > 0)
    loop_->every(report_ns, [this, poll, report = std::move(report), poll_timer, poll_ns] {
      poll();
      loop_->reschedule(*poll_timer, poll_ns);
      report();
    });
  *poll_timer = loop_->every(poll_ns, std::move(poll));
}

}  // namespace syslat::cli
