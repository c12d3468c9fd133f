// sysfunc's BPF source used directly: exact call counts of kernel functions
// against a known workload (tests/workloads/wl_vfs.c), nesting, --by-syscall,
// --trace events, fentry against kprobe.multi, detach. They need a kernel that
// can probe kernel functions (kprobes or fentry): on one that cannot, they
// skip with its reason, except the test of the refusal itself.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>
#include <string>
#include <vector>

#include "collect/func_source.h"
#include "core/syscall_table.h"
#include "test_support.h"

using namespace syslat;

namespace {

constexpr long kReads = 300;
constexpr long kOpens = 50;

// A file of at least kReads bytes: every 1-byte read returns 1.
std::string make_data_file(const slt::TempDir& dir) {
  const std::string path = dir.file("wl-vfs-data");
  std::ofstream(path) << std::string(kReads + 10, 'x');
  return path;
}

collect::FuncProbe probe(const std::string& name, core::FuncArgKind first = core::FuncArgKind::Value) {
  collect::FuncProbe p;
  p.name = name;
  p.args[0] = first;
  return p;
}

// Loaded and attached, or skipped (the reason printed) where the kernel cannot.
std::unique_ptr<collect::FuncSource> attached_or_skip(collect::FuncOptions options) {
  options.verbose = getenv("SYSFUNC_TEST_VERBOSE") != nullptr;  // libbpf's log, the verifier's
  if (geteuid() != 0) {
    slt::skip("needs root");
    return nullptr;
  }
  auto source = collect::FuncSource::load(options);
  if (source) {
    if (auto ok = (*source)->attach(); ok) return std::move(*source);
    else source = ok.error();
  }
  const std::string why = source.error().message;
  if (why.rfind("this kernel ", 0) == 0) {  // what the kernel lacks, in one line
    slt::skip("this kernel cannot attach sysfunc's probes: " + why);
    return nullptr;
  }
  FAIL("cannot attach: " << why);
  return nullptr;
}

// Runs wl_vfs with the source attached and polls once it is done (the PID
// still its own). The source is attached after the workload started, so its
// start-up (ld.so's reads) is not counted.
struct VfsRun {
  slt::TempDir dir;
  std::string file = make_data_file(dir);
  slt::Background wl{{slt::workload("wl_vfs"), file, std::to_string(kReads), std::to_string(kOpens)}};
  core::FuncSample sample;

  bool ready() { return wl.wait_for_stderr("ready"); }
  void run(collect::FuncSource& source) {
    sample = source.poll();  // drop anything before the workload's turn
    wl.signal(SIGUSR1);
    REQUIRE(wl.wait_for_stderr("done"));
    sample = source.poll();
  }
};

}  // namespace

TEST_CASE("sysfunc: a kernel without kprobes and with fentry refused gets one line naming what it lacks",
          "[privileged][sysfunc]") {
  if (geteuid() != 0) return slt::skip("needs root");
  const std::string missing = collect::kprobes_missing_reason();
  if (missing.empty()) return slt::skip("this kernel has kprobes: nothing to refuse");
  collect::FuncOptions options;
  options.functions = {probe("vfs_read")};
  std::string error;
  auto source = collect::FuncSource::load(options);
  if (!source) {
    error = source.error().message;
  } else {
    auto ok = (*source)->attach();
    REQUIRE_FALSE(ok);  // no kprobes: kprobe.multi and single kprobes cannot attach
    error = ok.error().message;
  }
  INFO(error);
  CHECK(error.find('\n') == std::string::npos);
  CHECK(error.find(missing) != std::string::npos);
  if (error.find("fentry programs are refused") != std::string::npos) {
    // this development host: no kprobes, fentry EPERM
    CHECK(error.rfind("this kernel allows no kernel function probes: " + missing + " and fentry programs are refused (", 0) == 0);
  } else {
    CHECK(error.find("try --fentry") != std::string::npos);
  }

  options.attach = collect::FuncAttach::Fentry;
  auto fentry = collect::FuncSource::load(options);
  if (fentry) return;  // fentry works here: nothing more to refuse
  INFO(fentry.error().message);
  CHECK(fentry.error().message.find('\n') == std::string::npos);
  CHECK(fentry.error().message.find("fentry programs are refused") != std::string::npos);
}

