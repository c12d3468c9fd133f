#include "core/stack_profile.h"

#include <fmt/format.h>

namespace syslat::core {

namespace {

std::string_view base_name(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::vector<std::string> frame_texts(const SymbolizedFrame& frame) {
  std::vector<std::string> texts;
  for (const SourceLine& line : frame.lines) {
    const std::string_view function = line.function.empty() ? std::string_view(frame.symbol) : line.function;
    if (line.file.empty() || line.line == 0)
      texts.push_back(fmt::format("{}", function.empty() ? fmt::format("{:#x}", frame.address) : function));
    else
      texts.push_back(fmt::format("{} ({}:{})", function.empty() ? fmt::format("{:#x}", frame.address) : function,
                                  base_name(line.file), line.line));
  }
  if (!texts.empty()) return texts;
  if (!frame.symbol.empty() && frame.module)
    texts.push_back(fmt::format("{}+{:#x} ({})", frame.symbol, frame.symbol_offset, frame.module->path));
  else if (frame.module)
    texts.push_back(fmt::format("{:#x} ({})", frame.address, frame.module->path));
  else
    texts.push_back(fmt::format("{:#x}", frame.address));
  return texts;
}

}  // namespace syslat::core
