#include "collect/process_watch.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <string>

#include "util/proc.h"

namespace syslat::collect {
namespace {

// When the process with this PID started (field 22 of /proc/PID/stat);
// nullopt when there is none.
std::optional<uint64_t> start_ticks(uint32_t pid) { return util::proc_stat_number(static_cast<pid_t>(pid), 22); }

}  // namespace

std::optional<ProcessWatch> ProcessWatch::start(uint32_t pid) {
  // The directory stays that of the process it was opened for: lookups in
  // it fail once that process is gone, even when the PID has a new owner.
  // Checked through it, a use costs one lookup, not a read of /proc/PID/stat.
  util::UniqueFd dir(open(("/proc/" + std::to_string(pid)).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  auto ticks = start_ticks(pid);
  if (!dir || !ticks) return std::nullopt;
  ProcessWatch w(pid, *ticks, std::move(dir));
  // Its process still there after the start time was read: the start time
  // is its own (a PID is not reused while its process exists, zombie or not).
  if (faccessat(w.dir_.get(), "stat", F_OK, 0) != 0) return std::nullopt;
  w.exe_ = w.exe();
  return w;
}

std::optional<ProcessWatch::Exe> ProcessWatch::exe() const {
  struct stat st {};
  if (fstatat(dir_.get(), "exe", &st, 0) != 0) return std::nullopt;
  return Exe{st.st_dev, st.st_ino};
}

bool ProcessWatch::replaced() const {
  // Running: the same program, or another one since an exec. (Another
  // user's process without CAP_SYS_PTRACE shows no executable: then only a
  // new owner of the PID is noticed.)
  if (auto now = exe()) return exe_ && !(*now == *exe_);
  // A zombie, or gone: then the PID may have a new owner.
  auto now = start_ticks(pid_);
  return now && *now != start_ticks_;
}

}  // namespace syslat::collect
