#include "decode/format.h"

#include <fcntl.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <span>
#include <string_view>

#include "core/errno_names.h"
#include "core/syscall_args.h"
#include "decode/flags.h"
#include "decode/memory_args.h"
#include "decode/text.h"
#include "decode/variants.h"
#include "util/escape.h"

namespace syslat::decode {
namespace {

using core::ArgKind;

constexpr int kAtFdcwd = -100;

// Calls whose return value is an address, shown in hex like strace does.
constexpr std::string_view kAddressReturns[] = {"mmap", "mmap2", "mremap", "brk", "shmat"};

std::string fd_text(int64_t fd, const CallContext& ctx) {
  std::string out = std::to_string(fd);
  if (fd < 0 || !ctx.resolve_fds) return out;
  std::optional<std::string> target;
  if (auto known = ctx.fd_targets.find(static_cast<int>(fd)); known != ctx.fd_targets.end()) {
    target = known->second;
  } else if (ctx.pid != 0) {
    target = fd_target(ctx.pid, static_cast<int>(fd));
  }
  if (target) {
    // A path is anyone's choice of bytes: escaped as strace -y does, <> too.
    out += '<';
    util::append_escaped(out, *target, {.backslashed = "\"\\", .octal = "<>"});
    out += '>';
  }
  return out;
}

// A NUL-terminated string argument: captured, read through the hook, or the
// pointer when neither is possible.
std::string string_text(uint64_t addr, std::optional<std::string> captured, bool truncated, size_t max_len,
                        const CallContext& ctx) {
  if (!captured && addr != 0 && ctx.read_string) {
    captured = ctx.read_string(addr, max_len == SIZE_MAX ? PATH_MAX : max_len + 1);
  }
  if (!captured) return pointer(addr);
  return quote_string(*captured, max_len) + (truncated ? "..." : "");
}

std::string arg_text(const core::ArgSpec& spec, uint64_t value, bool is_first_path, const CallContext& ctx) {
  switch (spec.kind) {
    case ArgKind::Int: return std::to_string(static_cast<int32_t>(value));
    case ArgKind::Long: return std::to_string(static_cast<int64_t>(value));
    case ArgKind::UInt: return std::to_string(static_cast<uint32_t>(value));
    case ArgKind::Size: return std::to_string(value);
    case ArgKind::Hex: return hex(value);
    case ArgKind::Ptr: return pointer(value);
    case ArgKind::Fd: return fd_text(static_cast<int32_t>(value), ctx);
    case ArgKind::AtFd:
      return static_cast<int32_t>(value) == kAtFdcwd ? "AT_FDCWD" : fd_text(static_cast<int32_t>(value), ctx);
    case ArgKind::Mode: return mode_text(value & 0xffffffffu);
    case ArgKind::Path:
      if (is_first_path) return string_text(value, ctx.path, ctx.path_truncated, SIZE_MAX, ctx);
      return string_text(value, std::nullopt, false, SIZE_MAX, ctx);
    case ArgKind::String: return string_text(value, std::nullopt, false, ctx.max_string, ctx);
    default: break;
  }
  if (spec.kind >= ArgKind::InBuf) return pointer(value);  // memory kinds without a reader
  if (auto symbolic = format_symbolic(spec.kind, value)) return *symbolic;
  return hex(value);
}

std::string raw_args(const std::array<uint64_t, 6>& args) {
  std::string out;
  for (uint64_t value : args) {
    if (!out.empty()) out += ", ";
    out += hex(value);
  }
  return out;
}

// i386 registers are 32 bits wide: drop what the zero-extension added, and
// read the 64-bit kinds as the 32-bit longs they are there.
uint64_t abi_value(core::SyscallId id, const core::ArgSpec& spec, uint64_t value) {
  if (id.abi != core::Abi::I386) return value;
  value &= 0xffffffffu;
  if (spec.kind == ArgKind::Long) return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(value)));
  return value;
}

}  // namespace

std::optional<std::string> fd_target(uint32_t pid, int fd) {
  std::string link = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd);
  char buf[PATH_MAX];
  ssize_t len = ::readlink(link.c_str(), buf, sizeof buf);
  if (len < 0) return std::nullopt;
  return std::string(buf, static_cast<size_t>(len));
}

std::string format_call(core::SyscallId id, const std::array<uint64_t, 6>& args, const CallContext& ctx) {
  std::string out = core::syscall_name(id.nr, id.abi) + "(";
  if (!core::has_arg_signature(id)) return out + raw_args(args) + ")";
  std::span<const core::ArgSpec> specs = core::syscall_args(id);
  int path_index = core::path_arg_index(id);
  bool first = true;
  for (const auto& [i, spec, label] : shown_args(core::syscall_name(id.nr, id.abi), args, specs)) {
    uint64_t value = abi_value(id, spec, args[i]);
    // open/openat/mq_open: the mode means something only when a file may be created.
    if (spec.kind == ArgKind::Mode && i > 0 && specs[i - 1].kind == ArgKind::OpenFlags &&
        !open_flags_take_mode(args[i - 1])) {
      break;
    }
    if (!first) out += ", ";
    first = false;
    if (!label.empty()) out += std::string(label) + "=";
    // Struct layouts are the native ABI's: an i386 call's memory shows as pointers.
    std::optional<std::string> memory;
    if (id.abi == core::Abi::Native) memory = memory_arg_text(spec.kind, args, i, ctx);
    if (memory) {
      out += *memory;
    } else if (spec.kind == ArgKind::SockOptName && i > 0) {
      out += sockopt_name(args[i - 1], value);
    } else if (spec.kind == ArgKind::SocketProtocol) {
      out += socket_protocol(args[0], value);
    } else {
      out += arg_text(spec, value, static_cast<int>(i) == path_index, ctx);
    }
  }
  return out + ")";
}

std::string format_return(core::SyscallId id, int64_t ret, const std::array<uint64_t, 6>* args) {
  if (core::is_error_return(ret)) {
    int err = static_cast<int>(-ret);
    std::string_view name = core::errno_name(err);
    std::string text = " (" + core::errno_description(err) + ")";
    if (core::is_restart_errno(err)) return "= ? " + std::string(name) + text;
    return "= -1 " + (name.empty() ? std::to_string(err) : std::string(name)) + text;
  }
  if (const core::SyscallInfo* info = core::find_syscall(id.nr, id.abi)) {
    for (std::string_view name : kAddressReturns) {
      if (info->name == name) return "= " + hex(static_cast<uint64_t>(ret));
    }
    if (info->name == "umask") return "= " + mode_text(static_cast<uint64_t>(ret));  // the old mask, in octal
    if (info->name == "fcntl" && args != nullptr) {
      const uint64_t value = static_cast<uint64_t>(ret);
      const uint64_t cmd = (*args)[1] & 0xffffffffu;
      if (cmd == F_GETFD && ret != 0) return "= " + hex(value) + " (flags " + *format_symbolic(ArgKind::FdFlags, value) + ")";
      if (cmd == F_GETFL) return "= " + hex(value) + " (flags " + *format_symbolic(ArgKind::OpenFlags, value) + ")";
    }
  }
  return "= " + std::to_string(ret);
}

}  // namespace syslat::decode
