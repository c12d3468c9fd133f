// The stack symbolizer: user frames of a live PIE process (ASLR on) whose
// functions we know (tests/workloads/wl_stack.c), a library loaded after the
// first look, a process in another mount namespace, one that execs another
// program, a PID taken by a new process, kernel frames from /proc/kallsyms,
// and processes that are gone; source lines from DWARF (inlined calls
// included) checked against binutils' addr2line, and binaries without DWARF.
// Privileged: it reads /proc/PID/maps and the ELF files of another process.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "collect/kernel_symbols.h"
#include "collect/stack_symbolizer.h"
#include "stack_workload.h"
#include "test_support.h"

using syslat::collect::KernelSymbols;
using syslat::collect::StackSymbolizer;
using syslat::core::SourceLine;
using syslat::core::SymbolizedFrame;
using slt::StackWorkload;

namespace {


std::vector<uint64_t> addrs(std::initializer_list<uint64_t> list) { return list; }

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// A PID no process can have: above PID_MAX_LIMIT (4M on 64-bit).
constexpr uint32_t kNoSuchPid = 0x7ffffff0;

std::string base_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }

using slt::workload_source;

std::string trimmed(const std::string& s) {
  const size_t first = s.find_first_not_of(" \t");
  return first == std::string::npos ? "" : s.substr(first, s.find_last_not_of(" \t") + 1 - first);
}

// The number of the first line of tests/workloads/FILE that contains `marker`
// (or, with exact, that is `marker` but for indentation).
uint32_t line_of(const std::string& file, const std::string& marker, bool exact = false) {
  const uint32_t n = slt::workload_line(file, marker, exact);
  if (n == 0) FAIL("no line " << marker << " in " << file);
  return n;
}

// The text a frame with DWARF shows for a function at a line of a workload's source.
std::string at_line(const std::string& function, const std::string& file, const std::string& marker,
                    bool exact = false) {
  return fmt::format("{} ({}:{})", function, file, line_of(file, marker, exact));
}

// The line of syslat_blocking_read_here's first instruction in
// wl_stack.c: that of its definition (clang) or of the brace that opens
// its body on the next line (gcc). `found` if it is one of those, else the
// definition's (for the CHECK to show).
uint32_t read_here_entry_line(uint32_t found) {
  const uint32_t definition = line_of("wl_stack.c", "void syslat_blocking_read_here(int fd)", true);
  return found == definition + 1 ? found : definition;
}

// A source position with only the file's name, to compare with addr2line.
SourceLine short_line(SourceLine line) {
  line.file = line.file.empty() ? "" : base_name(line.file);
  return line;
}

std::vector<SourceLine> short_lines(const std::vector<SourceLine>& lines) {
  std::vector<SourceLine> out;
  for (const auto& line : lines) out.push_back(short_line(line));
  return out;
}

// A symbol of an ELF file's symbol table, as nm -S shows it.
struct ElfSymbol {
  uint64_t value = 0, size = 0;
};

ElfSymbol nm_symbol(const std::string& binary, const std::string& name) {
  const auto r = slt::run({"nm", "-S", "--defined-only", binary});
  REQUIRE(r.status == 0);
  std::istringstream lines(r.out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string value, size, type, symbol;
    if (fields >> value >> size >> type >> symbol && symbol == name)
      return {std::stoull(value, nullptr, 16), std::stoull(size, nullptr, 16)};
  }
  FAIL("nm: no " << name << " with a size in " << binary);
  return {};
}

// Where the process mapped the start of the file (a PIE's addresses are
// this plus the ELF's); waits for the exec to show in its maps.
uint64_t load_base(uint32_t pid, const std::string& path) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    std::istringstream maps(slt::read_file(fmt::format("/proc/{}/maps", pid)));
    std::string line;
    while (std::getline(maps, line)) {
      std::istringstream fields(line);
      std::string range, perms, offset, dev, inode, file;
      if (fields >> range >> perms >> offset >> dev >> inode >> file && file == path && std::stoull(offset, nullptr, 16) == 0)
        return std::stoull(range, nullptr, 16);
    }
    usleep(20'000);
  }
  FAIL("no mapping of " << path << " in process " << pid);
  return 0;
}