TEST_CASE("sysfunc: vfs_read is counted exactly once per read of the selected process", "[privileged][sysfunc]") {
  VfsRun run;
  REQUIRE(run.ready());
  slt::Background other({slt::workload("wl_loop"), "getppid", "10", "1"});  // not selected
  collect::FuncOptions options;
  options.functions = {probe("vfs_read"), probe("vfs_open")};
  options.filter.pids = {static_cast<uint32_t>(run.wl.pid())};
  auto source = attached_or_skip(options);
  if (!source) return;
  INFO("attached with " << collect::attach_name(source->attach_mode()));
  run.run(*source);
  const auto& read = run.sample.functions.at(0);
  CHECK(read.calls == kReads);
  CHECK(read.hist.total() == kReads);
  CHECK(read.min_ns > 0);
  CHECK(read.min_ns <= read.max_ns);
  CHECK(read.total_ns >= read.calls * read.min_ns);
  CHECK(read.self_ns == read.total_ns);  // vfs_open is never called inside vfs_read
  CHECK(run.sample.functions.at(1).calls == kOpens);
  CHECK(run.sample.health.unmatched == 0);
  CHECK(run.sample.health.stack_overflow == 0);
  CHECK(run.sample.health.missed == 0);
}

TEST_CASE("sysfunc: -n selects by process name, exactly", "[privileged][sysfunc]") {
  VfsRun run;
  REQUIRE(run.ready());
  collect::FuncOptions options;
  options.functions = {probe("vfs_read")};
  options.filter.comm = "wl_vfs";
  auto source = attached_or_skip(options);
  if (!source) return;
  run.run(*source);
  CHECK(run.sample.functions.at(0).calls == kReads);
}

TEST_CASE("sysfunc: -t, -u and -c select exactly", "[privileged][sysfunc]") {
  VfsRun run;
  REQUIRE(run.ready());
  const auto pid = static_cast<uint32_t>(run.wl.pid());
  collect::FuncOptions options;
  options.functions = {probe("vfs_read")};
  std::unique_ptr<slt::TestCgroup> cgroup;
  SECTION("-t: its one thread") { options.filter.tids = {pid}; }
  SECTION("-u 0 and -p") {
    options.filter.uid = 0;
    options.filter.pids = {pid};
  }
  SECTION("-u nobody: none of it") {
    options.filter.uid = 65534;
    options.filter.pids = {pid};
  }
  SECTION("-c: its cgroup") {
    cgroup = std::make_unique<slt::TestCgroup>("syslat-sysfunc-test-" + std::to_string(getpid()));
    cgroup->add(run.wl.pid());
    options.filter.cgroup_path = cgroup->path();
  }
  auto source = attached_or_skip(options);
  if (!source) return;
  run.run(*source);
  CHECK(run.sample.functions.at(0).calls == (options.filter.uid == 65534u ? 0 : kReads));
}

TEST_CASE("sysfunc: nested functions: the outer one's time includes the inner one's, self time excludes it",
          "[privileged][sysfunc]") {
  VfsRun run;
  REQUIRE(run.ready());
  collect::FuncOptions options;
  // vfs_read -> rw_verify_area -> security_file_permission, once per read
  options.functions = {probe("vfs_read"), probe("security_file_permission")};
  options.filter.pids = {static_cast<uint32_t>(run.wl.pid())};
  options.by_syscall = true;  // inner's time inside read(2), so inside vfs_read
  auto source = attached_or_skip(options);
  if (!source) return;
  run.run(*source);
  const auto& outer = run.sample.functions.at(0);
  const auto& inner = run.sample.functions.at(1);
  CHECK(outer.calls == kReads);
  CHECK(inner.calls >= kReads);
  CHECK(outer.total_ns >= inner.total_ns);
  CHECK(inner.self_ns == inner.total_ns);  // it calls no traced function
  // Outer's self time is its total less inner's time inside it: inner's
  // calls inside read(2) (its calls elsewhere, as the workload's write(2) of
  // "done", are not inside vfs_read).
  const int read_nr = *core::syscall_number("read");
  REQUIRE(run.sample.by_syscall.count({read_nr, 1u}) == 1);
  const auto& inner_in_read = run.sample.by_syscall.at({read_nr, 1u});
  CHECK(inner_in_read.calls == kReads);
  CHECK(outer.self_ns + inner_in_read.inclusive_ns == outer.total_ns);
  CHECK(run.sample.by_syscall.at({read_nr, 0u}).self_ns == outer.self_ns);
  CHECK(run.sample.health.unmatched == 0);
}

