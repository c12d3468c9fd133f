// libFuzzer: parse_errno (-e NAME) and the errno tables on arbitrary input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/errno_names.h"
#include "syslat.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto err = syslat::core::parse_errno(text);
  if (!err) return 0;
  if (*err < 1 || *err > SYSLAT_MAX_ERRNO) __builtin_trap();
  if (!syslat::core::is_error_return(-static_cast<int64_t>(*err))) __builtin_trap();  // -e takes only what a call can fail with
  // A name always parses back to its number.
  std::string_view name = syslat::core::errno_name(*err);
  if (!name.empty() && syslat::core::parse_errno(name) != err) __builtin_trap();
  if (syslat::core::errno_description(*err).empty()) __builtin_trap();
  return 0;
}