// binutils' addr2line -f -i: the functions at each address of the ELF
// (innermost inlined first), files by their names only; the independent
// oracle for our DWARF reading.
std::vector<std::vector<SourceLine>> addr2line(const std::string& binary, const std::vector<uint64_t>& addresses) {
  std::vector<std::string> argv = {"addr2line", "-a", "-f", "-i", "-e", binary};
  for (uint64_t a : addresses) argv.push_back(fmt::format("{:#x}", a));
  const auto r = slt::run(argv);
  REQUIRE(r.status == 0);
  std::vector<std::vector<SourceLine>> result;
  std::istringstream out(r.out);
  std::string function, position;
  while (std::getline(out, function)) {
    if (function.rfind("0x", 0) == 0) {
      result.emplace_back();
      continue;
    }
    REQUIRE(std::getline(out, position));
    position = position.substr(0, position.find(" (discriminator"));
    const size_t colon = position.rfind(':');
    SourceLine line;
    line.function = function == "??" ? "" : function;
    const std::string file = position.substr(0, colon), number = position.substr(colon + 1);
    line.file = file == "??" ? "" : base_name(file);
    line.line = number == "?" ? 0 : static_cast<uint32_t>(std::stoul(number));
    if (line.file.empty() && line.function.empty()) continue;  // no DWARF there
    result.back().push_back(line);
  }
  REQUIRE(result.size() == addresses.size());
  return result;
}

// Every byte of FUNCTION in a running BINARY, symbolized as a first frame,
// against addr2line: the same functions, files and lines, inlined calls
// included. Returns our frames for further checks.
std::vector<SymbolizedFrame> check_against_addr2line(StackSymbolizer& symbolizer, uint32_t pid,
                                                     const std::string& binary, const std::string& function) {
  const ElfSymbol symbol = nm_symbol(binary, function);
  const uint64_t base = load_base(pid, binary);
  std::vector<uint64_t> addresses;
  for (uint64_t a = symbol.value; a < symbol.value + symbol.size; ++a) addresses.push_back(a);
  const auto expected = addr2line(binary, addresses);
  std::vector<SymbolizedFrame> frames;
  for (size_t i = 0; i < addresses.size(); ++i) {
    const auto named = symbolizer.user_frames(pid, addrs({base + addresses[i]}));
    REQUIRE(named.size() == 1);
    INFO(function << "+" << fmt::format("{:#x}", addresses[i] - symbol.value) << " in " << binary);
    CHECK(named[0].symbol == function);
    CHECK(short_lines(named[0].lines) == expected[i]);
    frames.push_back(named[0]);
  }
  return frames;
}

}  // namespace

namespace Catch {
template <>
struct StringMaker<SourceLine> {
  static std::string convert(const SourceLine& l) { return fmt::format("{{{}, {}, {}}}", l.function, l.file, l.line); }
};
}  // namespace Catch

// A C++ function of this executable, to see its name demangled.
namespace slt_symbolizer_test {
constexpr uint32_t kMarkerLine = __LINE__ + 1;
[[gnu::noinline]] int marker(int x) { return x * 3 + 1; }
}  // namespace slt_symbolizer_test

TEST_CASE("user frames of a running PIE name the function, its source line, offset and executable", "[privileged]") {
  StackWorkload wl;  // built with -g
  StackSymbolizer symbolizer;
  const auto ips = addrs({wl.read_here(), wl.return_address()});
  const auto frames = symbolizer.user_frames(wl.pid(), ips);
  REQUIRE(frames.size() == 2);
  // The text: the function's first line, then the line of the call (the
  // return address is looked up at ip-1).
  REQUIRE(frames[0].lines.size() == 1);
  const uint32_t entry = frames[0].lines[0].line;
  CHECK(entry == read_here_entry_line(entry));
  CHECK(symbolizer.user_stack(wl.pid(), ips) ==
        std::vector<std::string>{
            fmt::format("syslat_blocking_read_here (wl_stack.c:{})", entry),
            at_line("syslat_outer_frame", "wl_stack.c", "syslat_blocking_read_here(fd);", true)});
  CHECK(frames[0].address == wl.read_here());
  CHECK(frames[0].symbol == "syslat_blocking_read_here");
  CHECK(frames[0].symbol_offset == 0);
  REQUIRE(frames[0].module);
  CHECK(frames[0].module->path == wl.executable());
  // The offset is the return address's own; only the lookup is at ip-1.
  CHECK(frames[1].symbol == "syslat_outer_frame");
  CHECK(frames[1].symbol_offset == wl.return_address() - wl.outer());
  REQUIRE(frames[1].lines.size() == 1);
  CHECK(frames[1].lines[0].file == workload_source("wl_stack.c"));
  wl.finish();
}

