#include "core/errno_names.h"

#include <string.h>  // strerrordesc_np (GNU): untranslated, thread-safe

#include <algorithm>
#include <array>

#include "syslat.h"
#include "util/strings.h"

namespace syslat::core {
namespace {

struct ErrnoEntry {
  int nr;
  std::string_view name;
  std::string_view description;  // only for kernel-internal codes
};

constexpr ErrnoEntry kErrnos[] = {
#define SYSLAT_ERRNO(nr, name) {nr, name, {}},
#define SYSLAT_ERRNO_ALIAS(name, nr)
#define SYSLAT_ERRNO_INTERNAL(nr, name, text) {nr, name, text},
#include "errno_table.inc"
#undef SYSLAT_ERRNO
#undef SYSLAT_ERRNO_ALIAS
#undef SYSLAT_ERRNO_INTERNAL
};

struct ErrnoAlias {
  std::string_view name;
  int nr;
};

constexpr ErrnoAlias kAliases[] = {
#define SYSLAT_ERRNO(nr, name)
#define SYSLAT_ERRNO_ALIAS(name, nr) {name, nr},
#define SYSLAT_ERRNO_INTERNAL(nr, name, text)
#include "errno_table.inc"
#undef SYSLAT_ERRNO
#undef SYSLAT_ERRNO_ALIAS
#undef SYSLAT_ERRNO_INTERNAL
};

constexpr int kMaxEntryNr = [] {
  int max_nr = 0;
  for (const ErrnoEntry& entry : kErrnos) max_nr = std::max(max_nr, entry.nr);
  return max_nr;
}();

// Table index by errno number (-1 for gaps).
constexpr auto kIndexByNr = [] {
  std::array<int16_t, kMaxEntryNr + 1> index{};
  for (auto& slot : index) slot = -1;
  for (size_t i = 0; i < std::size(kErrnos); ++i) index[kErrnos[i].nr] = static_cast<int16_t>(i);
  return index;
}();

const ErrnoEntry* find_errno(int err) {
  if (err < 0 || err > kMaxEntryNr) return nullptr;
  int16_t index = kIndexByNr[static_cast<size_t>(err)];
  return index < 0 ? nullptr : &kErrnos[index];
}

}  // namespace

bool is_error_return(int64_t ret) { return ret < 0 && ret >= -SYSLAT_MAX_ERRNO; }

bool is_restart_errno(int err) {
  // ERESTARTSYS, ERESTARTNOINTR, ERESTARTNOHAND and ERESTART_RESTARTBLOCK;
  // 515 between them is ENOIOCTLCMD, a failure like any other.
  return (err >= 512 && err <= 514) || err == 516;
}

std::string_view errno_name(int err) {
  const ErrnoEntry* entry = find_errno(err);
  return entry ? entry->name : std::string_view{};
}

std::optional<int> parse_errno(std::string_view text) {
  if (!text.empty() && text.front() >= '0' && text.front() <= '9') {
    auto number = util::parse_u64(text);
    if (!number || *number == 0 || *number > SYSLAT_MAX_ERRNO) return std::nullopt;
    return static_cast<int>(*number);
  }
  for (const ErrnoEntry& entry : kErrnos) {
    if (entry.name == text) return entry.nr;
  }
  for (const ErrnoAlias& alias : kAliases) {
    if (alias.name == text) return alias.nr;
  }
  return std::nullopt;
}

std::string errno_description(int err) {
  if (const ErrnoEntry* entry = find_errno(err); entry && !entry->description.empty()) {
    return std::string(entry->description);
  }
  if (err > 0) {
    if (const char* text = strerrordesc_np(err)) return text;
  }
  return "Unknown error " + std::to_string(err);
}

}  // namespace syslat::core
