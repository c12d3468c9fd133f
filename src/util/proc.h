// What /proc tells about a process or thread (a PID or a TID names either):
// the few small readers every part of the tool shares, and whether a process
// is there at all. Names come back as the kernel keeps them, byte for byte:
// whoever shows one escapes it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace syslat::util {

// True while `pid` names a process: running, stopped, or exited but not yet
// reaped by its parent (a zombie still holds its pid). One we may not signal
// (another user's: EPERM) exists too. False once it is gone. Asked of the
// kernel with signal 0, so it needs no /proc (nor one of our PID namespace).
bool process_alive(pid_t pid);

// The task's name (/proc/PID/comm) without the one newline the kernel ends
// the file with: up to 15 bytes of anything but NUL, a newline included.
// nullopt when the task is gone (or the file cannot be read).
std::optional<std::string> proc_comm(pid_t pid);

// The first number after "NAME:" in /proc/PID/status: "Uid" is the real
// UID, "Tgid" the process a thread belongs to. nullopt when there is none.
std::optional<uint64_t> proc_status_number(pid_t pid, std::string_view name);

// Field `field` (numbered from 1 as in proc(5); 3 and on) of /proc/PID/stat
// as a number. Counted after the ")" that ends the comm in field 2, which
// may itself hold spaces and parentheses. nullopt when there is none.
std::optional<uint64_t> proc_stat_number(pid_t pid, int field);

}  // namespace syslat::util
