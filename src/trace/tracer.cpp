#include "trace/tracer.h"

#include <dirent.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "trace/seccomp_filter.h"
#include "util/proc.h"
#include "util/time.h"

namespace syslat::trace {
namespace {

constexpr long kCommonOptions = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT |
                                PTRACE_O_TRACESECCOMP;
constexpr long kFollowOptions = PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE;

// How long step() polls for the next stop before it returns to sleep in
// the event loop. A busy tracee stops again within microseconds; a tracer
// that slept has to be woken for it, and a woken idle CPU (on a VM, an exit
// to the host) cost ~15 us a stop here, more than the rest of the stop.
// Polling keeps that CPU awake; sched_yield between polls lets a tracee that
// shares the CPU run. A tracee that sleeps longer costs at most this much
// per stop.
constexpr uint64_t kSpinNs = 20'000;
// How long one step() may go on while stops keep coming: the loop's stop
// signals, timers (-i, -d) and other fds wait at most this long.
constexpr uint64_t kStepBudgetNs = 10'000'000;

long options_for(const TracerOptions& o, bool launched) {
  long opts = kCommonOptions;
  // Threads only: fork and vfork children are left alone by the kernel;
  // clone reports threads, and processes cloned with another exit signal
  // than SIGCHLD, which step() detaches.
  if (o.follow_forks)
    opts |= kFollowOptions;
  else if (o.follow_threads)
    opts |= PTRACE_O_TRACECLONE;
  return launched ? opts | PTRACE_O_EXITKILL : opts;
}

int shell_status(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

// The child: stop until seized, install the filter, exec. Only
// async-signal-safe calls after fork.
[[noreturn]] void child(const char* path, char* const* argv, const sock_fprog* filter, pid_t parent,
                        const util::RunAs* who, char* const* envp) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // the tracer died before seizing us
  if (getppid() != parent) _exit(127);
  raise(SIGSTOP);
  if (filter) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, filter) != 0) {
      dprintf(STDERR_FILENO, "systrace: cannot install the seccomp filter: %s\n", strerror(errno));
      _exit(126);
    }
  }
  if (who && !util::become(*who)) {
    dprintf(STDERR_FILENO, "systrace: cannot run as %s: %s\n", who->name.c_str(), strerror(errno));
    _exit(126);
  }
  execve(path, argv, envp);
  const int err = errno;
  dprintf(STDERR_FILENO, "systrace: cannot execute '%s': %s\n", path, strerror(err));
  _exit(err == ENOENT ? 127 : 126);
}

std::vector<pid_t> threads_of(pid_t pid) {
  std::vector<pid_t> out;
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') out.push_back(static_cast<pid_t>(std::atoi(e->d_name)));
    closedir(d);
  }
  return out;
}

// The SIGCHLD of the stops handled so far: the loop would wake for them
// only to find nothing. Any stop after this sends one of its own.
void discard_pending_sigchld() {
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  const timespec none{};
  while (sigtimedwait(&chld, nullptr, &none) == SIGCHLD) {
  }
}

}  // namespace

Tracer::Tracer(const TracerOptions& options) : options_(options) {}

Tracer::~Tracer() {
  // finish() was not called (an error on the way): no tracee may stay stopped.
  for (auto& [tid, t] : tracees_) {
    if (t.attached)
      ptrace(PTRACE_DETACH, tid, nullptr, nullptr);
    else
      kill(tid, SIGKILL);
  }
  if (launched_ > 0 && tracees_.count(launched_)) waitpid(launched_, nullptr, __WALL);
}

util::Expected<std::unique_ptr<Tracer>> Tracer::launch(const std::string& path, const std::vector<std::string>& argv,
                                                       const TracerOptions& options) {
  std::unique_ptr<Tracer> tracer(new Tracer(options));
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  std::vector<sock_filter> program;
  sock_fprog fprog{};
  if (options.seccomp) {
    program = build_seccomp_filter(*options.seccomp);
    fprog.len = static_cast<unsigned short>(program.size());
    fprog.filter = program.data();
  }
  const util::RunAs* who = options.run_as ? &*options.run_as : nullptr;
  std::vector<char*> envp = who ? util::env_pointers(*who) : std::vector<char*>{};
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) return util::make_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) child(path.c_str(), cargv.data(), options.seccomp ? &fprog : nullptr, parent, who,
                      who ? envp.data() : environ);
  int status = 0;
  if (waitpid(pid, &status, WSTOPPED) != pid || !WIFSTOPPED(status)) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return util::make_error("the command did not start");
  }
  if (ptrace(PTRACE_SEIZE, pid, nullptr, options_for(options, true)) != 0) {
    const int err = errno;
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return util::make_error(std::string("ptrace(PTRACE_SEIZE) of the command: ") + std::strerror(err));
  }
  Tracee& t = tracer->add(pid, pid);
  t.started = false;
  t.seccomp = options.seccomp.has_value();
  tracer->launched_ = pid;
  kill(pid, SIGCONT);  // leaves the self-inflicted SIGSTOP; the SIGCONT stop is swallowed
  return tracer;
}

