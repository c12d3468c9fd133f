// The kernel's function symbols from /proc/kallsyms, sorted by address, for
// naming kernel stack frames. Names live in one string, not one allocation each:
// a kernel has 100k+ of them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace syslat::collect {

class KernelSymbols {
 public:
  struct Match {
    std::string_view name;
    std::string_view module;  // "" for the kernel image, else e.g. "ext4"
    uint64_t offset = 0;      // from the symbol's start
  };

  KernelSymbols() = default;
  // Reads /proc/kallsyms; an unreadable file gives an empty table.
  static KernelSymbols load(const std::string& path = "/proc/kallsyms");
  // Parses text in the kallsyms format ("ADDR TYPE NAME[\t[MODULE]]" lines).
  static KernelSymbols parse(std::string_view text);

  // False when there are no usable addresses: without CAP_SYSLOG (or with
  // kptr_restrict=2) the kernel shows every address as 0.
  bool available() const { return !symbols_.empty(); }
  // The symbol at or below addr (kallsyms has no sizes, so no upper bound).
  std::optional<Match> find(uint64_t addr) const;

 private:
  struct Symbol {
    uint64_t addr;
    uint32_t text_offset;  // into text_: the name, then the module name
    uint16_t name_size;
    uint16_t module_size;
  };
  std::vector<Symbol> symbols_;
  std::string text_;
};

}  // namespace syslat::collect
