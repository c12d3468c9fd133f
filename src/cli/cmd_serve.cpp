// syslatd / syslat serve: the BPF programs loaded once, polled every second
// into a cumulative model, served as Prometheus text on GET /metrics.
//
// One thread, one event loop: it polls the maps every second, scrapes or
// not, and serves the HTTP connections in between; the model is rendered
// once per poll however many scrapers ask. Once the programs are attached
// the process keeps no capability: everything after that goes through fds
// it already holds.
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "cli/cgroup_target.h"
#include "cli/commands.h"
#include "cli/http_server.h"
#include "cli/run_loop.h"
#include "cli/stats_session.h"
#include "collect/bpf_env.h"
#include "collect/bpf_source.h"
#include "collect/source.h"
#include "core/cumulative.h"
#include "core/histogram.h"
#include "export/prometheus.h"
#include "util/capabilities.h"
#include "util/duration.h"
#include "util/fd_limit.h"
#include "util/proc.h"
#include "util/time.h"

namespace syslat::cli {
namespace {

constexpr uint32_t kDefaultSeriesProcesses = 100;  // -P: pids with series of their own
constexpr ListenAddress kDefaultListen{"127.0.0.1", 9476, false};

const CommandSpec kSpec{
    "serve", "[--listen ADDR:PORT] [--buckets DUR,...] [--threshold SPEC] [-P] [FILTERS]",
    "Serve system call counts, errors, slow calls, latency histograms and where\n"
    "the calls' time went (on CPU, runqueue, I/O wait, sleep) on GET /metrics in\n"
    "the Prometheus text format (and / with a link to it). Runs in the foreground,\n"
    "logs to stderr, stops on SIGTERM, SIGINT or SIGHUP (not under nohup), or when\n"
    "every -p process has exited. The maps are read every second; every counter\n"
    "counts since syslatd started. Once attached it keeps no capability. One\n"
    "request per connection, 5 s from connect to the end of the reply, at most 256\n"
    "connections (the oldest idle one makes room).\n"
    "With -c PATH or --unit, a cgroup removed and made again (a unit restart) is\n"
    "followed within a second (an id names one cgroup: -c ID cannot be followed);\n"
    "syslat_target_present says whether the cgroup exists.\n"
    "Examples: syslatd     syslatd --listen 0.0.0.0:9476 -P     syslatd -c /sys/fs/cgroup/web --threshold read=5ms",
    "Exporter:\n"
    "      --listen ADDR:PORT   where to serve (default 127.0.0.1:9476; [::1]:PORT for IPv6)\n"
    "      --buckets DUR,...    histogram bounds (default 1.024us .. 4.29s, one per power of\n"
    "                           two); a bound between the kernel's buckets (1/8 of a power\n"
    "                           of two apart) is rounded down to one, and said so\n"
    "      --threshold SPEC     what syscall_slow_total counts: DUR for every syscall (default\n"
    "                           10ms), or NAME=DUR[,NAME=DUR...]; repeatable\n"
    "      --anomaly-score X|off  syscall_anomaly_score, syscall_anomalies_total: each second's\n"
    "                           p50, p99 and calls/s against the seconds before (default 5)\n"
    "      --learn N            seconds a syscall's baseline needs before it judges (default 10)\n",
    "  -P, --process            pid and comm labels on syscall_total and syscall_errors_total\n"
    "      --max-processes N    -P: processes with series of their own (default 100); the\n"
    "                           rest (and exited ones, when room is needed) are pid=\"other\".\n"
    "                           The kernel keeps room for N x 32 (process, syscall) pairs,\n"
    "                           and never less than for 512, so that \"other\" counts the rest;\n"
    "                           calls that find it full count in syslat_events_lost_total\n"};

// A daemon serves, it does not print reports or run a command.
std::optional<std::string> unsupported_option(const CommonOptions& o) {
  if (o.interval_s > 0) return "-i/--interval";
  if (o.format == exporter::Format::Json) return "-j/--json";
  if (o.format == exporter::Format::Csv) return "--csv";
  if (!o.output_path.empty()) return "-o/--output";
  if (!o.html_path.empty()) return "--html";
  if (o.top) return "-T/--top";
  if (o.sort) return "--sort";
  if (o.milliseconds) return "-m/--milliseconds";
  if (o.user_stack) return "--stack";
  if (o.kernel_stack) return "--kstack";
  if (!o.command.empty()) return "-- CMD";
  if (o.batch) return "-b/--batch";
  if (o.thresholds.any_auto()) return "--threshold auto";
  return std::nullopt;
}

std::string kernel_release() {
  utsname u{};
  return uname(&u) == 0 ? u.release : "unknown";
}

// The histogram bounds, each moved down to a kernel bucket boundary (the
// counts are exact there); a moved bound is said on stderr.
std::vector<uint64_t> effective_bounds(const std::string& prog, const std::vector<uint64_t>& asked) {
  if (asked.empty()) return exporter::default_bucket_bounds_ns();
  std::vector<uint64_t> bounds;
  for (uint64_t ns : asked) {
    const uint64_t b = core::bucket_bound_at_or_below(ns);
    if (b != ns)
      std::cerr << fmt::format("{}: --buckets: {} is served as le=\"{}\" ({}), the kernel bucket boundary below it\n", prog,
                               util::format_duration_ns(ns), b / 1e9, util::format_duration_ns(b));
    if (bounds.empty() || bounds.back() != b) bounds.push_back(b);
  }
  return bounds;
}

// The cumulative model and its rendered text: the polls write it, the
// scrapes read it.
class Exported {
 public:
  Exported(size_t max_processes, exporter::PrometheusMeta meta, std::optional<core::AnomalyConfig> anomalies)
      : stats_(max_processes), meta_(std::move(meta)) {
    if (anomalies) detector_.emplace(*anomalies);
  }

