// Giving up privilege once it is no longer needed: a daemon that loaded its
// BPF programs needs none to read the maps through the fds it holds.
#pragma once

#include "util/expected.h"

namespace syslat::util {

// Empties the calling thread's effective, permitted, inheritable and
// ambient capability sets and its bounding set, and sets no_new_privs, so
// nothing it runs later gets any back; the uid is left as it is. Threads
// started afterwards inherit this; threads that already exist keep theirs,
// so call it before starting any. Without CAP_SETPCAP (a systemd unit's
// CapabilityBoundingSet= may leave it out) the bounding set stays as it was
// given; no_new_privs still keeps an exec from using it.
Expected<void> drop_all_capabilities();

}  // namespace syslat::util