TEST_CASE("every frame but the first is a return address, looked up at ip-1", "[privileged]") {
  // syslat_blocking_read_here never returns, so the call to it is the last
  // instruction of syslat_outer_frame and the return address lies just past
  // syslat_outer_frame's end.
  StackWorkload wl;
  StackSymbolizer symbolizer;
  const auto as_first = symbolizer.user_frames(wl.pid(), addrs({wl.return_address()}));
  REQUIRE(as_first.size() == 1);
  INFO("the return address as the first frame: " << symbolizer.user_stack(wl.pid(), addrs({wl.return_address()}))[0]);
  CHECK(as_first[0].symbol != "syslat_outer_frame");
  for (const auto& line : as_first[0].lines) CHECK(line.function != "syslat_outer_frame");
  const auto as_caller = symbolizer.user_frames(wl.pid(), addrs({wl.read_here(), wl.return_address()}));
  REQUIRE(as_caller.size() == 2);
  CHECK(as_caller[1].symbol == "syslat_outer_frame");
  REQUIRE(!as_caller[1].lines.empty());
  CHECK(as_caller[1].lines.back().function == "syslat_outer_frame");
  // And a function's first byte as a later frame belongs to what precedes it.
  const auto entry_as_caller = symbolizer.user_frames(wl.pid(), addrs({wl.read_here(), wl.read_here()}));
  CHECK(entry_as_caller[1].symbol != "syslat_blocking_read_here");
  for (const auto& line : entry_as_caller[1].lines) CHECK(line.function != "syslat_blocking_read_here");
  wl.finish();
}

TEST_CASE("a libc address names the libc function and libc's path", "[privileged]") {
  StackWorkload wl;
  StackSymbolizer symbolizer;
  const auto frames = symbolizer.user_frames(wl.pid(), addrs({wl.libc_read() + 4}));
  REQUIRE(frames.size() == 1);
  INFO(symbolizer.user_stack(wl.pid(), addrs({wl.libc_read() + 4}))[0]);
  // read has aliases at the same address in libc's .dynsym.
  const std::string& name = frames[0].symbol;
  CHECK((name == "read" || name == "__read" || name == "__libc_read"));
  CHECK(frames[0].symbol_offset == 4);
  REQUIRE(frames[0].module);
  CHECK(frames[0].module->path.find("libc.so") != std::string::npos);
  // With libc's debug file installed (Debian's libc6-dbg), its DWARF names it.
  if (!frames[0].lines.empty()) {
    CHECK(frames[0].lines.back().function == "__libc_read");
    CHECK(base_name(frames[0].lines.back().file) == "read.c");
  }
  wl.finish();
}

TEST_CASE("a process that exited keeps its names until forgotten, then gets hex", "[privileged]") {
  StackWorkload wl;
  StackSymbolizer symbolizer;
  const auto ips = addrs({wl.read_here()});
  REQUIRE(starts_with(symbolizer.user_stack(wl.pid(), ips)[0], "syslat_blocking_read_here (wl_stack.c:"));
  wl.finish();
  // Events still in the ring buffer when a process exits get their names.
  CHECK(starts_with(symbolizer.user_stack(wl.pid(), ips)[0], "syslat_blocking_read_here (wl_stack.c:"));
  symbolizer.forget(wl.pid());
  CHECK(symbolizer.user_stack(wl.pid(), ips) == std::vector<std::string>{fmt::format("{:#x}", wl.read_here())});
}