util::Expected<std::unique_ptr<Tracer>> Tracer::attach(const std::vector<pid_t>& pids, const TracerOptions& options) {
  std::unique_ptr<Tracer> tracer(new Tracer(options));
  for (pid_t pid : pids) {
    std::vector<pid_t> tids = threads_of(pid);
    if (tids.empty()) return util::make_error("-p: no such process: " + std::to_string(pid));
    // Following nothing, only the thread named is traced (as strace -p
    // without -f): its process's other threads run on untraced.
    if (!options.follow_forks && !options.follow_threads) tids = {pid};
    for (pid_t tid : tids) {
      if (tracer->tracees_.count(tid)) continue;
      if (ptrace(PTRACE_SEIZE, tid, nullptr, options_for(options, false)) != 0) {
        if (errno == ESRCH) continue;  // a thread that just exited
        const int err = errno;
        std::string why = std::strerror(err);
        if (err == EPERM)
          why += " (another tracer, a process of another user, or kernel.yama.ptrace_scope forbids it)";
        return util::make_error("-p " + std::to_string(pid) + ": cannot attach: " + why);
      }
      Tracee& t = tracer->add(tid, tracer->thread_group(tid));  // -p TID may name a thread that is not the leader
      t.attached = true;
      ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);  // stop it, so PTRACE_SYSCALL can take over
    }
  }
  return tracer;
}

Tracer::Tracee& Tracer::add(pid_t tid, pid_t pid) {
  Tracee& t = tracees_[tid];
  t.pid = pid;
  t.call.tid = tid;
  t.call.pid = pid;
  return t;
}

pid_t Tracer::thread_group(pid_t tid) const {
  return static_cast<pid_t>(util::proc_status_number(tid, "Tgid").value_or(static_cast<uint64_t>(tid)));
}

bool Tracer::follows(pid_t tgid) const {
  if (options_.follow_forks || !options_.follow_threads) return true;
  for (const auto& [tid, t] : tracees_) {
    if (t.pid == tgid) return true;
  }
  return false;
}

void Tracer::new_child(pid_t tid, unsigned event, Handler& h) {
  unsigned long child = 0;
  ptrace(PTRACE_GETEVENTMSG, tid, nullptr, &child);
  const auto ctid = static_cast<pid_t>(child);
  if (ctid <= 0) return;
  const bool known = tracees_.count(ctid) != 0;  // its first stop came first
  const pid_t ctgid = known || event != PTRACE_EVENT_CLONE ? ctid : thread_group(ctid);
  // Not followed: detached at its first stop, in step() (or already).
  if (!known && !follows(ctgid)) return;
  Tracee& nt = known ? tracees_.at(ctid) : add(ctid, ctgid);
  nt.seccomp = tracees_.at(tid).seccomp;
  nt.started = tracees_.at(tid).started;
  if (!known) h.on_tracees(tracees_.size());
}

void Tracer::resume(pid_t tid, const Tracee& t, int sig) {
  // Filtered by seccomp: only traced calls need their exit stop.
  const __ptrace_request request = t.seccomp && !t.in_syscall ? PTRACE_CONT : PTRACE_SYSCALL;
  ptrace(request, tid, nullptr, sig);  // ESRCH: it died meanwhile; waitpid reports that
}

