// Calls whose argument list depends on one of their arguments, as strace
// shows them: futex's op, prctl's option, fcntl's command, clone's, mremap's
// and membarrier's flags decide which arguments mean something and how.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/syscall_args.h"

namespace syslat::decode {

// One argument to show: which register, how, and the name strace puts
// before it, if any ("flags=" in clone's arguments).
struct ShownArg {
  size_t index;
  core::ArgSpec spec;
  std::string_view label = {};
};

// The arguments of `name` to show for these values: the signature's own
// (`specs`, all of them) for calls without variants.
std::vector<ShownArg> shown_args(std::string_view name, const std::array<uint64_t, 6>& args,
                                 std::span<const core::ArgSpec> specs);

}  // namespace syslat::decode
