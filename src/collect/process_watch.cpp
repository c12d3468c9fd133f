#include "collect/process_watch.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

namespace syslat::collect {

std::optional<ProcessWatch> ProcessWatch::start(uint32_t pid) {
  // The directory stays that of the process it was opened for: lookups in
  // it fail once that process is gone, even when the PID has a new owner.
  // Checked through it, a use costs one lookup, not a read of /proc/PID/stat.
  util::UniqueFd dir(open(("/proc/" + std::to_string(pid)).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return std::nullopt;
  ProcessWatch w(pid, std::move(dir));
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
  // A zombie: still itself (a PID is not reused while its process exists).
  if (faccessat(dir_.get(), "stat", F_OK, 0) == 0) return false;
  // Gone: replaced when the PID has an owner again. Not told by start time:
  // that counts in 10 ms ticks, and a PID can be taken again within one.
  return access(("/proc/" + std::to_string(pid_) + "/stat").c_str(), F_OK) == 0;
}

}  // namespace syslat::collect