void Tracer::syscall_stop(Tracee& t, pid_t tid, Handler& h, bool seccomp_stop) {
  __ptrace_syscall_info info{};
  const long n = ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof info, &info);
  if (n <= 0) return;  // gone meanwhile
  Call& c = t.call;
  if (info.op == PTRACE_SYSCALL_INFO_ENTRY || info.op == PTRACE_SYSCALL_INFO_SECCOMP || seccomp_stop) {
    t.in_syscall = true;
    c.entry_seen = true;
    c.returned = false;
    c.entry_ns = util::monotonic_ns();
    c.entry_realtime_ns = util::realtime_ns();
    const auto& e = info.op == PTRACE_SYSCALL_INFO_SECCOMP ? info.seccomp.args : info.entry.args;
    const uint64_t nr = info.op == PTRACE_SYSCALL_INFO_SECCOMP ? info.seccomp.nr : info.entry.nr;
    const core::Abi abi = info.arch == AUDIT_ARCH_I386 ? core::Abi::I386 : core::Abi::Native;
    c.id = core::SyscallId(abi, static_cast<int>(nr));
    for (size_t i = 0; i < 6; ++i) c.args[i] = e[i];
    if (!t.started && core::is_exec(c.id)) t.started = true;  // the launched command's first call we show
    if (t.started) h.on_entry(c);
    return;
  }
  if (info.op != PTRACE_SYSCALL_INFO_EXIT) return;
  if (!t.in_syscall) {  // in flight when we attached
    c.entry_seen = false;
    c.entry_ns = 0;
  }
  t.in_syscall = false;
  c.returned = true;
  c.ret = info.exit.rval;
  c.exit_ns = util::monotonic_ns();
  if (t.started) h.on_call(c);
}

void Tracer::ended(Tracee& t, pid_t tid, int status, Handler& h) {
  if (t.in_syscall && t.started) {  // exit_group, or killed inside a call: no exit stop
    t.call.returned = false;
    t.call.exit_ns = util::monotonic_ns();
    h.on_call(t.call);
  }
  if (t.started) h.on_exit(tid, status);
  if (tid == launched_) launched_status_ = shell_status(status);
}

void Tracer::gone(pid_t tid, int status, Handler& h) {
  auto it = tracees_.find(tid);
  if (it == tracees_.end()) return;
  ended(it->second, tid, status, h);
  tracees_.erase(it);
  h.on_tracees(tracees_.size());
}

Tracer::Step Tracer::step(Handler& h) {
  if (!announced_) {
    announced_ = true;
    h.on_tracees(tracees_.size());
  }
  uint64_t now = util::monotonic_ns();
  const uint64_t budget_end = now + kStepBudgetNs;
  uint64_t spin_end = now + kSpinNs;
  bool discarded = false;
  while (!tracees_.empty()) {
    int status = 0;
    const pid_t tid = waitpid(-1, &status, __WALL | WNOHANG);
    if (tid < 0) {
      if (errno == EINTR) continue;
      break;  // ECHILD: nothing left to wait for
    }
    if (tid == 0) {
      if (util::monotonic_ns() < spin_end) {
        sched_yield();
        continue;
      }
      // A stop between the last waitpid and the discard sent its SIGCHLD
      // before it: the waitpid after the discard sees it.
      if (discarded) {
        h.on_idle();
        return Step::Idle;
      }
      discard_pending_sigchld();
      discarded = true;
      continue;
    }
    discarded = false;
    handle(tid, status, h);
    now = util::monotonic_ns();
    if (now >= budget_end) return Step::Busy;
    spin_end = now + kSpinNs;
  }
  h.on_idle();
  return Step::Done;
}

void Tracer::handle(pid_t tid, int status, Handler& h) {
  auto it = tracees_.find(tid);
  Tracee* t = it != tracees_.end() ? &it->second : first_stop(tid, status, h);
  if (!t) return;
  if (WIFEXITED(status) || WIFSIGNALED(status)) return gone(tid, status, h);
  if (!WIFSTOPPED(status)) return;
  const int sig = WSTOPSIG(status);
  const unsigned event = static_cast<unsigned>(status) >> 16;
  if (sig == (SIGTRAP | 0x80)) {
    syscall_stop(*t, tid, h, false);
    return resume(tid, *t, 0);
  }
  if (event != 0) return event_stop(*t, tid, sig, event, h);
  signal_stop(*t, tid, sig, h);
}

Tracer::Tracee* Tracer::first_stop(pid_t tid, int status, Handler& h) {
  if (!WIFSTOPPED(status)) return nullptr;
  const pid_t tgid = thread_group(tid);
  if (!follows(tgid)) {  // a new process where only threads are followed
    ptrace(PTRACE_DETACH, tid, nullptr, nullptr);  // its first stop: nothing to re-inject
    return nullptr;
  }
  Tracee& nt = add(tid, tgid);
  nt.seccomp = launched_ != 0 && options_.seccomp.has_value();  // a filter is inherited
  h.on_tracees(tracees_.size());
  return &nt;
}

