// libFuzzer: sysfunc's function patterns (argv) against a small kernel's
// lists: glob matching never misbehaves, an exact name matches only itself,
// and every reason line is one line of printable ASCII (what the user typed
// comes back escaped).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/func_match.h"

namespace {

syslat::core::KernelFunctionSets small_kernel() {
  syslat::core::KernelFunctionSets k;
  for (const char* name : {"vfs_read", "vfs_write", "tcp_ack.isra.0", "ext4_sync_file", "do_read.constprop.0"})
    k.traceable.add(name, name[0] == 'e' ? "ext4" : "");
  for (const char* name : {"vfs_read", "vfs_write", "tcp_ack.isra.0", "ext4_sync_file", "entry_SYSCALL_64"})
    k.kallsyms.add(name);
  for (const char* name : {"vfs_read", "vfs_write", "tcp_ack", "inlined_fn"}) k.btf.add(name);
  k.traceable.finish();
  k.kallsyms.finish();
  k.btf.finish();
  return k;
}

bool pattern_ok(const std::string& pattern) {
  size_t backslashes = 0;
  while (backslashes < pattern.size() && pattern[pattern.size() - 1 - backslashes] == '\\') ++backslashes;
  return syslat::core::pattern_problem(pattern).empty() && backslashes % 2 == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto kernel = small_kernel();
  // "PATTERN\nNAME": one pattern against one name, then the pattern alone.
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const std::string pattern(input.substr(0, nl));
  const std::string_view name = nl == std::string_view::npos ? std::string_view{} : input.substr(nl + 1);

  const bool match = syslat::core::glob_match(pattern, name);
  if (!syslat::core::is_glob(pattern) && match != (pattern == name)) __builtin_trap();
  if (!syslat::core::glob_match("*", name)) __builtin_trap();
  // A trailing '*' only ever adds matches (unless it would be escaped).
  if (match && pattern_ok(pattern) && !syslat::core::glob_match(pattern + "*", name)) __builtin_trap();

  const auto m = syslat::core::match_functions(kernel, {pattern}, 2);
  if (m.functions.size() > 2 || m.total < m.functions.size()) __builtin_trap();
  if (m.functions.empty() == m.unmatched.empty()) __builtin_trap();  // matched, or exactly one reason
  for (const std::string& line : m.unmatched)
    for (unsigned char c : line)
      if (c < 0x20 || c > 0x7e) __builtin_trap();
  return 0;
}
