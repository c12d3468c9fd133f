// The dashboard's two inputs: what the data says (DashboardData, rebuilt by
// the controller at each refresh from the stats model) and what the user
// chose (UiState, changed only by keys). Views read both, change neither.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/func_report.h"
#include "core/report.h"
#include "core/window.h"

namespace syslat::ui {

// One slow call, decoded when it arrived (the process may be gone by the
// time it is drawn).
struct SlowLine {
  uint64_t time_ns = 0;  // CLOCK_REALTIME
  uint32_t pid = 0;
  std::string comm;     // as the kernel gave it: the view escapes it
  uint64_t duration_ns = 0;
  std::string call;     // "read(3</tmp/x>, 0x7ffd..., 8192) = 8192"; an anomaly's text
  bool anomaly = false; // not a call: an anomaly that started (no pid, comm, duration)
};

struct DashboardData {
  core::Report report;  // the window, every row, ranked by UiState::sort
  std::optional<double> sys_cpu_share;  // system CPU time / CPU time available, 0..1
  const char* cpu_scope = "";           // whose system time: "" the machine's, " (PIDs)"
  std::vector<SlowLine> slow;           // newest first
  uint64_t slow_total = 0;              // slow calls seen since start
  uint64_t lost_total = 0;              // every loss since start (Health::lost + ring drops)
  std::string filters;                  // "pid 123, comm nginx" or empty
  std::string thresholds;               // "10ms" or "10ms, read 5ms"
  std::set<core::SyscallId> anomalous;  // an anomaly going on: the row is marked '!'
  std::string clock;                    // HH:MM:SS
  // K: the selected syscall's time by the kernel functions beneath it
  // (sysfunc --by-syscall on the default set), since the view was opened.
  std::optional<core::SyscallBreakdown> kernel;
  std::string kernel_for;     // the syscall it is of ("read")
  std::string kernel_status;  // "" or why there is none (the kernel's refusal, a 32-bit call)
  bool kernel_failed = false; // kernel_status is an error
};

enum class Prompt { None, Pid, Comm, Threshold };

struct UiState {
  core::SortKey sort = core::SortKey::Rate;  // Rate, Avg, Time or OffCpu
  core::WindowSpan window = core::WindowSpan::Last10s;
  double refresh_s = 1.0;
  bool paused = false;
  bool help = false;
  bool kernel_view = false;  // K: the kernel breakdown in place of the histogram
  std::optional<core::SyscallId> selected;  // follows the syscall when the order changes
  Prompt prompt = Prompt::None;
  std::string input;    // the prompt's text so far
  std::string message;  // shown in the footer until message_until_ns (CLOCK_MONOTONIC)
  bool message_is_error = false;
  uint64_t message_until_ns = 0;
};

}  // namespace syslat::ui
