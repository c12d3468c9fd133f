// errno numbers <-> names ("ENOENT") and the descriptions strace prints,
// including the kernel-internal codes (ERESTARTSYS, ...) that ptrace and the
// sys_exit tracepoint can see. Generated from the UAPI headers at build time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace syslat::core {

// Whether a syscall's return value is an error: -1..-4095 (the kernel's
// MAX_ERRNO, SYSLAT_MAX_ERRNO in syslat.h, which the BPF side uses too).
// Any other value is a result, even a negative one (lseek, an address).
bool is_error_return(int64_t ret);

// The ERESTART* codes (512..516 but 515): the call was interrupted and
// will be restarted (strace shows "= ?"); ptrace sees them, a program never does.
bool is_restart_errno(int err);

// Positive errno -> canonical name ("ENOENT"; 11 is "EAGAIN", never
// "EWOULDBLOCK"); "" if unknown.
std::string_view errno_name(int err);

// "ENOENT", an alias such as "EWOULDBLOCK", or a number "2" (1..4095).
// Names are case-sensitive, as in the headers.
std::optional<int> parse_errno(std::string_view text);

// strace's text: "No such file or directory"; for ERESTARTSYS "To be
// restarted if SA_RESTART is set"; "Unknown error N" if unknown.
std::string errno_description(int err);

}  // namespace syslat::core
