// Whether the process behind a PID is still the one first seen there. A PID
// is reused by a new process once the old one is gone, and an exec puts
// another program in the same process: what a cache keyed by PID learned
// (the modules of its stacks) then belongs to someone else.
#pragma once

#include <cstdint>
#include <optional>

#include "util/fd.h"

namespace syslat::collect {

class ProcessWatch {
 public:
  // nullopt when no process has the PID.
  static std::optional<ProcessWatch> start(uint32_t pid);

  // Another process has the PID now, or the process exec'd another program
  // (another executable file). A process that is gone with no new owner of
  // its PID, or a zombie, is still itself: its last events are its own.
  bool replaced() const;

 private:
  struct Exe {
    uint64_t dev = 0, ino = 0;
    bool operator==(const Exe&) const = default;
  };
  ProcessWatch(uint32_t pid, util::UniqueFd dir) : pid_(pid), dir_(std::move(dir)) {}
  std::optional<Exe> exe() const;

  uint32_t pid_;
  util::UniqueFd dir_;      // /proc/PID of this very process: empty once it is gone
  std::optional<Exe> exe_;  // none for a zombie (or a kernel thread)
};

}  // namespace syslat::collect
