// syslat-top / syslat top: the dashboard. Wires the BPF source to the window
// model and the ui/ views: poll -> window -> report -> frame, every refresh;
// keys change the view or, through the source, the filters in the kernel.
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <memory>
#include <optional>

#include "cli/commands.h"
#include "cli/func_resolve.h"
#include "cli/slow_printer.h"
#include "cli/run_loop.h"
#include "cli/stats_session.h"
#include "collect/bpf_env.h"
#include "collect/bpf_source.h"
#include "collect/cpu_usage.h"
#include "collect/func_source.h"
#include "collect/source.h"
#include "core/errno_names.h"
#include "core/func_match.h"
#include "core/func_report.h"
#include "core/window.h"
#include "decode/format.h"
#include "export/anomaly_writer.h"
#include "syslat.h"
#include "ui/dashboard_view.h"
#include "ui/keys.h"
#include "ui/terminal.h"
#include "util/duration.h"
#include "util/strings.h"
#include "util/time.h"

namespace syslat::cli {
namespace {

constexpr size_t kSlowKept = 200;               // slow calls kept for the panel
constexpr uint64_t kMessageNs = 4'000'000'000;  // how long a footer message stays
constexpr size_t kBatchSlowRows = 10;
constexpr uint64_t kCpuReadNs = 1'000'000'000;

uint64_t ns_of(double seconds) { return static_cast<uint64_t>(seconds * 1e9); }

std::string describe_filter(const core::FilterSpec& f) {
  std::vector<std::string> parts;
  auto ids = [](const std::vector<uint32_t>& v) {
    std::string s;
    for (uint32_t id : v) s += (s.empty() ? "" : ",") + std::to_string(id);
    return s;
  };
  if (!f.pids.empty()) parts.push_back("pid " + ids(f.pids));
  if (!f.tids.empty()) parts.push_back("tid " + ids(f.tids));
  if (f.comm) parts.push_back("comm " + *f.comm);
  if (f.uid) parts.push_back(fmt::format("uid {}", *f.uid));
  if (f.cgroup_path) parts.push_back("cgroup " + *f.cgroup_path);
  if (f.syscalls) parts.push_back(fmt::format("-S ({} selected)", f.syscalls->count()));
  if (f.failed_only) parts.push_back("failed calls");
  if (f.errno_value) parts.push_back("errno " + std::string(core::errno_name(*f.errno_value)));
  if (f.min_duration_ns) parts.push_back(">= " + util::format_duration_ns(f.min_duration_ns));
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : "  ") + p;
  return s;
}

// Columns for batch output: $COLUMNS, the terminal's width, else 120.
int batch_width() {
  if (const char* env = std::getenv("COLUMNS"))
    if (auto n = util::parse_u64(env); n && *n >= 40 && *n <= 1000) return static_cast<int>(*n);
  winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40) return ws.ws_col;
  return 120;
}

bool terminal_usable(bool batch_asked) {
  if (batch_asked || !isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) return false;
  const char* term = std::getenv("TERM");
  return term && *term && std::string_view(term) != "dumb";
}

class Dashboard {
 public:
  Dashboard(std::string prog, const CommonOptions& o)
      : prog_(std::move(prog)), o_(o), filter_(o.filter), thresholds_(o.thresholds), detector_(anomaly_config(o)) {
    // Its own polls would be the slowest calls on an idle machine.
    filter_.skip_pid = static_cast<uint32_t>(getpid());
  }
  int run();

 private:
  util::Expected<void> load();  // the programs, not attached yet
  int loop(RunLoop& run);
  void read_keys(RunLoop& run);
  uint64_t poll_period_ns() const { return std::min(ns_of(state_.refresh_s), collect::kPollPeriodNs); }
  void poll_source();
  void take_events();
  // Each second of polls judged against the seconds before (core/anomaly.h).
  void judge_anomalies(const core::Sample& poll);
  void refresh_data();
  void draw();
  bool on_key(int key);  // false: quit
  void submit(ui::Command command);
  void say(std::string message, bool error);
  // K: attach sysfunc's default set for the selected syscall, or detach.
  void follow_kernel_view();
  void refresh_kernel_data();

