// Names of user code for the stack symbolizer: C++ symbols demangled, and
// the source lines of an address from DWARF (the module's own, or a separate
// debug file libdwfl found for it under /usr/lib/debug by build ID).
#pragma once

#include <elfutils/libdwfl.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/stack_profile.h"

namespace syslat::collect {

// A C++ name in full, parameter list included ("ns::f(int)"); any other name as it is.
std::string demangle(const char* name);

// The functions at `address` (absolute, as libdwfl wants it) with their
// source positions: the innermost inlined function at the address's own
// line first, then each function it was inlined into at the line of that
// call, ending with the out-of-line function that holds the code (pprof's
// order). Empty when the module has no DWARF for the address. A function
// DWARF does not name has "" (the caller falls back to the ELF symbol).
std::vector<core::SourceLine> source_lines(Dwfl_Module* module, uint64_t address);

}  // namespace syslat::collect