void Tracer::event_stop(Tracee& t, pid_t tid, int sig, unsigned event, Handler& h) {
  switch (event) {
    case PTRACE_EVENT_SECCOMP:
      syscall_stop(t, tid, h, true);
      return resume(tid, t, 0);  // in_syscall now: PTRACE_SYSCALL, for the exit stop
    case PTRACE_EVENT_FORK:
    case PTRACE_EVENT_VFORK:
    case PTRACE_EVENT_CLONE:
      new_child(tid, event, h);
      return resume(tid, tracees_.at(tid), 0);
    case PTRACE_EVENT_EXEC:
      return exec_event(tid, h);
    case PTRACE_EVENT_STOP:
      // Group-stop (a stop signal): stay stopped but keep watching; other
      // event-stops (a new tracee's first stop, our INTERRUPT): go on.
      if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
        if (t.started) h.on_group_stop(tid, sig);
        ptrace(PTRACE_LISTEN, tid, nullptr, nullptr);
        return;
      }
      return resume(tid, t, 0);
    default:  // PTRACE_EVENT_EXIT and anything newer
      return resume(tid, t, 0);
  }
}

void Tracer::exec_event(pid_t tid, Handler& h) {
  Tracee& t = tracees_.at(tid);
  unsigned long former = 0;
  ptrace(PTRACE_GETEVENTMSG, tid, nullptr, &former);
  // A non-leader thread exec'd: it now has the leader's tid; its call
  // in progress (the execve) moves with it, the old thread is gone.
  if (static_cast<pid_t>(former) != tid) {
    if (auto old = tracees_.find(static_cast<pid_t>(former)); old != tracees_.end()) {
      // The leader's own call in progress (pause, wait) never returns.
      if (t.in_syscall && t.started) {
        t.call.returned = false;
        t.call.exit_ns = util::monotonic_ns();
        h.on_call(t.call);
      }
      h.on_exec_tid(static_cast<pid_t>(former), tid);
      Tracee moved = old->second;
      tracees_.erase(old);
      moved.call.tid = tid;
      moved.pid = moved.call.pid = tid;
      tracees_[tid] = moved;
      h.on_tracees(tracees_.size());
    }
  }
  Tracee& et = tracees_.at(tid);
  et.started = true;
  resume(tid, et, 0);
}

// Signal-delivery-stop: show it and deliver it. Before the launched
// command's execve, only our own SIGSTOP/SIGCONT dance happens: swallow it.
void Tracer::signal_stop(Tracee& t, pid_t tid, int sig, Handler& h) {
  siginfo_t si{};
  if (ptrace(PTRACE_GETSIGINFO, tid, nullptr, &si) != 0) return resume(tid, t, 0);
  if (!t.started) return resume(tid, t, sig == SIGCONT || sig == SIGSTOP ? 0 : sig);
  h.on_signal(tid, si);
  resume(tid, t, sig);
}

int Tracer::finish(Handler& h) {
  h.on_idle();
  // Stopped early: attached threads are detached (only possible from a
  // ptrace-stop: interrupt, wait, detach, re-injecting a signal caught on
  // the way); launched ones are killed (EXITKILL would do it as we exit).
  for (auto& [tid, t] : tracees_) {
    if (!t.attached) {
      kill(tid, SIGKILL);
    } else if (ptrace(PTRACE_DETACH, tid, nullptr, nullptr) == 0) {
      t.attached = false;
      t.pid = 0;  // done
    } else {
      ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);
    }
  }
  for (auto& [tid, t] : tracees_) {
    if (t.pid == 0) continue;
    for (;;) {
      int status = 0;
      if (waitpid(tid, &status, __WALL) != tid) break;
      if (WIFEXITED(status) || WIFSIGNALED(status)) {
        // Its end raced the stop (a -p target's exit_group seen by the
        // session first): the call it ended in still counts.
        ended(t, tid, status, h);
        break;
      }
      if (!t.attached) {  // being killed: let it die
        ptrace(PTRACE_CONT, tid, nullptr, nullptr);
        continue;
      }
      const unsigned event = static_cast<unsigned>(status) >> 16;
      const int sig = WSTOPSIG(status);
      siginfo_t si{};
      const bool signal_stop = event == 0 && sig != (SIGTRAP | 0x80) &&
                               ptrace(PTRACE_GETSIGINFO, tid, nullptr, &si) == 0;
      ptrace(PTRACE_DETACH, tid, nullptr, signal_stop ? sig : 0);
      break;
    }
  }
  tracees_.clear();
  h.on_idle();
  return launched_status_;
}

}  // namespace syslat::trace
