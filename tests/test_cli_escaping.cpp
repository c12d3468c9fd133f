// Untrusted bytes never reach a terminal raw. Any user can name a process or
// a file with escape sequences; wl_hostile renames itself to ESC, BEL and
// CSI (0x9b) sequences, blocks on a FIFO named likewise and runs from a copy
// whose file name holds them too. Every tool's output about it (text, CSV,
// JSON, the dashboard's frames, syslatd's metrics, and stderr) must hold no
// byte a terminal acts on, and show those bytes as strace escapes them.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "test_support.h"

namespace {

const std::string kName = "\x1b]0;pwned\a\x9b[2J";  // the workload's comm
const std::string kNameShown = "\\33]0;pwned\\7\\233[2J";
const std::string kFifoShown = "f" + kNameShown + "\\302\\233.fifo";  // its FIFO's file name

// What in `text` a terminal could act on: bytes below 0x20 but newline (and
// tab where `tab_ok`), DEL, and 0x80..0x9f (C1 controls, alone or inside a
// UTF-8 sequence: some terminals act on both). "" when there is none.
std::string terminal_controls(const std::string& text, bool tab_ok = false) {
  std::string found;
  size_t n = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const bool control = (c < 0x20 && c != '\n' && !(tab_ok && c == '\t')) || c == 0x7f || (c >= 0x80 && c <= 0x9f);
    if (control && n++ < 10) found += fmt::format("0x{:02x} at offset {}; ", c, i);
  }
  return n > 10 ? found + fmt::format("{} in all", n) : found;
}

// `text` safe to print in a failure message: bytes outside printable ASCII as <xx>.
std::string visible(const std::string& text) {
  std::string out;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    out += (c >= 0x20 && c < 0x7f) || c == '\n' ? std::string(1, ch) : fmt::format("<{:02x}>", c);
  }
  return out;
}

std::string describe(const std::vector<std::string>& argv, const slt::RunResult& r) {
  std::string line;
  for (const auto& a : argv) line += visible(a) + " ";
  return fmt::format("{}\nstatus {}\n--- stdout:\n{}--- stderr:\n{}", line, r.status, visible(r.out), visible(r.err));
}

// The workload run from DIR/"wl<kName>", copied without its DWARF: its
// frames name that file ("main+0x1c (DIR/wl...)"), not source lines.
std::string copy_without_dwarf(const std::string& from, const std::string& to) {
  REQUIRE(slt::run({"objcopy", "--strip-debug", from, to}).status == 0);
  return to;
}

struct Hostile {
  slt::TempDir dir;
  std::string bin = copy_without_dwarf(slt::workload("wl_hostile"), dir.file("wl" + kName));
  std::string bin_shown = dir.file("wl" + kNameShown);
  std::string fifo_shown = dir.file(kFifoShown);