  std::string prog_;
  const CommonOptions& o_;
  core::FilterSpec filter_;
  core::ThresholdSpec thresholds_;
  std::unique_ptr<collect::BpfSource> source_;
  std::unique_ptr<ui::Terminal> terminal_;
  core::SampleWindow window_;
  collect::CpuHistory cpu_;
  std::deque<ui::SlowLine> slow_;  // newest first
  core::AnomalyDetector detector_;
  core::Sample anomaly_pending_;  // the polls of the second being filled
  std::vector<core::SyscallId> anomalous_;  // anomalies going on
  ui::UiState state_;
  ui::DashboardData data_;  // what the screen shows; frozen while paused
  uint64_t next_cpu_read_ns_ = 0;
  util::EventLoop::TimerId poll_timer_ = 0, draw_timer_ = 0;
  // The kernel view: its probes, attached only while it is shown, for one syscall.
  std::unique_ptr<collect::FuncSource> func_source_;
  std::optional<ResolvedFunctions> kernel_functions_;  // resolved once
  std::optional<core::SyscallId> kernel_of_;            // what func_source_ (or its failure) is for
  core::FuncSample kernel_sample_;                      // since it was attached
};

util::Expected<void> Dashboard::load() {
  auto kernel = collect::check_bpf_environment(/*has_ptrace_backend=*/false);
  if (!kernel) return kernel.error();
  collect::BpfOptions bo;
  bo.timed = true;
  bo.states = true;
  bo.slow = true;
  bo.kernel = *kernel;
  bo.verbose = o_.verbose;
  auto source = collect::BpfSource::load(bo);
  if (!source) return source.error();
  source_ = std::move(*source);
  source_->set_thresholds(thresholds_);
  return {};
}

// Slow events are drained here too, not as they arrive: a wakeup per event
// would cost more than the whole refresh (the ring buffer holds seconds of them,
// and what overflows is counted).
void Dashboard::poll_source() {
  take_events();
  if (func_source_) kernel_sample_.merge(func_source_->poll());
  core::Sample s = source_->poll();
  window_.add(s);
  judge_anomalies(s);
  // /proc/stat is costly to produce (every CPU, every interrupt line): once
  // a second is enough for a share over a window of a second or more.
  if (s.end_ns >= next_cpu_read_ns_) {
    cpu_.add(s.end_ns, collect::read_cpu_times(filter_.pids));
    next_cpu_read_ns_ = s.end_ns + kCpuReadNs;
  }
}

// Slow calls as they come. A flood (a low threshold) only costs decoding
// of the ones the panel can keep; every one is counted.
void Dashboard::take_events() {
  std::vector<core::SlowEvent> batch;
  source_->consume_events([&](core::SlowEvent&& e) { batch.push_back(std::move(e)); });
  const size_t first = batch.size() > kSlowKept ? batch.size() - kSlowKept : 0;
  for (size_t i = first; i < batch.size(); ++i) {
    const core::SlowEvent& e = batch[i];
    ui::SlowLine line;
    line.time_ns = e.time_ns;
    line.pid = e.pid;
    line.comm = e.comm;  // the view escapes what it draws
    line.duration_ns = e.duration_ns;
    line.call = decoded_call(e) + " " + decode::format_return(e.id, e.ret);
    slow_.push_front(std::move(line));
  }
  while (slow_.size() > kSlowKept) slow_.pop_back();
}

void Dashboard::judge_anomalies(const core::Sample& poll) {
  if (o_.anomaly_score <= 0) return;
  anomaly_pending_.merge(poll);
  if (anomaly_pending_.seconds() < 1.0) return;
  const uint64_t now = util::realtime_ns();
  for (const core::Anomaly& a : detector_.observe(anomaly_pending_)) {
    ui::SlowLine line;
    line.time_ns = now;
    line.call = exporter::anomaly_text(a);
    line.anomaly = true;
    slow_.push_front(std::move(line));
  }
  while (slow_.size() > kSlowKept) slow_.pop_back();
  anomalous_ = detector_.active();
  anomaly_pending_ = core::Sample{};
}

