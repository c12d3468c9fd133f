// Symbolic names for flag and enum arguments: one table per family (open
// flags, mmap protections, signals, ...), one formatter per ArgKind. The
// values are the build target's (its libc and UAPI headers), which is the
// native ABI the signatures describe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/syscall_args.h"

namespace syslat::decode {

// The kernel's SA_RESTORER (glibc keeps it to itself): a sigaction with it
// names the restorer.
inline constexpr uint64_t kSaRestorer = 0x04000000;

struct Named {
  uint64_t value;
  std::string_view name;
};

// "A|B|0x40": the names of `table` entries whose bits are all set, in table
// order (multi-bit entries listed first win), then leftover bits in hex;
// `zero` (or "0") when nothing is set. Given `unknown` ("GRND_???"), bits of
// which none has a name read as strace shows them: "0x10 /* GRND_??? */".
std::string format_bits(uint64_t value, std::span<const Named> table, std::string_view zero = "0",
                        std::string_view unknown = {});

// strace's text for a value without a name: "0x9 /* SEEK_??? */".
std::string unknown_value(uint64_t value, std::string_view unknown);

// socket's protocol, named after the domain: IPPROTO_TCP for AF_INET and
// AF_INET6; a number for the others.
std::string socket_protocol(uint64_t domain, uint64_t protocol);

// A kernel sigset (bit N-1: signal N): "[INT TERM]"; more than half set as
// the complement, "~[RTMIN RT_1]".
std::string sigset_text(uint64_t mask);

// setsockopt/getsockopt's option name, which depends on the level: SO_REUSEADDR
// for SOL_SOCKET; a number for the other levels.
std::string sockopt_name(uint64_t level, uint64_t optname);

// The name of `value` in `table`, or nullopt.
std::optional<std::string_view> find_name(uint64_t value, std::span<const Named> table);

// "SIGTERM", "SIGRTMIN", "SIGRT_3"; the number for anything else ("0").
std::string signal_name(int64_t sig);

// The formatter for a symbolic kind (OpenFlags ... EpollCtlOp); nullopt for
// the kinds flags.cpp does not own (numbers, fds, strings).
std::optional<std::string> format_symbolic(core::ArgKind kind, uint64_t value);

// "0644", "000", "S_IFREG|0600" (mknod): octal like strace.
std::string mode_text(uint64_t mode);

// strace shows open's mode only when the flags can create a file.
bool open_flags_take_mode(uint64_t flags);

}  // namespace syslat::decode
