#include "cli/syscall_list.h"

#include <fmt/format.h>

#include "core/syscall_table.h"

namespace syslat::cli {

int list_syscalls(std::ostream& out) {
  out << fmt::format("{:>4}  {:<24} {}\n", "NR", "SYSCALL", "CLASSES");
  for (const auto& s : core::known_syscalls())
    out << fmt::format("{:>4}  {:<24} {}\n", s.nr, s.name, core::class_list(s.classes));
  return 0;
}

}  // namespace syslat::cli
