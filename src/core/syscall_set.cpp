#include "core/syscall_set.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>

#include "core/syscall_table.h"
#include "util/strings.h"

namespace syslat::core {
namespace {

using util::make_error;

constexpr size_t kMaxSuggestLen = 64;  // nobody mistypes a longer word

// Optimal-string-alignment distance (Levenshtein plus adjacent swaps, so
// "opne" is one edit from "open"); only called with words of at most
// kMaxSuggestLen characters and gives up early past `limit`.
size_t edit_distance(std::string_view a, std::string_view b, size_t limit) {
  size_t diff = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (diff > limit || b.size() > kMaxSuggestLen) return limit + 1;
  // Three rolling rows of the DP table: i-2, i-1 and i.
  std::array<std::array<size_t, kMaxSuggestLen + 1>, 3> rows;
  for (size_t j = 0; j <= b.size(); ++j) rows[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    const auto& prev2 = rows[(i + 1) % 3];
    const auto& prev = rows[(i + 2) % 3];
    auto& cur = rows[i % 3];
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
    }
  }
  return rows[a.size() % 3][b.size()];
}

// The closest of `candidates` (projected to names by `name_of`) within a
// small distance, if any; ties go to the earlier candidate.
template <class Range, class NameOf>
std::optional<std::string_view> closest(std::string_view word, const Range& candidates, NameOf name_of) {
  if (word.size() > kMaxSuggestLen) return std::nullopt;
  size_t limit = word.size() <= 4 ? 1 : 2;
  std::optional<std::string_view> best;
  size_t best_distance = limit + 1;
  for (const auto& candidate : candidates) {
    std::string_view name = name_of(candidate);
    size_t d = edit_distance(word, name, limit);
    if (d < best_distance) {
      best_distance = d;
      best = name;
    }
  }
  return best;
}

constexpr const char* kListForm = "expected syscall names, numbers or %classes, comma-separated";

// `form`: what was expected, said when there is no close guess.
std::string unknown_item(std::string_view kind, std::string_view item, std::optional<std::string_view> guess,
                         std::string_view form) {
  if (guess) return fmt::format("unknown {} '{}' (did you mean '{}'?)", kind, item, *guess);
  return fmt::format("unknown {} '{}' ({})", kind, item, form);
}

constexpr std::array<std::string_view, 8> kClassNames{"%file",   "%net", "%process", "%memory",
                                                      "%signal", "%ipc", "%desc",    "%time"};
constexpr const char* kClassForm = "expected %file, %net, %process, %memory, %signal, %ipc, %desc or %time";

util::Expected<void> add_class(std::string_view item, SyscallSet& set) {
  auto mask = parse_class(item);
  if (!mask) {
    auto guess = closest(item, kClassNames, [](std::string_view name) { return name; });
    return make_error(unknown_item("class", item, guess, kClassForm));
  }
  for (const SyscallInfo& info : known_syscalls()) {
    if (info.classes & *mask) set.set(static_cast<size_t>(info.nr));
  }
  return {};
}

util::Expected<void> add_number(std::string_view item, SyscallSet& set) {
  auto nr = util::parse_u64(item);
  if (!nr || *nr >= kSetOther) {
    return make_error(fmt::format("bad syscall number '{}' (expected 0-{})", item, kSetOther - 1));
  }
  set.set(static_cast<size_t>(*nr));
  return {};
}

util::Expected<void> add_name(std::string_view item, SyscallSet& set) {
  auto nr = parse_syscall_name(item);
  if (!nr) return nr.error();
  set.set(static_cast<size_t>(*nr));
  return {};
}

// Adds one item of the list to `set`.
util::Expected<void> add_item(std::string_view item, SyscallSet& set) {
  if (item.empty()) return make_error(fmt::format("empty item in syscall list ({})", kListForm));
  if (item == "all") {
    set.set();
    return {};
  }
  if (item == "none") return {};
  if (item.front() == '!') {
    return make_error(fmt::format("'{}': '!' negates the whole list and must come first", item));
  }
  if (item.front() == '%') return add_class(item, set);
  if (item.front() >= '0' && item.front() <= '9') return add_number(item, set);
  return add_name(item, set);
}

}  // namespace

util::Expected<int> parse_syscall_name(std::string_view name) {
  if (auto nr = syscall_number(name)) return *nr;
  auto guess = closest(name, known_syscalls(), [](const SyscallInfo& info) { return info.name; });
  return make_error(unknown_item("syscall", name, guess, kListForm));
}

util::Expected<SyscallSet> parse_syscall_list(std::string_view text) {
  text = util::trim(text);
  bool negate = !text.empty() && text.front() == '!';
  if (negate) text = util::trim(text.substr(1));
  if (text.empty()) return make_error(fmt::format("empty syscall list ({})", kListForm));

  SyscallSet set;
  for (std::string_view item : util::split(text, ',')) {
    if (auto added = add_item(util::trim(item), set); !added) return added.error();
  }
  if (negate) set.flip();
  return set;
}

}  // namespace syslat::core
