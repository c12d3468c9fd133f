// -l/--list: the syscall table as users see it.
#pragma once

#include <ostream>

namespace syslat::cli {

int list_syscalls(std::ostream& out);

}  // namespace syslat::cli
