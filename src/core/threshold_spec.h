// sysslow's --threshold: a default and per-syscall overrides, e.g.
// `--threshold 5ms --threshold read=10ms,futex=1ms,connect=100ms`, and
// `auto` for a learned one (`--threshold auto`, `read=auto,futex=1ms`).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "util/expected.h"

namespace syslat::core {

struct ThresholdSpec {
  static constexpr uint64_t kDefaultNs = 10'000'000;  // 10 ms, as without --threshold

  std::optional<uint64_t> default_ns;       // the last bare DUR given
  std::map<std::string, uint64_t> by_name;  // x86_64 names; they apply to both ABIs
  bool default_auto = false;                // the last bare value given was `auto`
  std::set<std::string> auto_names;         // NAME=auto (never also in by_name)

  // The threshold of a syscall named `name` (unknown numbers: the default);
  // for an auto one, the threshold until its baseline has learned.
  uint64_t for_name(std::string_view name) const;
  // Whether `name`'s threshold is learned (NAME=auto, or `auto` and no NAME=DUR).
  bool is_auto(std::string_view name) const;
  bool any_auto() const { return default_auto || !auto_names.empty(); }

  // Adds one --threshold value: comma-separated items, each DUR (the
  // default) or NAME=DUR (a known syscall name), DUR or `auto`. Later values win. Errors
  // name the bad item ("unknown syscall 'raed' (did you mean 'read'?)",
  // "'read=': missing duration", "'10': ..." from the duration parser).
  util::Expected<void> add(std::string_view text);

  // "10ms" or "5ms, read 10ms, futex 1ms" or "auto, futex 1ms": the default,
  // then the overrides.
  std::string describe() const;
};

}  // namespace syslat::core
