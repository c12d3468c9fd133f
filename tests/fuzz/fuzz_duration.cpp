// libFuzzer: parse_duration_ns and format_duration_ns on arbitrary input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "util/duration.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto ns = syslat::util::parse_duration_ns(text);
  if (!ns) {
    if (ns.error().message.empty()) __builtin_trap();  // every error says why
    return 0;
  }
  // Every positive duration up to -i/-d's limit (1e9 s) is also a valid -i/-d value.
  auto seconds = syslat::util::parse_seconds(text);
  if (*ns > 0 && *ns <= 1'000'000'000ull * 1'000'000'000ull && !seconds) __builtin_trap();
  if (syslat::util::format_duration_ns(*ns).empty()) __builtin_trap();
  return 0;
}
