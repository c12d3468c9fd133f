// Reads the kernel's per-(slot, CPU row) counters and histograms through
// mmap and turns them into per-poll deltas. Only slots the kernel marked as
// used are read, so memory touched (and RSS) grows with the syscalls seen,
// not with every slot × every CPU.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "collect/mapped_array.h"
#include "core/slot_layout.h"
#include "core/stats.h"
#include "syslat.h"

namespace syslat::collect {

class StatsReader {
 public:
  // `hists` is empty unless timed; `used_slots` and `hist_of_slot` point into
  // the mmap'ed .bss (see maps.bpf.h); a null hist_of_slot: slot s uses
  // histogram s.
  StatsReader(MappedArray<syscall_stats> stats, MappedArray<syscall_hist> hists, const __u64* used_slots,
              const __u32* hist_of_slot, const core::SlotLayout& layout, uint32_t cpu_rows);
  void read(core::Sample& out);

 private:
  struct RowState {
    uint64_t calls = 0, errors = 0, total_ns = 0, entry_not_seen = 0, slow = 0;
    core::TimeSplit split;
    std::unique_ptr<syscall_hist> hist;  // as last read; only for rows that timed a call
    bool active = false;                 // changed at the previous poll: read again once
    uint64_t min_ns = 0, max_ns = 0;     // swapped out by a poll that found no stable reading
  };
  // What a row holds at one instant: its cumulative counters and histogram,
  // and the min/max swapped out of it.
  struct RowRead {
    uint64_t calls = 0, errors = 0, total_ns = 0, entry_not_seen = 0, slow = 0;
    core::TimeSplit split;
    uint64_t min_ns = 0, max_ns = 0;
  };
  void read_slot(uint32_t slot, core::Sample& out);
  bool read_row(syscall_stats& live, const syscall_hist* hist, syscall_hist* hist_now, RowRead& r);

  MappedArray<syscall_stats> stats_;
  MappedArray<syscall_hist> hists_;
  const __u64* used_slots_;
  const __u32* hist_of_slot_;
  const core::SlotLayout& layout_;
  uint32_t rows_;
  std::vector<std::unique_ptr<std::vector<RowState>>> state_;  // per slot, once used
};

}  // namespace syslat::collect
