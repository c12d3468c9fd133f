// The hashes whose value is one proc_stats per CPU row (-P's per process,
// --stacks' per stack): read in batches (a few syscalls per poll, not one per
// entry), each entry's rows summed; and the name of a process in them.
#pragma once

#include <bpf/bpf.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "syslat.h"

namespace syslat::collect {

inline proc_stats& operator+=(proc_stats& a, const proc_stats& b) {
  a.calls += b.calls;
  a.errors += b.errors;
  a.timed += b.timed;
  a.total_ns += b.total_ns;
  a.off_ns += b.off_ns;
  return a;
}

template <class Key>
std::vector<std::pair<Key, proc_stats>> read_row_sums(int fd, uint32_t rows) {
  constexpr uint32_t kChunk = 256;
  std::vector<Key> keys(kChunk);
  std::vector<proc_stats> values(size_t{kChunk} * rows);
  std::vector<std::pair<Key, proc_stats>> all;
  Key token{};
  bool first = true;
  for (;;) {
    uint32_t count = kChunk;
    const int rc = bpf_map_lookup_batch(fd, first ? nullptr : &token, &token, keys.data(), values.data(), &count,
                                        nullptr);
    const bool done = rc != 0;
    if (rc != 0 && errno != ENOENT) count = 0;
    for (uint32_t i = 0; i < count; ++i) {
      proc_stats sum{};
      for (uint32_t row = 0; row < rows; ++row) sum += values[size_t{i} * rows + row];
      all.emplace_back(keys[i], sum);
    }
    if (done) break;
    first = false;
  }
  return all;
}

// A process's name: from /proc while it lives, else as the BPF side kept it
// (proc_comm, by tgid); "?" when neither knows.
std::string process_name(uint32_t tgid, int comm_fd);

}  // namespace syslat::collect
