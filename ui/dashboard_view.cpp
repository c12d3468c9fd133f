#include "ui/dashboard_view.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "export/time_split_text.h"
#include "util/duration.h"
#include "util/escape.h"
#include "util/time.h"

namespace syslat::ui {
namespace {

// Column widths of the top panel; the bar takes what is left.
constexpr size_t kNameWidth = 18, kRateWidth = 10, kTimeWidth = 9, kShareWidth = 7;
constexpr size_t kTopFixedWidth = kNameWidth + kRateWidth + 3 * kTimeWidth + kShareWidth + 1;
constexpr size_t kHistLabelWidth = 12;  // "524us-1.05ms"
constexpr size_t kHistCountWidth = 10;

std::string pad(std::string text, size_t width) {
  if (text.size() > width) text.resize(width);
  text.append(width - text.size(), ' ');
  return text;
}

std::string rpad(const std::string& text, size_t width) {
  return text.size() >= width ? text.substr(0, width) : std::string(width - text.size(), ' ') + text;
}

// 123, 12.3k, 1.23M: three significant digits are what a glance can use.
std::string human_number(double v) {
  if (v < 1000) return v == std::floor(v) ? fmt::format("{:.0f}", v) : fmt::format("{:.1f}", v);
  const char* units[] = {"k", "M", "G", "T"};
  int u = -1;
  while (v >= 1000 && u < 3) {
    v /= 1000;
    ++u;
  }
  const int decimals = v < 10 ? 2 : v < 100 ? 1 : 0;
  return fmt::format("{:.{}f}{}", v, decimals, units[u]);
}

std::string duration(uint64_t ns) { return ns ? util::format_duration_ns(ns) : "-"; }

const char* sort_label(core::SortKey key) {
  switch (key) {
    case core::SortKey::Avg: return "avg latency";
    case core::SortKey::Time: return "total time";
    case core::SortKey::OffCpu: return "off-CPU time";
    default: return "rate";
  }
}

double sort_value(const core::Row& r, core::SortKey key) {
  switch (key) {
    case core::SortKey::Avg: return static_cast<double>(r.stats.avg_ns());
    case core::SortKey::Time: return static_cast<double>(r.stats.total_ns);
    case core::SortKey::OffCpu: return static_cast<double>(r.stats.split.off_ns());
    default: return r.rate;
  }
}

std::string bar(double value, double max, size_t width) {
  if (max <= 0 || value <= 0 || width == 0) return std::string(width, ' ');
  size_t n = static_cast<size_t>(std::lround(value / max * static_cast<double>(width)));
  n = std::clamp<size_t>(n, 1, width);  // anything non-zero shows
  return std::string(n, '#') + std::string(width - n, ' ');
}

Line title_line(const DashboardData& d, const UiState& s) {
  Line l;
  l.add(" syslat-top ", Style::Title);
  l.add(fmt::format(" {}  window {} ({:.1f}s)  refresh {}  sort {}", d.clock, core::window_span_label(s.window),
                    d.report.interval_s, util::format_duration_ns(static_cast<uint64_t>(s.refresh_s * 1e9)),
                    sort_label(s.sort)),
        Style::Title);
  if (s.paused) l.add("  [PAUSED]", Style::Alert);
  l.add("  ? help", Style::Title);
  return l;
}

Line summary_line(const DashboardData& d) {
  const auto& t = d.report.total;
  const double secs = d.report.interval_s;
  Line l;
  // Most important first: a narrow screen cuts from the right.
  l.add(fmt::format(" calls/s {}  errors/s {}  avg {}", human_number(secs > 0 ? t.calls / secs : 0),
                    human_number(secs > 0 ? t.errors / secs : 0), duration(t.avg_ns())));
  l.add(fmt::format("  lost {}", d.lost_total), d.lost_total ? Style::Alert : Style::Normal);
  l.add(fmt::format("  slow {}", d.slow_total));
  if (d.sys_cpu_share) l.add(fmt::format("  sys CPU {:.1f}%{}", *d.sys_cpu_share * 100, d.cpu_scope));
  return l;
}

Line filter_line(const DashboardData& d) {
  Line l;
  l.add(" filter ", Style::Dim);
  l.add(d.filters.empty() ? "none (every process)" : util::escaped(d.filters));
  l.add("  slow if >= ", Style::Dim);
  l.add(util::escaped(d.thresholds));
  return l;
}

// A numeric column: right-aligned, the last column a space (or, in the
// header, '*' under the sort key).
std::string cell(const std::string& text, size_t width, char last = ' ') { return rpad(text + last, width); }

Line top_header(const UiState& s, size_t bar_width) {
  auto mark = [&](core::SortKey key) { return s.sort == key ? '*' : ' '; };
  std::string h = pad(" SYSCALL", kNameWidth) + cell("CALLS/s", kRateWidth, mark(core::SortKey::Rate)) +
                  cell("AVG", kTimeWidth, mark(core::SortKey::Avg)) + cell("P99", kTimeWidth) + cell("MAX", kTimeWidth) +
                  cell("TIME%", kShareWidth, mark(core::SortKey::Time)) + " ";
  h += pad(fmt::format("by {}", sort_label(s.sort)), bar_width);
  return Line::of(h, Style::Heading);
}

Line top_row(const core::Row& r, const DashboardData& d, const UiState& s, double max, size_t bar_width, bool selected) {
  const double share = d.report.total.total_ns ? 100.0 * r.stats.total_ns / d.report.total.total_ns : 0;
  const bool anomalous = d.anomalous.contains(r.id);
  std::string text = pad((selected ? ">" : anomalous ? "!" : " ") + core::display_name(r.id), kNameWidth) + cell(human_number(r.rate), kRateWidth) +
                     cell(duration(r.stats.avg_ns()), kTimeWidth) + cell(duration(r.p99_ns), kTimeWidth) +
                     cell(duration(r.stats.max_ns), kTimeWidth) + cell(fmt::format("{:.1f}", share), kShareWidth) + " ";
  Line l;
  l.add(std::move(text), selected ? Style::Selected : anomalous ? Style::Alert : Style::Normal);
  l.add(bar(sort_value(r, s.sort), max, bar_width), Style::Bar);
  return l;
}

// The top panel: a header and `rows` syscalls, scrolled so the selected one shows.
void top_panel(Frame& f, const DashboardData& d, const UiState& s, size_t width, size_t rows, bool fill) {
  const size_t bar_width = width > kTopFixedWidth + 4 ? width - kTopFixedWidth - 1 : 3;
  f.push_back(top_header(s, bar_width));
  const auto& all = d.report.syscalls;
  const core::Row* sel = selected_row(d, s);
  size_t sel_at = 0;
  for (size_t i = 0; i < all.size(); ++i)
    if (&all[i] == sel) sel_at = i;
  const size_t first = rows && sel_at >= rows ? sel_at - rows + 1 : 0;
  const size_t last = rows ? std::min(all.size(), first + rows) : all.size();
  double max = 0;
  for (size_t i = first; i < last; ++i) max = std::max(max, sort_value(all[i], s.sort));
  size_t shown = 0;
  if (all.empty()) {
    f.push_back(Line::of("  (no syscalls in this window)", Style::Dim));
    ++shown;
  }
  for (size_t i = first; i < last; ++i, ++shown) f.push_back(top_row(all[i], d, s, max, bar_width, &all[i] == sel));
  if (fill)
    for (; shown < rows; ++shown) f.push_back(Line{});
}

Line hist_title(const core::Row* r) {
  if (!r) return Line::of(" LATENCY  (select a syscall)", Style::Heading);
  const auto& st = r->stats;
  std::string title = fmt::format(" {}  {} calls  avg {}  p50 {}  p90 {}  p99 {}  max {}", core::display_name(r->id),
                                  human_number(static_cast<double>(st.calls)), duration(st.avg_ns()), duration(r->p50_ns),
                                  duration(r->p90_ns), duration(r->p99_ns), duration(st.max_ns));
  if (st.errors) title += fmt::format("  {} errors", human_number(static_cast<double>(st.errors)));
  return Line::of(std::move(title), Style::Heading);
}

// The densest run of `n` consecutive buckets, when they do not all fit.
std::pair<size_t, size_t> bucket_range(const std::vector<core::Log2Bucket>& b, size_t n) {
  if (b.size() <= n) return {0, b.size()};
  size_t best = 0;
  uint64_t best_sum = 0, sum = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    sum += b[i].count;
    if (i >= n) sum -= b[i - n].count;
    if (i + 1 >= n && sum > best_sum) {
      best_sum = sum;
      best = i + 1 - n;
    }
  }
  return {best, best + n};
}

Line hist_cell(const core::Log2Bucket& b, uint64_t max, size_t width) {
  // label " |" bar "|" count " "
  const size_t fixed = kHistLabelWidth + kHistCountWidth + 4;
  const size_t bar_width = width > fixed + 1 ? width - fixed : 1;
  Line l;
  l.add(rpad(core::log2_label(b), kHistLabelWidth) + " |");
  l.add(bar(static_cast<double>(b.count), static_cast<double>(max), bar_width), Style::Bar);
  l.add("|" + rpad(std::to_string(b.count), kHistCountWidth) + " ");
  return l;
}

// Where the selected syscall's time went in the window, under its histogram:
// the shares (the wording every tool uses), then how many of its timed calls
// were switched out. The widest line, four shares of "12.3%" and counts of 5
// characters ("12.3k"), is 91 columns with the long count and 80 with the
// short one: the form follows the width alone, so it does not flip as the
// numbers change; a narrower screen drops the count rather than cut it.
constexpr size_t kSplitLongWidth = 91;

Line split_line(const DashboardData& d, const core::Row* r, size_t width) {
  if (!r || r->stats.total_ns == 0) return Line{};  // the histogram says why
  if (!d.report.states) return Line::of("  (time not split into on-CPU, runqueue, I/O and sleep)", Style::Dim);
  const auto& st = r->stats;
  Line l;
  l.add(" " + exporter::split_shares(st.split, st.total_ns));
  const std::string switched = human_number(static_cast<double>(st.split.switched));
  const std::string timed = human_number(static_cast<double>(st.timed));
  const std::string tail = width >= kSplitLongWidth ? fmt::format("  (switched out: {} of {} calls)", switched, timed)
                                                    : fmt::format("  switched out: {}/{}", switched, timed);
  if (l.width() + tail.size() <= width) l.add(tail, Style::Dim);
  return l;
}

// The histogram panel: a title and `rows` lines of buckets (0 = all, one
// column); in two columns when `rows` lines of one would not hold them; the
// split line under them.
void hist_panel(Frame& f, const DashboardData& d, const UiState& s, size_t width, size_t rows, bool fill) {
  const core::Row* r = selected_row(d, s);
  f.push_back(hist_title(r));
  std::vector<core::Log2Bucket> buckets;
  if (r) buckets = core::log2_buckets(r->stats.hist);
  size_t shown = 0;
  if (buckets.empty()) {
    f.push_back(Line::of(r && !d.report.timed ? "  (not timed)" : "  (no timed calls in this window)", Style::Dim));
    ++shown;
  } else {
    const size_t cols = rows && buckets.size() > rows && width >= 2 * (kHistLabelWidth + kHistCountWidth + 12) ? 2 : 1;
    const auto [lo, hi] = bucket_range(buckets, rows ? rows * cols : buckets.size());
    uint64_t max = 0;
    for (size_t i = lo; i < hi; ++i) max = std::max(max, buckets[i].count);
    const size_t per_col = (hi - lo + cols - 1) / cols;
    const size_t col_width = width / cols;
    for (size_t row = 0; row < per_col; ++row, ++shown) {
      Line line;
      for (size_t c = 0; c < cols; ++c) {
        const size_t i = lo + c * per_col + row;
        if (i >= hi) break;
        Line cell = hist_cell(buckets[i], max, col_width);
        for (auto& span : cell.spans) line.spans.push_back(std::move(span));
      }
      f.push_back(std::move(line));
    }
  }
  if (fill)
    for (; shown < rows; ++shown) f.push_back(Line{});
  f.push_back(split_line(d, r, width));
}

// K: in the histogram's place, the selected syscall's call tree of kernel
// functions, each with a bar of its share of the syscall's time.
void kernel_panel(Frame& f, const DashboardData& d, size_t width, size_t rows, bool fill) {
  f.push_back(Line::of(fmt::format(" KERNEL FUNCTIONS IN {} (since K was pressed; K closes)",
                                   d.kernel_for.empty() ? "-" : util::escaped(d.kernel_for)),
                       Style::Heading));
  size_t shown = 0;
  const auto line = [&](Line l) {
    if (rows && shown >= rows) return;
    f.push_back(std::move(l));
    ++shown;
  };
  if (!d.kernel_status.empty()) {
    line(Line::of("  " + util::escaped(d.kernel_status), d.kernel_failed ? Style::Alert : Style::Dim));
  } else if (!d.kernel || d.kernel->total.calls == 0) {
    line(Line::of("  (no calls of it yet)", Style::Dim));
  } else {
    const core::SyscallBreakdown& b = *d.kernel;
    line(Line::of(fmt::format("  {} calls, {}", human_number(static_cast<double>(b.total.calls)), duration(b.total.total_ns)),
                  Style::Dim));
    const size_t name_width = 34, bar_width = width > name_width + 40 ? width - name_width - 36 : 4;
    const auto row = [&](const std::string& name, uint64_t ns, uint64_t calls) {
      Line l;
      l.add("  " + pad(name, name_width));
      l.add(fmt::format(" {:>9} {:>6}% ", duration(ns), exporter::percent_of(ns, b.total.total_ns)));
      l.add(bar(static_cast<double>(ns), static_cast<double>(b.total.total_ns), bar_width), Style::Bar);
      if (calls) l.add(fmt::format(" {} calls", human_number(static_cast<double>(calls))), Style::Dim);
      line(std::move(l));
    };
    for (const auto& n : b.tree) row(std::string(2 * n.depth, ' ') + (n.depth ? "> " : "") + util::escaped(n.function),
                                     n.time.inclusive_ns, n.time.calls);
    row("(in no traced function)", b.untraced_ns(), 0);
  }
  if (fill)
    for (; shown < rows; ++shown) f.push_back(Line{});
  f.push_back(Line{});  // where the split line is under the histogram
}

void slow_panel(Frame& f, const DashboardData& d, size_t rows, bool fill) {
  f.push_back(Line::of(" TIME          PID     COMM             DURATION  SLOW CALL (newest first)", Style::Heading));
  size_t shown = 0;
  if (d.slow.empty()) {
    f.push_back(Line::of(fmt::format("  (no call has taken {} or more yet)", d.thresholds), Style::Dim));
    ++shown;
  }
  for (const SlowLine& e : d.slow) {
    if (rows && shown >= rows) break;
    if (e.anomaly) {
      f.push_back(Line::of(fmt::format(" {} {:>7} {} {:>9}  {}", util::clock_hms_ms(e.time_ns), "-", pad("ANOMALY", 16), "-",
                                       util::escaped(e.call)), Style::Alert));
      ++shown;
      continue;
    }
    f.push_back(Line::of(fmt::format(" {} {:>7} {} {:>9}  {}", util::clock_hms_ms(e.time_ns), e.pid,
                                     pad(util::escaped(e.comm), 16), util::format_duration_ns(e.duration_ns),
                                     util::escaped(e.call))));
    ++shown;
  }
  if (fill)
    for (; shown < rows; ++shown) f.push_back(Line{});
}

Line footer(const UiState& s) {
  switch (s.prompt) {
    case Prompt::Pid: return Line::of(" PID filter (PID[,PID...], empty = every process): " + s.input + "_", Style::Heading);
    case Prompt::Comm: return Line::of(" comm filter (process name, empty = every process): " + s.input + "_", Style::Heading);
    case Prompt::Threshold:
      return Line::of(" slow threshold (DUR or NAME=DUR,..., e.g. 5ms or read=1ms): " + s.input + "_", Style::Heading);
    case Prompt::None: break;
  }
  if (!s.message.empty())
    return Line::of(" " + util::escaped(s.message), s.message_is_error ? Style::Alert : Style::Heading);
  return Line::of(" q quit  j/k select  s sort  z window  p pid  c comm  t threshold  K kernel  +/- refresh  space pause  ? help",
                  Style::Dim);
}

void help_panel(Frame& f) {
  const char* lines[] = {
      " KEYS",
      "   Up/Down, j/k     select a syscall (PgUp/PgDn, Home/End, g/G jump)",
      "   s                sort by rate, average latency, total time or off-CPU time",
      "   z                window: last 1 s, 10 s, 60 s, or since start",
      "   p                show only some processes (PID[,PID...]; empty: all)",
      "   c                show only processes with this name (empty: all)",
      "   t                slow-call threshold (5ms, or read=1ms,futex=10ms)",
      "   K                the selected syscall's time by kernel function (needs kprobes)",
      "   + / -            refresh faster / slower (100 ms to 5 s)",
      "   space            pause the display (data is still collected)",
      "   ?                this help; any key closes it",
      "   q, Ctrl-C        quit",
      "",
      " Filters apply in the kernel at once; counts before the change stay in",
      " the window until it moves past them. 'sys CPU' is the system CPU time",
      " of the traced scope, 'lost' every event the kernel could not record.",
      " Histogram rows are the kernel's buckets, powers of two of ns: 1.05-2.10ms",
      " is 2^20 ns (1.048576 ms) up to 2^21 ns, bounds to 3 significant digits.",
      " The line under them: where the syscall's time went (on CPU, waiting on a",
      " runqueue, in I/O wait, asleep), and how many of its calls were switched out.",
  };
  for (const char* l : lines) f.push_back(Line::of(l));
}

}  // namespace