void Dashboard::refresh_data() {
  const core::Sample view = window_.view(state_.window);
  core::ReportOptions ro;
  ro.kind = core::ReportKind::Lat;
  ro.sort = state_.sort;
  ro.top = 0;
  ro.timed = true;
  ro.states = true;  // the split line under the histogram; the offcpu sort
  data_.report = core::build_report(view, ro, "");
  data_.sys_cpu_share = cpu_.share_since(view.start_ns);
  data_.cpu_scope = filter_.pids.empty() ? "" : " (PIDs)";
  data_.slow.assign(slow_.begin(), slow_.end());
  const core::Sample& since_start = window_.since_start();
  data_.slow_total = 0;  // counted in the kernel: exact, whatever the ring buffer dropped
  for (const auto& [id, st] : since_start.syscalls) data_.slow_total += st.slow;
  data_.lost_total = since_start.health.lost();
  data_.filters = describe_filter(filter_);
  data_.thresholds = thresholds_.describe();
  data_.anomalous = {anomalous_.begin(), anomalous_.end()};
  data_.clock = util::clock_hms();
  refresh_kernel_data();
}

void Dashboard::follow_kernel_view() {
  const core::Row* row = state_.kernel_view ? ui::selected_row(data_, state_) : nullptr;
  const std::optional<core::SyscallId> want = row ? std::optional(row->id) : std::nullopt;
  if (want == kernel_of_) return;  // the same syscall: attached already, or refused already
  func_source_.reset();  // its links go with it
  kernel_sample_ = {};
  kernel_of_ = want;
  data_.kernel_status.clear();
  data_.kernel_failed = false;
  if (!want) return;
  const auto failed = [&](std::string why) {
    data_.kernel_status = std::move(why);
    data_.kernel_failed = true;
  };
  if (want->abi != core::Abi::Native || want->nr < 0)
    return failed("32-bit and unknown syscalls are not broken down by kernel function");
  if (!kernel_functions_) {
    auto resolved = resolve_functions({"default"}, core::kDefaultMaxFunctions);
    if (!resolved) return failed(resolved.error().message);
    kernel_functions_ = std::move(*resolved);
  }
  collect::FuncOptions fo;
  fo.functions = kernel_functions_->probes;
  fo.filter = filter_;
  fo.filter.syscalls.reset();
  fo.by_syscall = true;
  if (want->nr >= static_cast<int>(core::SyscallSet().size())) return failed("this syscall's number is not broken down by kernel function");
  core::SyscallSet only;
  only.set(static_cast<size_t>(want->nr));
  fo.syscalls = only;
  fo.verbose = o_.verbose;
  auto source = collect::FuncSource::load(fo);
  if (!source) return failed(source.error().message);
  if (auto ok = (*source)->attach(); !ok) return failed(ok.error().message);
  func_source_ = std::move(*source);
}

void Dashboard::refresh_kernel_data() {
  data_.kernel.reset();
  data_.kernel_for = kernel_of_ ? core::display_name(*kernel_of_) : "";
  if (!func_source_ || !kernel_functions_) return;
  core::FuncReportOptions ro;
  ro.by_syscall = true;
  ro.top = 0;
  core::FuncReport rep = core::build_func_report(kernel_sample_, kernel_functions_->names, ro, "");
  for (auto& b : rep.by_syscall)
    if (b.nr == kernel_of_->nr) data_.kernel = std::move(b);
  if (!data_.kernel) data_.kernel = core::SyscallBreakdown{};
}

void Dashboard::draw() {
  if (!state_.message.empty() && util::monotonic_ns() >= state_.message_until_ns) state_.message.clear();
  if (terminal_) {
    terminal_->paint(ui::render_screen(data_, state_, terminal_->width(), terminal_->height()));
  } else {
    std::cout << ui::plain_text(ui::render_batch(data_, state_, batch_width(), o_.top.value_or(10), kBatchSlowRows))
              << std::flush;
  }
}

void Dashboard::say(std::string message, bool error) {
  state_.message = std::move(message);
  state_.message_is_error = error;
  state_.message_until_ns = util::monotonic_ns() + kMessageNs;
}

void Dashboard::submit(ui::Command command) {
  const std::string text(util::trim(state_.input));
  state_.input.clear();
  if (command == ui::Command::SubmitThreshold) {
    core::ThresholdSpec t;
    if (text.empty()) return say("threshold unchanged: " + thresholds_.describe(), false);
    if (auto ok = t.add(text); !ok) return say("threshold: " + ok.error().message, true);
    if (t.any_auto()) return say("threshold: auto is sysslow's (expected DUR or NAME=DUR,...)", true);
    thresholds_ = t;
    source_->set_thresholds(thresholds_);
    return say("slow calls: at least " + thresholds_.describe(), false);
  }
  core::FilterSpec next = filter_;
  if (command == ui::Command::SubmitPid) {
    next.pids.clear();
    if (!text.empty()) {
      auto ids = parse_ids("PID", text, false);
      if (!ids) return say(ids.error().message, true);
      next.pids = *ids;
    }
  } else {
    next.comm.reset();
    if (!text.empty()) {
      auto comm = parse_comm("name", text);
      if (!comm) return say(comm.error().message, true);
      next.comm = *comm;
    }
  }
  if (auto ok = source_->apply(next); !ok) return say(ok.error().message, true);
  if (next.pids != filter_.pids) {
    cpu_.clear();
    next_cpu_read_ns_ = 0;
  }
  filter_ = std::move(next);
  const std::string now = describe_filter(filter_);
  say(now.empty() ? "showing every process" : "showing " + now, false);
}

