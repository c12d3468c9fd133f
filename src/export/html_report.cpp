#include "export/html_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <sstream>
#include <vector>

#include "export/anomaly_writer.h"
#include "export/text_report.h"
#include "util/duration.h"
#include "util/escape.h"
#include "util/time.h"

namespace syslat::exporter {

std::string html_text(std::string_view text) {
  std::string out;
  for (char c : util::escaped(text)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

constexpr const char* kStyle = R"(
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 17px; margin-top: 28px; } h3 { font-size: 15px; margin: 16px 0 4px; }
table { border-collapse: collapse; } td, th { padding: 3px 8px; border-bottom: 1px solid #ddd; }
th { background: #f3f3f3; cursor: pointer; text-align: right; user-select: none; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } td.name, th.name { text-align: left; }
table.run th { cursor: default; text-align: left; }
.lost { color: #a00; font-weight: bold; } .note { color: #555; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
svg text { font: 11px system-ui, sans-serif; fill: #333; }
svg.flamegraph text { font-size: 11px; fill: #000; pointer-events: none; }
)";

// Sorts the syscall table by the clicked column (numbers by data-v).
constexpr const char* kScript = R"(
document.querySelectorAll('table.sortable').forEach(function (table) {
  table.querySelectorAll('th').forEach(function (th, col) {
    th.addEventListener('click', function () {
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      var down = th.getAttribute('data-dir') !== 'down';
      th.setAttribute('data-dir', down ? 'down' : 'up');
      rows.sort(function (a, b) {
        var x = a.cells[col], y = b.cells[col];
        var vx = x.getAttribute('data-v'), vy = y.getAttribute('data-v');
        var r = vx !== null ? Number(vx) - Number(vy) : x.textContent.localeCompare(y.textContent);
        return down ? -r : r;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
)";

std::string duration(uint64_t ns) { return html_text(util::format_duration_ns(ns)); }

// A number cell that sorts by its value.
std::string num_cell(uint64_t v, const std::string& shown) {
  return fmt::format("<td class=\"num\" data-v=\"{}\">{}</td>", v, shown);
}

// The colour of a heatmap cell: white to dark red as log(count) rises to log(max).
std::string heat_colour(uint64_t count, uint64_t max) {
  const double t = max <= 1 ? 1.0 : std::log1p(static_cast<double>(count)) / std::log1p(static_cast<double>(max));
  const int r = 255 - static_cast<int>(t * 75), g = 235 - static_cast<int>(t * 215), b = 200 - static_cast<int>(t * 190);
  return fmt::format("rgb({},{},{})", r, g, b);
}

void write_run(std::ostream& out, const HtmlRun& run, const core::Report& report) {
  out << "<section id=\"run\"><table class=\"run\">\n";
  const std::pair<const char*, std::string> rows[] = {
      {"tool", run.tool},
      {"traced", run.what},
      {"start", run.start},
      {"end", run.end},
      {"duration", fmt::format("{:.3f} s", run.seconds)},
      {"host", run.host},
      {"kernel", run.kernel},
      {"backend", run.backend},
      {"calls", fmt::format("{} ({} syscalls)", report.total.calls, report.syscalls.size())},
  };
  for (const auto& [key, value] : rows) out << "<tr><th>" << key << "</th><td>" << html_text(value) << "</td></tr>\n";
  std::ostringstream health;
  write_health_text(health, report);
  std::string losses = health.str();
  out << "<tr><th>lost</th><td id=\"losses\">";
  if (losses.empty()) {
    out << "nothing: every call counted";
  } else {
    std::istringstream lines(losses);
    for (std::string line; std::getline(lines, line);) out << "<div class=\"lost\">" << html_text(line) << "</div>";
  }
  out << "</td></tr>\n</table></section>\n";
}

void write_table(std::ostream& out, const core::Report& report) {
  const bool timed = report.timed, states = report.states;
  out << "<section id=\"syscalls\"><h2>Syscalls</h2>\n"
         "<p class=\"note\">Click a column to sort.</p>\n"
         "<table id=\"syscall-table\" class=\"sortable\"><thead><tr><th class=\"name\">syscall</th>"
         "<th>calls</th><th>errors</th>";
  if (timed) out << "<th>total</th><th>avg</th><th>p50</th><th>p90</th><th>p99</th><th>max</th>";
  if (states) out << "<th>on CPU</th><th>runqueue</th><th>I/O</th><th>sleep</th>";
  out << "</tr></thead><tbody>\n";
  for (const core::Row& row : report.syscalls) {
    const core::SyscallStats& s = row.stats;
    const std::string name = html_text(core::display_name(row.id));
    out << "<tr data-syscall=\"" << name << "\"><td class=\"name\">" << name << "</td>"
        << num_cell(s.calls, std::to_string(s.calls)) << num_cell(s.errors, std::to_string(s.errors));
    if (timed)
      out << num_cell(s.total_ns, duration(s.total_ns)) << num_cell(s.avg_ns(), duration(s.avg_ns()))
          << num_cell(row.p50_ns, duration(row.p50_ns)) << num_cell(row.p90_ns, duration(row.p90_ns))
          << num_cell(row.p99_ns, duration(row.p99_ns)) << num_cell(s.max_ns, duration(s.max_ns));
    if (states)
      out << num_cell(s.oncpu_ns(), duration(s.oncpu_ns())) << num_cell(s.split.runq_ns, duration(s.split.runq_ns))
          << num_cell(s.split.iowait_ns, duration(s.split.iowait_ns))
          << num_cell(s.split.sleep_ns, duration(s.split.sleep_ns));
    out << "</tr>\n";
  }
  out << "</tbody></table></section>\n";
}

// Horizontal bars, one per log2 bucket from the first to the last used.
void write_histogram(std::ostream& out, const std::string& name, const core::Histogram& hist) {
  const auto buckets = core::log2_buckets(hist);
  uint64_t max = 1;
  for (const auto& b : buckets) max = std::max(max, b.count);
  const int row_h = 16, label_w = 110, bar_w = 260, width = label_w + bar_w + 70;
  const int height = static_cast<int>(buckets.size()) * row_h + 4;
  out << fmt::format("<svg class=\"histogram\" data-syscall=\"{}\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\">",
                     name, width, height, width, height);
  for (size_t i = 0; i < buckets.size(); ++i) {
    const auto& b = buckets[i];
    const int y = static_cast<int>(i) * row_h;
    const int w = b.count ? std::max(1, static_cast<int>(static_cast<double>(b.count) / max * bar_w)) : 0;
    const std::string label = html_text(core::log2_label(b));
    out << fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", label_w - 6, y + 12, label);
    out << fmt::format("<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#4a7bd0\">"
                       "<title>{}: {} calls</title></rect>",
                       label_w, y + 2, w, row_h - 4, label, b.count);
    out << fmt::format("<text x=\"{}\" y=\"{}\">{}</text>", label_w + w + 4, y + 12, b.count);
  }
  out << "</svg>\n";
}

// Time across, latency buckets up (slow at the top), colour = calls.
void write_heatmap(std::ostream& out, const std::string& name, core::SyscallId id, const core::Timeline& timeline) {
  const auto& columns = timeline.columns();
  size_t lo = core::kLog2Buckets, hi = 0;
  uint64_t max = 0;
  for (const auto& c : columns)
    if (auto it = c.latency.find(id); it != c.latency.end())
      for (size_t b = 0; b < core::kLog2Buckets; ++b)
        if (it->second[b]) {
          lo = std::min(lo, b);
          hi = std::max(hi, b);
          max = std::max(max, it->second[b]);
        }
  if (max == 0 || columns.empty()) return;
  const int label_w = 110, plot_w = 480, cell_h = 14, axis_h = 18;
  const double cell_w = static_cast<double>(plot_w) / static_cast<double>(columns.size());
  const int rows = static_cast<int>(hi - lo + 1);
  const int width = label_w + plot_w + 10, height = rows * cell_h + axis_h;
  out << fmt::format("<svg class=\"heatmap\" data-syscall=\"{}\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\">",
                     name, width, height, width, height);
  const uint64_t t0 = columns.front().start_ns;
  for (size_t b = lo; b <= hi; ++b) {
    const int y = static_cast<int>(hi - b) * cell_h;
    out << fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", label_w - 6, y + 11,
                       html_text(core::log2_label(core::log2_bucket(b))));
  }
  for (size_t x = 0; x < columns.size(); ++x) {
    const auto it = columns[x].latency.find(id);
    if (it == columns[x].latency.end()) continue;
    for (size_t b = lo; b <= hi; ++b) {
      const uint64_t n = it->second[b];
      if (!n) continue;
      const int y = static_cast<int>(hi - b) * cell_h;
      out << fmt::format("<rect class=\"cell\" x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\">"
                         "<title>{:.1f}-{:.1f} s, {}: {} calls</title></rect>",
                         label_w + x * cell_w, y, std::max(cell_w, 1.0), cell_h, heat_colour(n, max),
                         static_cast<double>(columns[x].start_ns - t0) / 1e9,
                         static_cast<double>(columns[x].end_ns - t0) / 1e9,
                         html_text(core::log2_label(core::log2_bucket(b))), n);
    }
  }
  const double span_s = static_cast<double>(columns.back().end_ns - t0) / 1e9;
  out << fmt::format("<text x=\"{}\" y=\"{}\">0 s</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{:.1f} s</text>",
                     label_w, height - 4, label_w + plot_w, height - 4, span_s);
  out << "</svg>\n";
}

void write_latency(std::ostream& out, const core::Report& report, const core::Timeline& timeline) {
  if (!report.timed) return;
  out << fmt::format("<section id=\"latency\"><h2>Latency per syscall</h2>\n<p class=\"note\">Each syscall's "
                     "distribution (log2 buckets) and, over time, its heatmap: {} s per column, darker = more "
                     "calls.</p>\n",
                     static_cast<double>(timeline.column_ns()) / 1e9);
  for (const core::Row& row : report.syscalls) {
    if (row.stats.hist.empty()) continue;
    const std::string name = html_text(core::display_name(row.id));
    out << "<div class=\"syscall-charts\" data-syscall=\"" << name << "\"><h3>" << name << "</h3><div class=\"charts\">";
    write_histogram(out, name, row.stats.hist);
    write_heatmap(out, name, row.id, timeline);
    out << "</div></div>\n";
  }
  out << "</section>\n";
}

// --stacks: an icicle (root at the top), width = share of the weight.
struct FlameNode {
  std::string name;
  uint64_t value = 0;
  std::map<std::string, std::unique_ptr<FlameNode>> children;
  FlameNode* child(const std::string& n) {
    auto& c = children[n];
    if (!c) {
      c = std::make_unique<FlameNode>();
      c->name = n;
    }
    return c.get();
  }
};

int depth_of(const FlameNode& node) {
  int d = 0;
  for (const auto& [_, c] : node.children) d = std::max(d, depth_of(*c));
  return d + 1;
}

void draw_flame(std::ostream& out, const FlameNode& node, double x, int depth, double scale, uint64_t total,
                bool by_calls) {
  const double w = static_cast<double>(node.value) * scale;
  if (w < 0.3) return;
  const int row_h = 17, y = depth * row_h;
  const std::string name = html_text(node.name);
  const std::string value = by_calls ? fmt::format("{} calls", node.value) : duration(node.value);
  const unsigned hash = static_cast<unsigned>(std::hash<std::string>{}(node.name));
  out << fmt::format("<g><title>{} ({}, {:.1f}%)</title><rect class=\"frame\" x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" "
                     "height=\"{}\" fill=\"rgb({},{},{})\" rx=\"2\"/>",
                     name, value, 100.0 * static_cast<double>(node.value) / static_cast<double>(total), x, y,
                     std::max(w - 0.5, 0.3), row_h - 1, 205 + hash % 50, 90 + (hash >> 8) % 110, 40 + (hash >> 16) % 50);
  const size_t chars = static_cast<size_t>(w / 6.5);
  if (chars >= 3) {
    std::string label = node.name.size() > chars ? node.name.substr(0, chars - 2) + ".." : node.name;
    out << fmt::format("<text x=\"{:.1f}\" y=\"{}\">{}</text>", x + 3, y + 12, html_text(label));
  }
  out << "</g>\n";
  double cx = x;
  for (const auto& [_, c] : node.children) {
    draw_flame(out, *c, cx, depth + 1, scale, total, by_calls);
    cx += static_cast<double>(c->value) * scale;
  }
}

void write_flamegraph(std::ostream& out, const core::StackProfile& profile, bool by_calls) {
  FlameNode root;
  root.name = "all";
  for (const core::StackRow& row : profile.rows) {
    const uint64_t v = by_calls ? row.calls : row.total_ns;
    if (!v) continue;
    root.value += v;
    FlameNode* at = &root;
    for (const std::string& name : core::flame_path(row)) {
      at = at->child(name);
      at->value += v;
    }
  }
  out << "<section id=\"stacks\"><h2>Syscall " << (by_calls ? "calls" : "time") << " by user stack</h2>\n";
  if (const std::string note = core::sampling_note(profile); !note.empty())
    out << "<p class=\"note\">" << html_text(note) << "</p>\n";
  if (root.value == 0) {
    out << "<p>No call profiled.</p></section>\n";
    return;
  }
  const int width = 1200, height = depth_of(root) * 17 + 2;
  out << fmt::format("<svg class=\"flamegraph\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\">\n", width, height,
                     width, height);
  draw_flame(out, root, 0, 0, static_cast<double>(width) / static_cast<double>(root.value), root.value, by_calls);
  out << "</svg></section>\n";
}

void write_anomalies(std::ostream& out, const HtmlRun& run) {
  out << "<section id=\"anomalies\"><h2>Anomalies</h2>\n";
  if (!run.anomalies_judged) {
    out << "<p class=\"note\">Not judged: anomalies are found per interval (-i SEC), each against the ones "
           "before it.</p></section>\n";
    return;
  }
  if (run.anomalies.empty()) {
    out << "<p>None: no syscall's latency or rate moved far from its baseline.</p></section>\n";
    return;
  }
  out << "<table id=\"anomaly-table\"><thead><tr><th class=\"name\">interval ending</th>"
         "<th class=\"name\">what moved</th><th>robust units</th></tr></thead><tbody>\n";
  for (const auto& [time, a] : run.anomalies)
    out << "<tr class=\"anomaly\" data-syscall=\"" << html_text(core::display_name(a.id)) << "\"><td class=\"name\">"
        << html_text(time) << "</td><td class=\"name\">" << html_text(anomaly_text(a)) << "</td>"
        << num_cell(static_cast<uint64_t>(a.score * 10), fmt::format("{:.1f}", a.score)) << "</tr>\n";
  out << "</tbody></table></section>\n";
}

void write_slowest(std::ostream& out, const HtmlSlowCalls& slow) {
  out << fmt::format("<section id=\"slowest\"><h2>Slowest calls</h2>\n<p class=\"note\">The {} slowest of {} calls "
                     "over their threshold{}.</p>\n",
                     slow.slowest.size(), slow.shown,
                     slow.lost ? fmt::format(" (and {} the ring buffer lost)", slow.lost) : "");
  out << "<table id=\"slow-table\" class=\"sortable\"><thead><tr><th>took</th><th class=\"name\">when</th>"
         "<th class=\"name\">call</th><th class=\"name\">process</th><th class=\"name\">where the time went</th>"
         "<th class=\"name\">stack</th></tr></thead><tbody>\n";
  for (const core::SlowRecord& r : slow.slowest) {
    const core::SlowEvent& e = r.event;
    std::string split;
    if (e.split) {
      const uint64_t off = e.split->off_ns();
      split = fmt::format("on CPU {}, runqueue {}, I/O {}, sleep {}",
                          duration(e.duration_ns > off ? e.duration_ns - off : 0), duration(e.split->runq_ns),
                          duration(e.split->iowait_ns), duration(e.split->sleep_ns));
    }
    std::string stack;
    for (const auto& frame : r.user_stack) stack += "<div>" + html_text(frame) + "</div>";
    if (!r.kernel_stack.empty()) {
      stack += "<div class=\"note\">kernel, where it blocked longest:</div>";
      for (const auto& frame : r.kernel_stack) stack += "<div>" + html_text(frame) + "</div>";
    }
    out << "<tr class=\"slow-call\">" << num_cell(e.duration_ns, duration(e.duration_ns)) << "<td class=\"name\">"
        << html_text(util::rfc3339_utc(static_cast<int64_t>(e.time_ns))) << "</td><td class=\"name\">"
        << html_text(r.call) << " " << html_text(r.result) << "</td><td class=\"name\">"
        << fmt::format("{} {}/{}", html_text(e.comm), e.pid, e.tid) << "</td><td class=\"name\">" << split
        << "</td><td class=\"name\">" << stack << "</td></tr>\n";
  }
  out << "</tbody></table></section>\n";
}

}  // namespace

void write_html_report(std::ostream& out, const HtmlRun& run, const core::Report& report,
                       const core::Timeline& timeline, const core::StackProfile* stacks, bool by_calls,
                       const HtmlSlowCalls* slow) {
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      << "<title>" << html_text(run.tool) << ": " << html_text(run.what) << "</title>\n<style>" << kStyle
      << "</style></head>\n<body>\n<h1>" << html_text(run.tool) << " report: " << html_text(run.what) << "</h1>\n";
  write_run(out, run, report);
  write_table(out, report);
  write_anomalies(out, run);
  if (slow) write_slowest(out, *slow);
  write_latency(out, report, timeline);
  if (stacks) write_flamegraph(out, *stacks, by_calls);
  out << "<script>" << kScript << "</script>\n</body></html>\n";
}

}  // namespace syslat::exporter
