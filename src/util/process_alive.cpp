#include "util/process_alive.h"

#include <signal.h>

#include <cerrno>

namespace syslat::util {

// Signal 0 checks the pid and the permission, and sends nothing.
bool process_alive(pid_t pid) { return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM); }

}  // namespace syslat::util