TEST_CASE("a PID that does not exist gives one hex string per address", "[privileged]") {
  StackSymbolizer symbolizer;
  CHECK(symbolizer.user_stack(kNoSuchPid, addrs({0x1234, 0x7f0000001000, 0})) ==
        std::vector<std::string>{"0x1234", "0x7f0000001000", "0x0"});
  CHECK(symbolizer.user_stack(kNoSuchPid, {}).empty());
}

TEST_CASE("an address no module maps is hex, and a library loaded later is found on a re-read of the maps",
          "[privileged]") {
  // Another process: in our own, libelf's mmap of the executable it reads
  // extends the executable's module in the maps (same inode) over the gap
  // where a new library would go.
  StackWorkload wl({"dlopen", "libncursesw.so.6", "initscr"});
  StackSymbolizer symbolizer;
  // The first look caches the process's modules.
  CHECK(starts_with(symbolizer.user_stack(wl.pid(), addrs({wl.read_here()}))[0], "syslat_blocking_read_here (wl_stack.c:"));
  CHECK(symbolizer.user_stack(wl.pid(), addrs({0x10})) == std::vector<std::string>{"0x10"});
  SymbolizedFrame unmapped;
  unmapped.address = 0x10;
  CHECK(symbolizer.user_frames(wl.pid(), addrs({0x10})) == std::vector<SymbolizedFrame>{unmapped});

  const uint64_t initscr = wl.dlopen_library();
  REQUIRE(initscr != 0);
  const auto frames = symbolizer.user_stack(wl.pid(), addrs({initscr}));
  INFO(frames[0]);
  // Debian's ncurses without its -dbgsym package: no DWARF, the ELF symbol.
  CHECK(starts_with(frames[0], "initscr+0x0 (/"));
  CHECK(frames[0].find("libncursesw.so.6") != std::string::npos);
  wl.finish();
}

TEST_CASE("a process in another mount namespace is named from its own files, not from ours", "[privileged]") {
  // As in a container: the process runs a program from a tmpfs mounted in
  // its own mount namespace, at a path that here holds nothing, or another
  // program with the same layout and other names.
  slt::TempDir dir;
  const std::string root = std::filesystem::canonical(dir.path()).string() + "/private";
  REQUIRE(mkdir(root.c_str(), 0755) == 0);
  SECTION("nothing at its path here") {}
  SECTION("another program at its path here") { slt::copy_executable(slt::workload("wl_stack_renamed"), root + "/wl_stack"); }
  const std::string script = R"(mount -t tmpfs tmpfs "$1" && cp "$2" "$1/wl_stack" && exec "$1/wl_stack" "$3")";
  StackWorkload wl({}, {"unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", root});
  StackSymbolizer symbolizer;
  const auto frames = symbolizer.user_frames(wl.pid(), addrs({wl.read_here(), wl.return_address()}));
  REQUIRE(frames.size() == 2);
  REQUIRE(frames[0].module);
  CHECK(frames[0].module->path == root + "/wl_stack");
  CHECK(frames[0].symbol == "syslat_blocking_read_here");
  CHECK(frames[0].symbol_offset == 0);
  // DWARF too comes from its file.
  REQUIRE(frames[0].lines.size() == 1);
  CHECK(frames[0].lines[0].function == "syslat_blocking_read_here");
  CHECK(frames[1].symbol == "syslat_outer_frame");
  REQUIRE(frames[1].lines.size() == 1);
  CHECK(frames[1].lines[0].function == "syslat_outer_frame");
  wl.finish();
}

