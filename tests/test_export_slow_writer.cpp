// sysslow's renderers and where a slow call's time went: text, CSV and
// NDJSON of an event with and without a split (the ptrace backend has none).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "export/slow_writer.h"

using namespace syslat::core;
using syslat::exporter::Format;
using nlohmann::json;

namespace {

SlowRecord sleep_record(bool with_split) {
  SlowRecord r;
  r.event.time_ns = 1'795'316'775'500'000'000;
  r.event.pid = r.event.tid = 42;
  r.event.comm = "sleeper";
  r.event.id = SyscallId(35);  // nanosleep
  r.event.duration_ns = 20'100'000;
  if (with_split) r.event.split = TimeSplit{0, 0, 20'090'000, 1, 1};
  r.call = "nanosleep(0x7ffd0000, NULL)";
  r.result = "= 0";
  return r;
}

std::string render(Format format, const SlowRecord& r) {
  std::ostringstream out;
  auto writer = syslat::exporter::make_slow_writer(out, format);
  writer->event(r);
  return out.str();
}

std::vector<std::string> csv_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The cells of a CSV line without quoted commas.
std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) out.push_back(cell);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

size_t column(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  FAIL("no column " << name);
  return 0;
}

}  // namespace

TEST_CASE("sysslow CSV: the split's columns follow duration_ns, empty for an event without a split",
          "[export][csv][slow]") {
  SlowRecord plain = sleep_record(false);
  plain.call = "nanosleep(0x7ffd0000 NULL)";  // no quoted comma: cells split simply
  SlowRecord split = sleep_record(true);
  split.call = plain.call;
  const auto with = csv_lines(render(Format::Csv, split));
  const auto without = csv_lines(render(Format::Csv, plain));
  REQUIRE(with.size() == 2);
  REQUIRE(without.size() == 2);
  CHECK(with[0] == without[0]);
  const auto header = cells(with[0]);
  const size_t d = column(header, "duration_ns");
  REQUIRE(header.size() > d + 5);
  CHECK(header[d + 1] == "oncpu_ns");
  CHECK(header[d + 2] == "runq_ns");
  CHECK(header[d + 3] == "iowait_ns");
  CHECK(header[d + 4] == "sleep_ns");
  CHECK(header[d + 5] == "switches");
  CHECK(header[d + 6] == "arg0");

  const auto a = cells(with[1]);
  INFO(with[1]);
  REQUIRE(a.size() == header.size());
  CHECK(a[d] == "20100000");
  CHECK(a[d + 1] == "10000");
  CHECK(a[d + 2] == "0");
  CHECK(a[d + 3] == "0");
  CHECK(a[d + 4] == "20090000");
  CHECK(a[d + 5] == "1");

  const auto b = cells(without[1]);
  INFO(without[1]);
  REQUIRE(b.size() == header.size());
  CHECK(b[d] == "20100000");
  for (size_t i = d + 1; i <= d + 5; ++i) CHECK(b[i].empty());
  CHECK(b[d + 6] == "0x0");  // arg0 in its own column still
}

TEST_CASE("sysslow JSON: the split's parts add up to duration_ns, and none without a split", "[export][json][slow]") {
  const json with = json::parse(syslat::exporter::call_json(sleep_record(true), "slow"));
  CHECK(with["duration_ns"] == 20'100'000);
  CHECK(with["oncpu_ns"] == 10'000);
  CHECK(with["runq_ns"] == 0);
  CHECK(with["iowait_ns"] == 0);
  CHECK(with["sleep_ns"] == 20'090'000);
  CHECK(with["switches"] == 1);
  CHECK(with["oncpu_ns"].get<uint64_t>() + with["runq_ns"].get<uint64_t>() + with["iowait_ns"].get<uint64_t>() +
            with["sleep_ns"].get<uint64_t>() ==
        with["duration_ns"].get<uint64_t>());
  CHECK_FALSE(with.contains("kstack_state"));  // no kernel stack asked for

  const json without = json::parse(syslat::exporter::call_json(sleep_record(false), "slow"));
  for (const char* k : {"oncpu_ns", "runq_ns", "iowait_ns", "sleep_ns", "switches", "kstack_state", "kstack_off_ns"})
    CHECK_FALSE(without.contains(k));
}

TEST_CASE("sysslow JSON: a kernel stack comes with the state and length of the block it is of", "[export][json][slow]") {
  SlowRecord r = sleep_record(true);
  r.event.split = TimeSplit{100'000, 44'700'000, 0, 1, 3};
  r.event.duration_ns = 45'200'000;
  r.event.kernel_stack = {0xffffffff81000000};
  r.event.kernel_stack_block = {{OffState::IoWait, 40'100'000}};
  r.kernel_stack = {"__schedule+0x628", "io_schedule+0x46"};
  const json j = json::parse(syslat::exporter::call_json(r, "slow"));
  CHECK(j["kstack"] == json({"__schedule+0x628", "io_schedule+0x46"}));
  CHECK(j["kstack_state"] == "iowait");
  CHECK(j["kstack_off_ns"] == 40'100'000);
  CHECK(j["oncpu_ns"] == 400'000);
}

TEST_CASE("sysslow text: the duration's split on the first line, the kernel stack's block before its frames",
          "[export][text][slow]") {
  SlowRecord r = sleep_record(true);
  r.event.kernel_stack_block = {{OffState::Sleep, 20'090'000}};
  r.kernel_stack = {"__schedule+0x628", "do_nanosleep+0x5e"};
  const std::string text = render(Format::Text, r);
  INFO(text);
  CHECK(text.find("nanosleep() took 20.1ms: on-CPU 10.0us, sleep 20.1ms (switched out 1 time)  = 0\n") !=
        std::string::npos);
  CHECK(text.find("  kstack (sleep 20.1ms): __schedule+0x628 <- do_nanosleep+0x5e\n") != std::string::npos);

  SlowRecord plain = sleep_record(false);
  plain.kernel_stack = {"__schedule+0x628"};
  const std::string no_split = render(Format::Text, plain);
  INFO(no_split);
  CHECK(no_split.find("nanosleep() took 20.1ms  = 0\n") != std::string::npos);
  CHECK(no_split.find("  kstack: __schedule+0x628\n") != std::string::npos);
}