TEST_CASE("sysfunc --by-syscall puts vfs_read's time under read", "[privileged][sysfunc]") {
  VfsRun run;
  REQUIRE(run.ready());
  collect::FuncOptions options;
  options.functions = {probe("vfs_read")};
  options.filter.pids = {static_cast<uint32_t>(run.wl.pid())};
  options.by_syscall = true;
  auto source = attached_or_skip(options);
  if (!source) return;
  run.run(*source);
  const int read_nr = *core::syscall_number("read");
  const int openat_nr = *core::syscall_number("openat");
  REQUIRE(run.sample.by_syscall.count({read_nr, 0u}) == 1);
  const auto& in_read = run.sample.by_syscall.at({read_nr, 0u});
  CHECK(in_read.calls == kReads);
  CHECK(in_read.inclusive_ns == run.sample.functions.at(0).total_ns);
  CHECK(run.sample.by_syscall.count({openat_nr, 0u}) == 0);
  REQUIRE(run.sample.syscalls.count(read_nr) == 1);
  CHECK(run.sample.syscalls.at(read_nr).calls == kReads);
  CHECK(run.sample.syscalls.at(read_nr).total_ns >= in_read.inclusive_ns);
  REQUIRE(run.sample.syscalls.count(openat_nr) == 1);
  CHECK(run.sample.syscalls.at(openat_nr).calls == kOpens);

  SECTION("-S openat: vfs_read calls outside openat are not counted") {
    collect::FuncOptions only_openat = options;
    core::SyscallSet set;
    set.set(static_cast<size_t>(openat_nr));
    only_openat.syscalls = set;
    source->detach();
    VfsRun again;
    REQUIRE(again.ready());
    only_openat.filter.pids = {static_cast<uint32_t>(again.wl.pid())};
    auto filtered = attached_or_skip(only_openat);
    if (!filtered) return;
    again.run(*filtered);
    CHECK(again.sample.functions.at(0).calls == 0);
    CHECK(again.sample.syscalls.count(read_nr) == 0);
    REQUIRE(again.sample.syscalls.count(openat_nr) == 1);
    CHECK(again.sample.syscalls.at(openat_nr).calls == kOpens);
  }
}

TEST_CASE("sysfunc --trace: one event per call with the file name and the return value", "[privileged][sysfunc]") {
  VfsRun run;
  REQUIRE(run.ready());
  collect::FuncOptions options;
  options.functions = {probe("vfs_read", core::FuncArgKind::File)};
  options.filter.pids = {static_cast<uint32_t>(run.wl.pid())};
  options.trace = true;
  options.kernel_stack = true;
  auto source = attached_or_skip(options);
  if (!source) return;
  REQUIRE(source->events_fd() >= 0);
  run.run(*source);
  std::vector<core::FuncEvent> events;
  source->consume_events([&](const core::FuncEvent& e) { events.push_back(e); });
  REQUIRE(events.size() == static_cast<size_t>(kReads));
  for (const auto& e : events) {
    INFO("name '" << e.name << "' ret " << e.ret);
    CHECK(e.func == 0);
    CHECK(e.pid == static_cast<uint32_t>(run.wl.pid()));
    CHECK(e.comm == "wl_vfs");
    CHECK(e.name_arg == 0);
    CHECK(e.name == "wl-vfs-data");
    CHECK(e.ret == 1);
    CHECK(e.args[2] == 1);  // count
    CHECK(e.duration_ns > 0);
    CHECK_FALSE(e.kernel_stack.empty());
  }
  CHECK(run.sample.health.events_lost == 0);
}

