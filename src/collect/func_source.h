// The BPF source of sysfunc: entry and return probes on named kernel
// functions (bpf/sysfunc.bpf.c), read as core::FuncSample deltas and, with
// trace, as one core::FuncEvent per call.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/filter_spec.h"
#include "core/func_signature.h"
#include "core/func_stats.h"
#include "core/syscall_set.h"
#include "util/expected.h"

namespace syslat::collect {

// How the functions are probed. Auto: kprobe.multi (one link for all), else
// one kprobe per function; Fentry only when asked (a program per function,
// at most kFentryMax functions).
enum class FuncAttach { Auto, KprobeMulti, Kprobe, Fentry };
const char* attach_name(FuncAttach mode);  // "kprobe.multi", "kprobe", "fentry" ("auto")

inline constexpr size_t kFentryMax = 16;  // SYSFUNC_FENTRY_COPIES
inline constexpr size_t kFuncMax = 1024;  // SYSFUNC_MAX_FUNCS

struct FuncProbe {
  std::string name;
  std::array<core::FuncArgKind, core::kFuncArgRegisters> args{};  // what BPF reads through each argument register
};

struct FuncOptions {
  std::vector<FuncProbe> functions;  // index = function index in FuncSample/FuncEvent
  FuncAttach attach = FuncAttach::Auto;
  core::FilterSpec filter;  // pids, tids, uid, comm (thread_comm), cgroup_path, skip_pid
  bool trace = false;       // one FuncEvent per call of at least threshold_ns
  uint64_t threshold_ns = 0;
  bool kernel_stack = false;  // with trace
  bool by_syscall = false;
  std::optional<core::SyscallSet> syscalls;  // only calls inside these syscalls (implies by_syscall)
  uint32_t ring_buffer_bytes = 8u << 20;
  uint32_t max_threads = 16384;  // threads with a shadow stack at once (more: FuncHealth::missed)
  bool verbose = false;
};

class FuncSource {
 public:
  // Opens and loads the programs (not attached). Errors are one line; on a
  // kernel with no way to probe kernel functions, that line says what it lacks.
  static util::Expected<std::unique_ptr<FuncSource>> load(const FuncOptions& options);
  ~FuncSource();
  FuncSource(const FuncSource&) = delete;
  FuncSource& operator=(const FuncSource&) = delete;

  util::Expected<void> attach();
  void detach();  // every link gone (and no program still running); maps stay readable
  FuncAttach attach_mode() const;  // what attach used (before: what load chose)
  void add_process(uint32_t pid);  // select this process (and the children it forks from now on)
  core::FuncSample poll();         // deltas since the last poll (or attach)
  int events_fd() const;           // -1 without trace
  size_t consume_events(const std::function<void(const core::FuncEvent&)>& sink);

  struct Impl;

 private:
  explicit FuncSource(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Why this kernel allows no kernel function probes, or "" when it has some:
// looked up (tracefs, the perf kprobe PMU, the kernel config), not tried.
std::string kprobes_missing_reason();

}  // namespace syslat::collect
