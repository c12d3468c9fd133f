// -P: reads the per-process (tgid, slot) hash in batches (each value one
// proc_stats per CPU row), turns it into per-poll deltas, names processes,
// and forgets the ones that exited.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "core/slot_layout.h"
#include "core/stats.h"
#include "syslat.h"

namespace syslat::collect {

class ProcessReader {
 public:
  ProcessReader(int stats_fd, int comm_fd, uint32_t cpu_rows, const core::SlotLayout& layout);
  // Notes the processes already reaped (their rows can change no more, so the
  // next read is their last). Called before the global counters are read, so
  // that its kill(2)s fall on one side of both reads.
  void find_reaped();
  void read(core::Sample& out);

 private:
  using Key = std::pair<uint32_t, uint32_t>;  // tgid, slot
  std::map<Key, proc_stats> read_all() const;
  void forget(uint32_t tgid);

  int stats_fd_;
  int comm_fd_;
  uint32_t rows_;
  const core::SlotLayout& layout_;
  std::map<Key, proc_stats> last_;
  std::set<uint32_t> reaped_;
};

}  // namespace syslat::collect
