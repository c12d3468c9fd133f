// sysfunc / syslat func: kernel functions by name or glob — counts, latency
// histograms and self time per function; --trace, one line per call with its
// arguments decoded from the kernel's BTF; --by-syscall, their time per
// syscall. The only place the function source meets its renderers.
#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <optional>

#include "cli/commands.h"
#include "cli/func_resolve.h"
#include "cli/launcher.h"
#include "cli/run_loop.h"
#include "cli/stats_session.h"
#include "collect/func_source.h"
#include "collect/source.h"
#include "collect/stack_symbolizer.h"
#include "core/func_match.h"
#include "core/func_report.h"
#include "export/func_report_writer.h"
#include "util/duration.h"
#include "util/escape.h"
#include "util/files.h"
#include "util/time.h"

namespace syslat::cli {
namespace {

const CommandSpec kSpec{
    "func", "[OPTIONS] FUNCTION|GLOB... [-- CMD ARGS...]",
    "Kernel functions by name or glob: calls, rate, total and self time (less the\n"
    "time in traced functions it called), avg, p50/p90/p99, max and a log2 histogram\n"
    "per function, exact under nesting and recursion (a shadow stack per thread).\n"
    "Names are matched against the functions the kernel can trace; one that matches\n"
    "nothing is said with the reason. Needs kprobes or fentry in the kernel.\n"
    "Examples: sysfunc vfs_read vfs_write -d 5     sysfunc 'ext4_*' -p 1234 -i 1\n"
    "          sysfunc --trace vfs_open --threshold 1ms     sysfunc --list 'vfs_*'\n"
    "          sysfunc --by-syscall -S read,write vfs_read ext4_file_read_iter -- tar cf /tmp/x.tar /etc",
    "sysfunc:\n"
    "  FUNCTION|GLOB...         kernel functions (shell globs: * ? [...]; quote them)\n"
    "      --list               print the functions the names match (with --trace:\n"
    "                           their arguments), and exit\n"
    "      --trace              one line per call: arguments from BTF, return value,\n"
    "                           duration, PID/TID/comm\n"
    "      --threshold DUR      --trace: only calls that took at least DUR\n"
    "      --kstack             --trace: the kernel stack of each call\n"
    "      --by-syscall         time in each function per syscall the thread was in\n"
    "                           (-S chooses the syscalls; a probe outside them costs one check)\n"
    "      --attach MODE        kprobe.multi (default where the kernel has it), kprobe\n"
    "                           (one probe per function) or fentry\n"
    "      --fentry             --attach fentry\n"
    "      --max-functions N    attach at most N functions (default 500)\n"
    "      --sort KEY           count, rate, time (default), self, avg or max\n"};

// What sysfunc takes of the common options (the rest is about syscalls).
std::optional<std::string> not_for_func(const CommonOptions& o) {
  if (o.filter.failed_only || o.filter.errno_value) return "-x/--failures and -e/--errno";
  if (o.filter.min_duration_ns) return "--min-duration (expected --threshold with --trace)";
  if (o.latency || o.states) return "-L/--latency and --states";
  if (o.per_process) return "-P/--process";
  if (o.backend == Backend::Ptrace) return "--backend ptrace";
  if (o.user_stack) return "--stack";
  if (!o.html_path.empty()) return "--html";
  if (o.batch) return "-b/--batch";
  if (o.listen || !o.bucket_bounds_ns.empty()) return "--listen and --buckets";
  if (o.max_processes) return "--max-processes";
  if (o.filter.syscalls && !o.by_syscall) return "-S/--syscall without --by-syscall";
  if (!o.thresholds.by_name.empty()) return "--threshold NAME=DUR (expected one DUR)";
  if ((o.thresholds.default_ns || o.kernel_stack) && !o.trace_calls) return "--threshold and --kstack without --trace";
  if (o.trace_calls && (o.interval_s > 0 || o.top || o.sort || o.sort_self)) return "-i, -T and --sort with --trace";
  if (o.trace_calls && o.by_syscall) return "--by-syscall with --trace (one prints calls, the other a breakdown)";
  if (o.sort && (*o.sort == core::SortKey::Errors || *o.sort == core::SortKey::OffCpu))
    return "--sort errors and offcpu (expected count, rate, time, self, avg or max)";
  return std::nullopt;
}

collect::FuncAttach attach_of(const CommonOptions& o) {
  if (!o.attach) return collect::FuncAttach::Auto;
  if (*o.attach == "fentry") return collect::FuncAttach::Fentry;
  if (*o.attach == "kprobe") return collect::FuncAttach::Kprobe;
  return collect::FuncAttach::KprobeMulti;
}

class FuncSession {
 public:
  FuncSession(std::string prog, const CommonOptions& o) : prog_(std::move(prog)), o_(o) {}
  int run();

