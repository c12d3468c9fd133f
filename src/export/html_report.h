// --html FILE: the run as one self-contained HTML file (no network, no
// script or style from elsewhere): what ran and what was lost, the sortable
// per-syscall table, per syscall its latency histogram and its heatmap over
// time, with --stacks the flame graph of syscall time by user stack, and
// sysslow's slowest calls, decoded, with their stacks.
// Charts are inline SVG drawn here; the only script sorts the table.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "core/anomaly.h"
#include "core/report.h"
#include "core/slow_event.h"
#include "core/stack_profile.h"
#include "core/timeline.h"

namespace syslat::exporter {

// An anomaly and the end of the interval it started in (RFC 3339).
struct HtmlAnomaly {
  std::string time;
  core::Anomaly anomaly;
};

struct HtmlRun {
  std::string tool;     // "syslat"
  std::string what;     // the command, or the filters ("-p 1234"), or "the whole machine"
  std::string start;    // RFC 3339
  std::string end;
  double seconds = 0;
  std::string host;
  std::string kernel;
  std::string backend;  // "bpf", "ptrace"
  bool anomalies_judged = false;  // -i: each interval judged against the past ones
  std::vector<HtmlAnomaly> anomalies;
};

// `report`: the whole run, every syscall (top 0). `stacks`: null without
// --stacks; `by_calls`: the flame graph weighs calls, not time. `slowest`:
// sysslow's slowest calls (slowest first) of `slow_calls` shown, or null.
struct HtmlSlowCalls {
  std::vector<core::SlowRecord> slowest;
  uint64_t shown = 0;  // slow calls in all
  uint64_t lost = 0;
};
void write_html_report(std::ostream& out, const HtmlRun& run, const core::Report& report,
                       const core::Timeline& timeline, const core::StackProfile* stacks, bool by_calls,
                       const HtmlSlowCalls* slow = nullptr);

// Text made safe for HTML: control bytes escaped as the terminal writers
// escape them, then & < > " ' as entities.
std::string html_text(std::string_view text);

}  // namespace syslat::exporter
