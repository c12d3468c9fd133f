#include "cli/stats_session.h"

#include <signal.h>
#include <string.h>
#include <sys/utsname.h>

#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>

#include "cli/launcher.h"
#include "cli/run_loop.h"
#include "cli/slow_printer.h"
#include "cli/stack_output.h"
#include "cli/syscall_list.h"
#include "collect/bpf_env.h"
#include "collect/bpf_source.h"
#include "collect/source.h"
#include "collect/stack_symbolizer.h"
#include "collect/user_unwinder.h"
#include "trace/ptrace_source.h"
#include "core/auto_threshold.h"
#include "core/timeline.h"
#include "export/anomaly_writer.h"
#include "export/html_report.h"
#include "export/report_writer.h"
#include "util/files.h"
#include "util/duration.h"
#include "util/escape.h"
#include "util/time.h"

namespace syslat::cli {
namespace {

core::ReportKind report_kind(Tool tool) { return tool == Tool::Count ? core::ReportKind::Count : core::ReportKind::Lat; }

bool wants_timing(Tool tool, const CommonOptions& o) {
  const bool sort_needs_time = o.sort && (*o.sort == core::SortKey::Time || *o.sort == core::SortKey::Avg ||
                                          *o.sort == core::SortKey::Max || *o.sort == core::SortKey::OffCpu);
  return tool != Tool::Count || o.latency || o.states || o.filter.needs_timing() || sort_needs_time;
}

// Where each call's time went: always where latency is the point, behind
// --states in syscount, whose plainest modes stay the cheapest.
bool wants_states(Tool tool, const CommonOptions& o) {
  return tool != Tool::Count || o.states || (o.sort && *o.sort == core::SortKey::OffCpu);
}

core::ReportOptions report_options(core::ReportKind kind, const CommonOptions& o, bool timed, bool states) {
  core::ReportOptions r;
  r.kind = kind;
  r.sort = o.sort.value_or(kind == core::ReportKind::Lat ? core::SortKey::Time : core::SortKey::Count);
  r.top = o.top.value_or(o.format == exporter::Format::Text ? 10 : 0);
  r.timed = timed;
  r.states = states;
  r.per_process = o.per_process;
  return r;
}

// -i: anomalies of each interval against the past ones, unless turned off.
std::optional<core::AnomalyConfig> interval_anomalies(const CommonOptions& o) {
  if (o.interval_s <= 0 || o.anomaly_score <= 0) return std::nullopt;
  return anomaly_config(o);
}

// A report of `span` stamped with the wall-clock times it ends ("time") and
// begins ("start"), the monotonic poll times converted with the clocks'
// offset as it is now (a clock step during the run is followed).
core::Report stamped_report(const core::Sample& span, const core::ReportOptions& ro) {
  const util::MonotonicToRealtime wall;
  const uint64_t end = span.end_ns ? wall.realtime_of(span.end_ns) : util::realtime_ns();
  const uint64_t start = span.start_ns && span.start_ns < span.end_ns ? wall.realtime_of(span.start_ns) : end;
  core::Report report = core::build_report(span, ro, util::rfc3339_utc(static_cast<int64_t>(end)));
  report.start = util::rfc3339_utc(static_cast<int64_t>(start));
  return report;
}

// Where the run's output goes: periodic reports (count, lat) or the stream
// of slow calls (slow).
struct Output {
  std::unique_ptr<exporter::ReportWriter> reports;
  std::unique_ptr<SlowPrinter> slow;
  // -i: the anomalies an interval started, after its report (when the format has them).
  std::function<void(std::span<const core::Anomaly>, const std::string& time)> anomalies;
};

// The reports of a run, from either backend: what the polls added up since
// the last report, every -i interval and at the end (sysslow's stream ends
// with its summary line instead). With `keep_run`, also the whole run and
// its timeline (--stacks scales to its totals; --html draws both).
class Reporter {
 public:
  Reporter(Output& out, core::ReportOptions options, bool keep_run, std::optional<core::AnomalyConfig> anomalies)
      : out_(out), options_(options), keep_run_(keep_run) {
    if (anomalies) detector_.emplace(*anomalies);
  }
  void add(const core::Sample& sample) {
    pending_.merge(sample);
    if (!keep_run_) return;
    whole_run_.merge(sample);
    timeline_.add(sample);
  }
  void emit() {
    const core::Report report = stamped_report(pending_, options_);
    if (out_.reports) out_.reports->write(report);
    // Judged after its report is out, against the intervals before it only.
    if (detector_) {
      const std::vector<core::Anomaly> found = detector_->observe(pending_);
      if (!found.empty() && out_.anomalies) out_.anomalies(found, report.time);
      if (keep_run_)
        for (const core::Anomaly& a : found) anomalies_.push_back({report.time, a});
    }
    pending_ = core::Sample{};
  }
  void finish() {
    if (out_.slow)
      out_.slow->finish();
    else
      emit();
  }
  const core::Sample& whole_run() const { return whole_run_; }
  const core::Timeline& timeline() const { return timeline_; }
  const core::ReportOptions& options() const { return options_; }
  // The anomalies of the run (-i), with the end of the interval each started in.
  const std::vector<exporter::HtmlAnomaly>& anomalies() const { return anomalies_; }
  bool judging() const { return detector_.has_value(); }

