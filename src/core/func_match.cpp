#include "core/func_match.h"

#include <algorithm>
#include <cassert>
#include <unordered_set>

#include "util/escape.h"

namespace syslat::core {

void FunctionNames::add(std::string_view name, std::string_view module) {
  if (name.empty() || name.size() > UINT16_MAX || module.size() > UINT16_MAX) return;
  entries_.push_back({static_cast<uint32_t>(text_.size()), static_cast<uint16_t>(name.size()),
                      static_cast<uint16_t>(module.size())});
  text_.append(name).append(module);
  finished_ = false;
}

void FunctionNames::finish() {
  std::stable_sort(entries_.begin(), entries_.end(),
                   [this](const Entry& a, const Entry& b) { return name_of(a) < name_of(b); });
  entries_.erase(std::unique(entries_.begin(), entries_.end(),
                             [this](const Entry& a, const Entry& b) { return name_of(a) == name_of(b); }),
                 entries_.end());
  entries_.shrink_to_fit();
  finished_ = true;
}

std::string_view FunctionNames::name_of(const Entry& e) const {
  return std::string_view(text_).substr(e.text_offset, e.name_size);
}

std::string_view FunctionNames::name(size_t i) const { return name_of(entries_[i]); }

std::string_view FunctionNames::module(size_t i) const {
  const Entry& e = entries_[i];
  return std::string_view(text_).substr(e.text_offset + e.name_size, e.module_size);
}

bool FunctionNames::contains(std::string_view name) const {
  const auto [first, last] = with_prefix(name);
  return first < last && this->name(first) == name;
}

std::pair<size_t, size_t> FunctionNames::with_prefix(std::string_view prefix) const {
  assert(finished_);
  const auto first = std::lower_bound(entries_.begin(), entries_.end(), prefix,
                                      [this](const Entry& e, std::string_view p) { return name_of(e) < p; });
  const auto last = std::partition_point(first, entries_.end(), [&](const Entry& e) {
    return name_of(e).substr(0, prefix.size()) == prefix;
  });
  return {static_cast<size_t>(first - entries_.begin()), static_cast<size_t>(last - entries_.begin())};
}

namespace {

constexpr std::string_view kGlobChars = "*?[\\";

// The end of the bracket expression that opens at pattern[open] ('['): the
// index of its ']', or npos if it is not closed. A ']' right after "[" or
// "[!" is a member, not the end.
size_t bracket_end(std::string_view pattern, size_t open) {
  size_t q = open + 1;
  if (q < pattern.size() && (pattern[q] == '!' || pattern[q] == '^')) ++q;
  if (q < pattern.size() && pattern[q] == ']') ++q;
  for (; q < pattern.size(); ++q) {
    if (pattern[q] == '\\') ++q;
    else if (pattern[q] == ']') return q;
  }
  return std::string_view::npos;
}

bool in_bracket(std::string_view set, unsigned char c) {
  const bool negate = !set.empty() && (set[0] == '!' || set[0] == '^');
  if (negate) set.remove_prefix(1);
  bool found = false;
  for (size_t i = 0; i < set.size(); ++i) {
    if (set[i] == '\\' && i + 1 < set.size()) ++i;
    unsigned char lo = set[i], hi = lo;
    if (i + 2 < set.size() && set[i + 1] == '-') {
      i += 2;
      if (set[i] == '\\' && i + 1 < set.size()) ++i;
      hi = set[i];
    }
    found = found || (c >= lo && c <= hi);
  }
  return found != negate;
}

// Whether the pattern element at pattern[p] (not '*') matches c; p moves past it.
bool element_matches(std::string_view pattern, size_t& p, char c) {
  const char pc = pattern[p];
  if (pc == '?') {
    ++p;
    return true;
  }
  if (pc == '[') {
    const size_t end = bracket_end(pattern, p);
    if (end != std::string_view::npos) {
      const bool match = in_bracket(pattern.substr(p + 1, end - p - 1), static_cast<unsigned char>(c));
      p = end + 1;
      return match;
    }
  } else if (pc == '\\' && p + 1 < pattern.size()) {
    p += 2;
    return pattern[p - 1] == c;
  }
  ++p;
  return pc == c;
}

// The names a pattern can match all start with this.
std::string_view literal_prefix(std::string_view pattern) {
  return pattern.substr(0, std::min(pattern.find_first_of(kGlobChars), pattern.size()));
}

// A compiler's copy of a function ("foo.isra.0", "foo.constprop.0",
// "foo.cold") is named for it up to the first '.'.
std::string_view base_name(std::string_view name) { return name.substr(0, name.find('.')); }

// The first name in `set` the pattern matches; with `copies`, the first copy
// whose base name it matches instead. "" if none.
std::string_view find_match(const FunctionNames& set, std::string_view pattern, bool copies) {
  const auto [first, last] = set.with_prefix(literal_prefix(pattern));
  for (size_t i = first; i < last; ++i) {
    const std::string_view name = set.name(i);
    const std::string_view target = copies ? base_name(name) : name;
    if (copies && target.size() == name.size()) continue;
    if (glob_match(pattern, target)) return name;
  }
  return {};
}

std::string quoted(std::string_view text) { return "'" + util::escaped(text) + "'"; }

std::string why_unmatched(const KernelFunctionSets& sets, std::string_view pattern) {
  const std::string head = quoted(pattern) + ": ";
  if (const std::string_view copy = find_match(sets.traceable, pattern, true); !copy.empty())
    return head + "only as " + util::escaped(copy) + " here (a compiler-specialised copy): try " +
           quoted(std::string(pattern) + "*");
  if (!find_match(sets.kallsyms, pattern, false).empty() || !find_match(sets.kallsyms, pattern, true).empty())
    return head + "not traceable (in kallsyms, but ftrace cannot attach to it: notrace or on the kprobe blacklist)";
  if (!find_match(sets.btf, pattern, false).empty())
    return head + "inlined everywhere (its BTF exists, but it has no symbol of its own)";
  return head + "not in this kernel (no such function; is its module loaded?)";
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view name) {
  constexpr size_t kNone = std::string_view::npos;
  size_t p = 0, n = 0;
  size_t star_p = kNone, star_n = 0;  // where to resume after the last '*'
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star_p = ++p;
      star_n = n;
      continue;
    }
    size_t next = p;
    if (p < pattern.size() && element_matches(pattern, next, name[n])) {
      p = next;
      ++n;
      continue;
    }
    if (star_p == kNone) return false;
    p = star_p;  // let the last '*' take one more character
    n = ++star_n;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool is_glob(std::string_view pattern) { return pattern.find_first_of(kGlobChars) != std::string_view::npos; }

std::string pattern_problem(std::string_view pattern) {
  if (pattern.empty()) return "an empty name";
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') ++i;
    else if (pattern[i] == '[' && (i = bracket_end(pattern, i)) == std::string_view::npos) return "an unclosed '['";
  }
  return {};
}

FunctionMatch match_functions(const KernelFunctionSets& sets, const std::vector<std::string>& patterns,
                              size_t max_functions) {
  FunctionMatch result;
  std::unordered_set<std::string_view> seen;
  for (const std::string& pattern : patterns) {
    if (const std::string problem = pattern_problem(pattern); !problem.empty()) {
      result.unmatched.push_back(quoted(pattern) + ": not a function name or glob (" + problem + ")");
      continue;
    }
    bool any = false;
    const FunctionNames& set = sets.traceable;
    const auto [first, last] = set.with_prefix(literal_prefix(pattern));
    for (size_t i = first; i < last; ++i) {
      const std::string_view name = set.name(i);
      if (!glob_match(pattern, name)) continue;
      any = true;
      if (!seen.insert(name).second) continue;
      ++result.total;
      if (result.functions.size() < max_functions)
        result.functions.push_back({std::string(name), std::string(set.module(i))});
    }
    if (!any) result.unmatched.push_back(why_unmatched(sets, pattern));
  }
  if (result.total > result.functions.size())
    result.cap_note = std::to_string(result.total) + " functions match; tracing the first " +
                      std::to_string(result.functions.size()) + " (--max-functions)";
  return result;
}

}  // namespace syslat::core
