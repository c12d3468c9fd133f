// The BPF source: loads bpf/syslat.bpf.c, attaches it, applies filters
// through the mmap'ed globals and turns map contents into samples.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "collect/source.h"
#include "collect/stack_reader.h"
#include "core/filter_spec.h"
#include "core/kernel_support.h"
#include "core/slow_event.h"
#include "core/threshold_spec.h"
#include "util/expected.h"

namespace syslat::collect {

struct BpfOptions {
  bool timed = false;         // attach sys_enter too and time every call
  bool per_process = false;   // -P
  bool follow_forks = false;  // children of traced processes are traced (-- CMD)
  core::KernelFacts kernel;   // what the kernel has (check_bpf_environment): i386 syscalls, kfuncs
  uint32_t max_process_entries = 16384;  // -P: (process, syscall) pairs
  bool stacks = false;        // --stacks: calls per (process, user stack, syscall)
  uint32_t max_stacks = 16384;  // --stacks: distinct stacks, and (process, stack, syscall) entries
  uint32_t stack_sample = 1;    // --stacks: the stack of 1 call in N walked
  StackReader::Namer stack_namer;  // --stacks: names a process's stack (a StackSymbolizer's)
  StackReader::Unwinder stack_unwinder;  // --stacks: unwinds a copied stack from .eh_frame (may be empty)
  StackReader::Pinner stack_pinner;      // --stacks: keeps a process's modules for naming after it exits
  bool slow = false;          // sysslow: slow-call events (implies timed and count_slow)
  bool count_slow = false;    // count calls over their threshold per syscall (implies timed)
  bool user_stack = false;    // --stack
  bool kernel_stack = false;  // --kstack
  bool states = false;        // split each timed call's time: on CPU, runqueue, I/O, sleep (implies timed)
  uint32_t ring_buffer_bytes = 8u << 20;
  // Histograms at most (0: as many as a memory budget allows, which covers
  // every syscall unless the machine has very many CPUs). Tests lower it to
  // exercise assignment on first use.
  uint32_t max_histograms = 0;
  bool verbose = false;       // pass libbpf's messages through
};

class BpfSource final : public Source {
 public:
  // Opens and loads the programs (not attached yet). Errors are environment
  // problems (privilege, kernel support), reported with the reason.
  static util::Expected<std::unique_ptr<BpfSource>> load(const BpfOptions& options);
  ~BpfSource() override;
  BpfSource(const BpfSource&) = delete;
  BpfSource& operator=(const BpfSource&) = delete;

  // Replaces the filter in force; may be called before or after attach.
  // Errors are bad user input (e.g. a path that is no cgroup v2 directory).
  util::Expected<void> apply(const core::FilterSpec& filter);

  // -- CMD: trace `pid` (and, with follow_forks, its children) from its next
  // successful execve on; nothing it does before that is counted.
  void trace_from_exec(uint32_t pid);

  util::Expected<void> attach();
  // Stops tracing (maps stay readable) and waits for programs still running:
  // a poll after it reads final counts, so the last report's per-process rows
  // add up to its totals with nothing made in between.
  void detach();
  core::Sample poll() override;

  // sysslow: the thresholds in force (may change while attached).
  void set_thresholds(const core::ThresholdSpec& thresholds);
  // Readable when slow events wait (for poll(2)); -1 unless slow.
  int events_fd() const;
  // Hands every waiting slow event to `sink`; returns how many.
  size_t consume_events(const std::function<void(core::SlowEvent&&)>& sink);

  // --stacks: readable when new stacks wait to be named (for poll(2)); -1 otherwise.
  int new_stacks_fd() const;
  // Names the stacks announced since the last call.
  void name_new_stacks();
  // The run's stack profile so far (read by the last poll()).
  core::StackProfile stack_profile() const;

 private:
  struct Impl;
  explicit BpfSource(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace syslat::collect
