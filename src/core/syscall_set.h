// Sets of syscall slots chosen by the user (-S LIST, systrace -e trace=LIST).
#pragma once

#include <bitset>
#include <string_view>

#include "syslat.h"
#include "util/expected.h"

namespace syslat::core {

// One bit per stats slot (SYSLAT_NSLOTS; slot SYSLAT_NR_OTHER collects
// numbers without a slot of their own).
using SyscallSet = std::bitset<SYSLAT_NSLOTS>;

// strace's `-e trace=` syntax: comma-separated items, each a syscall name
// ("openat"), a number (0..SYSLAT_NSLOTS-2), a class ("%file", "%net",
// "%process", "%memory", "%signal", "%ipc", "%desc", "%time"/"%clock"),
// "all" (every slot) or "none". A leading '!' negates the whole list
// ("!futex,epoll_wait" = everything except those two). Spaces around items
// are ignored. Errors name the bad item: "unknown syscall 'opne' (did you
// mean 'open'?)", "unknown class '%fil'", "empty item in syscall list".
util::Expected<SyscallSet> parse_syscall_list(std::string_view text);

}  // namespace syslat::core