 private:
  Output& out_;
  const core::ReportOptions options_;
  const bool keep_run_;
  core::Sample pending_;
  core::Sample whole_run_;
  core::Timeline timeline_;
  std::optional<core::AnomalyDetector> detector_;  // -i, unless --anomaly-score off
  std::vector<exporter::HtmlAnomaly> anomalies_;   // all of the run's, for --html
};

// --html: sysslow's slowest calls shown in full.
constexpr size_t kHtmlSlowest = 50;

class Session {
 public:
  Session(std::string prog, Tool tool, const CommonOptions& o) : prog_(std::move(prog)), tool_(tool), o_(o) {}
  int run();

 private:
  int run_bpf(RunLoop& run, std::ostream& out, const std::function<int(const std::string&)>& fall_back);
  int loop(collect::BpfSource& source, RunLoop& run, LaunchedCommand* command, Output& out);
  // --stacks: the profile, at the end of the run.
  // `totals`: the run's exact per-syscall totals, which a sampled profile is scaled to.
  core::StackProfile write_stacks(const collect::BpfSource& source, std::ostream& reports,
                                  const core::SyscallMap& totals);
  // --html FILE: the whole run, at the end. `stacks`: --stacks' profile, or null.
  void write_html(const Reporter& reporter, const char* backend, const core::StackProfile* stacks,
                  const SlowPrinter* slow);
  // --backend ptrace, or auto when BPF cannot load and there is a command or -p.
  int run_ptrace(RunLoop& run, std::ostream& out);
  // The run starts: -o FILE is emptied, then the writers are made.
  Output make_output(std::ostream& out) const;
  std::string ready_line() const;