  // Each poll (1 s) is also an interval the anomaly detector judges.
  void add(const core::Sample& poll) {
    stats_.add(poll, [](uint32_t pid) { return util::process_alive(static_cast<pid_t>(pid)); });
    if (detector_) {
      for (const core::Anomaly& a : detector_->observe(poll)) ++anomalies_.started[{a.id, a.kind}];
      anomalies_.scores = detector_->scores();
    }
    ++generation_;
  }

  void set_attached(bool attached) {
    meta_.bpf_attached = attached;
    ++generation_;
  }

  void set_target_present(bool present) {
    meta_.target_present = present;
    ++generation_;
  }

  std::shared_ptr<const std::string> metrics() {
    if (!rendered_ || rendered_generation_ != generation_) {
      rendered_ = std::make_shared<const std::string>(
          exporter::render_prometheus(stats_, meta_, detector_ ? &anomalies_ : nullptr));
      rendered_generation_ = generation_;
    }
    return rendered_;
  }

 private:
  core::CumulativeStats stats_;
  exporter::PrometheusMeta meta_;
  uint64_t generation_ = 0;
  uint64_t rendered_generation_ = 0;
  std::shared_ptr<const std::string> rendered_;
  std::optional<core::AnomalyDetector> detector_;  // unless --anomaly-score off
  exporter::AnomalyMetrics anomalies_;
};

// -c/--unit: the cgroup filtered on, or none.
std::optional<CgroupTarget> cgroup_target(const CommonOptions& o) {
  if (!o.filter.cgroup_path) return std::nullopt;
  if (o.unit) return CgroupTarget::from_unit_option(*o.unit, *o.filter.cgroup_path);
  return CgroupTarget::from_cgroup_option(o.cgroup.value_or(*o.filter.cgroup_path), *o.filter.cgroup_path);
}

class Daemon {
 public:
  Daemon(std::string prog, const CommonOptions& o) : prog_(std::move(prog)), o_(o), filter_(o.filter), target_(cgroup_target(o)) {
    filter_.skip_pid = static_cast<uint32_t>(getpid());  // its own polling (a 1 s wait each) is no slow call
  }
  int run();

 private:
  void loop(collect::BpfSource& source, RunLoop& run, Exported& exported);
  void follow_target(collect::BpfSource& source, Exported& exported);
  void say(const std::string& line) const { std::cerr << fmt::format("{}: {}", prog_, line) << std::endl; }

