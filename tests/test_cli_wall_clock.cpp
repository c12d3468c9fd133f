// Wall-clock times in the JSON every tool writes: "time" is a call's end
// (the end of the interval for a report) and "start" its beginning, both on
// CLOCK_REALTIME as it is when the record is made, so that a clock step
// while a tool runs (NTP) does not leave its times wrong for the rest of
// the run. A workload brackets its slow reads with its own clock readings;
// the test opens the gate that ends each read.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <thread>

#include "test_support.h"

namespace {

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kStepNs = 3600LL * 1'000'000'000;  // the clock step the preloaded library makes

using slt::rfc3339_ns;

int64_t realtime_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// The workload's own clock readings around each read: "BEFORE AFTER" lines.
std::vector<std::pair<int64_t, int64_t>> brackets(const std::string& out) {
  std::vector<std::pair<int64_t, int64_t>> b;
  std::istringstream in(out);
  for (int64_t before, after; in >> before >> after;) b.emplace_back(before, after);
  return b;
}

// A record's time is the call's end and its start the call's beginning, as
// the workload's clock readings around the call place them (shifted by
// `shift_ns`): the text keeps ms, cut, not rounded; 20 ms allow for the
// workload being preempted around its call. The gated calls last 150 ms
// and more, so an end taken for a start (or the reverse) shows.
std::string outside(const nlohmann::json& record, std::pair<int64_t, int64_t> bracket, int64_t shift_ns = 0) {
  constexpr int64_t kSlack = 20 * kMs;
  const int64_t before = bracket.first + shift_ns, after = bracket.second + shift_ns;
  const int64_t end = rfc3339_ns(record.at("time").get<std::string>());
  std::ostringstream why;
  if (end < after - kSlack || end > after) why << "time " << (end - after) / 1e6 << " ms from the call's end; ";
  if (!record.contains("start")) return why.str() + "no start; ";
  const int64_t start = rfc3339_ns(record.at("start").get<std::string>());
  if (start < before - kMs || start > before + kSlack) why << "start " << (start - before) / 1e6 << " ms from the call's start; ";
  // duration_ns is the kernel's; start + duration is the end, to the ms.
  const int64_t duration = record.at("duration_ns").get<int64_t>();
  if (std::llabs(start + duration - end) > kMs) why << "start + duration_ns != time; ";
  return why.str();
}

// A gate the workload's reads wait on: each byte written ends one read.
class Gate {
 public:
  explicit Gate(const std::string& path) : path_(path) { REQUIRE(mkfifo(path.c_str(), 0600) == 0); }
  ~Gate() {
    if (fd_ >= 0) close(fd_);
  }
  void open_for_writing() {  // blocks until the workload opened it for reading
    fd_ = open(path_.c_str(), O_WRONLY);
    REQUIRE(fd_ >= 0);
  }
  void release() { REQUIRE(write(fd_, "x", 1) == 1); }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace

TEST_CASE("sysslow -j: time is a slow call's end, start its beginning, on the wall clock of the moment, across a clock step",
          "[privileged][clock]") {
  slt::TempDir dir;
  Gate gate(dir.file("gate"));
  // sysslow sees CLOCK_REALTIME step an hour ahead once dir/stepped exists.
  // It starts first (a call in flight at attach has no start time), and
  // finds the workload by its name.
  const std::string name = slt::unique_comm("wlclock");
  const std::string bin = slt::copy_executable(slt::workload("wl_wallclock"), dir.file(name));
  const std::string stepped = dir.file("stepped");
  slt::Background slow({"env", "LD_PRELOAD=" CLOCK_STEP_LIB, "CLOCK_STEP_FILE=" + stepped,
                        "CLOCK_STEP_NS=" + std::to_string(kStepNs), "ASAN_OPTIONS=verify_asan_link_order=0",
                        slt::sysslow_bin(), "--threshold", "100ms", "-S", "read", "-j", "-o", dir.file("slow.json"),
                        "-n", name});
  REQUIRE(slow.wait_for_stderr("Tracing slow syscalls"));
  slt::Background workload({bin, dir.file("gate"), "2"});
  gate.open_for_writing();
  sleep_ms(300);
  gate.release();  // the first read ends
  sleep_ms(300);
  { std::ofstream(stepped) << "now\n"; }
  sleep_ms(300);
  gate.release();  // the second, after the step
  const auto wl = workload.wait();
  REQUIRE(wl.status == 0);
  sleep_ms(200);  // the last event on its way
  slow.signal(SIGINT);
  const auto sysslow = slow.wait();
  INFO(sysslow.err);
  REQUIRE(sysslow.status == 0);
  const auto bracket = brackets(wl.out);
  REQUIRE(bracket.size() == 2);

  std::vector<nlohmann::json> reads;
  for (const auto& e : slt::read_ndjson(dir.file("slow.json")))
    if (e.at("type") == "slow" && e.at("syscall") == "read") reads.push_back(e);
  REQUIRE(reads.size() == 2);
  INFO(reads[0].dump() << "\n" << reads[1].dump() << "\nworkload: " << wl.out);
  CHECK(outside(reads[0], bracket[0]) == "");
  CHECK(outside(reads[1], bracket[1], kStepNs) == "");  // the clock as sysslow saw it when the call ended
}

TEST_CASE("systrace -j: time is each call's end, start its beginning", "[privileged][clock]") {
  slt::TempDir dir;
  Gate gate(dir.file("gate"));
  slt::Background trace({slt::systrace_bin(), "-j", "-o", dir.file("trace.json"), "--", slt::workload("wl_wallclock"),
                         dir.file("gate"), "1"});
  gate.open_for_writing();
  sleep_ms(200);
  gate.release();
  const auto r = trace.wait();
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto bracket = brackets(r.out);  // the workload's stdout
  REQUIRE(bracket.size() == 1);
  std::vector<nlohmann::json> reads;
  for (const auto& e : slt::read_ndjson(dir.file("trace.json")))  // the gated one, not ld.so's
    if (e.at("syscall") == "read" && e.at("duration_ns").get<int64_t>() >= 100 * kMs) reads.push_back(e);
  REQUIRE(reads.size() == 1);
  INFO(reads[0].dump() << "\nworkload: " << r.out);
  CHECK(reads[0].at("duration_ns").get<int64_t>() >= 150 * kMs);
  CHECK(outside(reads[0], bracket[0]) == "");
}

TEST_CASE("sysslow --backend ptrace -j: time is a slow call's end, start its beginning", "[privileged][clock]") {
  slt::TempDir dir;
  Gate gate(dir.file("gate"));
  slt::Background slow({slt::sysslow_bin(), "--backend", "ptrace", "--threshold", "100ms", "-S", "read", "-j", "-o",
                        dir.file("slow.json"), "--", slt::workload("wl_wallclock"), dir.file("gate"), "1"});
  gate.open_for_writing();
  sleep_ms(200);
  gate.release();
  const auto r = slow.wait();
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto bracket = brackets(r.out);  // the workload's stdout
  REQUIRE(bracket.size() == 1);
  std::vector<nlohmann::json> reads;
  for (const auto& e : slt::read_ndjson(dir.file("slow.json")))
    if (e.at("type") == "slow" && e.at("syscall") == "read") reads.push_back(e);
  REQUIRE(reads.size() == 1);
  INFO(reads[0].dump() << "\nworkload: " << r.out);
  CHECK(outside(reads[0], bracket[0]) == "");
}

TEST_CASE("syscount -j -i: time is each interval's end and start its beginning, intervals back to back",
          "[privileged][clock]") {
  const int64_t before = realtime_ns();
  const auto r = slt::run_json(slt::syscount_bin(), {"-i", "0.5"}, {slt::workload("wl_sleep"), "12", "100000000"});
  const int64_t after = realtime_ns();
  INFO(r.describe());
  REQUIRE(r.run.status == 0);
  REQUIRE(r.reports.size() >= 2);
  int64_t previous_end = 0;
  for (const auto& rep : r.reports) {
    INFO(rep.dump());
    const int64_t start = rfc3339_ns(rep.at("start").get<std::string>());
    const int64_t end = rfc3339_ns(rep.at("time").get<std::string>());
    CHECK(start >= before - kMs);
    CHECK(end <= after);
    CHECK(std::llabs(end - start - static_cast<int64_t>(rep.at("interval_s").get<double>() * 1e9)) <= 2 * kMs);
    if (previous_end) CHECK(std::llabs(start - previous_end) <= 2 * kMs);
    previous_end = end;
  }
}

TEST_CASE("CSV: a report's rows and a slow call's row carry start beside time", "[privileged][clock]") {
  slt::TempDir dir;
  const auto count = slt::run({slt::syscount_bin(), "--csv", "-o", dir.file("count.csv"), "--", slt::workload("wl_basic"),
                               "3", "1", "1"});
  REQUIRE(count.status == 0);
  CHECK(slt::read_file(dir.file("count.csv")).rfind("time,start,interval_s,", 0) == 0);
  const auto slow = slt::run({slt::sysslow_bin(), "--csv", "-o", dir.file("slow.csv"), "--threshold", "50ms", "--",
                              slt::workload("wl_sleep"), "1", "100000000"});
  REQUIRE(slow.status == 0);
  const std::string csv = slt::read_file(dir.file("slow.csv"));
  INFO(csv);
  REQUIRE(csv.rfind("time,start,pid,", 0) == 0);
  // The nanosleep's row: start is time less duration_ns (column 12), to the ms.
  std::istringstream lines(csv);
  std::string header, row;
  std::getline(lines, header);
  REQUIRE(std::getline(lines, row));
  std::vector<std::string> fields;
  std::istringstream cells(row);
  for (std::string cell; std::getline(cells, cell, ',');) fields.push_back(cell);
  REQUIRE(fields.size() > 12);
  CHECK(fields[6] == "nanosleep");
  const int64_t duration = std::stoll(fields[11]);
  CHECK(duration >= 100 * kMs);
  CHECK(std::llabs(rfc3339_ns(fields[0]) - duration - rfc3339_ns(fields[1])) <= kMs);
}
