// -P end to end: --max-processes is a number of processes, a kernel table
// that fills counts what it refuses and says so, and a process is named as
// the kernel names it, whatever bytes its name holds.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "test_support.h"

namespace {

const std::string kSyscount = slt::syscount_bin();

// Calls refused by a full per-process table, over every report.
uint64_t refused(const slt::JsonRun& r) {
  uint64_t n = 0;
  for (const auto& report : r.reports) n += report.at("lost_detail").at("proc_map_full").get<uint64_t>();
  return n;
}

// The -P rows of every process added up, as one table.
slt::Table summed_rows(const slt::JsonRun& r) {
  slt::Table sum;
  for (const auto& [pid, p] : slt::sum_processes(r.reports)) {
    for (const auto& [name, c] : p.syscalls) {
      sum[name].count += c.count;
      sum[name].errors += c.errors;
    }
  }
  return sum;
}

uint64_t total_calls(const slt::Table& t) {
  uint64_t n = 0;
  for (const auto& [name, c] : t) n += c.count;
  return n;
}

}  // namespace

TEST_CASE("syscount -P --max-processes N keeps N processes, not N (process, syscall) pairs", "[privileged]") {
  // Two processes: the parent makes some twenty different syscalls.
  const auto r = slt::run_json(kSyscount, {"-P", "--max-processes", "2"}, {slt::workload("wl_forks"), "1"});
  INFO(r.describe());
  REQUIRE(r.run.status == 0);
  CHECK(refused(r) == 0);
  CHECK(slt::sum_processes(r.reports).size() == 2);
  const std::string diff = slt::compare_tables(summed_rows(r), r.table, "sum of -P rows", "syscalls");
  INFO(diff);
  CHECK(diff.empty());
}

TEST_CASE("syscount -P: calls that find the kernel's table full are counted and shown as lost", "[privileged]") {
  // Room for one process of 32 syscalls; 41 processes make over 80 pairs.
  const std::vector<std::string> forks = {slt::workload("wl_forks"), "40"};
  const auto r = slt::run_json(kSyscount, {"-P", "--max-processes", "1"}, forks);
  INFO(r.describe());
  REQUIRE(r.run.status == 0);
  CHECK(refused(r) > 0);
  CHECK(total_calls(summed_rows(r)) + refused(r) == total_calls(r.table));
  for (const auto& report : r.reports) CHECK(report.at("lost") >= report.at("lost_detail").at("proc_map_full"));

  std::vector<std::string> text = {kSyscount, "-P", "--max-processes", "1", "--"};
  text.insert(text.end(), forks.begin(), forks.end());
  const auto shown = slt::run(text);
  INFO(shown.out << shown.err);
  REQUIRE(shown.status == 0);
  CHECK(shown.out.find(" missing from per-process rows (map full; raise --max-processes)") != std::string::npos);
}

TEST_CASE("syscount -P names a process as the kernel does, newlines in its name included", "[privileged]") {
  slt::TempDir dir;
  const std::string name = "nl\nsleep\n";  // its comm: the file's name
  const std::string copy = slt::copy_executable(slt::workload("wl_sleep"), dir.file(name));
  // Alive at the first report (1 s), whose rows name it from /proc; the
  // last one names it from the kernel's copy, once it is gone.
  const std::vector<std::string> command = {copy, "1", "1500000000"};
  for (const std::vector<std::string>& backend : {std::vector<std::string>{}, {"--backend", "ptrace"}}) {
    std::vector<std::string> options = {"-P", "-i", "1"};
    options.insert(options.end(), backend.begin(), backend.end());
    const auto r = slt::run_json(kSyscount, options, command);
    INFO(r.describe());
    REQUIRE(r.run.status == 0);
    size_t rows = 0;
    for (const auto& report : r.reports) {
      for (const auto& process : report.value("processes", nlohmann::json::array())) {
        CHECK(process.at("comm") == name);
        ++rows;
      }
    }
    CHECK(rows >= 2);
  }
  std::vector<std::string> text = {kSyscount, "-P", "--"};
  text.insert(text.end(), command.begin(), command.end());
  const auto shown = slt::run(text);
  INFO(shown.out << shown.err);
  REQUIRE(shown.status == 0);
  CHECK(shown.out.find("nl\\nsleep\\n") != std::string::npos);  // escaped in text, as strace would
}
