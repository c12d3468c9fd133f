// The dashboard's views and keys without a terminal: what a user sees for a
// given model and state, and what each key does to the state.
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>

#include "syslat.h"
#include "ui/dashboard_view.h"
#include "ui/keys.h"

using namespace syslat;

namespace {

constexpr uint64_t kSec = 1'000'000'000;

core::SyscallStats stats(uint64_t calls, uint64_t ns_each) {
  core::SyscallStats s;
  s.calls = s.timed = calls;
  s.total_ns = calls * ns_each;
  s.min_ns = s.max_ns = ns_each;
  s.hist.counts[hist_bucket(ns_each)] = calls;
  return s;
}

// read: many fast calls; futex: few slow ones, the most time, partly spent
// spinning on CPU; openat in between; pread64: less time than futex but more
// of it off the CPU, waiting for I/O (first by off-CPU time, not by time).
ui::DashboardData data(core::SortKey sort) {
  core::Sample s;
  s.start_ns = 1 * kSec;
  s.end_ns = 11 * kSec;
  s.syscalls[0] = stats(100000, 500);         // read
  s.syscalls[202] = stats(50, 20'000'000);    // futex: 1 s
  s.syscalls[202].split = {10'000'000, 0, 600'000'000, 30, 41};  // on CPU 390 ms
  s.syscalls[257] = stats(3000, 40'000);      // openat
  s.syscalls[17] = stats(100, 9'000'000);     // pread64: 0.9 s
  s.syscalls[17].split = {2'000'000, 880'000'000, 0, 100, 130};  // on CPU 18 ms
  core::ReportOptions ro;
  ro.kind = core::ReportKind::Lat;
  ro.sort = sort;
  ro.top = 0;
  ro.timed = true;
  ro.states = true;
  ui::DashboardData d;
  d.report = core::build_report(s, ro, "");
  d.thresholds = "10.0ms";
  d.clock = "12:00:00";
  d.slow.push_back({0, 4242, "a-very-long-process-name", 20'000'000,
                    "futex(0x7f0000001000, FUTEX_WAIT_PRIVATE, 0, NULL) = 0 " + std::string(200, 'x')});
  return d;
}

std::vector<std::string> lines(const ui::Frame& f) {
  std::vector<std::string> out;
  std::istringstream in(ui::plain_text(f));
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::string selected_name(const std::vector<std::string>& ls) {
  for (const auto& l : ls)
    if (!l.empty() && l[0] == '>') return l.substr(1, l.find(' ') - 1);
  return "";
}

}  // namespace

TEST_CASE("dashboard view: an 80x24 screen holds every panel within its size") {
  ui::UiState st;
  const ui::Frame f = ui::render_screen(data(core::SortKey::Rate), st, 80, 24);
  REQUIRE(f.size() == 24);
  for (const auto& line : f) CHECK(line.width() <= 80);
  const auto ls = lines(f);
  CHECK(ls[0].find("syslat-top") != std::string::npos);
  CHECK(ls[0].find("window 10s (10.0s)") != std::string::npos);
  CHECK(ls[1].find("calls/s 10.3k") != std::string::npos);  // 103050 calls over 10 s
  CHECK(ls[3].find("CALLS/s*") != std::string::npos);
  CHECK(ls[4].rfind(">read", 0) == 0);  // the first row is selected by default
  CHECK(ls[4].find("10.0k") != std::string::npos);
  CHECK(ls[4].find("####") != std::string::npos);  // the longest bar
  // The histogram of the selected syscall, and the slow call, cut to the width.
  bool hist = false, slow = false;
  for (const auto& l : ls) {
    hist |= l.find("0-1.02us |") != std::string::npos && l.find("100000") != std::string::npos;
    slow |= l.find("a-very-long-pro") != std::string::npos && l.find("futex(0x7f0000001000") != std::string::npos;
  }
  CHECK(hist);
  CHECK(slow);
  CHECK(ls[23].find("q quit") != std::string::npos);
}

TEST_CASE("dashboard view: the sort key orders rows and scales the bars") {
  ui::UiState st;
  auto first_row = [&](core::SortKey k) {
    st.sort = k;
    return lines(ui::render_screen(data(k), st, 80, 24))[4];
  };
  CHECK(first_row(core::SortKey::Rate).rfind(">read", 0) == 0);
  CHECK(first_row(core::SortKey::Avg).rfind(">futex", 0) == 0);
  CHECK(first_row(core::SortKey::Time).rfind(">futex", 0) == 0);  // 1 s of 2.07 s
  CHECK(first_row(core::SortKey::OffCpu).rfind(">pread64", 0) == 0);  // 0.88 s off the CPU, futex 0.61 s
  st.sort = core::SortKey::Avg;
  const auto ls = lines(ui::render_screen(data(core::SortKey::Avg), st, 80, 24));
  CHECK(ls[3].find("AVG*") != std::string::npos);
  CHECK(ls[0].find("sort avg latency") != std::string::npos);
  // Off-CPU time has no column of its own: the title and the bar's header say it.
  st.sort = core::SortKey::OffCpu;
  const auto off = lines(ui::render_screen(data(core::SortKey::OffCpu), st, 80, 24));
  CHECK(off[0].find("sort off-CPU time") != std::string::npos);
  CHECK(off[3].find("by off-CPU time") != std::string::npos);
  CHECK(off[3].find('*') == std::string::npos);
  const std::vector<std::string> order = {off[4].substr(0, 9), off[5].substr(0, 9)};
  CHECK(order == std::vector<std::string>{">pread64 ", " futex   "});
  CHECK(off[4].find("########") != std::string::npos);  // the longest bar: 0.88 s
  CHECK(off[6].find('#') == std::string::npos);         // read and openat: never off the CPU
  CHECK(off[7].find('#') == std::string::npos);
}

TEST_CASE("dashboard view: the selection follows the syscall and the histogram shows it") {
  ui::UiState st;
  st.selected = core::SyscallId(257);
  const auto ls = lines(ui::render_screen(data(core::SortKey::Rate), st, 80, 24));
  CHECK(selected_name(ls) == "openat");
  bool title = false;
  for (const auto& l : ls) title |= l.rfind(" openat  3.00k calls", 0) == 0;
  CHECK(title);
  // A syscall gone from the window: nothing highlighted, the panel says so.
  st.selected = core::SyscallId(1);
  const auto gone = lines(ui::render_screen(data(core::SortKey::Rate), st, 80, 24));
  CHECK(selected_name(gone).empty());
}

TEST_CASE("dashboard view: resizing keeps to the new size and too small says so") {
  ui::UiState st;
  const auto d = data(core::SortKey::Rate);
  for (auto [w, h] : {std::pair{120, 40}, {80, 24}, {60, 15}, {200, 60}}) {
    const ui::Frame f = ui::render_screen(d, st, w, h);
    CHECK(f.size() == static_cast<size_t>(h));
    for (const auto& line : f) CHECK(line.width() <= static_cast<size_t>(w));
  }
  const auto small = lines(ui::render_screen(d, st, 20, 10));
  CHECK(small.size() == 10);
  CHECK(ui::plain_text(ui::render_screen(d, st, 20, 10)).find("too small") != std::string::npos);
}

TEST_CASE("dashboard view: help, prompts and messages replace what they cover") {
  ui::UiState st;
  const auto d = data(core::SortKey::Rate);
  st.help = true;
  CHECK(ui::plain_text(ui::render_screen(d, st, 80, 24)).find("this help; any key closes it") != std::string::npos);
  st.help = false;
  st.prompt = ui::Prompt::Pid;
  st.input = "123";
  CHECK(lines(ui::render_screen(d, st, 80, 24))[23].find("PID filter") != std::string::npos);
  CHECK(lines(ui::render_screen(d, st, 80, 24))[23].find("123_") != std::string::npos);
  st.prompt = ui::Prompt::None;
  st.message = "no such process: 99999";
  CHECK(lines(ui::render_screen(d, st, 80, 24))[23].find("no such process") != std::string::npos);
}

TEST_CASE("dashboard view: batch mode prints every panel in full, as plain text") {
  ui::UiState st;
  const std::string text = ui::plain_text(ui::render_batch(data(core::SortKey::Rate), st, 120, 2, 10));
  CHECK(text.find("\n>read ") != std::string::npos);
  CHECK(text.find("\n openat ") != std::string::npos);
  CHECK(text.find("\n futex ") == std::string::npos);  // -T 2: the third by rate is cut
  CHECK(text.find("0-1.02us |") != std::string::npos);
  CHECK(text.find("futex(0x7f0000001000") != std::string::npos);
  for (const auto& l : lines(ui::render_batch(data(core::SortKey::Rate), st, 120, 2, 10))) CHECK(l.size() <= 120);
}

TEST_CASE("dashboard view: at 80 columns the histogram's two columns show every label in full") {
  core::Sample s;
  s.start_ns = 1 * kSec;
  s.end_ns = 11 * kSec;
  core::SyscallStats& st = s.syscalls[0];
  for (uint64_t ns = 300; ns < 4 * kSec; ns *= 2) {  // one call in every display bucket
    ++st.calls;
    ++st.timed;
    st.total_ns += ns;
    st.max_ns = ns;
    ++st.hist.counts[ns >= hist_bucket_lo(HIST_OVERFLOW) ? HIST_OVERFLOW : hist_bucket(ns)];
  }
  for (uint64_t ns : {600'000, 600'000, 1'500'000, 1'500'000}) {  // the densest run: around 1 ms
    ++st.calls;
    ++st.timed;
    st.total_ns += ns;
    ++st.hist.counts[hist_bucket(ns)];
  }
  st.min_ns = 300;
  core::ReportOptions ro;
  ro.kind = core::ReportKind::Lat;
  ro.timed = true;
  ui::DashboardData d;
  d.report = core::build_report(s, ro, "");
  const auto text = ui::plain_text(ui::render_screen(d, ui::UiState{}, 80, 24));
  INFO(text);
  // 24 lines leave 5 for the histogram: 10 buckets in two columns, each
  // with its whole label (the longest, "524us-1.05ms", is 12 wide).
  size_t labels = 0;
  for (const auto& b : core::log2_buckets(st.hist)) labels += text.find(" " + core::log2_label(b) + " |") != std::string::npos;
  CHECK(labels == 10);
  CHECK(text.find(" 524us-1.05ms |") != std::string::npos);
  for (const auto& l : lines(ui::render_screen(d, ui::UiState{}, 80, 24))) {
    const size_t bar = l.find(" |");
    if (bar == std::string::npos || l.find("|", bar + 2) == std::string::npos) continue;
    static const std::string kLabelChars = "0123456789.-usm>= ";
    CHECK(l.substr(0, bar).find_first_not_of(kLabelChars) == std::string::npos);
  }
}

TEST_CASE("dashboard view: names and calls from traced processes are drawn escaped") {
  ui::DashboardData d = data(core::SortKey::Rate);
  d.slow.clear();
  d.slow.push_back({0, 4242, "\x1b]0;pwned\a\x9b[2J", 20'000'000, "read(3</tmp/\x1b[31mx>, \"\\33\", 1) = 1"});
  d.filters = "comm \x1b[2J";
  for (const std::string& text : {ui::plain_text(ui::render_screen(d, ui::UiState{}, 120, 30)),
                                  ui::plain_text(ui::render_batch(d, ui::UiState{}, 200, 10, 10))}) {
    INFO(text);
    CHECK(std::find_if(text.begin(), text.end(), [](char c) {
            const auto b = static_cast<unsigned char>(c);
            return (b < 0x20 && c != '\n') || b >= 0x7f;
          }) == text.end());
    CHECK(text.find("\\33]0;pwned\\7\\2") != std::string::npos);  // the COMM column cuts it at 16
    CHECK(text.find("read(3</tmp/\\33[31mx>, \"\\33\", 1) = 1") != std::string::npos);  // escaped text stays as it was
    CHECK(text.find("comm \\33[2J") != std::string::npos);
  }
}

namespace {

// The line just above the slow panel's header: the split line, under the histogram.
std::string split_line_of(const std::vector<std::string>& ls) {
  for (size_t i = 1; i < ls.size(); ++i)
    if (ls[i].rfind(" TIME ", 0) == 0) return ls[i - 1];
  return "(no slow panel)";
}

}  // namespace

TEST_CASE("dashboard view: under the histogram, where the selected syscall's time went in the window") {
  ui::UiState st;
  st.selected = core::SyscallId(202);  // futex: 1 s, 390 ms on CPU, 10 ms runnable, 600 ms asleep
  const auto d = data(core::SortKey::Rate);
  const auto ls = lines(ui::render_screen(d, st, 80, 24));
  INFO(ui::plain_text(ui::render_screen(d, st, 80, 24)));
  // The shared wording, then how many of its 50 timed calls were switched out
  // (the short form: the long one would not always fit 80 columns).
  CHECK(split_line_of(ls) == " on-CPU 39.0%, runqueue 1.0%, I/O 0.0%, sleep 60.0%  switched out: 30/50");
  // The histogram keeps its 5 lines: the row comes from the top panel.
  const ui::ScreenLayout l = ui::screen_layout(24);
  CHECK(l.hist_rows == 5);
  CHECK(l.top_rows + l.hist_rows + l.slow_rows + 1 + 7 == 24);
  // Wider: the long form.
  const auto wide = lines(ui::render_screen(d, st, 120, 30));
  CHECK(split_line_of(wide) == " on-CPU 39.0%, runqueue 1.0%, I/O 0.0%, sleep 60.0%  (switched out: 30 of 50 calls)");
  // Never switched out: all on CPU.
  st.selected = core::SyscallId(0);
  CHECK(split_line_of(lines(ui::render_screen(d, st, 80, 24))) ==
        " on-CPU 100.0%, runqueue 0.0%, I/O 0.0%, sleep 0.0%  switched out: 0/100k");
  // Batch mode: the same line under the histogram, the long form at 120 columns.
  st.selected = core::SyscallId(17);
  const std::string batch = ui::plain_text(ui::render_batch(d, st, 120, 0, 10));
  CHECK(batch.find("\n on-CPU 2.0%, runqueue 0.2%, I/O 97.8%, sleep 0.0%  (switched out: 100 of 100 calls)\n") !=
        std::string::npos);
  // Without a split (a report built without states), the line says so.
  ui::DashboardData unsplit = d;
  unsplit.report.states = false;
  CHECK(split_line_of(lines(ui::render_screen(unsplit, st, 80, 24))).find("not split") != std::string::npos);
}

TEST_CASE("dashboard view: the split line fits 80 columns whole at its widest, and narrower screens drop the count") {
  core::Sample s;
  s.start_ns = 0;
  s.end_ns = kSec;
  s.syscalls[0] = stats(12345, 100'000);  // 1.2345 s: every share two digits, counts of 5 characters
  s.syscalls[0].split = {151'843'500, 618'484'500, 335'783'999, 12345, 20000};
  core::ReportOptions ro;
  ro.kind = core::ReportKind::Lat;
  ro.timed = true;
  ro.states = true;
  ui::DashboardData d;
  d.report = core::build_report(s, ro, "");
  const auto at80 = split_line_of(lines(ui::render_screen(d, ui::UiState{}, 80, 24)));
  CHECK(at80 == " on-CPU 10.4%, runqueue 12.3%, I/O 50.1%, sleep 27.2%  switched out: 12.3k/12.3k");
  CHECK(at80.size() == 80);
  CHECK(split_line_of(lines(ui::render_screen(d, ui::UiState{}, 91, 24))) ==
        " on-CPU 10.4%, runqueue 12.3%, I/O 50.1%, sleep 27.2%  (switched out: 12.3k of 12.3k calls)");
  CHECK(split_line_of(lines(ui::render_screen(d, ui::UiState{}, 70, 24))) ==
        " on-CPU 10.4%, runqueue 12.3%, I/O 50.1%, sleep 27.2%");
  // Every size: the frame stays in its bounds, the split line is there.
  for (auto [w, h] : {std::pair{60, 15}, {80, 24}, {90, 24}, {120, 40}, {200, 60}}) {
    const ui::Frame f = ui::render_screen(d, ui::UiState{}, w, h);
    CHECK(f.size() == static_cast<size_t>(h));
    for (const auto& line : f) CHECK(line.width() <= static_cast<size_t>(w));
    CHECK(split_line_of(lines(f)).rfind(" on-CPU 10.4%", 0) == 0);
  }
}

TEST_CASE("dashboard keys: selection, sort, window, refresh, pause, prompts, quit") {
  ui::UiState st;
  const std::vector<core::SyscallId> ranked = {0, 257, 202};
  // No selection shows the first row as selected: down goes to the second.
  CHECK(ui::handle_key(st, 'j', ranked, 5) == ui::Command::Redraw);
  CHECK(st.selected == core::SyscallId(257));
  ui::handle_key(st, ui::kKeyDown, ranked, 5);
  ui::handle_key(st, ui::kKeyDown, ranked, 5);  // stays on the last
  CHECK(st.selected == core::SyscallId(202));
  ui::handle_key(st, 'k', ranked, 5);
  CHECK(st.selected == core::SyscallId(257));
  ui::handle_key(st, ui::kKeyHome, ranked, 5);
  CHECK(st.selected == core::SyscallId(0));

  ui::handle_key(st, 's', ranked, 5);
  CHECK(st.sort == core::SortKey::Avg);
  ui::handle_key(st, 's', ranked, 5);
  CHECK(st.sort == core::SortKey::Time);
  ui::handle_key(st, 's', ranked, 5);
  CHECK(st.sort == core::SortKey::OffCpu);
  ui::handle_key(st, 's', ranked, 5);
  CHECK(st.sort == core::SortKey::Rate);

  ui::handle_key(st, 'z', ranked, 5);
  CHECK(st.window == core::WindowSpan::Last60s);

  st.refresh_s = 1;
  CHECK(ui::handle_key(st, '+', ranked, 5) == ui::Command::Refresh);
  CHECK(st.refresh_s == 0.5);
  for (int i = 0; i < 5; ++i) ui::handle_key(st, '+', ranked, 5);
  CHECK(st.refresh_s == 0.1);
  for (int i = 0; i < 9; ++i) ui::handle_key(st, '-', ranked, 5);
  CHECK(st.refresh_s == 5);

  ui::handle_key(st, ' ', ranked, 5);
  CHECK(st.paused);

  CHECK(ui::handle_key(st, 'p', ranked, 5) == ui::Command::Redraw);
  CHECK(st.prompt == ui::Prompt::Pid);
  ui::handle_key(st, '1', ranked, 5);
  ui::handle_key(st, 'q', ranked, 5);  // typed, not quit
  ui::handle_key(st, ui::kKeyBackspace, ranked, 5);
  ui::handle_key(st, '2', ranked, 5);
  CHECK(st.input == "12");
  CHECK(ui::handle_key(st, ui::kKeyEnter, ranked, 5) == ui::Command::SubmitPid);
  CHECK(st.prompt == ui::Prompt::None);
  ui::handle_key(st, 't', ranked, 5);
  ui::handle_key(st, ui::kKeyEscape, ranked, 5);
  CHECK(st.prompt == ui::Prompt::None);

  CHECK(ui::handle_key(st, '?', ranked, 5) == ui::Command::Redraw);
  CHECK(st.help);
  CHECK(ui::handle_key(st, 'x', ranked, 5) == ui::Command::Redraw);
  CHECK(!st.help);
  CHECK(ui::handle_key(st, 'q', ranked, 5) == ui::Command::Quit);
}

TEST_CASE("dashboard view: a wide histogram goes in two columns, both whole at 80 columns") {
  core::Sample s;
  s.start_ns = 0;
  s.end_ns = kSec;
  core::SyscallStats st;
  for (int i = 0; i < 14; ++i) {  // 1 us .. 8 ms: 14 log2 buckets, count 100+i each
    const uint64_t ns = 1024ull << i;
    st.hist.counts[hist_bucket(ns)] += 100 + i;
    st.calls += 100 + i;
    st.timed += 100 + i;
    st.total_ns += (100 + i) * ns;
  }
  st.max_ns = 1024ull << 13;
  s.syscalls[7] = st;  // poll
  core::ReportOptions ro;
  ro.kind = core::ReportKind::Lat;
  ro.top = 0;
  ro.timed = true;
  ui::DashboardData d;
  d.report = core::build_report(s, ro, "");
  const std::string text = ui::plain_text(ui::render_screen(d, ui::UiState{}, 80, 24));
  INFO(text);
  // 24 rows leave 5 histogram lines: 10 buckets in two columns, the densest run.
  int counts = 0;
  for (int i = 0; i < 14; ++i) counts += text.find("|       " + std::to_string(100 + i) + " ") != std::string::npos ||
                                          text.find("|       " + std::to_string(100 + i) + "\n") != std::string::npos;
  CHECK(counts == 10);
}

TEST_CASE("dashboard view: K puts the selected syscall's kernel functions where the histogram was") {
  ui::UiState st;
  ui::DashboardData d = data(core::SortKey::Rate);
  const std::vector<core::SyscallId> ranked = {0, 202};
  CHECK(ui::handle_key(st, 'K', ranked, 10) == ui::Command::KernelView);
  CHECK(st.kernel_view);

  // The kernel's refusal, in the panel, as an alert.
  d.kernel_for = "read";
  d.kernel_status = "this kernel allows no kernel function probes: no kprobes";
  d.kernel_failed = true;
  std::string screen = ui::plain_text(ui::render_screen(d, st, 80, 24));
  CHECK(screen.find("KERNEL FUNCTIONS IN read") != std::string::npos);
  CHECK(screen.find("  this kernel allows no kernel function probes") != std::string::npos);
  CHECK(screen.find(" distribution") == std::string::npos);  // no histogram now

  // A call tree: vfs_read from the syscall, filemap_read under it, and the rest.
  d.kernel_status.clear();
  d.kernel_failed = false;
  core::SyscallBreakdown b;
  b.syscall = "read";
  b.total = {1000, 10'000'000};
  b.functions = {{"vfs_read", {1000, 8'000'000, 2'000'000}}, {"filemap_read", {1000, 6'000'000, 6'000'000}}};
  b.tree = {{0, "vfs_read", "", {1000, 8'000'000, 2'000'000}}, {1, "filemap_read", "vfs_read", {1000, 6'000'000, 6'000'000}}};
  d.kernel = b;
  const auto ls = lines(ui::render_screen(d, st, 80, 24));
  REQUIRE(ls.size() == 24);
  const auto at = [&](const std::string& start) {
    for (const auto& l : ls)
      if (l.rfind(start, 0) == 0) return l;
    return std::string();
  };
  CHECK(at("  vfs_read ").find("8.00ms   80.0% ") != std::string::npos);
  CHECK(at("    > filemap_read ").find("6.00ms   60.0% ") != std::string::npos);
  CHECK(at("  (in no traced function) ").find("2.00ms   20.0% ") != std::string::npos);
  for (const auto& l : ls) CHECK(l.size() <= 80);

  CHECK(ui::handle_key(st, 'K', ranked, 10) == ui::Command::KernelView);
  CHECK_FALSE(st.kernel_view);
  CHECK(ui::plain_text(ui::render_screen(d, st, 80, 24)).find("KERNEL FUNCTIONS") == std::string::npos);
}

TEST_CASE("dashboard view: a syscall with an anomaly going on is marked, and the anomaly is an event in the slow panel",
          "[anomaly]") {
  ui::DashboardData d = data(core::SortKey::Rate);
  d.anomalous.insert(core::SyscallId(202));  // futex
  ui::SlowLine anomaly;
  anomaly.time_ns = 0;
  anomaly.call = "futex calls/s 0 -> 50000 (+61.6 robust units)";
  anomaly.anomaly = true;
  d.slow.insert(d.slow.begin(), anomaly);
  ui::UiState st;
  st.selected = core::SyscallId(0);  // read: the marked row is not the selected one
  const auto ls = lines(ui::render_screen(d, st, 100, 30));
  bool futex_marked = false, read_selected = false, event = false;
  for (const auto& l : ls) {
    if (l.rfind("!futex ", 0) == 0) futex_marked = true;
    if (l.rfind(">read ", 0) == 0) read_selected = true;
    if (l.find("ANOMALY") != std::string::npos && l.find("futex calls/s 0 -> 50000 (+61.6 robust units)") != std::string::npos)
      event = true;
    CHECK(l.rfind("!read", 0) == std::string::npos);
  }
  INFO(ui::plain_text(ui::render_screen(d, st, 100, 30)));
  CHECK(futex_marked);
  CHECK(read_selected);
  CHECK(event);
}
