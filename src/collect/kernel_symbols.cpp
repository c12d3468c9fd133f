#include "collect/kernel_symbols.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <iterator>

#include "util/fd.h"

namespace syslat::collect {
namespace {

// kallsyms is generated on read and its size is not known in advance (stat
// says 0), so it is read to the end in chunks.
std::string read_whole_file(const std::string& path) {
  util::UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  std::string text;
  if (!fd) return text;
  constexpr size_t kChunk = 256 * 1024;
  for (;;) {
    const size_t used = text.size();
    text.resize(used + kChunk);
    const ssize_t n = read(fd.get(), text.data() + used, kChunk);
    if (n < 0 && errno == EINTR) {
      text.resize(used);
      continue;
    }
    text.resize(used + static_cast<size_t>(std::max<ssize_t>(n, 0)));
    if (n <= 0) break;
  }
  return text;
}

// Functions only: stack frames are code, and data symbols (with
// CONFIG_KALLSYMS_ALL) would only shadow them.
bool is_code(char type) { return type == 't' || type == 'T' || type == 'w' || type == 'W'; }

}  // namespace

KernelSymbols KernelSymbols::load(const std::string& path) { return parse(read_whole_file(path)); }

KernelSymbols KernelSymbols::parse(std::string_view text) {
  KernelSymbols table;
  while (!text.empty()) {
    const size_t eol = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(std::min(eol + 1, text.size()));

    // "ffffffff81000000 T _stext" or "ffffffffc0a01000 t xfs_foo\t[xfs]"
    uint64_t addr = 0;
    const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), addr, 16);
    const size_t pos = static_cast<size_t>(end - line.data());
    if (ec != std::errc() || addr == 0 || pos + 3 > line.size() || line[pos] != ' ' || !is_code(line[pos + 1]) ||
        line[pos + 2] != ' ')
      continue;
    line.remove_prefix(pos + 3);
    std::string_view name = line.substr(0, line.find('\t'));
    std::string_view module;
    if (name.size() < line.size()) {
      module = line.substr(name.size() + 1);
      if (module.size() >= 2 && module.front() == '[' && module.back() == ']')
        module = module.substr(1, module.size() - 2);
    }
    if (name.empty() || name.size() > UINT16_MAX || module.size() > UINT16_MAX) continue;
    table.symbols_.push_back({addr, static_cast<uint32_t>(table.text_.size()), static_cast<uint16_t>(name.size()),
                              static_cast<uint16_t>(module.size())});
    table.text_.append(name).append(module);
  }
  // Module symbols are not in address order; among aliases of one address
  // the first listed stays first.
  std::stable_sort(table.symbols_.begin(), table.symbols_.end(),
                   [](const Symbol& a, const Symbol& b) { return a.addr < b.addr; });
  table.symbols_.shrink_to_fit();
  table.text_.shrink_to_fit();
  return table;
}

std::optional<KernelSymbols::Match> KernelSymbols::find(uint64_t addr) const {
  auto above = std::upper_bound(symbols_.begin(), symbols_.end(), addr,
                                [](uint64_t a, const Symbol& s) { return a < s.addr; });
  if (above == symbols_.begin()) return std::nullopt;
  // The first of the aliases at that address.
  const uint64_t start = std::prev(above)->addr;
  const Symbol& s = *std::lower_bound(symbols_.begin(), above, start,
                                      [](const Symbol& s, uint64_t a) { return s.addr < a; });
  const std::string_view text(text_);
  return Match{text.substr(s.text_offset, s.name_size), text.substr(s.text_offset + s.name_size, s.module_size),
               addr - s.addr};
}

}  // namespace syslat::collect