ScreenLayout screen_layout(int height) {
  // Title, summary, filter, three panel headers and the footer; of the rest,
  // one is the split line under the histogram, taken from the top panel.
  const size_t fixed = 7;
  const size_t free = height > static_cast<int>(fixed) + 4 ? static_cast<size_t>(height) - fixed : 4;
  ScreenLayout l;
  l.hist_rows = std::max<size_t>(1, free * 3 / 10);
  l.slow_rows = std::max<size_t>(1, free / 4);
  l.top_rows = free - l.hist_rows - l.slow_rows - 1;
  return l;
}

const core::Row* selected_row(const DashboardData& data, const UiState& state) {
  const auto& rows = data.report.syscalls;
  if (rows.empty()) return nullptr;
  if (state.selected)
    for (const auto& r : rows)
      if (r.id == *state.selected) return &r;
  return state.selected ? nullptr : &rows.front();
}

Frame render_screen(const DashboardData& data, const UiState& state, int width, int height) {
  Frame f;
  if (height <= 0 || width <= 0) return f;
  const auto w = static_cast<size_t>(width);
  if (width < kMinWidth || height < kMinHeight) {
    for (int i = 0; i < height; ++i) f.push_back(Line{});
    const std::string notice[] = {"terminal too small", fmt::format("{}x{}, need {}x{}", width, height, kMinWidth, kMinHeight),
                                  "q quits"};
    for (int i = 0; i < 3 && height / 2 - 1 + i < height; ++i) {
      const std::string& t = notice[i];
      f[static_cast<size_t>(std::max(0, height / 2 - 1 + i))] =
          Line::of(std::string(t.size() < w ? (w - t.size()) / 2 : 0, ' ') + t, i == 0 ? Style::Alert : Style::Normal);
    }
  } else {
    f.push_back(title_line(data, state));
    f.push_back(summary_line(data));
    f.push_back(filter_line(data));
    const ScreenLayout l = screen_layout(height);
    if (state.help) {
      help_panel(f);
    } else {
      top_panel(f, data, state, w, l.top_rows, true);
      if (state.kernel_view)
        kernel_panel(f, data, w, l.hist_rows, true);
      else
        hist_panel(f, data, state, w, l.hist_rows, true);
      slow_panel(f, data, l.slow_rows, true);
    }
    f.resize(static_cast<size_t>(height) - 1);
    f.push_back(footer(state));
  }
  for (Line& line : f) clip(line, w);
  return f;
}

Frame render_batch(const DashboardData& data, const UiState& state, int width, size_t top_rows, size_t slow_rows) {
  Frame f;
  f.push_back(title_line(data, state));
  f.push_back(summary_line(data));
  f.push_back(filter_line(data));
  top_panel(f, data, state, static_cast<size_t>(width), top_rows, false);
  if (state.kernel_view)
    kernel_panel(f, data, static_cast<size_t>(width), 0, false);
  else
    hist_panel(f, data, state, static_cast<size_t>(width), 0, false);
  slow_panel(f, data, slow_rows, false);
  f.push_back(Line{});
  for (Line& line : f) clip(line, static_cast<size_t>(std::max(width, 1)));
  return f;
}

}  // namespace syslat::ui