TEST_CASE("a process that execs another program is then named from the new one", "[privileged]") {
  // Without address randomization (setarch -R) the new program is mapped
  // where the old one was: what was known of the old one would answer for
  // the very same addresses.
  const std::string renamed = std::filesystem::canonical(slt::workload("wl_stack_renamed")).string();
  StackWorkload wl({"exec", renamed}, {"setarch", "-R"});
  StackSymbolizer symbolizer;
  const auto before = symbolizer.user_frames(wl.pid(), addrs({wl.read_here()}));
  REQUIRE(before[0].lines.size() == 1);
  CHECK(before[0].lines[0].function == "syslat_blocking_read_here");
  CHECK(before[0].lines[0].line == read_here_entry_line(before[0].lines[0].line));
  const uint64_t old_read_here = wl.read_here();
  wl.exec_program();
  CHECK(wl.read_here() == old_read_here);  // the same address, another function
  const auto frames = symbolizer.user_frames(wl.pid(), addrs({wl.read_here(), wl.return_address()}));
  REQUIRE(frames.size() == 2);
  REQUIRE(frames[0].module);
  CHECK(frames[0].module->path == renamed);
  CHECK(frames[0].symbol == "syslat_renamed_read_here");
  REQUIRE(frames[0].lines.size() == 1);
  CHECK(frames[0].lines[0].function == "syslat_renamed_read_here");
  CHECK(frames[1].symbol == "syslat_renamed_outer_frame");
  wl.finish();
}

TEST_CASE("a PID that a new process took is named from the new process", "[privileged]") {
  // The kernel hands out the PID after ns_last_pid next (root may set it):
  // the old PID goes to the next process made, unless another process on
  // the machine forks first; then try again. Without address randomization
  // the new program's functions are where the old one's were.
  StackSymbolizer symbolizer;
  const std::string renamed = std::filesystem::canonical(slt::workload("wl_stack_renamed")).string();
  bool reused = false;
  for (int attempt = 0; attempt < 50 && !reused; ++attempt) {
    uint32_t pid = 0;
    uint64_t read_here = 0;
    {
      StackWorkload old({}, {"setarch", "-R"});
      REQUIRE(starts_with(symbolizer.user_stack(old.pid(), addrs({old.read_here()}))[0], "syslat_blocking_read_here ("));
      pid = old.pid();
      read_here = old.read_here();
      old.finish();  // exited and reaped: the PID is free
    }
    std::ofstream("/proc/sys/kernel/ns_last_pid") << pid - 1;
    StackWorkload next({}, {"setarch", "-R"}, "wl_stack_renamed");
    if (next.pid() != pid) {
      next.finish();
      continue;
    }
    reused = true;
    REQUIRE(next.read_here() == read_here);
    const auto frames = symbolizer.user_frames(pid, addrs({read_here}));
    REQUIRE(frames[0].module);
    CHECK(frames[0].module->path == renamed);
    CHECK(frames[0].symbol == "syslat_renamed_read_here");
    REQUIRE(frames[0].lines.size() == 1);
    CHECK(frames[0].lines[0].function == "syslat_renamed_read_here");
    next.finish();
  }
  if (!reused) WARN("SKIPPED: the PID never came round again (a busy machine, or ns_last_pid not writable)");
}

TEST_CASE("C++ names come demangled", "[privileged]") {
  StackSymbolizer symbolizer;
  const auto marker = reinterpret_cast<uint64_t>(&slt_symbolizer_test::marker);
  const auto frames = symbolizer.user_frames(static_cast<uint32_t>(getpid()), addrs({marker}));
  CHECK(frames[0].symbol == "slt_symbolizer_test::marker(int)");
  // And from DWARF's linkage name, when the tests are built with -g.
  if (!frames[0].lines.empty()) {
    CHECK(symbolizer.user_stack(static_cast<uint32_t>(getpid()), addrs({marker})) ==
          std::vector<std::string>{
              fmt::format("slt_symbolizer_test::marker(int) (test_collect_stack_symbolizer.cpp:{})",
                          slt_symbolizer_test::kMarkerLine)});
  } else {
    CHECK(starts_with(symbolizer.user_stack(static_cast<uint32_t>(getpid()), addrs({marker}))[0],
                      "slt_symbolizer_test::marker(int)+0x0 (/"));
  }
}

// wl_stacks ROUNDS, running long enough to be read (killed at the end).
std::unique_ptr<slt::Background> running_wl_stacks(const std::string& binary) {
  return std::make_unique<slt::Background>(std::vector<std::string>{binary, "1000000000"});
}