  std::string prog_;
  const CommonOptions& o_;
  core::FilterSpec filter_;  // in force (the cgroup's path follows the target)
  std::optional<CgroupTarget> target_;
  bool said_apply_error_ = false;  // one line per run of failed re-applies
};

int Daemon::run() {
  if (auto option = unsupported_option(o_))
    return fail(prog_, fmt::format("{}: not for syslatd, which serves /metrics instead (expected --listen, --buckets, "
                                   "--threshold, -P and filters)", *option), 2);
  if (o_.backend == Backend::Ptrace)
    return fail(prog_, "--backend: syslatd serves the whole machine and needs BPF (expected auto or bpf)", 2);
  const std::vector<uint64_t> bounds = effective_bounds(prog_, o_.bucket_bounds_ns);
  util::raise_open_files_limit();  // the HTTP server's connections, not 1024

  auto run = RunLoop::create(o_.filter.pids);
  if (!run) return fail(prog_, run.error().message, 1);
  (*run)->keep_running_when_output_closed();  // its output is a log
  // Bound before anything is loaded: a taken port is a quick exit 2.
  std::shared_ptr<Exported> exported;
  auto server = MetricsServer::bind(o_.listen.value_or(kDefaultListen), [&exported] { return exported->metrics(); });
  if (!server) return fail(prog_, server.error().message, 2);
  auto kernel = collect::check_bpf_environment(/*has_ptrace_backend=*/false);
  if (!kernel) return fail(prog_, kernel.error().message, 1);

  const uint32_t max_processes = o_.max_processes.value_or(kDefaultSeriesProcesses);
  collect::BpfOptions bo;
  bo.timed = true;
  bo.states = true;
  bo.count_slow = true;  // syscall_slow_total: counted per syscall in the kernel, exact, no events
  bo.per_process = o_.per_process;
  bo.kernel = *kernel;
  // Room in the kernel for more processes than have series: the rest count
  // in pid="other". As much as the other tools keep by default, at least.
  bo.max_process_entries = process_map_entries(std::max(max_processes, kDefaultMaxProcesses));
  bo.verbose = o_.verbose;
  auto source = collect::BpfSource::load(bo);
  if (!source) return fail(prog_, source.error().message, 1);
  if (auto ok = (*source)->apply(filter_); !ok) return fail(prog_, ok.error().message, 2);
  (*source)->set_thresholds(o_.thresholds);
  if (auto ok = (*source)->attach(); !ok) return fail(prog_, ok.error().message, 1);
  // Reading the maps, re-applying a cgroup filter through the map fd and
  // detaching need none.
  if (auto ok = util::drop_all_capabilities(); !ok) return fail(prog_, ok.error().message, 1);

  exporter::PrometheusMeta meta;
  meta.version = SYSLAT_VERSION;
  meta.kernel = kernel_release();
  meta.bpf_attached = true;
  meta.per_process = o_.per_process;
  meta.states = bo.states;
  meta.bucket_bounds_ns = bounds;
  std::optional<core::AnomalyConfig> anomalies;
  if (o_.anomaly_score > 0) {
    anomalies = anomaly_config(o_);
    // Polls are 1 s: five minutes of them, so that a shift holds the score
    // up for minutes (deploy/prometheus/alerts.yml), not half a minute.
    anomalies->window_intervals = 300;
  }
  exported = std::make_shared<Exported>(max_processes, std::move(meta), anomalies);
  if (auto ok = (*server)->serve_on((*run)->loop()); !ok) return fail(prog_, ok.error().message, 1);
  std::cerr << fmt::format("{}: serving {}", prog_, (*server)->url()) << std::endl;
  loop(**source, **run, *exported);
  (*server)->stop();
  std::cerr << fmt::format("{}: stopped", prog_) << std::endl;
  return 0;  // the source detaches as it goes out of scope
}

void Daemon::loop(collect::BpfSource& source, RunLoop& run, Exported& exported) {
  run.set_duration(o_.duration_s);
  run.loop().every(collect::kPollPeriodNs, [&] {
    exported.add(source.poll());
    follow_target(source, exported);
  });
  const RunLoop::Outcome outcome = run.run();
  if (outcome.why == RunLoop::End::Signal)
    say(fmt::format("SIG{}, stopping", sigabbrev_np(outcome.signo)));
  else if (outcome.why == RunLoop::End::TargetsExited)
    say("the traced processes exited, stopping");
  exported.set_attached(false);
}

// systemd removes a unit's cgroup and makes a new one when it restarts the
// unit; the filter would go on naming the removed one. Looked at once per
// poll: a new cgroup at the target's place is filtered on from then on.
void Daemon::follow_target(collect::BpfSource& source, Exported& exported) {
  if (!target_) return;
  const auto now = target_->look();
  if (target_->in_force(now)) return;
  if (target_->present()) {
    target_->set_gone();
    exported.set_target_present(false);
    say(target_->gone_message());
  }
  if (!now || !target_->can_follow()) return;
  core::FilterSpec filter = filter_;
  filter.cgroup_path = now->path;
  if (auto ok = source.apply(filter); !ok) {  // gone again meanwhile, or out of fds: the next poll tries again
    if (!std::exchange(said_apply_error_, true)) say(ok.error().message + "; trying again every second");
    return;
  }
  said_apply_error_ = false;
  filter_ = std::move(filter);
  target_->set_in_force(*now);
  exported.set_target_present(true);
  say(target_->back_message());
}

}  // namespace

int run_serve(const std::string& prog, int argc, char** argv) {
  return run_with_common_options(prog, kSpec, argc, argv, [&](const CommonOptions& o) { return Daemon(prog, o).run(); });
}

}  // namespace syslat::cli
