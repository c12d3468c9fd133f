#include "core/syscall_args.h"

#include <array>
#include <cstddef>

namespace syslat::core {
namespace {

struct ArgsRow {
  int nr;
  int nargs;  // -1: unknown signature
  std::array<ArgSpec, 6> args;
};

#define SYSLAT_SYSCALL_ARGS(nr, nargs, n0, k0, n1, k1, n2, k2, n3, k3, n4, k4, n5, k5)              \
  ArgsRow{nr, nargs,                                                                                \
          {{{n0, ArgKind::k0}, {n1, ArgKind::k1}, {n2, ArgKind::k2}, {n3, ArgKind::k3}, {n4, ArgKind::k4}, \
            {n5, ArgKind::k5}}}},
constexpr ArgsRow kRows[] = {
#include "syscall_args.inc"
    ArgsRow{-1, -1, {}},  // end marker: keeps the array non-empty where the ABI has no rows
};
#undef SYSLAT_SYSCALL_ARGS
constexpr size_t kRowCount = std::size(kRows) - 1;

constexpr int kMaxNr = [] {
  int max = 0;
  for (size_t i = 0; i < kRowCount; ++i) max = kRows[i].nr > max ? kRows[i].nr : max;
  return max;
}();

constexpr auto kRowByNr = [] {
  std::array<int16_t, kMaxNr + 1> index{};
  for (auto& slot : index) slot = -1;
  for (size_t i = 0; i < kRowCount; ++i) index[kRows[i].nr] = static_cast<int16_t>(i);
  return index;
}();

// i386 calls whose same-named x86_64 call takes other arguments: i386's mmap
// is old_mmap and its select is old_select (one pointer to a struct each).
constexpr std::string_view kI386Different[] = {"mmap", "select"};

const ArgsRow* native_row(int nr) {
  if (nr < 0 || nr > kMaxNr || kRowByNr[static_cast<size_t>(nr)] < 0) return nullptr;
  return &kRows[kRowByNr[static_cast<size_t>(nr)]];
}

const ArgsRow* find_row(SyscallId id) {
  if (id.abi == Abi::Native) return native_row(id.nr);
  const SyscallInfo* info = find_syscall(id.nr, id.abi);
  if (info == nullptr) return nullptr;
  for (std::string_view name : kI386Different) {
    if (info->name == name) return nullptr;
  }
  std::optional<int> twin = syscall_number(info->name);
  return twin ? native_row(*twin) : nullptr;
}

constexpr std::string_view kKindNames[] = {
    "Int",       "Long",       "UInt",   "Size",         "Hex",        "Ptr",      "Fd",
    "AtFd",      "Path",       "String", "OpenFlags",    "Mode",       "AtFlags",  "AccessMode",
    "MmapProt",  "MmapFlags",  "CloneFlags", "UnshareFlags", "Signal",   "SocketDomain", "SocketType", "MsgFlags",
    "Whence",    "FutexOp",    "FcntlCmd", "SigprocmaskHow", "EpollCtlOp",
    "ArchPrctlCode", "Rlimit", "RandomFlags", "FadviseAdvice", "MadviseAdvice", "ClockId", "TimerFlags",
    "WaitOptions", "WaitidWhich", "PrctlOption", "PipeFlags", "EventfdFlags", "EpollFlags", "InotifyFlags",
    "TimerfdFlags", "SignalfdFlags", "MemfdFlags", "SockLevel", "SockOptName", "ShutdownHow", "FlockOp",
    "MembarrierCmd", "MremapFlags", "MsyncFlags", "StatxFlags", "StatxMask", "FdFlags", "FutexBitset", "IoctlCmd", "SocketProtocol", "SigactionFlags", "InBuf",   "OutBuf",
    "OutString", "StatBuf",    "Sockaddr", "SockaddrOut", "Timespec", "TimespecOut", "Pollfds",
    "FdPair",    "StrArray",   "EnvArray", "RandomBuf", "RlimitIn", "RlimitOut", "WaitStatus", "IntRef", "SockoptIn", "SockoptOut",
    "IntOut", "TimespecRem", "Dirents", "StatxBuf", "SigsetIn", "SigsetOut", "SigactionIn", "SigactionOut",
    "UtsnameOut", "SysinfoOut",
};
static_assert(std::size(kKindNames) == static_cast<size_t>(ArgKind::SysinfoOut) + 1);

}  // namespace

std::span<const ArgSpec> syscall_args(SyscallId id) {
  const ArgsRow* row = find_row(id);
  if (row == nullptr || row->nargs < 0) return {};
  return std::span(row->args).first(static_cast<size_t>(row->nargs));
}

bool has_arg_signature(SyscallId id) {
  const ArgsRow* row = find_row(id);
  return row != nullptr && row->nargs >= 0;
}

int path_arg_index(SyscallId id) {
  std::span<const ArgSpec> args = syscall_args(id);
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].kind == ArgKind::Path) return static_cast<int>(i);
  }
  return -1;
}

std::string_view arg_kind_name(ArgKind kind) { return kKindNames[static_cast<size_t>(kind)]; }

}  // namespace syslat::core