TEST_CASE("source lines of wl_stacks' functions agree with addr2line, with and without frame pointers",
          "[privileged]") {
  for (const char* name : {"wl_stacks", "wl_stacks_nofp"}) {
    const std::string binary = std::filesystem::canonical(slt::workload(name)).string();
    auto process = running_wl_stacks(binary);
    const auto pid = static_cast<uint32_t>(process->pid());
    StackSymbolizer symbolizer;
    for (const std::string function : {"read_one_file", "load_config", "serve"}) {
      const auto frames = check_against_addr2line(symbolizer, pid, binary, function);
      // The function's own address: the function, at a line of its body.
      REQUIRE(!frames.empty());
      REQUIRE(frames[0].lines.size() == 1);
      const SourceLine& entry = frames[0].lines[0];
      CHECK(entry.function == function);
      CHECK(entry.file == workload_source("wl_stacks.c"));
      const std::string type = function == "serve" ? "void " : "int ";
      const uint32_t from = line_of("wl_stacks.c", "KEEP_FRAME static " + type + function + "(");
      CHECK(entry.line >= from);
      CHECK(entry.line < from + 12);
    }
  }
}

TEST_CASE("a return address names the line of its call: load_config at SITE: read_one_file", "[privileged]") {
  for (const char* name : {"wl_stacks", "wl_stacks_nofp"}) {
    const std::string binary = std::filesystem::canonical(slt::workload(name)).string();
    auto process = running_wl_stacks(binary);
    const auto pid = static_cast<uint32_t>(process->pid());
    const uint64_t base = load_base(pid, binary);
    const ElfSymbol load_config = nm_symbol(binary, "load_config");
    const ElfSymbol read_one_file = nm_symbol(binary, "read_one_file");
    // The return address: the instruction after load_config's call of read_one_file.
    const auto r = slt::run({"objdump", "-d", "--no-show-raw-insn", fmt::format("--start-address={:#x}", load_config.value),
                             fmt::format("--stop-address={:#x}", load_config.value + load_config.size), binary});
    REQUIRE(r.status == 0);
    std::istringstream listing(r.out);
    std::string line;
    uint64_t return_address = 0;
    bool after_call = false;
    while (std::getline(listing, line) && return_address == 0) {
      const size_t colon = line.find(":\t");
      if (colon == std::string::npos) continue;
      if (after_call) return_address = std::stoull(trimmed(line.substr(0, colon)), nullptr, 16);
      after_call = line.find("call") != std::string::npos && line.find("<read_one_file>") != std::string::npos;
    }
    INFO(r.out);
    REQUIRE(return_address != 0);
    StackSymbolizer symbolizer;
    const auto ips = addrs({base + read_one_file.value, base + return_address});
    const auto texts = symbolizer.user_stack(pid, ips);
    REQUIRE(texts.size() == 2);
    CHECK(texts[1] == at_line("load_config", "wl_stacks.c", "SITE: read_one_file"));
    const auto frames = symbolizer.user_frames(pid, ips);
    CHECK(frames[1].symbol == "load_config");
    CHECK(frames[1].symbol_offset == return_address - load_config.value);
  }
}

TEST_CASE("inlined calls are frames of their own, innermost first, as addr2line -i shows them", "[privileged]") {
  const std::string binary = std::filesystem::canonical(slt::workload("wl_inline")).string();
  slt::Background process({binary});
  REQUIRE(process.wait_for_stderr("ready"));
  const auto pid = static_cast<uint32_t>(process.pid());
  StackSymbolizer symbolizer;
  const auto frames = check_against_addr2line(symbolizer, pid, binary, "syslat_inline_outer");
  // Some address is in mix, inlined into checksum_step, inlined into
  // syslat_inline_outer (were nothing inlined, addr2line would agree still).
  const std::vector<SourceLine> chain = {
      {"mix", workload_source("wl_inline.c"), line_of("wl_inline.c", "SITE: mix body")},
      {"checksum_step", workload_source("wl_inline.c"), line_of("wl_inline.c", "SITE: mix */")},
      {"syslat_inline_outer", workload_source("wl_inline.c"), line_of("wl_inline.c", "SITE: checksum_step")}};
  const auto inlined = std::find_if(frames.begin(), frames.end(), [&](const auto& f) { return f.lines == chain; });
  REQUIRE(inlined != frames.end());
  CHECK(symbolizer.user_stack(pid, addrs({inlined->address})) ==
        std::vector<std::string>{at_line("mix", "wl_inline.c", "SITE: mix body"),
                                 at_line("checksum_step", "wl_inline.c", "SITE: mix */"),
                                 at_line("syslat_inline_outer", "wl_inline.c", "SITE: checksum_step")});
  // As a return address among others: one frame, three strings, in place.
  CHECK(symbolizer.user_stack(pid, addrs({0x10, inlined->address + 1, 0x20})) ==
        std::vector<std::string>{"0x10", at_line("mix", "wl_inline.c", "SITE: mix body"),
                                 at_line("checksum_step", "wl_inline.c", "SITE: mix */"),
                                 at_line("syslat_inline_outer", "wl_inline.c", "SITE: checksum_step"), "0x20"});
}

