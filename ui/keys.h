// Keys -> state changes. Pure: the controller reads keys from the terminal,
// hands them here and acts on the returned command (apply a filter, quit).
#pragma once

#include <vector>

#include "core/syscall_table.h"
#include "ui/dashboard_state.h"

namespace syslat::ui {

// Keys that are not characters (the terminal maps ncurses codes to these).
enum Key : int {
  kKeyUp = 0x10000,
  kKeyDown,
  kKeyPageUp,
  kKeyPageDown,
  kKeyHome,
  kKeyEnd,
  kKeyBackspace,
  kKeyEnter,
  kKeyEscape,
  kKeyResize,
};

enum class Command {
  None,       // nothing visible changed
  Redraw,     // the state changed: draw again now
  Quit,
  Refresh,    // refresh_s changed
  SubmitPid,  // Enter in a prompt: the text is in state.input
  SubmitComm,
  SubmitThreshold,
  KernelView,  // K: kernel_view toggled (the controller attaches or detaches)
};

inline constexpr double kRefreshSteps[] = {0.1, 0.2, 0.5, 1, 2, 5};

// `ranked`: the syscalls of the top panel in their current order.
// `page_rows`: how many of them the top panel shows (for PgUp/PgDn).
Command handle_key(UiState& state, int key, const std::vector<core::SyscallId>& ranked, size_t page_rows);

// Sort keys `s` cycles through.
core::SortKey next_sort_key(core::SortKey key);

}  // namespace syslat::ui
