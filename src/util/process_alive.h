// Whether a process still exists, asked of the kernel (no /proc needed).
#pragma once

#include <sys/types.h>

namespace syslat::util {

// True while `pid` names a process: running, stopped, or exited but not yet
// reaped by its parent (a zombie still holds its pid). One we may not signal
// (another user's: EPERM) exists too. False once it is gone.
bool process_alive(pid_t pid);

}  // namespace syslat::util