TEST_CASE("a second process of the same program gets the same source lines at its own addresses", "[privileged]") {
  // Lines are kept by build ID and file offset for all processes; ASLR puts
  // the second one elsewhere.
  StackWorkload first, second;
  StackSymbolizer symbolizer;
  const auto a = symbolizer.user_frames(first.pid(), addrs({first.read_here(), first.return_address()}));
  const auto b = symbolizer.user_frames(second.pid(), addrs({second.read_here(), second.return_address()}));
  REQUIRE(a.size() == 2);
  REQUIRE(b.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    CHECK(!a[i].lines.empty());
    CHECK(a[i].lines == b[i].lines);
    CHECK(a[i].symbol == b[i].symbol);
    CHECK(a[i].module->build_id == b[i].module->build_id);
  }
  CHECK(b[0].address == second.read_here());
  first.finish();
  second.finish();
}

TEST_CASE("a binary without DWARF keeps the symbol+offset form", "[privileged]") {
  SECTION("wl_stack with its DWARF stripped") {
    slt::TempDir dir;
    const std::string stripped = std::filesystem::canonical(dir.path()).string() + "/wl_stack";
    const auto r = slt::run({"objcopy", "--strip-debug", slt::workload("wl_stack"), stripped});
    REQUIRE(r.status == 0);
    StackWorkload wl({}, {}, stripped);
    StackSymbolizer symbolizer;
    const auto ips = addrs({wl.read_here(), wl.return_address()});
    CHECK(symbolizer.user_stack(wl.pid(), ips) ==
          std::vector<std::string>{
              fmt::format("syslat_blocking_read_here+0x0 ({})", stripped),
              fmt::format("syslat_outer_frame+{:#x} ({})", wl.return_address() - wl.outer(), stripped)});
    const auto frames = symbolizer.user_frames(wl.pid(), ips);
    CHECK(frames[0].lines.empty());
    CHECK(frames[1].lines.empty());
    wl.finish();
  }
  SECTION("Debian's /usr/bin/sleep: stripped, no debug package") {
    const std::string sleep = std::filesystem::canonical("/usr/bin/sleep").string();
    const auto sections = slt::run({"readelf", "-S", "-W", sleep});
    REQUIRE(sections.status == 0);
    if (sections.out.find(".debug_info") != std::string::npos || sections.out.find(".symtab") != std::string::npos) {
      slt::skip("/usr/bin/sleep is not stripped here");
      return;
    }
    slt::Background process({sleep, "1000"});
    const auto pid = static_cast<uint32_t>(process.pid());
    const uint64_t base = load_base(pid, sleep);
    // Only .dynsym, where sleep defines data (stdout's copy) and no function.
    const auto dynamic = slt::run({"nm", "-D", "--defined-only", sleep});
    std::istringstream symbols(dynamic.out);
    std::string value, type, name;
    uint64_t stdout_copy = 0;
    while (symbols >> value >> type >> name)
      if (name.rfind("stdout@", 0) == 0 || name == "stdout") stdout_copy = std::stoull(value, nullptr, 16);
    REQUIRE(stdout_copy != 0);
    const auto header = slt::run({"readelf", "-h", sleep});
    const size_t at = header.out.find("Entry point address:");
    REQUIRE(at != std::string::npos);
    const uint64_t entry = std::stoull(trimmed(header.out.substr(at + 20, header.out.find('\n', at) - at - 20)), nullptr, 16);
    StackSymbolizer symbolizer;
    // Code with no symbol there: its module. Data (stdout's copy) is no
    // frame: an address in no executable mapping is junk a frame-pointer
    // walk read, named by nothing.
    CHECK(symbolizer.user_stack(pid, addrs({base + stdout_copy + 2, base + entry})) ==
          std::vector<std::string>{fmt::format("{:#x}", base + stdout_copy + 2), fmt::format("{:#x} ({})", base + entry, sleep)});
  }
}

