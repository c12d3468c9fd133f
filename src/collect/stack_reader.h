// --stacks: the run's calls per (process, user stack, syscall), from the
// kernel's hash of per-CPU-row proc_stats (see stack_key in syslat.h), with
// each stack named once, as soon as it is first seen (the BPF side announces
// new entries), while its process still lives.
//
// The profile covers the whole run: totals are cumulative. A process that
// exited is read a last time and its entries are deleted from the kernel's
// table (which then holds only live processes), its rows kept here, so a PID
// taken by a new process starts afresh.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "core/slot_layout.h"
#include "core/stack_profile.h"
#include "syslat.h"

namespace syslat::collect {

class StackReader {
 public:
  // Names the addresses of one process's stack (innermost first).
  using Namer = std::function<std::vector<core::SymbolizedFrame>(uint32_t pid, std::span<const uint64_t> ips)>;
  // Unwinds a copied stack (the user registers, and the bytes from sp on)
  // from .eh_frame: the addresses, innermost first.
  using Unwinder = std::function<std::vector<uint64_t>(uint32_t pid, uint64_t ip, uint64_t sp, uint64_t bp,
                                                       std::span<const uint8_t> stack)>;

  // Keeps what naming a process's stacks needs (its modules' files) past its exit.
  using Pinner = std::function<void(uint32_t pid)>;

  StackReader(int stats_fd, int stacks_fd, int comm_fd, uint32_t cpu_rows, const core::SlotLayout& layout,
              Namer namer, Unwinder unwinder, Pinner pinner);

  // A new entry the kernel announced: names its stack now if not yet named.
  void announced(const new_stack_event& event);
  // Before read(): notes the processes already reaped (their rows are final).
  void find_reaped();
  // Reads every entry (naming any not yet named) and forgets reaped processes.
  void read();
  // The run so far. `rows_lost`: calls whose entry did not fit (the kernel's counter).
  core::StackProfile profile(uint64_t rows_lost, double duration_s, bool off_cpu_measured) const;

 private:
  using Key = std::tuple<uint32_t, int32_t, uint32_t>;  // tgid, stack id, slot
  struct Named {
    std::string comm;
    std::vector<uint64_t> ips;                  // the stack (see capture())
    std::vector<core::SymbolizedFrame> frames;  // named from ips, by read()
    bool named = false;
    std::string missing;
    bool first_call = false;  // ips are the first call's, unwound, not the chain's (see capture())
  };
  // The stack of a key, taken at once (the process may exit any moment) and
  // named later, in read(). `copy`: the entry's first call as announced.
  void capture(uint32_t tgid, int32_t stack_id, const new_stack_event* copy = nullptr);
  void forget(uint32_t tgid);
  core::StackRow row_of(const Key& key, const proc_stats& totals) const;

  int stats_fd_, stacks_fd_, comm_fd_;
  uint32_t rows_;
  const core::SlotLayout& layout_;
  Namer namer_;
  Unwinder unwinder_;
  Pinner pinner_;
  std::map<Key, proc_stats> live_;                          // entries in the kernel's table
  std::map<std::pair<uint32_t, int32_t>, Named> named_;     // by (tgid, stack id)
  std::vector<core::StackRow> finished_;                    // rows of processes that exited
  std::set<uint32_t> reaped_;
  uint64_t unnamed_ = 0;  // stacks of processes gone before they were named
};

}  // namespace syslat::collect
