#include "cli/trace_printer.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>

#include "core/slow_event.h"
#include "decode/flags.h"
#include "decode/text.h"
#include "export/slow_writer.h"
#include "trace/summary.h"
#include "trace/tracee_memory.h"
#include "util/proc.h"
#include "util/time.h"

namespace syslat::cli {
namespace {

constexpr size_t kFlushAt = 1 << 15;
constexpr size_t kResultColumn = 40;  // strace aligns " = ret" here

std::string si_code_name(const siginfo_t& si) {
  switch (si.si_code) {
    case SI_USER: return "SI_USER";
    case SI_KERNEL: return "SI_KERNEL";
    case SI_QUEUE: return "SI_QUEUE";
    case SI_TIMER: return "SI_TIMER";
    case SI_MESGQ: return "SI_MESGQ";
    case SI_ASYNCIO: return "SI_ASYNCIO";
    case SI_SIGIO: return "SI_SIGIO";
    case SI_TKILL: return "SI_TKILL";
    default: break;
  }
  if (si.si_signo == SIGCHLD) {
    static const char* const kCld[] = {"", "CLD_EXITED", "CLD_KILLED", "CLD_DUMPED", "CLD_TRAPPED", "CLD_STOPPED", "CLD_CONTINUED"};
    if (si.si_code >= 1 && si.si_code <= 6) return kCld[si.si_code];
  }
  if (si.si_signo == SIGSEGV && (si.si_code == SEGV_MAPERR || si.si_code == SEGV_ACCERR))
    return si.si_code == SEGV_MAPERR ? "SEGV_MAPERR" : "SEGV_ACCERR";
  return std::to_string(si.si_code);
}

// strace's siginfo: {si_signo=SIGUSR1, si_code=SI_USER, si_pid=42, si_uid=0}.
std::string siginfo_text(const siginfo_t& si) {
  std::string out = "{si_signo=" + decode::signal_name(si.si_signo) + ", si_code=" + si_code_name(si);
  if (si.si_code == SI_USER || si.si_code == SI_TKILL || si.si_code == SI_QUEUE) {
    out += fmt::format(", si_pid={}, si_uid={}", si.si_pid, si.si_uid);
  } else if (si.si_signo == SIGCHLD && si.si_code > 0) {
    out += fmt::format(", si_pid={}, si_uid={}, si_status={}, si_utime={}, si_stime={}", si.si_pid, si.si_uid,
                       si.si_code == CLD_EXITED ? std::to_string(si.si_status) : decode::signal_name(si.si_status),
                       si.si_utime, si.si_stime);
  } else if (si.si_signo == SIGSEGV || si.si_signo == SIGBUS || si.si_signo == SIGILL || si.si_signo == SIGFPE) {
    out += ", si_addr=" + decode::pointer(reinterpret_cast<uint64_t>(si.si_addr));
  }
  return out + "}";
}

std::string timestamp(int level, uint64_t realtime_ns) {
  const time_t secs = static_cast<time_t>(realtime_ns / 1'000'000'000u);
  const uint64_t usecs = realtime_ns / 1000 % 1'000'000;
  if (level >= 3) return fmt::format("{}.{:06} ", secs, usecs);
  tm local{};
  localtime_r(&secs, &local);
  if (level == 2) return fmt::format("{:02}:{:02}:{:02}.{:06} ", local.tm_hour, local.tm_min, local.tm_sec, usecs);
  return fmt::format("{:02}:{:02}:{:02} ", local.tm_hour, local.tm_min, local.tm_sec);
}

}  // namespace

TracePrinter::TracePrinter(const TraceOptions& options, int out_fd, bool to_file)
    : o_(options), fd_(out_fd), to_file_(to_file) {
  ctx_.resolve_fds = options.show_fd_paths;
  ctx_.max_string = options.max_string;
  ctx_.read_string = [this](uint64_t addr, size_t max_len) { return trace::read_tracee_string(static_cast<pid_t>(ctx_.pid), addr, max_len); };
  ctx_.read_memory = [this](uint64_t addr, void* out, size_t len) { return trace::read_tracee(static_cast<pid_t>(ctx_.pid), addr, out, len); };
  buf_.reserve(kFlushAt + 4096);
}

TracePrinter::~TracePrinter() { flush(); }

void TracePrinter::flush() {
  size_t done = 0;
  while (done < buf_.size() && output_errno_ == 0) {
    const ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      output_errno_ = n < 0 ? errno : ENOSPC;
      if (on_gone_) on_gone_();
      break;
    }
    done += static_cast<size_t>(n);
  }
  buf_.clear();
}

void TracePrinter::line_start(pid_t tid, uint64_t realtime_ns) {
  if (o_.follow_forks && to_file_)
    buf_ += fmt::format("{:<5} ", tid);
  else if (tracees_ > 1 || o_.pids.size() > 1)
    buf_ += fmt::format("[pid {:>5}] ", tid);
  if (o_.timestamps) buf_ += timestamp(o_.timestamps, realtime_ns ? realtime_ns : util::realtime_ns());
}

const TracePrinter::Who& TracePrinter::who(pid_t tid) {
  auto it = who_.find(tid);
  if (it != who_.end()) return it->second;
  Who w;
  w.comm = util::proc_comm(tid).value_or("");
  w.uid = static_cast<uint32_t>(util::proc_status_number(tid, "Uid").value_or(0));
  return who_.emplace(tid, std::move(w)).first->second;
}

void TracePrinter::on_entry(const trace::Call& call) {
  if (!core::is_exec(call.id) || !o_.trace_lines) return;
  if (o_.expr.trace && !trace::set_selects(*o_.expr.trace, call.id)) return;
  ctx_.pid = static_cast<uint32_t>(call.tid);
  ctx_.ret.reset();
  at_entry_[call.tid] = decode::format_call(call.id, call.args, ctx_);
}

void TracePrinter::on_call(const trace::Call& call) {
  if (o_.expr.trace && !trace::set_selects(*o_.expr.trace, call.id)) return;
  if (o_.summary) trace::add_call(stats_[call.id], call, /*timed=*/true, /*histogram=*/false);
  if (!call.entry_seen) return;  // in flight when attached: no arguments to show
  const bool error = trace::call_failed(call);
  const uint64_t duration = trace::call_duration_ns(call).value_or(0);
  if (core::is_exec(call.id) && call.returned && !error) who_.erase(call.tid);  // a new comm
  if (!o_.trace_lines) return;
  if (call.returned && (error ? !o_.expr.show_failed : !o_.expr.show_successful)) return;
  if (!call.returned && !o_.expr.show_successful) return;

  std::string decoded;
  if (auto it = at_entry_.find(call.tid); it != at_entry_.end()) {
    decoded = std::move(it->second);
    at_entry_.erase(it);
  } else {
    ctx_.pid = static_cast<uint32_t>(call.tid);
    if (call.returned)
      ctx_.ret = call.ret;
    else
      ctx_.ret.reset();
    decoded = decode::format_call(call.id, call.args, ctx_);
  }
  const std::string result = call.returned ? decode::format_return(call.id, call.ret, &call.args) : "= ?";
  if (o_.json) return json_call(call, decoded, result);

  const size_t start = buf_.size();
  line_start(call.tid, call.entry_realtime_ns);
  buf_ += decoded;
  buf_ += ' ';
  if (buf_.size() - start < kResultColumn) buf_.append(kResultColumn - (buf_.size() - start), ' ');
  buf_ += result;
  if (o_.show_time && call.returned) buf_ += fmt::format(" <{}.{:06}>", duration / 1'000'000'000u, duration / 1000 % 1'000'000);
  buf_ += '\n';
  if (buf_.size() >= kFlushAt) flush();
}

void TracePrinter::json_call(const trace::Call& call, const std::string& decoded, const std::string& result) {
  core::SlowRecord r;
  core::SlowEvent& e = r.event;
  const Who& w = who(call.tid);
  e.pid = static_cast<uint32_t>(call.pid);
  e.tid = static_cast<uint32_t>(call.tid);
  e.uid = w.uid;
  e.comm = w.comm;
  e.id = call.id;
  e.ret = call.returned ? call.ret : 0;
  e.duration_ns = trace::call_duration_ns(call).value_or(0);
  e.time_ns = call.entry_realtime_ns + e.duration_ns;  // "time" is a call's end in every tool
  e.args = call.args;
  r.call = decoded;
  r.result = result;
  buf_ += exporter::call_json(r, "trace");
  buf_ += '\n';
  if (buf_.size() >= kFlushAt) flush();
}

void TracePrinter::on_signal(pid_t tid, const siginfo_t& info) {
  if (!o_.trace_lines || o_.json) return;
  line_start(tid, 0);
  buf_ += "--- " + decode::signal_name(info.si_signo) + " " + siginfo_text(info) + " ---\n";
}

void TracePrinter::on_group_stop(pid_t tid, int sig) {
  if (!o_.trace_lines || o_.json) return;
  line_start(tid, 0);
  buf_ += "--- stopped by " + decode::signal_name(sig) + " ---\n";
}

void TracePrinter::on_exit(pid_t tid, int status) {
  who_.erase(tid);
  at_entry_.erase(tid);
  if (!o_.trace_lines || o_.json) return;
  line_start(tid, 0);
  if (WIFEXITED(status))
    buf_ += fmt::format("+++ exited with {} +++\n", WEXITSTATUS(status));
  else
    buf_ += fmt::format("+++ killed by {}{} +++\n", decode::signal_name(WTERMSIG(status)), WCOREDUMP(status) ? " (core dumped)" : "");
}

void TracePrinter::on_exec_tid(pid_t former, pid_t tid) {
  who_.erase(tid);
  if (auto it = at_entry_.find(former); it != at_entry_.end()) {
    at_entry_[tid] = std::move(it->second);
    at_entry_.erase(it);
  }
  if (!o_.trace_lines || o_.json) return;
  line_start(tid, 0);
  buf_ += fmt::format("+++ superseded by execve in pid {} +++\n", former);
}

void TracePrinter::write_summary() {
  flush();
  buf_ = trace::summary_table(stats_);
  flush();
}

}  // namespace syslat::cli