  std::vector<std::string> command(int delay_ms, int repeat) const {
    return {bin, dir.path(), std::to_string(delay_ms), std::to_string(repeat)};
  }
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The "decoded" calls of NDJSON records, one a line (JSON-unescaped: the
// text the tool made).
std::string decoded_calls(const std::string& ndjson) {
  std::string out;
  for (const auto& line : lines_of(ndjson)) {
    const auto j = nlohmann::json::parse(line);
    if (j.contains("decoded")) out += j.at("decoded").get<std::string>() + "\n";
  }
  return out;
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// A loopback port nobody listens on (the kernel's choice, released again).
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

}  // namespace

TEST_CASE("syscount -P and syslat -P show a hostile process name escaped, in text and CSV", "[privileged][escaping]") {
  const Hostile h;
  for (const std::string& bin : {slt::syscount_bin(), slt::syslat_bin()}) {
    for (const std::vector<std::string>& format : {std::vector<std::string>{}, {"--csv"}}) {
      const auto argv = concat(concat(concat({bin, "-P"}, format), {"--"}), h.command(20, 2));
      const auto r = slt::run(argv, 60);
      INFO(describe(argv, r));
      REQUIRE(r.status == 0);
      CHECK(terminal_controls(r.out) == "");
      CHECK(terminal_controls(r.err) == "");
      CHECK(r.out.find(kNameShown) != std::string::npos);
    }
  }
}

TEST_CASE("sysslow --stack shows hostile names, paths, fds and stack files escaped, in text, CSV and JSON",
          "[privileged][escaping]") {
  const Hostile h;
  for (const std::vector<std::string>& format : {std::vector<std::string>{}, {"--csv"}, {"-j"}}) {
    const auto argv = concat(concat({slt::sysslow_bin(), "--stack", "--threshold", "30ms"}, format),
                             concat({"--"}, h.command(100, 2)));
    const auto r = slt::run(argv, 60);
    INFO(describe(argv, r));
    REQUIRE(r.status == 0);
    CHECK(terminal_controls(r.out) == "");
    CHECK(terminal_controls(r.err) == "");
    const bool json = !format.empty() && format[0] == "-j";
    const std::string calls = json ? decoded_calls(r.out) : r.out;
    const std::string quote = format.empty() || json ? "\"" : "\"\"";  // CSV doubles quotes
    CHECK(calls.find("openat(AT_FDCWD, " + quote + h.fifo_shown + quote + ", O_RDONLY)") != std::string::npos);
    CHECK(calls.find("<" + h.fifo_shown + ">") != std::string::npos);  // read's fd, resolved from /proc
    if (json) {  // JSON has the values themselves (JSON-escaped), CSI as invalid UTF-8 replaced
      for (const auto& line : lines_of(r.out)) {
        const auto j = nlohmann::json::parse(line);
        if (j.at("type") == "slow") CHECK(j.at("comm") == "\x1b]0;pwned\a\xef\xbf\xbd[2J");
      }
      continue;
    }
    CHECK(r.out.find(h.bin_shown) != std::string::npos);  // a stack frame's file
    if (format.empty()) CHECK(r.out.find("  COMM " + kNameShown + "\n") != std::string::npos);
    if (!format.empty()) CHECK(r.out.find("," + kNameShown + ",") != std::string::npos);
  }
}

TEST_CASE("systrace -y -f shows hostile paths and fds escaped, as strace does", "[privileged][escaping]") {
  const Hostile h;
  for (const std::vector<std::string>& format : {std::vector<std::string>{}, {"-j"}}) {
    const auto argv = concat(concat({slt::systrace_bin(), "-y", "-f"}, format), concat({"--"}, h.command(20, 2)));
    const auto r = slt::run(argv, 60);
    INFO(describe(argv, r));
    REQUIRE(r.status == 0);
    CHECK(terminal_controls(r.out) == "");
    CHECK(terminal_controls(r.err) == "");
    const std::string calls = format.empty() ? r.err : decoded_calls(r.err);
    CHECK(calls.find("openat(AT_FDCWD, \"" + h.fifo_shown + "\", O_RDONLY)") != std::string::npos);
    CHECK(calls.find("read(3<" + h.fifo_shown + ">, ") != std::string::npos);
  }
}

TEST_CASE("syslat-top -b shows a hostile process name and path escaped", "[privileged][escaping]") {
  const Hostile h;
  slt::Background workload(h.command(100, 30));
  const std::vector<std::string> argv = {"env", "COLUMNS=300", slt::top_bin(), "-b", "-p", std::to_string(workload.pid()),
                                         "--threshold", "30ms", "-i", "0.5", "-d", "2.5"};
  const auto r = slt::run(argv, 30);
  INFO(describe(argv, r));
  REQUIRE(r.status == 0);
  CHECK(terminal_controls(r.out) == "");
  CHECK(terminal_controls(r.err) == "");
  // PID, then COMM: 16 columns of it.
  CHECK(r.out.find(std::to_string(workload.pid()) + " " + kNameShown.substr(0, 16) + " ") != std::string::npos);
  CHECK(r.out.find("openat(AT_FDCWD, \"" + h.fifo_shown + "\", O_RDONLY) = ") != std::string::npos);
  CHECK(r.out.find("<" + h.fifo_shown + ">, ") != std::string::npos);  // read's fd
}

TEST_CASE("syslatd -P: a hostile comm is a label value with the escapes spelled out, valid for promtool",
          "[privileged][escaping]") {
  const Hostile h;
  slt::Background workload(h.command(50, 60));
  const int port = free_port();
  slt::Background daemon({slt::syslatd_bin(), "--listen", "127.0.0.1:" + std::to_string(port), "-P", "-p",
                          std::to_string(workload.pid())});
  REQUIRE(daemon.wait_for_stderr("syslatd: serving http://127.0.0.1:" + std::to_string(port) + "/metrics", 15));
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // two polls with the workload's calls
  httplib::Client client("127.0.0.1", port);
  const auto response = client.Get("/metrics");
  REQUIRE(response);
  REQUIRE(response->status == 200);
  const std::string& body = response->body;
  INFO(visible(body) << "--- syslatd's stderr:\n" << visible(daemon.stderr_text()));
  CHECK(terminal_controls(body) == "");
  // A label value may hold only \\ \" \n escapes: each byte becomes the text \33 (\\33 written out).
  CHECK(body.find("comm=\"\\\\33]0;pwned\\\\7\\\\233[2J\"") != std::string::npos);
  slt::TempDir dir;
  std::ofstream(dir.file("metrics.txt")) << body;
  const auto check = slt::run({"sh", "-c", "promtool check metrics < " + dir.file("metrics.txt")});
  INFO(check.out << check.err);
  CHECK(check.status == 0);
  CHECK(terminal_controls(daemon.stderr_text()) == "");
}
