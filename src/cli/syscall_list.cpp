#include "cli/syscall_list.h"

#include <fmt/format.h>

#include "core/syscall_table.h"

namespace syslat::cli {

// The native table, then the i386 one (32-bit callers), each under its own
// header so numbers are never read against the wrong ABI.
int list_syscalls(std::ostream& out) {
  for (core::Abi abi : {core::Abi::Native, core::Abi::I386}) {
    const auto table = core::known_syscalls(abi);
    if (table.empty()) continue;
    if (abi == core::Abi::I386) out << fmt::format("\n{} (32-bit callers, shown as NAME [i386])\n", core::abi_name(abi));
    out << fmt::format("{:>4}  {:<24} {}\n", "NR", "SYSCALL", "CLASSES");
    for (const auto& s : table) out << fmt::format("{:>4}  {:<24} {}\n", s.nr, s.name, core::class_list(s.classes));
  }
  return 0;
}

}  // namespace syslat::cli
