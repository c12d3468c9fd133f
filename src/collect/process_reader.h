// -P: reads the per-process (tgid, syscall) per-CPU hash in batches, turns it
// into per-poll deltas, names processes, and forgets the ones that exited.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "core/stats.h"
#include "syslat.h"

namespace syslat::collect {

class ProcessReader {
 public:
  ProcessReader(int stats_fd, int comm_fd, unsigned ncpus);
  void read(core::Sample& out);

 private:
  using Key = std::pair<uint32_t, uint32_t>;  // tgid, slot
  std::map<Key, proc_stats> read_all() const;
  std::string comm_of(uint32_t tgid) const;
  void forget(uint32_t tgid);

  int stats_fd_;
  int comm_fd_;
  unsigned ncpus_;
  std::map<Key, proc_stats> last_;
};

}  // namespace syslat::collect
