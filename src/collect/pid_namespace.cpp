#include "collect/pid_namespace.h"

#include <sys/stat.h>

namespace syslat::collect {

// PROC_PID_INIT_INO (include/linux/proc_ns.h): the initial PID namespace's
// inode number, fixed by the kernel.
constexpr uint64_t kInitPidNsIno = 0xEFFFFFFCu;

std::optional<PidNamespace> current_pid_namespace() {
  struct stat st {};
  if (stat("/proc/self/ns/pid", &st) != 0 || st.st_ino == kInitPidNsIno) return std::nullopt;
  return PidNamespace{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

}  // namespace syslat::collect
