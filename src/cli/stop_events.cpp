#include "cli/stop_events.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace syslat::cli {

util::Expected<StopEvents> StopEvents::create(const std::vector<uint32_t>& pids) {
  StopEvents ev;
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
  ev.signal_fd_.reset(signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!ev.signal_fd_) return util::make_error(std::string("signalfd: ") + std::strerror(errno));
  for (uint32_t pid : pids) {
    util::UniqueFd fd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));  // always close-on-exec
    if (!fd) return util::make_error("-p/--pid: cannot watch process " + std::to_string(pid) + ": " + std::strerror(errno));
    ev.pid_fds_.push_back(std::move(fd));
  }
  return ev;
}

StopEvents::Event StopEvents::wait(int timeout_ms, LaunchedCommand* command) {
  std::vector<pollfd> fds;
  fds.push_back({signal_fd_.get(), POLLIN, 0});
  for (const auto& fd : pid_fds_)
    if (fd) fds.push_back({fd.get(), POLLIN, 0});
  if (input_fd_ >= 0) fds.push_back({input_fd_, POLLIN, 0});
  if (data_fd_ >= 0) fds.push_back({data_fd_, POLLIN, 0});
  Event event;
  // EINTR (a terminal resize) returns too: the caller then reads the keys.
  const int ready = poll(fds.data(), fds.size(), timeout_ms < 0 ? 0 : timeout_ms);
  if (ready <= 0) {
    event.input_ready = input_fd_ >= 0 && ready < 0 && errno == EINTR;
    return event;
  }
  if (data_fd_ >= 0) {
    event.data_ready = fds.back().revents & POLLIN;
    fds.pop_back();
  }
  if (input_fd_ >= 0) {
    event.input_ready = fds.back().revents & POLLIN;
    event.input_closed = fds.back().revents & (POLLHUP | POLLERR | POLLNVAL);
    fds.pop_back();
  }

  if (fds[0].revents & POLLIN) {
    signalfd_siginfo si{};
    while (read(signal_fd_.get(), &si, sizeof(si)) == sizeof(si)) {
      if (si.ssi_signo == SIGPIPE) event.output_closed = true;
      if (si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM || si.ssi_signo == SIGHUP) {
        event.reason = Reason::Signal;
        event.signo = static_cast<int>(si.ssi_signo);
        ++event.signals;
      }
    }
    // SIGCHLD may have come in the same read as a stop signal.
    if (command && command->reap_if_exited()) return {Reason::CommandExited};
  }
  for (size_t i = 1, j = 0; i < fds.size(); ++i) {
    while (!pid_fds_[j]) ++j;
    if (fds[i].revents & (POLLIN | POLLHUP)) {
      pid_fds_[j].reset();
      ++exited_;
    }
    ++j;
  }
  if (event.reason == Reason::Timeout && !pid_fds_.empty() && exited_ == pid_fds_.size())
    event.reason = Reason::TargetsExited;
  return event;
}

}  // namespace syslat::cli