TEST_CASE("sysfunc --trace: calls under the threshold make no event but are counted", "[privileged][sysfunc]") {
  VfsRun run;
  REQUIRE(run.ready());
  collect::FuncOptions options;
  options.functions = {probe("vfs_read", core::FuncArgKind::File)};
  options.filter.pids = {static_cast<uint32_t>(run.wl.pid())};
  options.trace = true;
  options.threshold_ns = 10'000'000'000;  // 10 s: no 1-byte read takes that long
  auto source = attached_or_skip(options);
  if (!source) return;
  run.run(*source);
  size_t events = 0;
  source->consume_events([&](const core::FuncEvent&) { ++events; });
  CHECK(events == 0);
  CHECK(run.sample.functions.at(0).calls == kReads);
  CHECK(run.sample.health.events_lost == 0);
}

TEST_CASE("sysfunc --fentry counts the same calls as kprobes", "[privileged][sysfunc]") {
  VfsRun run;
  REQUIRE(run.ready());
  collect::FuncOptions options;
  options.functions = {probe("vfs_read"), probe("vfs_open")};
  options.filter.pids = {static_cast<uint32_t>(run.wl.pid())};
  options.attach = collect::FuncAttach::Fentry;
  options.by_syscall = true;
  auto source = attached_or_skip(options);
  if (!source) return;
  REQUIRE(source->attach_mode() == collect::FuncAttach::Fentry);
  run.run(*source);
  CHECK(run.sample.functions.at(0).calls == kReads);
  CHECK(run.sample.functions.at(1).calls == kOpens);
  const int read_nr = *core::syscall_number("read");
  REQUIRE(run.sample.by_syscall.count({read_nr, 0u}) == 1);
  CHECK(run.sample.by_syscall.at({read_nr, 0u}).calls == kReads);
}

TEST_CASE("sysfunc: kprobe.multi counts exactly where the kernel has it, else says what it lacks in one line",
          "[privileged][sysfunc]") {
  VfsRun run;
  REQUIRE(run.ready());
  collect::FuncOptions options;
  options.functions = {probe("vfs_read"), probe("vfs_open")};
  options.filter.pids = {static_cast<uint32_t>(run.wl.pid())};
  options.attach = collect::FuncAttach::KprobeMulti;
  if (geteuid() != 0) return slt::skip("needs root");
  if (std::string why = collect::kprobes_missing_reason(); !why.empty()) return slt::skip("this kernel has " + why);
  auto loaded = collect::FuncSource::load(options);
  if (!loaded) {
    REQUIRE(loaded.error().message.rfind("this kernel ", 0) == 0);
    return slt::skip(loaded.error().message);
  }
  auto source = std::move(*loaded);
  if (auto ok = source->attach(); !ok) {
    INFO(ok.error().message);
    CHECK(ok.error().message.find('\n') == std::string::npos);
    CHECK(ok.error().message.find("kprobe.multi") != std::string::npos);
    // Auto falls back to single kprobes there
    collect::FuncOptions automatic = options;
    automatic.attach = collect::FuncAttach::Auto;
    auto fallback = collect::FuncSource::load(automatic);
    REQUIRE(fallback);
    if ((*fallback)->attach()) CHECK((*fallback)->attach_mode() == collect::FuncAttach::Kprobe);
    return slt::skip(ok.error().message);
  }
  CHECK(source->attach_mode() == collect::FuncAttach::KprobeMulti);
  run.run(*source);
  CHECK(run.sample.functions.at(0).calls == kReads);
  CHECK(run.sample.functions.at(1).calls == kOpens);
}