TEST_CASE("user frames name the module: its path, build ID and the mapping that holds the address", "[privileged]") {
  StackWorkload wl;
  StackSymbolizer symbolizer;
  const auto frames = symbolizer.user_frames(wl.pid(), addrs({wl.read_here(), wl.libc_read()}));
  REQUIRE(frames.size() == 2);
  for (const auto& frame : frames) {
    REQUIRE(frame.module);
    const auto& module = *frame.module;
    INFO(module.path);
    const auto notes = slt::run({"readelf", "-n", module.path});
    const size_t at = notes.out.find("Build ID: ");
    REQUIRE(at != std::string::npos);
    CHECK(module.build_id == notes.out.substr(at + 10, 40));
    CHECK(module.build_id.size() == 40);
    CHECK(module.start < module.limit);
    CHECK(module.start <= frame.address);
    CHECK(frame.address < module.limit);
  }
  CHECK(frames[0].module->path == wl.executable());
  // The mapping's offset in the file: a PIE's text is at the same offset in
  // the file as its virtual address (GNU ld lays it out so), so the
  // function's file offset is its symbol's value.
  const auto& exe = *frames[0].module;
  CHECK(wl.read_here() - exe.start + exe.file_offset == nm_symbol(wl.executable(), "syslat_blocking_read_here").value);
  wl.finish();
}

TEST_CASE("kernel frames are named from /proc/kallsyms", "[privileged]") {
  const auto kallsyms = slt::read_file("/proc/kallsyms");
  const auto at = kallsyms.find(" T __x64_sys_read\n");
  REQUIRE(at != std::string::npos);
  const size_t line = kallsyms.rfind('\n', at) + 1;  // npos + 1 == 0 on the first line
  const uint64_t addr = std::stoull(kallsyms.substr(line, at - line), nullptr, 16);
  if (addr == 0) {
    slt::skip("kallsyms shows no addresses here (kptr_restrict)");
    return;
  }
  StackSymbolizer symbolizer;
  CHECK(symbolizer.kernel_stack(addrs({addr + 0x10, addr + 0x11})) ==
        std::vector<std::string>{"__x64_sys_read+0x10", "__x64_sys_read+0x11"});
}

TEST_CASE("a leading tracepoint iterator frame is left out of a kernel stack", "[privileged]") {
  // With a second probe on sched_switch, the stack the BPF program sees
  // starts in __traceiter_sched_switch rather than __schedule.
  const auto kallsyms = slt::read_file("/proc/kallsyms");
  auto address_of = [&](const std::string& name) -> uint64_t {
    auto at = kallsyms.find(" T " + name + "\n");
    if (at == std::string::npos) at = kallsyms.find(" t " + name + "\n");
    if (at == std::string::npos) return 0;
    const size_t line = kallsyms.rfind('\n', at) + 1;
    return std::stoull(kallsyms.substr(line, at - line), nullptr, 16);
  };
  const uint64_t iter = address_of("__traceiter_sched_switch"), schedule = address_of("__schedule");
  if (iter == 0 || schedule == 0) {
    slt::skip("kallsyms shows no addresses here, or no __traceiter_sched_switch");
    return;
  }
  StackSymbolizer symbolizer;
  CHECK(symbolizer.kernel_stack(addrs({iter + 0x20, schedule + 0x31, iter + 0x21})) ==
        std::vector<std::string>{"__schedule+0x31", "__traceiter_sched_switch+0x21"});  // only the leading one goes
}
