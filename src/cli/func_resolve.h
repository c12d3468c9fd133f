// sysfunc's names: the user's patterns matched against what the running
// kernel can trace, each function's signature from BTF, and the probes the
// function source attaches. Also how a traced call is shown.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "collect/func_source.h"
#include "core/func_signature.h"
#include "core/func_stats.h"
#include "util/expected.h"

namespace syslat::cli {

struct ResolvedFunctions {
  std::vector<std::string> names;               // by function index
  std::vector<std::string> modules;             // "" for the kernel image
  std::vector<collect::FuncProbe> probes;       // the same order
  std::vector<core::FuncSignature> signatures;  // the same order; unknown ones without BTF
  std::vector<std::string> unmatched;           // one line per pattern that matched nothing, with the reason
  std::vector<std::string> notes;               // said on stderr: the --max-functions cap
};

// Errors are the environment's (no BTF, nothing says what is traceable).
util::Expected<ResolvedFunctions> resolve_functions(const std::vector<std::string>& patterns, size_t max_functions);

// --list: one function a line ("ext4_file_read_iter [ext4]"); with
// signatures, as C declares it: "ssize_t vfs_read(struct file *file, ...)".
void print_function_list(std::ostream& out, const ResolvedFunctions& functions, bool with_signatures);

// "vfs_read(file=\"notes.txt\" buf=0x7ffd5e2c1000 count=4096 pos=0x...) = 4096"
std::string format_call(const ResolvedFunctions& functions, const core::FuncEvent& event);

}  // namespace syslat::cli
