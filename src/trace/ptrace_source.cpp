#include "trace/ptrace_source.h"

#include "core/report.h"
#include "decode/format.h"
#include "trace/summary.h"
#include "trace/tracee_memory.h"
#include "trace/tracer.h"
#include "util/proc.h"
#include "util/time.h"

namespace syslat::trace {
// Counts the calls Tracer::step() reports, in the caller's thread.
class PtraceSource::Collector final : public Handler {
 public:
  explicit Collector(const PtraceSourceOptions& o) : o_(o) {
    ctx_.resolve_fds = true;
    ctx_.read_string = [this](uint64_t addr, size_t max) { return read_tracee_string(static_cast<pid_t>(ctx_.pid), addr, max); };
    ctx_.read_memory = [this](uint64_t addr, void* out, size_t len) { return read_tracee(static_cast<pid_t>(ctx_.pid), addr, out, len); };
    sample_.start_ns = util::monotonic_ns();
  }

  void on_call(const Call& c) override {
    const auto& f = o_.filter;
    if (f.syscalls && !set_selects(*f.syscalls, c.id)) return;
    const bool error = call_failed(c);
    if (f.failed_only && !error) return;
    if (f.errno_value && (!error || -c.ret != *f.errno_value)) return;
    const std::optional<uint64_t> ns = call_duration_ns(c);
    if (f.min_duration_ns && (!ns || *ns < f.min_duration_ns)) return;
    std::optional<core::SlowEvent> event;
    if (o_.slow && ns && *ns >= o_.slow->for_name(core::slot_name(c.id))) event = slow_event(c, *ns);
    add_call(sample_.syscalls[c.id], c, o_.timed, o_.timed);
    if (!c.entry_seen) return;  // in flight at attach: counted only as that
    if (o_.per_process) {
      core::ProcessStats& p = sample_.processes[static_cast<uint32_t>(c.pid)];
      // The name it has now; a successful execve renames it (fork + exec: "sh" becomes "ls").
      const bool exec = core::is_exec(c.id) && c.returned && !error;
      if (p.pid == 0 || exec) {
        p.pid = static_cast<uint32_t>(c.pid);
        p.comm = util::proc_comm(c.pid).value_or("");  // "" once it is gone
      }
      add_call(p.syscalls[c.id], c, o_.timed, false);
    }
    if (event) events_.push_back(std::move(*event));
  }

  core::Sample take() {
    core::Sample out = std::move(sample_);
    sample_ = core::Sample{};
    out.end_ns = util::monotonic_ns();
    sample_.start_ns = out.end_ns;
    return out;
  }

  std::vector<core::SlowEvent> take_events() {
    return std::exchange(events_, {});
  }

 private:
  core::SlowEvent slow_event(const Call& c, uint64_t ns) {
    core::SlowEvent e;
    e.time_ns = util::realtime_ns();
    e.pid = static_cast<uint32_t>(c.pid);
    e.tid = static_cast<uint32_t>(c.tid);
    e.comm = util::proc_comm(c.tid).value_or("");
    e.id = c.id;
    e.ret = c.ret;
    e.duration_ns = ns;
    e.args = c.args;
    ctx_.pid = static_cast<uint32_t>(c.tid);
    ctx_.ret = c.ret;
    e.decoded = decode::format_call(c.id, c.args, ctx_);  // here: the tracee is stopped, its memory readable
    e.uid = static_cast<uint32_t>(util::proc_status_number(c.tid, "Uid").value_or(0));
    return e;
  }

  const PtraceSourceOptions o_;
  decode::CallContext ctx_;
  core::Sample sample_;
  std::vector<core::SlowEvent> events_;
};

util::Expected<std::unique_ptr<PtraceSource>> PtraceSource::start(const PtraceSourceOptions& options) {
  std::unique_ptr<PtraceSource> source(new PtraceSource());
  source->collector_ = std::make_unique<Collector>(options);
  TracerOptions to;
  // What the BPF backend counts: a command's whole tree; of -p PID, every
  // thread (new ones too) and none of its child processes.
  to.follow_forks = !options.argv.empty();
  to.follow_threads = true;
  to.run_as = options.run_as;
  auto tracer = options.argv.empty() ? Tracer::attach(options.pids, to) : Tracer::launch(options.path, options.argv, to);
  if (!tracer) return tracer.error();
  source->tracer_ = std::move(*tracer);
  source->launched_ = source->tracer_->launched_pid();
  return source;
}

PtraceSource::~PtraceSource() { stop(); }

Tracer::Step PtraceSource::step() {
  if (!tracer_) return Tracer::Step::Done;
  const Tracer::Step step = tracer_->step(*collector_);
  if (step == Tracer::Step::Done) stop();
  return step;
}

void PtraceSource::stop() {
  if (!tracer_) return;
  exit_status_ = tracer_->finish(*collector_);
  tracer_.reset();
}

core::Sample PtraceSource::poll() { return collector_->take(); }

size_t PtraceSource::consume_events(const std::function<void(core::SlowEvent&&)>& sink) {
  auto events = collector_->take_events();
  for (auto& e : events) sink(std::move(e));
  return events.size();
}

}  // namespace syslat::trace
