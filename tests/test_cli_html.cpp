// --html FILE: the report of a real run, opened in headless Chromium with
// the network off (tests/html_check.py): the table's rows are the JSON
// report's syscalls with their calls, every chart is drawn, the flame graph
// holds the workload's functions, sorting works, nothing on the console.
// The screenshot is kept in the build directory (its path is printed).
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <fstream>
#include <regex>
#include <string>

#include "test_support.h"

namespace {

const std::string kSyslat = slt::syslat_bin();

void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

slt::RunResult check_page(const std::string& html, const std::string& json, const std::string& functions,
                          const std::string& screenshot) {
  return slt::run({slt::python3_bin(), std::string(SYSLAT_SOURCE_DIR) + "/tests/html_check.py", "--html", html,
                   "--json", json, "--functions", functions, "--screenshot", screenshot},
                  120);
}

}  // namespace

TEST_CASE("syslat --html: a self-contained report Chromium shows with the run's numbers", "[privileged]") {
  slt::TempDir dir;
  const std::string html = dir.file("report.html");
  const auto r = slt::run({kSyslat, "--stacks", "--html", html, "-j", "-o", dir.file("calls.folded"), "--",
                           slt::workload("wl_stacks"), "100"},
                          60);
  INFO(r.err);
  REQUIRE(r.status == 0);
  write_file(dir.file("report.json"), r.out);
  const std::string page = slt::read_file(html);
  // Self-contained: nothing fetched from anywhere.
  CHECK(page.find("src=") == std::string::npos);
  CHECK(page.find("href=") == std::string::npos);
  const auto checked = check_page(html, dir.file("report.json"), "read_one_file,serve",
                                  std::string(SYSLAT_BUILD_DIR) + "/tests/html-report.png");
  if (checked.status == 77) slt::skip("no Chromium");
  INFO(checked.out << checked.err);
  CHECK(checked.status == 0);
}

TEST_CASE("syscount --html: counts only, no latency charts, and what the traced process names is escaped",
          "[privileged]") {
  slt::TempDir dir;
  const std::string html = dir.file("report.html");
  // A comm with markup in it must reach the page as text.
  const std::string evil = dir.file("<b>x&y");
  REQUIRE(slt::run({"/bin/cp", "/bin/true", evil}).status == 0);
  const auto r = slt::run({slt::syscount_bin(), "--html", html, "-j", "--", evil}, 60);
  INFO(r.err);
  REQUIRE(r.status == 0);
  write_file(dir.file("report.json"), r.out);
  const std::string page = slt::read_file(html);
  CHECK(page.find("<b>x") == std::string::npos);
  CHECK(page.find("&lt;b&gt;x&amp;y") != std::string::npos);
  CHECK(page.find("class=\"syscall-charts\"") == std::string::npos);
  const auto checked = check_page(html, dir.file("report.json"), "", dir.file("shot.png"));
  if (checked.status == 77) slt::skip("no Chromium");
  INFO(checked.out << checked.err);
  CHECK(checked.status == 0);
}

TEST_CASE("sysslow --html: the slowest calls decoded, with their stacks, beside the whole run's table",
          "[privileged]") {
  slt::TempDir dir;
  const std::string html = dir.file("report.html");
  // wl_stacks_nofp's 200 reads of /proc/self/stat are all "slow" at 1ns.
  const auto r = slt::run({slt::sysslow_bin(), "--threshold", "1ns", "-S", "read", "--stack", "--html", html, "--",
                           slt::workload("wl_stacks_nofp"), "1"},
                          60);
  INFO(r.err);
  REQUIRE(r.status == 0);
  const std::string page = slt::read_file(html);
  size_t rows = 0;
  for (size_t at = 0; (at = page.find("<tr class=\"slow-call\">", at)) != std::string::npos; ++at) ++rows;
  CHECK(rows == 50);  // the 50 slowest of the ~200
  INFO(page.substr(page.find("<tr class=\"slow-call\">"), 1500));
  CHECK(std::regex_search(page, std::regex(R"(read\(\d+&lt;/proc/\d+/stat&gt;, 0x)")));  // decoded, escaped
  CHECK(page.find("read_one_file (wl_stacks.c:") != std::string::npos);  // unwound from .eh_frame
  CHECK(page.find("<tr data-syscall=\"read\">") != std::string::npos);
}

TEST_CASE("syslat --html: refused with one line where there is nothing to write it from", "[privileged]") {
  for (const auto& [argv, names] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{kSyslat, "--html", "/proc/version", "-d", "1"}, "--html"},
           {{kSyslat, "--html", "", "-d", "1"}, "--html"}}) {
    const auto rejected = slt::check_rejected(argv, names);
    INFO(rejected.describe());
    CHECK(rejected.problem.empty());
  }
}