bool Dashboard::on_key(int key) {
  std::vector<core::SyscallId> ranked;
  for (const auto& r : data_.report.syscalls) ranked.push_back(r.id);
  const bool was_paused = state_.paused;
  const ui::Command c = ui::handle_key(state_, key, ranked, ui::screen_layout(terminal_->height()).top_rows);
  switch (c) {
    case ui::Command::Quit: return false;
    case ui::Command::None: return true;
    case ui::Command::SubmitPid:
    case ui::Command::SubmitComm:
    case ui::Command::SubmitThreshold: submit(c); break;
    default: break;
  }
  // The kernel view follows the selection (a new syscall: probes again).
  follow_kernel_view();
  // Sort and window changes show at once, paused or not; a frozen screen
  // keeps its data until unpaused.
  if (!state_.paused || !was_paused || key == 's' || key == 'z') refresh_data();
  draw();
  return true;
}

int Dashboard::loop(RunLoop& run) {
  util::EventLoop& loop = run.loop();
  if (terminal_) {
    refresh_data();
    draw();
    auto ok = loop.watch(terminal_->input_fd(), [&](uint32_t events) {
      if (events & (EPOLLHUP | EPOLLERR)) return run.end(RunLoop::End::Tool);  // its terminal is gone: nobody to draw for
      read_keys(run);
    });
    if (!ok) return fail(prog_, ok.error().message, 1);
    loop.on_interrupted([&] { read_keys(run); });  // ncurses' SIGWINCH: a resize waits as a key
  }
  run.set_duration(o_.duration_s);
  // The poll first when both are due: a frame shows what it brought.
  poll_timer_ = loop.every(poll_period_ns(), [this] { poll_source(); });
  draw_timer_ = loop.every(ns_of(state_.refresh_s), [this] {
    if (!state_.paused) refresh_data();
    draw();
  });
  const RunLoop::Outcome outcome = run.run();
  // Batch: a last frame with what came since the previous one (a -p target's
  // last calls before it exited), as syscount ends with a final report; a
  // run shorter than one refresh still reports. Not when nobody reads it.
  if (!terminal_ && outcome.why != RunLoop::End::OutputClosed) {
    poll_source();
    refresh_data();
    draw();
  }
  return 0;
}

void Dashboard::read_keys(RunLoop& run) {
  const double refresh = state_.refresh_s;
  for (int key; (key = terminal_->read_key()) != -1;)
    if (!on_key(key)) return run.end(RunLoop::End::Tool);
  if (state_.refresh_s == refresh) return;
  run.loop().reschedule(poll_timer_, poll_period_ns());
  run.loop().reschedule(draw_timer_, ns_of(state_.refresh_s));
}

