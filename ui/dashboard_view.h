// The dashboard's panels as a Frame: the screen for the terminal (fitted to
// its size) and the same panels at their natural length for batch mode.
#pragma once

#include <cstddef>

#include "ui/dashboard_state.h"
#include "ui/frame.h"

namespace syslat::ui {

inline constexpr int kMinWidth = 60;
inline constexpr int kMinHeight = 15;

// How the rows of a screen are shared out between the panels.
struct ScreenLayout {
  size_t top_rows = 0;   // syscalls listed
  size_t hist_rows = 0;  // histogram lines (two columns of buckets each when wide enough),
                         // and one more under them: where the selected syscall's time went
  size_t slow_rows = 0;  // slow calls listed
};
ScreenLayout screen_layout(int height);

// Exactly `height` lines of at most `width` columns; a notice when the
// terminal is smaller than kMinWidth x kMinHeight.
Frame render_screen(const DashboardData& data, const UiState& state, int width, int height);

// Batch mode (like top -b): every panel in full, `top_rows` syscalls
// (0 = all) and `slow_rows` slow calls, lines of at most `width` columns.
Frame render_batch(const DashboardData& data, const UiState& state, int width, size_t top_rows, size_t slow_rows);

// The row the histogram panel shows: the selected syscall, else the first.
const core::Row* selected_row(const DashboardData& data, const UiState& state);

}  // namespace syslat::ui
