// What the running kernel says about its functions, for sysfunc's name
// matching (core/func_match.h): which ones ftrace can attach to, its text
// symbols, and which have BTF.
#pragma once

#include <string>
#include <string_view>

#include "core/func_match.h"
#include "util/expected.h"

namespace syslat::collect {

class KernelBtf;

enum class TraceableOrigin {
  Tracefs,        // ftrace's own list: available_filter_functions
  BtfAndKallsyms  // no tracefs to read: the functions with BTF and a symbol
};

struct TraceableFunctions {
  core::FunctionNames names;
  TraceableOrigin origin = TraceableOrigin::Tracefs;
  // Where the list came from, for the user: the file read, or why none could
  // be and what stood in for it.
  std::string origin_text;
};

struct KernelFunctionPaths {
  std::string tracefs[2] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
  std::string kallsyms = "/proc/kallsyms";
};

// Parsers of the kernel's formats (no I/O).
// available_filter_functions: "vfs_read" or "ext4_file_read_iter [ext4]" lines.
core::FunctionNames parse_available_filter_functions(std::string_view text);
struct KallsymsFunctions {
  core::FunctionNames text;  // every text symbol
  // Those between _sinittext and _einittext: __init code, freed after boot
  // and dropped from ftrace's list (empty when the addresses read as zeros).
  core::FunctionNames init_text;
};
// kallsyms: the text symbols ("ADDR t NAME[\t[MODULE]]"), whatever the
// addresses read (an unprivileged reader sees zeros). Not the __pfx_/__cfi_
// padding in front of functions.
KallsymsFunctions parse_kallsyms_functions(std::string_view text);
// Without tracefs: the text symbols whose name, or whose base name for a
// compiler's copy ("foo.isra.0", "foo.part.0"), has BTF. Not ".cold" parts,
// which are no function's entry, nor init text. It still takes in what only
// ftrace knows it cannot attach to (notrace functions): an attach will say.
core::FunctionNames traceable_from_btf(const core::FunctionNames& btf, const KallsymsFunctions& kallsyms);

// available_filter_functions from the first tracefs that has one; when none
// can be read, traceable_from_btf() (an error only when that has nothing
// to go on either).
util::Expected<TraceableFunctions> load_traceable_functions(const core::FunctionNames& btf,
                                                            const KallsymsFunctions& kallsyms,
                                                            const KernelFunctionPaths& paths = {});

KallsymsFunctions load_kallsyms_functions(const std::string& path = "/proc/kallsyms");

struct KernelFunctions {
  core::KernelFunctionSets sets;
  TraceableOrigin origin = TraceableOrigin::Tracefs;
  std::string origin_text;
};

// All three sets, the BTF names from `btf`.
util::Expected<KernelFunctions> load_kernel_functions(const KernelBtf& btf, const KernelFunctionPaths& paths = {});

}  // namespace syslat::collect