TEST_CASE("sysfunc single kprobes count the same calls", "[privileged][sysfunc]") {
  VfsRun run;
  REQUIRE(run.ready());
  collect::FuncOptions options;
  options.functions = {probe("vfs_read"), probe("vfs_open")};
  options.filter.pids = {static_cast<uint32_t>(run.wl.pid())};
  options.attach = collect::FuncAttach::Kprobe;
  auto source = attached_or_skip(options);
  if (!source) return;
  run.run(*source);
  CHECK(run.sample.functions.at(0).calls == kReads);
  CHECK(run.sample.functions.at(1).calls == kOpens);
}

TEST_CASE("sysfunc: add_process selects a process after load", "[privileged][sysfunc]") {
  VfsRun run;
  REQUIRE(run.ready());
  collect::FuncOptions options;
  options.functions = {probe("vfs_read")};
  auto source = attached_or_skip(options);
  if (!source) return;
  source->add_process(static_cast<uint32_t>(run.wl.pid()));
  run.run(*source);
  CHECK(run.sample.functions.at(0).calls == kReads);
}

TEST_CASE("sysfunc: --fentry over its cap is refused in one line", "[sysfunc]") {
  collect::FuncOptions options;
  for (size_t i = 0; i <= collect::kFentryMax; ++i) options.functions.push_back(probe("vfs_read"));
  options.attach = collect::FuncAttach::Fentry;
  auto source = collect::FuncSource::load(options);
  REQUIRE_FALSE(source);
  CHECK(source.error().message == "--fentry traces at most 16 functions (17 given); without --fentry there is no such limit");
}

TEST_CASE("sysfunc: detach leaves no link behind", "[privileged][sysfunc]") {
  collect::FuncOptions options;
  options.functions = {probe("vfs_read"), probe("vfs_open")};
  options.by_syscall = true;
  auto source = attached_or_skip(options);
  if (!source) return;
  CHECK_FALSE(slt::bpf_ids_of(getpid()).links.empty());
  source->detach();
  CHECK(slt::bpf_ids_of(getpid()).links.empty());
  source->poll();  // maps stay readable
}

TEST_CASE("sysfunc: a function the kernel does not have is named in one line", "[privileged][sysfunc]") {
  collect::FuncOptions options;
  options.functions = {probe("vfs_read"), probe("syslat_no_such_function")};
  if (geteuid() != 0) return slt::skip("needs root");
  if (!collect::kprobes_missing_reason().empty()) return slt::skip("this kernel has no kprobes");
  auto source = collect::FuncSource::load(options);
  if (!source && source.error().message.rfind("this kernel ", 0) == 0) return slt::skip(source.error().message);
  REQUIRE(source);
  auto ok = (*source)->attach();
  REQUIRE_FALSE(ok);
  INFO(ok.error().message);
  CHECK(ok.error().message.find('\n') == std::string::npos);
  CHECK(ok.error().message.find("syslat_no_such_function") != std::string::npos);
  CHECK(slt::bpf_ids_of(getpid()).links.empty());  // nothing left attached
}

// Return probes (kretprobe, kretprobe.multi's rethook, fexit) are armed at
// entry, so a call entered before attach is never seen at all: neither a call
// (no entry time) nor an unmatched return.
TEST_CASE("sysfunc: a call in flight at attach is not counted", "[privileged][sysfunc]") {
  // Blocks ~3 s in one read(2) of a pipe, then sleeps 3 s and exits.
  slt::Background wl({slt::workload("wl_slowread"), "pipe", "3000", "3000"});
  const auto started = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // in its read by now
  collect::FuncOptions options;
  options.functions = {probe("vfs_read")};
  options.filter.pids = {static_cast<uint32_t>(wl.pid())};
  auto source = attached_or_skip(options);
  if (!source) return;
  if (std::chrono::steady_clock::now() - started > std::chrono::milliseconds(2500))
    return slt::skip("attaching took too long to be sure the read was still in flight");
  std::this_thread::sleep_until(started + std::chrono::milliseconds(4500));  // read returned, still asleep
  const auto sample = source->poll();
  CHECK(sample.functions.at(0).calls == 0);
  CHECK(sample.health.unmatched == 0);
}
