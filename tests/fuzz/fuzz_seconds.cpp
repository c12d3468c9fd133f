// libFuzzer: parse_seconds (-i/-d) on arbitrary input.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "util/duration.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto seconds = syslat::util::parse_seconds(text);
  if (!seconds) {
    if (seconds.error().message.empty()) __builtin_trap();
    return 0;
  }
  if (!(*seconds > 0) || !std::isfinite(*seconds)) __builtin_trap();  // the documented contract
  return 0;
}
