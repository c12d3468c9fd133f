// The Prometheus text renderer and the cumulative model behind it.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <set>
#include <sstream>
#include <string>

#include "core/cumulative.h"
#include "core/histogram.h"
#include "core/syscall_table.h"
#include "export/prometheus.h"

using namespace syslat;

namespace {

const auto kAlive = [](uint32_t) { return true; };

// The value of the line that starts with `series` followed by a space, or -1.
double value_of(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  return -1;
}

core::Sample poll_with(const std::string& name, uint64_t calls, uint64_t errors, std::initializer_list<uint64_t> durations_ns) {
  core::Sample s;
  auto& st = s.syscalls[*core::syscall_number(name)];
  st.calls = calls;
  st.errors = errors;
  for (uint64_t ns : durations_ns) {
    st.hist.counts[hist_bucket(ns)]++;
    st.timed++;
    st.total_ns += ns;
  }
  return s;
}

exporter::PrometheusMeta meta(bool per_process = false) {
  exporter::PrometheusMeta m;
  m.version = "0.1.0";
  m.kernel = "6.1.0-test";
  m.bpf_attached = true;
  m.per_process = per_process;
  m.states = true;
  m.bucket_bounds_ns = exporter::default_bucket_bounds_ns();
  return m;
}

}  // namespace

TEST_CASE("prometheus: every family has HELP and TYPE lines before its samples") {
  core::CumulativeStats stats(10);
  stats.add(poll_with("read", 3, 1, {1500, 3000, 5'000'000}), kAlive);
  const std::string text = exporter::render_prometheus(stats, meta());
  for (const auto& [name, type] : {std::pair{"syscall_total", "counter"}, {"syscall_errors_total", "counter"},
                                   {"syscall_slow_total", "counter"}, {"syscall_duration_seconds", "histogram"},
                                   {"syscall_state_seconds_total", "counter"},
                                   {"syslat_events_lost_total", "counter"}, {"syslat_bpf_attached", "gauge"},
                                   {"syslat_target_present", "gauge"}, {"syslat_build_info", "gauge"}}) {
    const std::string type_line = std::string("# TYPE ") + name + " " + type + "\n";
    const auto help = text.find(std::string("# HELP ") + name + " ");
    const auto typ = text.find(type_line);
    INFO(name);
    REQUIRE(help != std::string::npos);
    REQUIRE(typ != std::string::npos);
    CHECK(help < typ);
    CHECK(text.find(std::string("\n") + name, typ + type_line.size() - 1) == typ + type_line.size() - 1);
  }
  CHECK(value_of(text, R"(syscall_total{syscall="read"})") == 3);
  CHECK(value_of(text, R"(syscall_errors_total{syscall="read"})") == 1);
  CHECK(value_of(text, R"(syslat_bpf_attached)") == 1);
  CHECK(value_of(text, R"(syslat_target_present)") == 1);  // no -c/--unit: nothing is missing
  CHECK(value_of(text, R"(syslat_build_info{version="0.1.0",kernel="6.1.0-test",backend="bpf"})") == 1);
  CHECK(value_of(text, R"(syslat_events_lost_total{reason="ring_buffer"})") == 0);
  CHECK(text.back() == '\n');
}

TEST_CASE("prometheus: syslat_target_present is 0 while the -c/--unit cgroup is gone") {
  core::CumulativeStats stats(10);
  exporter::PrometheusMeta m = meta();
  m.target_present = false;
  CHECK(value_of(exporter::render_prometheus(stats, m), "syslat_target_present") == 0);
}

