// Sets of syscall slots chosen by the user (-S LIST, systrace -e trace=LIST).
#pragma once

#include <bitset>
#include <string_view>

#include "syslat.h"
#include "util/expected.h"

namespace syslat::core {

// One bit per native syscall number below SYSLAT_NR_TABLE - 1; the last bit,
// kSetOther, stands for every call without a name of its own: unknown
// numbers, and i386 calls with no x86_64 twin (socketcall, ...). An i386 call
// with a twin is selected with its twin ("read" selects both ABIs' read).
inline constexpr size_t kSetOther = SYSLAT_NR_TABLE - 1;
using SyscallSet = std::bitset<SYSLAT_NR_TABLE>;

// strace's `-e trace=` syntax: comma-separated items, each a syscall name
// ("openat"), a number (0..kSetOther-1), a class ("%file", "%net",
// "%process", "%memory", "%signal", "%ipc", "%desc", "%time"/"%clock"),
// "all" (every slot) or "none". A leading '!' negates the whole list
// ("!futex,epoll_wait" = everything except those two). Spaces around items
// are ignored. Errors name the bad item: "unknown syscall 'opne' (did you
// mean 'open'?)", "unknown class '%fil'", "empty item in syscall list".
util::Expected<SyscallSet> parse_syscall_list(std::string_view text);

// A native syscall name -> its number; the error suggests a near name
// ("unknown syscall 'raed' (did you mean 'read'?)").
util::Expected<int> parse_syscall_name(std::string_view name);

}  // namespace syslat::core
