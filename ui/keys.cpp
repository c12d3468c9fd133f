#include "ui/keys.h"

#include <algorithm>
#include <iterator>

namespace syslat::ui {
namespace {

constexpr int kCtrlC = 3;
constexpr int kCtrlU = 21;
constexpr size_t kMaxInput = 256;

Command prompt_key(UiState& s, int key) {
  if (key == kKeyEscape || key == kCtrlC) {
    s.prompt = Prompt::None;
    s.input.clear();
    return Command::Redraw;
  }
  if (key == kKeyEnter) {
    const Prompt p = s.prompt;
    s.prompt = Prompt::None;
    return p == Prompt::Pid ? Command::SubmitPid : p == Prompt::Comm ? Command::SubmitComm : Command::SubmitThreshold;
  }
  if (key == kKeyBackspace) {
    if (!s.input.empty()) s.input.pop_back();
    return Command::Redraw;
  }
  if (key == kCtrlU) {
    s.input.clear();
    return Command::Redraw;
  }
  if (key >= 0x20 && key < 0x7f && s.input.size() < kMaxInput) {
    s.input.push_back(static_cast<char>(key));
    return Command::Redraw;
  }
  return Command::None;
}

Command select(UiState& s, const std::vector<core::SyscallId>& ranked, long delta, bool absolute) {
  if (ranked.empty()) return Command::None;
  long at = 0;
  if (s.selected) {
    auto it = std::find(ranked.begin(), ranked.end(), *s.selected);
    at = it == ranked.end() ? 0 : std::distance(ranked.begin(), it);
  }
  at = absolute ? delta : at + delta;
  at = std::clamp(at, 0L, static_cast<long>(ranked.size()) - 1);
  s.selected = ranked[static_cast<size_t>(at)];
  return Command::Redraw;
}

Command change_refresh(UiState& s, bool faster) {
  const auto* begin = std::begin(kRefreshSteps);
  const auto* end = std::end(kRefreshSteps);
  const auto* next = std::lower_bound(begin, end, s.refresh_s);  // first step >= current
  if (faster) {
    if (next == begin) return Command::None;
    s.refresh_s = *(next - 1);
  } else {
    if (next != end && *next == s.refresh_s) ++next;
    if (next == end) return Command::None;
    s.refresh_s = *next;
  }
  return Command::Refresh;
}

}  // namespace

core::SortKey next_sort_key(core::SortKey key) {
  switch (key) {
    case core::SortKey::Rate: return core::SortKey::Avg;
    case core::SortKey::Avg: return core::SortKey::Time;
    case core::SortKey::Time: return core::SortKey::OffCpu;
    default: return core::SortKey::Rate;
  }
}

Command handle_key(UiState& s, int key, const std::vector<core::SyscallId>& ranked, size_t page_rows) {
  if (key == kKeyResize) return Command::Redraw;
  if (s.prompt != Prompt::None) return prompt_key(s, key);
  if (s.help) {  // any key closes help; q still quits
    s.help = false;
    return key == 'q' || key == kCtrlC ? Command::Quit : Command::Redraw;
  }
  const long page = static_cast<long>(std::max<size_t>(page_rows, 1));
  switch (key) {
    case 'q':
    case 'Q':
    case kCtrlC: return Command::Quit;
    case kKeyUp:
    case 'k': return select(s, ranked, -1, false);
    case kKeyDown:
    case 'j': return select(s, ranked, 1, false);
    case kKeyPageUp: return select(s, ranked, -page, false);
    case kKeyPageDown: return select(s, ranked, page, false);
    case kKeyHome:
    case 'g': return select(s, ranked, 0, true);
    case kKeyEnd:
    case 'G': return select(s, ranked, static_cast<long>(ranked.size()) - 1, true);
    case 's': s.sort = next_sort_key(s.sort); return Command::Redraw;
    case 'z': s.window = core::next_window_span(s.window); return Command::Redraw;
    case '+':
    case '=': return change_refresh(s, true);
    case '-':
    case '_': return change_refresh(s, false);
    case ' ': s.paused = !s.paused; return Command::Redraw;
    case '?':
    case 'h': s.help = true; return Command::Redraw;
    case 'p': s.prompt = Prompt::Pid; s.input.clear(); return Command::Redraw;
    case 'c': s.prompt = Prompt::Comm; s.input.clear(); return Command::Redraw;
    case 't': s.prompt = Prompt::Threshold; s.input.clear(); return Command::Redraw;
    case 'K': s.kernel_view = !s.kernel_view; return Command::KernelView;
    default: return Command::None;
  }
}

}  // namespace syslat::ui