int Dashboard::run() {
  if (o_.per_process) return fail(prog_, "-P/--process: not shown by syslat-top (use syscount -P)", 2);
  if (o_.format != exporter::Format::Text) return fail(prog_, "-j/--csv: syslat-top draws panels (use -b for text, syscount/syslat -j for JSON)", 2);
  if (!o_.output_path.empty()) return fail(prog_, "-o/--output: syslat-top writes to the terminal (use -b > FILE)", 2);
  if (!o_.html_path.empty()) return fail(prog_, "--html: syslat-top draws on the terminal (use syslat --html FILE)", 2);
  if (o_.user_stack || o_.kernel_stack) return fail(prog_, "--stack/--kstack: only sysslow shows stacks", 2);
  if (o_.milliseconds) return fail(prog_, "-m/--milliseconds: syslat-top picks the unit of each latency itself (use syscount -L -m)", 2);
  if (!o_.command.empty()) return fail(prog_, "-- CMD: syslat-top watches running processes (use -p PID, or syslat -- CMD)", 2);
  if (o_.listen || !o_.bucket_bounds_ns.empty()) return fail(prog_, "--listen/--buckets: only syslatd serves metrics", 2);
  if (o_.backend == Backend::Ptrace) return fail(prog_, "--backend: syslat-top needs BPF (expected auto or bpf)", 2);
  if (o_.thresholds.any_auto()) return fail(prog_, "--threshold auto: only sysslow learns thresholds (expected DUR or NAME=DUR,...)", 2);
  if (o_.interval_s && (o_.interval_s < 0.1 || o_.interval_s > 5))
    return fail(prog_, fmt::format("-i/--interval: {}s is out of range (expected 0.1 to 5 seconds)", o_.interval_s), 2);
  if (o_.sort) {
    switch (*o_.sort) {
      case core::SortKey::Count:
      case core::SortKey::Rate: state_.sort = core::SortKey::Rate; break;
      case core::SortKey::Avg: state_.sort = core::SortKey::Avg; break;
      case core::SortKey::Time: state_.sort = core::SortKey::Time; break;
      case core::SortKey::OffCpu: state_.sort = core::SortKey::OffCpu; break;
      default: return fail(prog_, "--sort: syslat-top sorts by rate, avg, time or offcpu (expected one of them)", 2);
    }
  }
  if (o_.interval_s) state_.refresh_s = o_.interval_s;
  const bool interactive = terminal_usable(o_.batch);

  // A -p target that exits ends a batch run as it ends syscount; on the
  // screen the user may pick other processes instead.
  auto run = RunLoop::create(interactive ? std::vector<uint32_t>{} : filter_.pids);
  if (!run) return fail(prog_, run.error().message, 1);
  if (auto ok = load(); !ok) return fail(prog_, ok.error().message, 1);
  // The filters before attaching: nothing of other processes (or of our own
  // start-up) gets into a -p/-n view in the meantime.
  if (auto ok = source_->apply(filter_); !ok) return fail(prog_, ok.error().message, 2);
  if (auto ok = source_->attach(); !ok) return fail(prog_, ok.error().message, 1);
  if (interactive) {
    auto terminal = ui::Terminal::open();
    if (!terminal) return fail(prog_, terminal.error().message, 1);
    terminal_ = std::move(*terminal);
  } else {
    std::cerr << "Tracing syscalls (timing every call, slow calls at least " << thresholds_.describe()
              << ")... Hit Ctrl-C to end.\n";
  }
  const int status = loop(**run);
  terminal_.reset();  // restores the terminal before anything else is printed
  return status;
}

}  // namespace

int run_top(const std::string& prog, int argc, char** argv) {
  static const CommandSpec spec{
      "top", "[-p PID] [-n COMM] [--threshold DUR] [-i SEC] [-d SEC] [-b] [OPTIONS]",
      "An interactive dashboard of the system calls being made: the busiest syscalls\n"
      "with their rates and latencies, the selected one's latency histogram and where\n"
      "its time went (on CPU, runqueue, I/O wait, sleep), and the latest slow calls\n"
      "with their arguments decoded (the histogram's rows are the kernel's\n"
      "power-of-two buckets, labelled with their bounds to 3 significant digits:\n"
      "1.05-2.10ms is 2^20 up to 2^21 ns). Filters and the slow threshold change\n"
      "live (keys p, c, t) without reloading anything. Without a terminal (or\n"
      "with -b) it prints the same panels as text every refresh, like top -b.\n"
      "Keys: arrows/j/k select, s sort, z window (1s/10s/60s/all), p PID filter,\n"
      "c comm filter, t threshold, +/- refresh, space pause, ? help, q quit.",
      "Dashboard:\n"
      "  -i, --interval SEC       refresh every SEC, 0.1 to 5 (default 1)\n"
      "  -b, --batch              plain text panels on stdout, no terminal needed\n"
      "  -T, --top N              -b: syscalls listed (default 10, 0 = all)\n"
      "      --sort KEY           rate (default), avg, time or offcpu (time off the CPU)\n"
      "      --threshold SPEC     slow calls: DUR (default 10ms) or NAME=DUR[,NAME=DUR...]\n"};
  return run_with_common_options(prog, spec, argc, argv, [&](const CommonOptions& o) { return Dashboard(prog, o).run(); });
}

}  // namespace syslat::cli
