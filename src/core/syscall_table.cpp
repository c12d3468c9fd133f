#include "core/syscall_table.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <numeric>

#include "syslat.h"

namespace syslat::core {
namespace {

constexpr SyscallInfo kSyscalls[] = {
#define SYSLAT_SYSCALL(nr, name, classes) {nr, name, classes},
#include "syscall_table.inc"
#undef SYSLAT_SYSCALL
};
constexpr size_t kCount = std::size(kSyscalls);
constexpr int kMaxNr = kSyscalls[kCount - 1].nr;

constexpr bool sorted_by_unique_nr() {
  for (size_t i = 1; i < kCount; ++i) {
    if (kSyscalls[i - 1].nr >= kSyscalls[i].nr) return false;
  }
  return kSyscalls[0].nr >= 0;
}
static_assert(sorted_by_unique_nr(), "the generated table must be sorted by unique numbers");
static_assert(kMaxNr < SYSLAT_NR_TABLE, "every known syscall needs a stats slot");

#if SYSLAT_HAVE_I386_TABLE
constexpr SyscallInfo kI386Syscalls[] = {
#define SYSLAT_SYSCALL(nr, name, classes) {nr, name, classes},
#include "syscall_table_i386.inc"
#undef SYSLAT_SYSCALL
};
constexpr std::span<const SyscallInfo> kI386{kI386Syscalls};
#else
constexpr std::span<const SyscallInfo> kI386{};
#endif

// i386 lookups by number: rare (naming compat rows), so a sorted search.
const SyscallInfo* find_i386(int nr) {
  auto it = std::lower_bound(kI386.begin(), kI386.end(), nr, [](const SyscallInfo& s, int n) { return s.nr < n; });
  return it != kI386.end() && it->nr == nr ? &*it : nullptr;
}

// The number `name` has in `table`; -1 when it has none.
constexpr int number_in(std::span<const SyscallInfo> table, std::string_view name) {
  for (const SyscallInfo& info : table) {
    if (info.name == name) return info.nr;
  }
  return -1;
}

// execve and execveat per ABI, taken from the tables by name.
constexpr std::array<std::array<int, 2>, 2> kExecNrs{{
    {number_in(kSyscalls, "execve"), number_in(kSyscalls, "execveat")},
    {number_in(kI386, "execve"), number_in(kI386, "execveat")},
}};
static_assert(kExecNrs[0][0] >= 0 && kExecNrs[0][1] >= 0, "the native table must have execve and execveat");

// Table index by syscall number (-1 for gaps), for O(1) lookups.
constexpr auto kIndexByNr = [] {
  std::array<int16_t, kMaxNr + 1> index{};
  for (auto& slot : index) slot = -1;
  for (size_t i = 0; i < kCount; ++i) index[kSyscalls[i].nr] = static_cast<int16_t>(i);
  return index;
}();

// Table indexes sorted by name, for binary search.
constexpr auto kIndexByName = [] {
  std::array<uint16_t, kCount> order{};
  std::iota(order.begin(), order.end(), uint16_t{0});
  std::sort(order.begin(), order.end(),
            [](uint16_t a, uint16_t b) { return kSyscalls[a].name < kSyscalls[b].name; });
  return order;
}();

struct ClassName {
  ClassMask bit;
  std::string_view name;
};
// The display order of class_list().
constexpr std::array<ClassName, 8> kClassNames{{
    {kClassFile, "%file"},
    {kClassNet, "%net"},
    {kClassProcess, "%process"},
    {kClassMemory, "%memory"},
    {kClassSignal, "%signal"},
    {kClassIpc, "%ipc"},
    {kClassDesc, "%desc"},
    {kClassTime, "%time"},
}};

}  // namespace

std::string_view abi_name(Abi abi) { return abi == Abi::I386 ? "i386" : "x86_64"; }

std::span<const SyscallInfo> known_syscalls(Abi abi) { return abi == Abi::I386 ? kI386 : std::span(kSyscalls); }

const SyscallInfo* find_syscall(int nr, Abi abi) {
  if (abi == Abi::I386) return find_i386(nr);
  if (nr < 0 || nr > kMaxNr) return nullptr;
  int16_t index = kIndexByNr[static_cast<size_t>(nr)];
  return index < 0 ? nullptr : &kSyscalls[index];
}

std::optional<int> syscall_number(std::string_view name) {
  auto it = std::lower_bound(kIndexByName.begin(), kIndexByName.end(), name,
                             [](uint16_t index, std::string_view key) { return kSyscalls[index].name < key; });
  if (it == kIndexByName.end() || kSyscalls[*it].name != name) return std::nullopt;
  return kSyscalls[*it].nr;
}

std::string syscall_name(int nr, Abi abi) {
  if (const SyscallInfo* info = find_syscall(nr, abi)) return std::string(info->name);
  return "[unknown: " + std::to_string(nr) + "]";
}

bool is_exec(SyscallId id) {
  const auto& nrs = kExecNrs[id.abi == Abi::I386 ? 1 : 0];
  return id.nr >= 0 && (id.nr == nrs[0] || id.nr == nrs[1]);
}

std::string class_list(ClassMask mask) {
  std::string out;
  for (const ClassName& cls : kClassNames) {
    if ((mask & cls.bit) == 0) continue;
    if (!out.empty()) out += ',';
    out += cls.name;
  }
  return out;
}

std::optional<ClassMask> parse_class(std::string_view name) {
  for (const ClassName& cls : kClassNames) {
    if (cls.name == name) return cls.bit;
  }
  if (name == "%clock") return kClassTime;
  if (name == "%network") return kClassNet;
  return std::nullopt;
}

}  // namespace syslat::core
