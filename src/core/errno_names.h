// errno numbers <-> names ("ENOENT") and the descriptions strace prints,
// including the kernel-internal codes (ERESTARTSYS, ...) that ptrace and the
// sys_exit tracepoint can see. Generated from the UAPI headers at build time.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace syslat::core {

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