  std::string prog_;
  Tool tool_;
  const CommonOptions& o_;
  util::OutputFile* output_file_ = nullptr;  // -o FILE, not yet emptied
  util::OutputFile* html_file_ = nullptr;     // --html FILE, not yet emptied
  std::unique_ptr<std::ostream> html_out_;    // on it
  ProfileOutput profile_;                     // --stacks
  std::ostream* profile_out_ = nullptr;       // --stacks with -o FILE.folded|.pb.gz: that file
  std::ostream* reports_out_ = nullptr;       // where the reports go
  // --stacks, --stack: names the stacks as they come. Mutable: make_output
  // (const) hands it to sysslow's printer.
  mutable collect::StackSymbolizer symbolizer_;
  collect::UserUnwinder unwinder_;            // --stacks: each stack's first call, from .eh_frame
};

std::string Session::ready_line() const {
  if (tool_ != Tool::Slow)
    return fmt::format("Tracing syscalls ({})... Hit Ctrl-C to end.", wants_timing(tool_, o_) ? "timing every call" : "counting");
  return fmt::format("Tracing slow syscalls (at least {})... Hit Ctrl-C to end.", o_.thresholds.describe());
}

// sysslow streams slow calls as they happen: no periodic reports, no table.
std::optional<std::string> not_for_slow(const CommonOptions& o) {
  if (o.interval_s > 0 && !o.thresholds.any_auto()) return "-i/--interval";  // with auto: how often it learns
  if (o.top) return "-T/--top";
  if (o.sort) return "--sort";
  if (o.per_process) return "-P/--process";
  if (o.milliseconds) return "-m/--milliseconds";
  if (o.stacks) return "--stacks/--by-function";
  return std::nullopt;
}

int Session::run() {
  if (auto option = tool_ == Tool::Slow ? not_for_slow(o_) : std::nullopt)
    return fail(prog_, fmt::format("{}: not for sysslow, which prints each slow call as it happens (expected "
                                   "--threshold, --stack, --kstack and filters)", *option), 2);
  if (o_.slow_options && tool_ != Tool::Slow)
    return fail(prog_, "--threshold, --stack and --kstack: only sysslow (syslat slow) takes them", 2);
  if (o_.batch) return fail(prog_, "-b/--batch: only syslat-top takes it (expected syslat-top -b)", 2);
  if (o_.listen || !o_.bucket_bounds_ns.empty())
    return fail(prog_, "--listen and --buckets: only syslatd (syslat serve) takes them", 2);
  // Close-on-exec: a launched command must not inherit it. Emptied only
  // once the run starts (make_output).
  std::optional<util::OutputFile> output_file;
  std::unique_ptr<std::ostream> file;
  if (!o_.output_path.empty()) {
    auto opened = open_output("-o/--output", o_.output_path);
    if (!opened) return fail(prog_, opened.error().message, 2);
    output_file.emplace(std::move(*opened));
    file = output_file->stream();
    output_file_ = &*output_file;
  }
  std::optional<util::OutputFile> html_file;
  if (!o_.html_path.empty()) {
    auto opened = open_output("--html", o_.html_path);
    if (!opened) return fail(prog_, opened.error().message, 2);
    html_file.emplace(std::move(*opened));
    html_out_ = html_file->stream();
    html_file_ = &*html_file;
  }
  if (o_.stacks) {
    auto where = profile_output(o_);
    if (!where) return fail(prog_, where.error().message, 2);
    profile_ = *where;
  }
  // -o FILE.folded: the file holds the profile, the reports go to stdout.
  if (profile_.to_file) profile_out_ = file.get();
  std::ostream& out = file && !profile_.to_file ? *file : std::cout;
  reports_out_ = &out;

  // Signals go to the run's loop before anything is attached: an early
  // Ctrl-C still detaches cleanly.
  auto run = RunLoop::create(o_.filter.pids);
  if (!run) return fail(prog_, run.error().message, 1);
  if (o_.backend == Backend::Ptrace) return run_ptrace(**run, out);
  const bool can_fall_back = o_.backend == Backend::Auto && (!o_.command.empty() || !o_.filter.pids.empty());
  return run_bpf(**run, out, [&](const std::string& why) {
    if (!can_fall_back) return fail(prog_, why, 1);
    std::cerr << prog_ << ": BPF unavailable (" << why << "): using the ptrace backend (slower)\n";
    return run_ptrace(**run, out);
  });
}

// `fall_back` is told why BPF cannot be used.
int Session::run_bpf(RunLoop& run, std::ostream& out, const std::function<int(const std::string&)>& fall_back) {
  auto kernel = collect::check_bpf_environment();
  if (!kernel) return fall_back(kernel.error().message);
  std::optional<LaunchedCommand> command;
  if (!o_.command.empty()) {
    auto spawned = LaunchedCommand::spawn(o_.command, o_.run_as ? &*o_.run_as : nullptr);
    if (!spawned) return fail(prog_, spawned.error().message, 2);
    command.emplace(std::move(*spawned));
  }
  collect::BpfOptions bo;
  bo.timed = wants_timing(tool_, o_);
  bo.slow = tool_ == Tool::Slow;
  bo.user_stack = o_.user_stack;
  bo.kernel_stack = o_.kernel_stack;
  bo.states = wants_states(tool_, o_);
  bo.per_process = o_.per_process;
  bo.kernel = *kernel;
  bo.follow_forks = command.has_value();
  bo.max_process_entries = process_map_entries(o_.max_processes.value_or(kDefaultMaxProcesses));
  bo.stacks = o_.stacks;
  bo.max_stacks = o_.max_stacks.value_or(kDefaultMaxStacks);
  bo.stack_sample = o_.stack_sample.value_or(kDefaultStackSample);
  bo.stack_namer = [this](uint32_t pid, std::span<const uint64_t> ips) { return symbolizer_.user_frames(pid, ips); };
  bo.stack_unwinder = [this](uint32_t pid, uint64_t ip, uint64_t sp, uint64_t bp, std::span<const uint8_t> stack) {
    return unwinder_.unwind(pid, collect::UserRegs{ip, sp, bp}, stack, SYSLAT_PROFILE_DEPTH);
  };
  bo.stack_pinner = [this](uint32_t pid) { symbolizer_.pin(pid); };
  bo.verbose = o_.verbose;
  auto source = collect::BpfSource::load(bo);
  if (!source) {
    command.reset();  // never released: it exits without running
    return fall_back(source.error().message);
  }
  core::FilterSpec filter = o_.filter;
  // sysslow's own writes of events would be events (--threshold 0: a loop
  // that feeds itself); it leaves itself out, as syslat-top does.
  // --stacks: naming stacks reads files, whose calls would be new stacks to name.
  if (tool_ == Tool::Slow || o_.stacks) filter.skip_pid = static_cast<uint32_t>(getpid());
  if (auto ok = (*source)->apply(filter); !ok) return fail(prog_, ok.error().message, 2);
  if (command) (*source)->trace_from_exec(static_cast<uint32_t>(command->pid()));
  if (tool_ == Tool::Slow) (*source)->set_thresholds(o_.thresholds);
  if (auto ok = (*source)->attach(); !ok) return fail(prog_, ok.error().message, 1);

  Output output = make_output(out);
  if (command)
    command->release();
  else
    std::cerr << ready_line() << '\n';
  return loop(**source, run, command ? &*command : nullptr, output);
}

Output Session::make_output(std::ostream& out) const {
  if (output_file_) output_file_->begin();
  if (html_file_) html_file_->begin();
  Output output;
  if (tool_ == Tool::Slow) {
    output.slow = std::make_unique<SlowPrinter>(exporter::make_slow_writer(out, o_.format), symbolizer_);
    if (html_file_) output.slow->keep_slowest(kHtmlSlowest);
  } else if (!profile_.replaces_report) {  // --format folded on stdout: the profile is the output
    exporter::WriterOptions wo;
    wo.format = o_.format;
    wo.milliseconds = o_.milliseconds;
    wo.timestamps = o_.interval_s > 0;
    output.reports = exporter::make_writer(out, wo);
    if (o_.format == exporter::Format::Text)
      output.anomalies = [&out](std::span<const core::Anomaly> found, const std::string&) {
        exporter::write_anomalies_text(out, found);
      };
    else if (o_.format == exporter::Format::Json)
      output.anomalies = [&out](std::span<const core::Anomaly> found, const std::string& time) {
        exporter::write_anomalies_json(out, found, time);
      };
  }
  return output;
}

int Session::run_ptrace(RunLoop& run, std::ostream& out) {
  const auto& f = o_.filter;
  if (!f.tids.empty() || f.uid || f.comm || f.cgroup_path)
    return fail(prog_, "--backend ptrace: -t, -u, -n, -c and --unit need BPF (expected -p PID or a command)", 2);
  if (o_.command.empty() && f.pids.empty())
    return fail(prog_, "--backend ptrace: needs -- CMD or -p PID (ptrace cannot trace the whole system)", 2);
  if (o_.user_stack || o_.kernel_stack) return fail(prog_, "--stack, --kstack: need the BPF backend (expected --backend bpf)", 2);
  if (o_.stacks) return fail(prog_, "--stacks, --by-function: need the BPF backend (expected --backend bpf)", 2);
  if (o_.thresholds.any_auto())
    return fail(prog_, "--threshold auto: needs the BPF backend (expected --backend bpf, or a DUR)", 2);
  // Asked for by name, a split the ptrace backend cannot make is refused,
  // not left out (syslat and sysslow, splitting by default, just go without).
  if (o_.states || (o_.sort && *o_.sort == core::SortKey::OffCpu))
    return fail(prog_, "--states, --sort offcpu: need the BPF backend (sched_switch splits a call's time; expected --backend bpf)", 2);
  trace::PtraceSourceOptions po;
  po.timed = wants_timing(tool_, o_);
  po.per_process = o_.per_process;
  po.filter = f;
  if (tool_ == Tool::Slow) po.slow = o_.thresholds;
  if (!o_.command.empty()) {
    auto path = resolve_command(o_.command.front());
    if (!path) return fail(prog_, path.error().message, 2);
    po.path = *path;
    po.argv = o_.command;
    po.run_as = o_.run_as;
  }
  po.pids.assign(f.pids.begin(), f.pids.end());
  auto started = trace::PtraceSource::start(po);
  if (!started) return fail(prog_, started.error().message, 1);
  trace::PtraceSource& source = **started;
  Output output = make_output(out);
  if (o_.command.empty()) std::cerr << ready_line() << '\n';

  Reporter reporter(output, report_options(report_kind(tool_), o_, po.timed, false), html_out_ != nullptr,
                    interval_anomalies(o_));
  const auto print = [&](core::SlowEvent&& e) { output.slow->print(std::move(e)); };
  if (const pid_t pid = source.launched_pid(); pid > 0)  // a second request ends the trace, which kills it
    run.set_command(RunLoop::announced(prog_, o_.command.at(0), pid, [pid](int sig) { kill(pid, sig); },
                                       [&run] { run.end(RunLoop::End::Signal); }));
  // sysslow: each slow call as soon as the tracer has seen it.
  run.drive_tracer([&] {
    const trace::Tracer::Step step = source.step();
    if (output.slow) source.consume_events(print);
    return step;
  });
  run.set_duration(o_.duration_s);
  if (o_.interval_s > 0)
    run.loop().every(static_cast<uint64_t>(o_.interval_s * 1e9), [&] {
      reporter.add(source.poll());
      reporter.emit();
    });
  else if (html_out_)  // the HTML report's timeline
    run.loop().every(reporter.timeline().column_ns(), [&] { reporter.add(source.poll()); });
  run.run();
  source.stop();  // detaches attached processes: they run on
  if (output.slow) source.consume_events(print);
  reporter.add(source.poll());
  reporter.finish();
  if (html_out_) write_html(reporter, "ptrace", nullptr, output.slow.get());
  return o_.command.empty() ? 0 : source.exit_status();
}

int Session::loop(collect::BpfSource& source, RunLoop& run, LaunchedCommand* command, Output& out) {
  Reporter reporter(out, report_options(report_kind(tool_), o_, wants_timing(tool_, o_), wants_states(tool_, o_)),
                    o_.stacks || html_out_, interval_anomalies(o_));
  // sysslow: events as they come; losses said when the poll sees them.
  const auto print = [&](core::SlowEvent&& e) { out.slow->print(std::move(e)); };
  // sysslow --threshold auto: every poll feeds the baseline; each learning
  // interval (-i, default 1 s) the auto thresholds move to what it says.
  const bool learning = out.slow && o_.thresholds.any_auto();
  core::AnomalyDetector learner(anomaly_config(o_));
  core::Sample learn_pending;
  core::LearnedThresholds thresholds{o_.thresholds, {}};
  auto poll_source = [&] {
    core::Sample s = source.poll();
    reporter.add(s);  // sysslow's reports are never written: kept for --html
    if (!out.slow) return;
    if (learning) learn_pending.merge(s);
    // sysslow reports events, not aggregates: only the losses matter here.
    source.consume_events(print);
    out.slow->lost(s.health.events_lost);
  };
  auto relearn = [&] {
    learner.observe(learn_pending);
    learn_pending = core::Sample{};
    core::AutoThresholdConfig config;
    if (o_.auto_floor_ns) config.floor_ns = *o_.auto_floor_ns;
    core::LearnedThresholds next = core::learned_thresholds(o_.thresholds, learner, config);
    if (next.spec.by_name != thresholds.spec.by_name) source.set_thresholds(next.spec);
    thresholds = std::move(next);
  };
  util::EventLoop& loop = run.loop();
  if (out.slow)
    if (auto ok = loop.watch(source.events_fd(), [&](uint32_t) { source.consume_events(print); }); !ok)
      return fail(prog_, ok.error().message, 1);
  // --stacks: each new stack named at once, while its process lives.
  if (o_.stacks)
    if (auto ok = loop.watch(source.new_stacks_fd(), [&](uint32_t) { source.name_new_stacks(); }); !ok)
      return fail(prog_, ok.error().message, 1);
  if (command) follow_command(run, *command, prog_, o_.command.at(0));
  run.set_duration(o_.duration_s);
  const double report_s = learning ? (o_.interval_s > 0 ? o_.interval_s : 1.0) : o_.interval_s;
  run.poll_and_report(collect::kPollPeriodNs, static_cast<uint64_t>(report_s * 1e9), poll_source, [&] {
    if (learning)
      relearn();
    else
      reporter.emit();
  });
  const RunLoop::Outcome outcome = run.run();
  source.detach();
  if (o_.stacks) source.name_new_stacks();
  poll_source();
  reporter.finish();
  if (learning)
    exporter::write_thresholds(*reports_out_, o_.format, thresholds.learned, learner.intervals_seen(),
                               util::rfc3339_utc(static_cast<int64_t>(util::realtime_ns())));
  std::optional<core::StackProfile> stacks;
  if (o_.stacks) stacks = write_stacks(source, *reports_out_, reporter.whole_run().syscalls);
  if (html_out_) write_html(reporter, "bpf", stacks ? &*stacks : nullptr, out.slow.get());
  return outcome.why == RunLoop::End::CommandExited ? command->exit_status() : 0;  // like strace
}

core::StackProfile Session::write_stacks(const collect::BpfSource& source, std::ostream& reports,
                                         const core::SyscallMap& totals) {
  core::StackProfile profile = source.stack_profile();
  core::scale_to_totals(profile, totals);
  if (auto ok = write_profile(reports, profile_out_ ? *profile_out_ : std::cout, profile, profile_, o_,
                              wants_timing(tool_, o_));
      !ok)
    fail(prog_, ok.error().message, 1);
  return profile;
}

void Session::write_html(const Reporter& reporter, const char* backend, const core::StackProfile* stacks,
                         const SlowPrinter* slow) {
  core::ReportOptions ro = reporter.options();
  ro.top = 0;  // every syscall
  ro.per_process = false;
  const core::Report report = stamped_report(reporter.whole_run(), ro);
  exporter::HtmlRun run;
  run.tool = prog_;
  run.what = o_.invocation;
  run.start = report.start;
  run.end = report.time;
  run.seconds = reporter.whole_run().seconds();
  run.backend = backend;
  if (utsname u{}; uname(&u) == 0) {
    run.host = u.nodename;
    run.kernel = std::string(u.release) + " " + u.machine;
  }
  run.anomalies_judged = reporter.judging();
  run.anomalies = reporter.anomalies();
  const bool by_calls = profile_by_calls(o_, wants_timing(tool_, o_));
  std::optional<exporter::HtmlSlowCalls> slowest;
  if (slow) slowest = exporter::HtmlSlowCalls{slow->slowest(), slow->printed(), slow->lost_count()};
  exporter::write_html_report(*html_out_, run, report, reporter.timeline(), stacks, by_calls,
                              slowest ? &*slowest : nullptr);
  html_out_->flush();
  if (!*html_out_) fail(prog_, fmt::format("--html: writing '{}' failed", o_.html_path), 1);
}

}  // namespace

util::Expected<util::OutputFile> open_output(const std::string& option, const std::string& path) {
  auto opened = util::OutputFile::open(path);
  if (!opened) return util::make_error(fmt::format("{}: cannot write '{}' (expected a writable FILE)", option, path));
  return opened;
}

int fail(const std::string& prog, const std::string& message, int status) {
  // A message may quote what a process or a file name holds: escaped, it
  // stays one line and never drives the terminal.
  std::cerr << prog << ": " << util::escaped(message) << '\n';
  return status;
}

int run_with_common_options(const std::string& prog, const CommandSpec& spec, int argc, char** argv,
                            const std::function<int(const CommonOptions&)>& run, bool positional) {
  auto opts = parse_common_options(argc, argv, positional);
  if (!opts) return fail(prog, opts.error().message, 2);
  if (!positional && opts->sort_self) return fail(prog, "--sort self: only sysfunc (syslat func) has self time", 2);
  if (!positional && !opts->kernel_functions.empty() && spec.name != std::string_view("lat"))
    return fail(prog, "--kernel: only syslat (syslat lat) takes it (expected syslat --kernel FUNC,...|default)", 2);
  if (opts->stacks && spec.name != std::string_view("count") && spec.name != std::string_view("lat"))
    return fail(prog, "--stacks and --by-function: only syscount and syslat take them (expected syslat --stacks)", 2);
  if (!positional && opts->func_options)
    return fail(prog, "--trace, --attach, --fentry, --by-syscall and --max-functions: only sysfunc (syslat func) takes them", 2);
  if (opts->help) {
    std::cout << help_text(prog, spec);
    return 0;
  }
  if (opts->version) {
    std::cout << prog << " (syslat) " << SYSLAT_VERSION << '\n';
    return 0;
  }
  if (opts->list && !positional) return list_syscalls(std::cout);  // sysfunc lists functions itself
  return run(*opts);
}

int run_stats(const std::string& prog, Tool tool, const CommonOptions& options) { return Session(prog, tool, options).run(); }

int run_stats_command(const std::string& prog, const CommandSpec& spec, Tool tool, int argc, char** argv) {
  return run_with_common_options(prog, spec, argc, argv, [&](const CommonOptions& o) { return run_stats(prog, tool, o); });
}

}  // namespace syslat::cli
