#include "decode/variants.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <linux/membarrier.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include <algorithm>
#include <initializer_list>
#include <utility>

namespace syslat::decode {
namespace {

using core::ArgKind;

// Arguments 0..n-1 of the signature, then `extra` (index, kind) in the
// signature's names.
std::vector<ShownArg> pick(std::span<const core::ArgSpec> specs, size_t n,
                           std::initializer_list<std::pair<size_t, ArgKind>> extra = {}) {
  std::vector<ShownArg> out;
  for (size_t i = 0; i < n && i < specs.size(); ++i) out.push_back({i, specs[i]});
  for (auto [index, kind] : extra) {
    if (index < specs.size()) out.push_back({index, {specs[index].name, kind}});
  }
  return out;
}

std::vector<ShownArg> futex_args(const std::array<uint64_t, 6>& args, std::span<const core::ArgSpec> specs) {
  // uaddr, op, val, timeout (or val2), uaddr2, val3
  switch (args[1] & FUTEX_CMD_MASK) {
    case FUTEX_WAKE: return pick(specs, 3);
    case FUTEX_WAIT: return pick(specs, 4);
    case FUTEX_WAIT_BITSET: return pick(specs, 4, {{5, ArgKind::FutexBitset}});
    case FUTEX_WAKE_BITSET: return pick(specs, 3, {{5, ArgKind::FutexBitset}});
    case FUTEX_REQUEUE: return pick(specs, 3, {{3, ArgKind::UInt}, {4, ArgKind::Ptr}});
    case FUTEX_CMP_REQUEUE:
    case FUTEX_CMP_REQUEUE_PI: return pick(specs, 3, {{3, ArgKind::UInt}, {4, ArgKind::Ptr}, {5, ArgKind::UInt}});
    case FUTEX_WAKE_OP: return pick(specs, 3, {{3, ArgKind::UInt}, {4, ArgKind::Ptr}, {5, ArgKind::Hex}});
    case FUTEX_LOCK_PI:
    case FUTEX_LOCK_PI2: return pick(specs, 2, {{3, ArgKind::Timespec}});
    case FUTEX_UNLOCK_PI:
    case FUTEX_TRYLOCK_PI: return pick(specs, 2);
    case FUTEX_WAIT_REQUEUE_PI: return pick(specs, 5);
    default: return pick(specs, 3, {{3, ArgKind::Hex}, {4, ArgKind::Hex}, {5, ArgKind::Hex}});
  }
}

std::vector<ShownArg> prctl_args(const std::array<uint64_t, 6>& args, std::span<const core::ArgSpec> specs) {
  switch (args[0] & 0xffffffffu) {
    case PR_GET_DUMPABLE:
    case PR_GET_KEEPCAPS:
    case PR_GET_SECCOMP:
    case PR_GET_TIMERSLACK:
    case PR_GET_TIMING: return pick(specs, 1);
    case PR_SET_NAME: return pick(specs, 1, {{1, ArgKind::String}});
    case PR_GET_NAME: return pick(specs, 1, {{1, ArgKind::OutString}});
    case PR_SET_PDEATHSIG: return pick(specs, 1, {{1, ArgKind::Signal}});
    case PR_SET_KEEPCAPS:
    case PR_SET_CHILD_SUBREAPER:
    case PR_SET_TIMERSLACK:
    case PR_SET_DUMPABLE:
    case PR_CAPBSET_READ:
    case PR_CAPBSET_DROP: return pick(specs, 1, {{1, ArgKind::Size}});
    case PR_GET_PDEATHSIG: return pick(specs, 1, {{1, ArgKind::Ptr}});
    case PR_SET_NO_NEW_PRIVS:
    case PR_SET_THP_DISABLE: return pick(specs, 1, {{1, ArgKind::Size}, {2, ArgKind::Hex}, {3, ArgKind::Hex}, {4, ArgKind::Hex}});
    default: return pick(specs, 5);  // the option, then four hex values
  }
}

std::vector<ShownArg> fcntl_args(const std::array<uint64_t, 6>& args, std::span<const core::ArgSpec> specs) {
  switch (args[1] & 0xffffffffu) {
    case F_GETFD:
    case F_GETFL:
    case F_GETOWN:
    case F_GETSIG:
    case F_GETLEASE:
    case F_GETPIPE_SZ:
    case F_GET_SEALS: return pick(specs, 2);
    case F_SETFD: return pick(specs, 2, {{2, ArgKind::FdFlags}});
    case F_SETFL: return pick(specs, 2, {{2, ArgKind::OpenFlags}});
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
    case F_SETOWN:
    case F_SETPIPE_SZ: return pick(specs, 2, {{2, ArgKind::Int}});
    case F_SETSIG: return pick(specs, 2, {{2, ArgKind::Signal}});
    default: return pick(specs, 3);
  }
}

// clone(child_stack=..., flags=..., then the pointers its flags use), as
// strace shows it; found by name, as the order differs between ABIs.
std::vector<ShownArg> clone_args(const std::array<uint64_t, 6>& args, std::span<const core::ArgSpec> specs) {
  auto at = [&](std::string_view name) {
    for (size_t i = 0; i < specs.size(); ++i) {
      if (specs[i].name == name) return i;
    }
    return specs.size();
  };
  const size_t flags_at = at("clone_flags");
  const size_t stack_at = at("newsp");
  const size_t parent_at = at("parent_tidptr");
  const size_t child_at = at("child_tidptr");
  const size_t tls_at = at("tls");
  if (std::max({flags_at, stack_at, parent_at, child_at, tls_at}) >= specs.size()) return pick(specs, specs.size());
  const uint64_t flags = args[flags_at];
  std::vector<ShownArg> out = {{stack_at, {specs[stack_at].name, ArgKind::Ptr}, "child_stack"},
                               {flags_at, {specs[flags_at].name, ArgKind::CloneFlags}, "flags"}};
  if (flags & (CLONE_PARENT_SETTID | CLONE_PIDFD))
    out.push_back({parent_at, {specs[parent_at].name, ArgKind::IntOut}, "parent_tid"});
  if (flags & CLONE_SETTLS) out.push_back({tls_at, {specs[tls_at].name, ArgKind::Ptr}, "tls"});
  if (flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID))
    out.push_back({child_at, {specs[child_at].name, ArgKind::Ptr}, "child_tidptr"});
  return out;
}

}  // namespace

std::vector<ShownArg> shown_args(std::string_view name, const std::array<uint64_t, 6>& args,
                                 std::span<const core::ArgSpec> specs) {
  if (name == "futex" && specs.size() == 6) return futex_args(args, specs);
  if (name == "prctl" && specs.size() == 5) return prctl_args(args, specs);
  if (name == "fcntl" && specs.size() == 3) return fcntl_args(args, specs);
  if (name == "clone") return clone_args(args, specs);
  // mremap's new address counts only with MREMAP_FIXED or MREMAP_DONTUNMAP.
  if (name == "mremap" && specs.size() == 5) return pick(specs, args[3] & (MREMAP_FIXED | MREMAP_DONTUNMAP) ? 5 : 4);
  // membarrier's cpu_id counts only with MEMBARRIER_CMD_FLAG_CPU.
  if (name == "membarrier" && specs.size() == 3) return pick(specs, args[1] & MEMBARRIER_CMD_FLAG_CPU ? 3 : 2);
  return pick(specs, specs.size());
}

}  // namespace syslat::decode
