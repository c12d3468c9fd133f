#include "core/threshold_spec.h"

#include <fmt/format.h>

#include "core/syscall_set.h"
#include "util/duration.h"
#include "util/strings.h"

namespace syslat::core {

uint64_t ThresholdSpec::for_name(std::string_view name) const {
  if (auto it = by_name.find(std::string(name)); it != by_name.end()) return it->second;
  return default_ns.value_or(kDefaultNs);
}

bool ThresholdSpec::is_auto(std::string_view name) const {
  const std::string key(name);
  if (auto_names.contains(key)) return true;
  return default_auto && !by_name.contains(key);
}

std::string ThresholdSpec::describe() const {
  std::string text = default_auto ? "auto" : util::format_duration_ns(default_ns.value_or(kDefaultNs));
  for (const auto& [name, ns] : by_name) text += fmt::format(", {} {}", name, util::format_duration_ns(ns));
  for (const auto& name : auto_names) text += fmt::format(", {} auto", name);
  return text;
}

util::Expected<void> ThresholdSpec::add(std::string_view text) {
  if (util::trim(text).empty()) return util::make_error("empty threshold (expected DUR or NAME=DUR[,NAME=DUR...])");
  // Parsed whole before anything is kept: a bad item changes nothing.
  ThresholdSpec next = *this;
  for (std::string_view item : util::split(text, ',')) {
    item = util::trim(item);
    if (item.empty()) return util::make_error("empty item in threshold list (expected DUR or NAME=DUR[,NAME=DUR...])");
    const auto eq = item.find('=');
    const std::string_view dur_text = eq == std::string_view::npos ? item : item.substr(eq + 1);
    if (dur_text.empty()) return util::make_error(fmt::format("'{}': missing duration (expected NAME=DUR)", item));
    if (dur_text == "auto") {
      if (eq == std::string_view::npos) {
        next.default_auto = true;
        continue;
      }
      const std::string_view name = util::trim(item.substr(0, eq));
      if (name.empty()) return util::make_error(fmt::format("'{}': missing syscall name (expected NAME=auto)", item));
      if (auto nr = parse_syscall_name(name); !nr) return nr.error();
      next.by_name.erase(std::string(name));
      next.auto_names.insert(std::string(name));
      continue;
    }
    auto ns = util::parse_duration_ns(dur_text);
    if (!ns) return util::make_error(fmt::format("'{}': {}", item, ns.error().message));
    if (eq == std::string_view::npos) {
      next.default_ns = *ns;
      next.default_auto = false;
      continue;
    }
    const std::string_view name = util::trim(item.substr(0, eq));
    if (name.empty()) return util::make_error(fmt::format("'{}': missing syscall name (expected NAME=DUR)", item));
    if (auto nr = parse_syscall_name(name); !nr) return nr.error();
    next.by_name[std::string(name)] = *ns;
    next.auto_names.erase(std::string(name));
  }
  *this = std::move(next);
  return {};
}

}  // namespace syslat::core
