// libFuzzer: parse_syscall_list (-S LIST, -e trace=LIST) on arbitrary input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/syscall_set.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto set = syslat::core::parse_syscall_list(text);
  if (!set) {
    if (set.error().message.empty()) __builtin_trap();
    return 0;
  }
  // Negating a valid list is valid and gives the complement.
  if (!text.empty() && text.front() != '!' && text.find_first_not_of(" \t\n\r\f\v") == 0) {
    auto negated = syslat::core::parse_syscall_list("!" + std::string(text));
    if (!negated || (*negated ^ *set).count() != set->size()) __builtin_trap();
  }
  return 0;
}