TEST_CASE("prometheus: histogram buckets are cumulative at exact bounds and +Inf equals _count") {
  core::CumulativeStats stats(10);
  // 1023 ns is below the first bound (1.024us); 1024 ns is the first of the
  // next bucket; 2 ms lands under le=2^21 ns (2.097152 ms); 10 s under none.
  stats.add(poll_with("read", 5, 0, {1023, 1024, 2'000'000, 2'000'000, 10'000'000'000}), kAlive);
  stats.add(poll_with("read", 1, 0, {3000}), kAlive);  // polls add up
  const std::string text = exporter::render_prometheus(stats, meta());
  const auto bucket = [&](const std::string& le) {
    return value_of(text, R"(syscall_duration_seconds_bucket{syscall="read",le=")" + le + R"("})");
  };
  CHECK(bucket("1.024e-06") == 1);
  CHECK(bucket("2.048e-06") == 2);
  CHECK(bucket("4.096e-06") == 3);
  CHECK(bucket("0.001048576") == 3);
  CHECK(bucket("0.002097152") == 5);
  CHECK(bucket("4.294967296") == 5);
  CHECK(bucket("+Inf") == 6);
  CHECK(value_of(text, R"(syscall_duration_seconds_count{syscall="read"})") == 6);
  CHECK(value_of(text, R"(syscall_duration_seconds_sum{syscall="read"})") == Approx(10.004005047));
  CHECK(value_of(text, R"(syscall_total{syscall="read"})") == 6);
  // Never decreasing along le.
  double last = 0;
  for (uint64_t ns : exporter::default_bucket_bounds_ns()) {
    const double v = value_of(text, R"(syscall_duration_seconds_bucket{syscall="read",le=")" +
                                        fmt::format("{}", ns / 1e9) + R"("})");
    CHECK(v >= last);
    last = v;
  }
}

TEST_CASE("prometheus: label values escape backslash and quote, and spell out every other byte as text") {
  CHECK(exporter::escape_label_value(R"(a\b"c)") == R"(a\\b\"c)");
  // A value may hold no other escape: a control byte becomes the text \33 (\\33 written out).
  CHECK(exporter::escape_label_value("\x1b]0;x\a") == R"(\\33]0;x\\7)");
  CHECK(exporter::escape_label_value("two\nlines") == R"(two\\nlines)");
  // Only ASCII comes out: always valid UTF-8, and no C1 control as U+009B.
  CHECK(exporter::escape_label_value("caf\xC3\xA9") == R"(caf\\303\\251)");
  CHECK(exporter::escape_label_value("\xC2\x9B") == R"(\\302\\233)");
  CHECK(exporter::escape_label_value("bad\xFFx") == R"(bad\\377x)");

  core::CumulativeStats stats(10);
  core::Sample s;
  auto& p = s.processes[42];
  p.pid = 42;
  p.comm = "we\"ird\\na\nme";
  p.syscalls[*core::syscall_number("getppid")].calls = 7;
  stats.add(s, kAlive);
  const std::string text = exporter::render_prometheus(stats, meta(true));
  CHECK(value_of(text, R"(syscall_total{syscall="getppid",pid="42",comm="we\"ird\\na\\nme"})") == 7);
}

TEST_CASE("prometheus: pids beyond --max-processes fold into pid=other, exited ones give up their place") {
  core::CumulativeStats stats(2);
  const int getppid = *core::syscall_number("getppid");
  auto poll = [&](std::initializer_list<uint32_t> pids) {
    core::Sample s;
    for (uint32_t pid : pids) {
      auto& p = s.processes[pid];
      p.pid = pid;
      p.comm = "p" + std::to_string(pid);
      p.syscalls[getppid].calls = 10;
      p.syscalls[getppid].errors = 1;
    }
    return s;
  };
  std::set<uint32_t> dead;
  const auto alive = [&](uint32_t pid) { return !dead.count(pid); };
  stats.add(poll({1, 2, 3}), alive);  // 3 does not fit
  CHECK(stats.processes().size() == 2);
  CHECK(stats.other_processes().at(getppid).calls == 10);
  stats.add(poll({1, 4}), alive);  // still full: 4 is other
  CHECK(stats.other_processes().at(getppid).calls == 20);
  dead.insert(2);
  stats.add(poll({5}), alive);  // 2 exited: its 10 calls move to other, 5 gets its place
  CHECK(stats.processes().count(2) == 0);
  CHECK(stats.processes().at(5).syscalls.at(getppid).calls == 10);
  CHECK(stats.other_processes().at(getppid).calls == 30);
  CHECK(stats.other_processes().at(getppid).errors == 3);

  const std::string text = exporter::render_prometheus(stats, meta(true));
  CHECK(value_of(text, R"(syscall_total{syscall="getppid",pid="other"})") == 30);
  CHECK(value_of(text, R"(syscall_errors_total{syscall="getppid",pid="other"})") == 3);
  CHECK(value_of(text, R"(syscall_total{syscall="getppid",pid="1",comm="p1"})") == 20);
  CHECK(value_of(text, R"(syscall_total{syscall="getppid",pid="5",comm="p5"})") == 10);
  CHECK(text.find(R"(pid="2")") == std::string::npos);
  // Without -P the same model renders system-wide series only.
  CHECK(exporter::render_prometheus(stats, meta(false)).find("pid=") == std::string::npos);
}

TEST_CASE("prometheus: i386 calls carry abi=i386 and never share the native series") {
  core::CumulativeStats stats(10);
  core::Sample s;
  s.syscalls[core::SyscallId(core::Abi::Native, 0)].calls = 5;  // x86_64 read
  s.syscalls[core::SyscallId(core::Abi::I386, 3)].calls = 2;    // i386 read
  s.syscalls[core::SyscallId(core::Abi::Native, 999)].calls = 1;
  stats.add(s, kAlive);
  const std::string text = exporter::render_prometheus(stats, meta());
  CHECK(value_of(text, R"(syscall_total{syscall="read"})") == 5);
  CHECK(value_of(text, R"(syscall_total{syscall="read",abi="i386"})") == 2);
  CHECK(value_of(text, R"(syscall_total{syscall="[unknown: 999]"})") == 1);
}

TEST_CASE("prometheus: slow calls are counted per syscall, zero for syscalls never slow") {
  core::CumulativeStats stats(10);
  stats.add(poll_with("read", 3, 0, {}), kAlive);
  auto futex = poll_with("futex", 3, 0, {});
  futex.syscalls.begin()->second.slow = 2;
  stats.add(futex, kAlive);
  futex.syscalls.begin()->second.slow = 1;
  stats.add(futex, kAlive);
  const std::string text = exporter::render_prometheus(stats, meta());
  CHECK(value_of(text, R"(syscall_slow_total{syscall="futex"})") == 3);
  CHECK(value_of(text, R"(syscall_slow_total{syscall="read"})") == 0);
}

TEST_CASE("prometheus: syscall_state_seconds_total splits each duration sum into four states that add up to it") {
  core::CumulativeStats stats(10);
  // read: 3 calls, 5.0045 ms; 1 ms runnable, 3 ms asleep on I/O, 1 ms asleep.
  auto read = poll_with("read", 3, 0, {1500, 3000, 5'000'000});
  read.syscalls.begin()->second.split = {1'000'000, 3'000'000, 1'000'000, 1, 4};
  stats.add(read, kAlive);
  // Polls add up: a second one of 2 ms, all of it asleep but 123 ns.
  auto more = poll_with("read", 1, 0, {2'000'000});
  more.syscalls.begin()->second.split = {0, 0, 1'999'877, 1, 1};
  stats.add(more, kAlive);
  stats.add(poll_with("getpid", 5, 0, {}), kAlive);  // untimed: no duration, no states
  core::Sample i386;
  auto& r32 = i386.syscalls[core::SyscallId(core::Abi::I386, 3)];  // i386 read: 1 call, all on CPU
  r32.calls = r32.timed = 1;
  r32.total_ns = 700;
  r32.hist.counts[hist_bucket(700)] = 1;
  stats.add(i386, kAlive);

  for (const bool per_process : {false, true}) {
    const std::string text = exporter::render_prometheus(stats, meta(per_process));
    INFO(text);
    const auto state = [&](const std::string& labels, const char* st) {
      return value_of(text, "syscall_state_seconds_total{" + labels + ",state=\"" + st + "\"}");
    };
    const std::string read_labels = R"(syscall="read")";
    CHECK(state(read_labels, "runq") == Approx(0.001));
    CHECK(state(read_labels, "iowait") == Approx(0.003));
    CHECK(state(read_labels, "sleep") == Approx(0.002999877));
    CHECK(state(read_labels, "oncpu") == Approx(0.000004623));  // 7.0045 ms less 6.999877 ms off the CPU
    const double sum = value_of(text, R"(syscall_duration_seconds_sum{syscall="read"})");
    CHECK(sum == Approx(0.0070045));
    CHECK(state(read_labels, "oncpu") + state(read_labels, "runq") + state(read_labels, "iowait") +
              state(read_labels, "sleep") == Approx(sum).epsilon(1e-12));
    // i386 calls their own series, as in every syscall family; -P adds no
    // pid/comm (as the histogram: per syscall only).
    CHECK(state(R"(syscall="read",abi="i386")", "oncpu") == Approx(0.0000007));
    CHECK(state(R"(syscall="read",abi="i386")", "sleep") == 0);
    CHECK(text.find(R"(syscall_state_seconds_total{syscall="getpid")") == std::string::npos);
    size_t series = 0;
    for (size_t at = 0; (at = text.find("\nsyscall_state_seconds_total{", at)) != std::string::npos; ++at) ++series;
    CHECK(series == 8);  // 4 states x (read, i386 read)
    CHECK(text.find("state=\"oncpu\",pid") == std::string::npos);
    CHECK(text.find("syscall_state_seconds_total{syscall=\"read\",pid") == std::string::npos);
  }
  // A source that does not split states (meta.states false): no family at all.
  exporter::PrometheusMeta unsplit = meta();
  unsplit.states = false;
  CHECK(exporter::render_prometheus(stats, unsplit).find("syscall_state_seconds_total") == std::string::npos);
}

TEST_CASE("histogram: bounds between kernel buckets round down to a boundary, where counts are exact") {
  CHECK(core::bucket_bound_at_or_below(1024) == 1024);
  CHECK(core::bucket_bound_at_or_below(uint64_t{1} << 32) == uint64_t{1} << 32);
  // 3 ms: 2^21 + k * 2^21/8 boundaries; 3'000'000 lies in [2'883'584, 3'145'728).
  CHECK(core::bucket_bound_at_or_below(3'000'000) == 2'883'584);
  CHECK(core::bucket_bound_at_or_below(5) == 5);  // exact below HIST_SUB ns
  CHECK(core::bucket_bound_at_or_below(UINT64_MAX) == hist_bucket_lo(HIST_OVERFLOW));

  core::Histogram h;
  h.counts[hist_bucket(2'900'000)] = 4;  // [2'883'584, 3'145'728): above the 2'883'584 bound
  h.counts[hist_bucket(2'800'000)] = 1;
  const uint64_t bounds[] = {2'883'584, 3'145'728};
  CHECK(core::cumulative_counts(h, bounds) == std::vector<uint64_t>{1, 5});
}

TEST_CASE("prometheus: anomaly score and counter per syscall seen, 0 until judged", "[anomaly]") {
  core::CumulativeStats stats(10);
  stats.add(poll_with("read", 3, 0, {1500}), kAlive);
  stats.add(poll_with("futex", 50000, 0, {}), kAlive);
  exporter::AnomalyMetrics anomalies;
  const core::SyscallId futex = *core::syscall_number("futex");
  anomalies.scores[futex] = 61.64;
  anomalies.started[{futex, core::AnomalyKind::Rate}] = 2;
  const std::string text = exporter::render_prometheus(stats, meta(), &anomalies);
  CHECK(text.find("# TYPE syscall_anomaly_score gauge\n") != std::string::npos);
  CHECK(text.find("# TYPE syscall_anomalies_total counter\n") != std::string::npos);
  CHECK(value_of(text, R"(syscall_anomaly_score{syscall="futex"})") == Approx(61.64));
  CHECK(value_of(text, R"(syscall_anomaly_score{syscall="read"})") == 0);
  CHECK(value_of(text, R"(syscall_anomalies_total{syscall="futex",what="rate"})") == 2);
  CHECK(value_of(text, R"(syscall_anomalies_total{syscall="futex",what="p99"})") == 0);
  CHECK(value_of(text, R"(syscall_anomalies_total{syscall="read",what="p50"})") == 0);
  // Without a detector (--anomaly-score off) neither family is served.
  CHECK(exporter::render_prometheus(stats, meta()).find("syscall_anomaly") == std::string::npos);
}
