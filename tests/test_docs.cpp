// The documents name tests as evidence: the names must be real test cases,
// or a renamed test leaves a claim without its check.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace {

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every TEST_CASE name in tests/*.cpp.
std::set<std::string> test_case_names() {
  std::set<std::string> names;
  const std::regex test_case(R"re(TEST_CASE\(\s*"((?:[^"\\]|\\.)*)")re");
  for (const auto& entry : std::filesystem::directory_iterator(std::string(SYSLAT_SOURCE_DIR) + "/tests")) {
    if (entry.path().extension() != ".cpp") continue;
    const std::string text = slurp(entry.path());
    for (auto it = std::sregex_iterator(text.begin(), text.end(), test_case); it != std::sregex_iterator(); ++it)
      names.insert(std::regex_replace((*it)[1].str(), std::regex(R"(\\(.))"), "$1"));
  }
  return names;
}

}  // namespace

TEST_CASE("docs/design.md: every test its invariant table names is a test case", "[docs]") {
  const std::string design = slurp(std::string(SYSLAT_SOURCE_DIR) + "/docs/design.md");
  const size_t from = design.find("### Invariants");
  const size_t to = design.find("\n## ", from);
  REQUIRE(from != std::string::npos);
  const std::string table = design.substr(from, to - from);
  const std::set<std::string> names = test_case_names();
  REQUIRE(names.size() > 100);
  int cited = 0;
  const std::regex row(R"(^\| .* \| (.*) \|$)");
  std::istringstream lines(table);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, row) || line.find("---") != std::string::npos || line.find("checked by") != std::string::npos)
      continue;
    const std::string evidence = m[1];
    const std::regex quoted("`([^`]+)`");
    for (auto it = std::sregex_iterator(evidence.begin(), evidence.end(), quoted); it != std::sregex_iterator(); ++it) {
      INFO("docs/design.md names a test that does not exist: " << (*it)[1]);
      CHECK(names.count((*it)[1]) == 1);
      ++cited;
    }
  }
  CHECK(cited >= 10);
}
