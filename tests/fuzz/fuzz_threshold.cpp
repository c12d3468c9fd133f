// libFuzzer: sysslow's --threshold spec (ThresholdSpec::add) on arbitrary
// input, with the properties a user relies on:
//  * a bad value is an error with a message and changes nothing (earlier
//    --threshold values stay as they were);
//  * a good value names only known syscalls, and what describe() shows (the
//    "at least ..." of sysslow and syslat-top) reads back as a spec with the
//    same names and the same thresholds to describe()'s 3 significant digits,
//    which then describes itself the same way (a fixed point); `auto`, the
//    default's or a name's, reads back as auto.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/syscall_set.h"
#include "core/threshold_spec.h"
#include "util/strings.h"

using syslat::core::ThresholdSpec;

namespace {

bool same(const ThresholdSpec& a, const ThresholdSpec& b) {
  return a.default_ns == b.default_ns && a.by_name == b.by_name && a.default_auto == b.default_auto &&
         a.auto_names == b.auto_names;
}

// describe()'s "5ms, read 10ms, futex 1ms" as --threshold text: "5ms,read=10ms,futex=1ms".
std::string as_spec(const std::string& described) {
  std::string spec;
  for (std::string_view item : syslat::util::split(described, ',')) {
    item = syslat::util::trim(item);
    std::string text(item);
    if (auto space = text.find(' '); space != std::string::npos) text[space] = '=';
    spec += (spec.empty() ? "" : ",") + text;
  }
  return spec;
}

// describe() keeps 3 significant digits: off by at most half a unit of the
// third digit (0.5%), plus the rounding of the value read back.
bool close(uint64_t a, uint64_t b) {
  const double x = static_cast<double>(a), y = static_cast<double>(b);
  return std::fabs(x - y) <= 0.005 * std::max(x, y) + 1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ThresholdSpec spec;
  if (!spec.add("7ms,read=3ms")) __builtin_trap();  // an earlier --threshold
  const ThresholdSpec before = spec;
  auto ok = spec.add(text);
  if (!ok) {
    if (ok.error().message.empty() || !same(spec, before)) __builtin_trap();
    return 0;
  }
  for (const auto& [name, ns] : spec.by_name) {
    if (!syslat::core::parse_syscall_name(name) || spec.for_name(name) != ns || spec.auto_names.contains(name))
      __builtin_trap();
  }
  for (const auto& name : spec.auto_names)
    if (!syslat::core::parse_syscall_name(name) || !spec.is_auto(name)) __builtin_trap();
  if (spec.for_name("[unknown: 999]") != spec.default_ns.value_or(ThresholdSpec::kDefaultNs)) __builtin_trap();

  // Near UINT64_MAX ns (584 years) rounding up to 3 digits leaves the range:
  // "18446744074s" is over the limit the parser enforces. Not a threshold
  // anyone sets; the round trip is checked below that.
  constexpr uint64_t kRoundTripMax = 18'000'000'000'000'000'000u;
  if (spec.default_ns.value_or(0) > kRoundTripMax) return 0;
  for (const auto& [name, ns] : spec.by_name)
    if (ns > kRoundTripMax) return 0;

  const std::string described = spec.describe();
  ThresholdSpec again;
  if (!again.add(as_spec(described))) __builtin_trap();
  // `auto` reads back as auto (the fixed value it starts from until learned
  // is not in describe()'s text); a duration as that duration.
  if (again.default_auto != spec.default_auto || again.auto_names != spec.auto_names) __builtin_trap();
  if (!spec.default_auto && (!again.default_ns || !close(*again.default_ns, spec.for_name("[unknown: 999]"))))
    __builtin_trap();
  if (again.by_name.size() != spec.by_name.size()) __builtin_trap();
  for (const auto& [name, ns] : spec.by_name) {
    auto it = again.by_name.find(name);
    if (it == again.by_name.end() || !close(it->second, ns)) __builtin_trap();
  }
  if (again.describe() != described) __builtin_trap();
  return 0;
}