 private:
  int loop(collect::FuncSource& source, RunLoop& run, LaunchedCommand* command, std::ostream& out);
  void print_event(const core::FuncEvent& e, std::ostream& out);

  std::string prog_;
  const CommonOptions& o_;
  ResolvedFunctions functions_;
  std::optional<collect::StackSymbolizer> symbolizer_;  // --kstack
  util::MonotonicToRealtime wall_;
  uint64_t printed_ = 0;
};

int FuncSession::run() {
  if (auto option = not_for_func(o_)) return fail(prog_, fmt::format("{}: not for sysfunc (see --help)", *option), 2);
  if (o_.functions.empty() && !o_.list)
    return fail(prog_, "expected kernel function names or globs (e.g. sysfunc vfs_read 'ext4_*'; --list PATTERN shows them)", 2);
  auto resolved = resolve_functions(o_.functions, o_.max_functions.value_or(core::kDefaultMaxFunctions));
  if (!resolved) return fail(prog_, resolved.error().message, 1);
  for (const std::string& line : resolved->unmatched) std::cerr << prog_ << ": " << util::escaped(line) << '\n';
  if (!resolved->unmatched.empty()) return 2;
  for (const std::string& note : resolved->notes) std::cerr << prog_ << ": " << util::escaped(note) << '\n';
  functions_ = std::move(*resolved);
  if (o_.list) {
    print_function_list(std::cout, functions_, o_.trace_calls);
    return 0;
  }

  std::optional<util::OutputFile> output_file;
  std::unique_ptr<std::ostream> file;
  if (!o_.output_path.empty()) {
    auto opened = open_output("-o/--output", o_.output_path);
    if (!opened) return fail(prog_, opened.error().message, 2);
    output_file.emplace(std::move(*opened));
    file = output_file->stream();
  }
  std::ostream& out = file ? *file : std::cout;

  auto run = RunLoop::create(o_.filter.pids);
  if (!run) return fail(prog_, run.error().message, 1);
  collect::FuncOptions fo;
  fo.functions = functions_.probes;
  fo.attach = attach_of(o_);
  fo.filter = o_.filter;
  fo.filter.skip_pid = static_cast<uint32_t>(getpid());  // its own reads of maps and of /proc are not what is asked
  fo.trace = o_.trace_calls;
  fo.threshold_ns = o_.thresholds.default_ns.value_or(0);
  fo.kernel_stack = o_.kernel_stack;
  fo.by_syscall = o_.by_syscall;
  fo.syscalls = o_.filter.syscalls;  // -S implies --by-syscall (not_for_func: only with it)
  fo.verbose = o_.verbose;
  std::optional<LaunchedCommand> command;
  if (!o_.command.empty()) {
    auto spawned = LaunchedCommand::spawn(o_.command, o_.run_as ? &*o_.run_as : nullptr);
    if (!spawned) return fail(prog_, spawned.error().message, 2);
    command.emplace(std::move(*spawned));
  }
  auto source = collect::FuncSource::load(fo);
  if (!source) return fail(prog_, source.error().message, 1);
  if (command) (*source)->add_process(static_cast<uint32_t>(command->pid()));
  if (auto ok = (*source)->attach(); !ok) return fail(prog_, ok.error().message, 1);
  if (o_.kernel_stack) symbolizer_.emplace();
  if (output_file) output_file->begin();
  if (command)
    command->release();
  else
    std::cerr << fmt::format("Tracing {} kernel {} ({})... Hit Ctrl-C to end.\n", functions_.probes.size(),
                             functions_.probes.size() == 1 ? "function" : "functions",
                             collect::attach_name((*source)->attach_mode()));
  return loop(**source, **run, command ? &*command : nullptr, out);
}

// 14:02:11.532  cat 1842/1842  vfs_read(file="notes.txt", buf=0x7ffd5e2c1000, count=4096, pos=0xffffb1c2c3d4e5f8) = 4096  21.3us
//   kstack: ksys_read+0x67 <- __x64_sys_read+0x19 <- do_syscall_64+0x5c
void FuncSession::print_event(const core::FuncEvent& e, std::ostream& out) {
  const uint64_t wall = wall_.realtime_of(e.start_ns);
  out << fmt::format("{}  {} {}/{}  {}  {}\n", util::clock_hms_ms(wall), util::escaped(e.comm), e.pid, e.tid,
                     format_call(functions_, e), util::format_duration_ns(e.duration_ns));
  if (symbolizer_ && !e.kernel_stack.empty()) {
    std::string line;
    for (const std::string& f : symbolizer_->kernel_stack(e.kernel_stack)) {
      if (!line.empty()) line += " <- ";
      util::append_escaped(line, f);
    }
    out << "  kstack: " << line << '\n';
  }
  ++printed_;
}

int FuncSession::loop(collect::FuncSource& source, RunLoop& run, LaunchedCommand* command, std::ostream& out) {
  core::FuncReportOptions ro;
  if (o_.sort) ro.sort = *o_.sort;
  ro.sort_self = o_.sort_self;
  ro.by_syscall = o_.by_syscall;
  ro.top = o_.top.value_or(o_.format == exporter::Format::Text ? 10 : 0);
  exporter::WriterOptions wo;
  wo.format = o_.format;
  wo.milliseconds = o_.milliseconds;
  wo.timestamps = o_.interval_s > 0;
  std::unique_ptr<exporter::FuncReportWriter> writer;
  if (!o_.trace_calls) writer = exporter::make_func_writer(out, wo);
  core::FuncSample pending;
  core::FuncHealth trace_health;
  const auto emit = [&] {
    if (!writer) return;
    const uint64_t end = pending.end_ns ? wall_.realtime_of(pending.end_ns) : util::realtime_ns();
    const uint64_t start = pending.start_ns && pending.start_ns < pending.end_ns ? wall_.realtime_of(pending.start_ns) : end;
    core::FuncReport rep = core::build_func_report(pending, functions_.names, ro, util::rfc3339_utc(static_cast<int64_t>(end)));
    rep.start = util::rfc3339_utc(static_cast<int64_t>(start));
    rep.attach = collect::attach_name(source.attach_mode());
    writer->write(rep);
    pending = core::FuncSample{};
  };
  const auto print = [&](const core::FuncEvent& e) { print_event(e, out); };
  const auto poll = [&] {
    core::FuncSample s = source.poll();
    if (o_.trace_calls) {
      source.consume_events(print);
      trace_health.merge(s.health);
    } else {
      pending.merge(s);
    }
  };
  util::EventLoop& loop = run.loop();
  if (o_.trace_calls)
    if (auto ok = loop.watch(source.events_fd(), [&](uint32_t) { source.consume_events(print); }); !ok)
      return fail(prog_, ok.error().message, 1);
  if (command) follow_command(run, *command, prog_, o_.command.at(0));
  run.set_duration(o_.duration_s);
  run.poll_and_report(collect::kPollPeriodNs, static_cast<uint64_t>(o_.interval_s * 1e9), poll, emit);
  const RunLoop::Outcome outcome = run.run();
  source.detach();
  poll();
  if (writer) {
    emit();
  } else {
    std::cerr << fmt::format("{}: {} {} printed\n", prog_, printed_, printed_ == 1 ? "call" : "calls");
    exporter::write_func_lost(std::cerr, trace_health);
  }
  return outcome.why == RunLoop::End::CommandExited ? command->exit_status() : 0;
}

}  // namespace

int run_func_by_syscall(const std::string& prog, const CommonOptions& options) {
  CommonOptions o = options;
  o.functions = o.kernel_functions;
  o.by_syscall = true;
  return FuncSession(prog, o).run();
}

int run_func(const std::string& prog, int argc, char** argv) {
  return run_with_common_options(
      prog, kSpec, argc, argv, [&](const CommonOptions& o) { return FuncSession(prog, o).run(); }, /*positional=*/true);
}

}  // namespace syslat::cli
