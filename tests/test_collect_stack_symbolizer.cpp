// The stack symbolizer: user frames of a live PIE process (ASLR on) whose
// functions we know (tests/workloads/wl_stack.c), a library loaded after the
// first look, kernel frames from /proc/kallsyms, and processes that are gone.
// Privileged: it reads /proc/PID/maps and the ELF files of another process.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <sstream>

#include "collect/kernel_symbols.h"
#include "collect/stack_symbolizer.h"
#include "test_support.h"

using syslat::collect::KernelSymbols;
using syslat::collect::StackSymbolizer;

namespace {

// wl_stack, blocked in read() on a FIFO until finish() writes a byte to it,
// with the runtime addresses it printed.
class StackWorkload {
 public:
  // With a library and one of its symbols, dlopen_library() loads it.
  explicit StackWorkload(const std::vector<std::string>& library_and_symbol = {}) {
    REQUIRE(mkfifo(fifo_.c_str(), 0600) == 0);
    std::vector<std::string> argv{path_, fifo_};
    argv.insert(argv.end(), library_and_symbol.begin(), library_and_symbol.end());
    process_ = std::make_unique<slt::Background>(argv);
    REQUIRE(process_->wait_for_stderr("ready "));
    std::istringstream line(process_->stderr_text());
    std::string ready, read_here, outer, return_address, libc_read;
    line >> ready >> read_here >> outer >> return_address >> libc_read;
    read_here_ = std::stoull(read_here, nullptr, 16);
    outer_ = std::stoull(outer, nullptr, 16);
    return_address_ = std::stoull(return_address, nullptr, 16);
    libc_read_ = std::stoull(libc_read, nullptr, 16);
  }

  uint32_t pid() const { return static_cast<uint32_t>(process_->pid()); }
  // The path /proc/PID/maps shows: symbolic links resolved.
  std::string executable() const { return std::filesystem::canonical(path_).string(); }
  uint64_t read_here() const { return read_here_; }            // syslat_blocking_read_here
  uint64_t outer() const { return outer_; }                    // syslat_outer_frame
  uint64_t return_address() const { return return_address_; }  // into syslat_outer_frame
  uint64_t libc_read() const { return libc_read_; }

  // The symbol's address in the library, now loaded.
  uint64_t dlopen_library() {
    send('d');
    REQUIRE(process_->wait_for_stderr("loaded "));
    const std::string text = process_->stderr_text();
    return std::stoull(text.substr(text.find("loaded ") + 7), nullptr, 16);
  }

  void finish() {
    send('x');
    const auto r = process_->wait();
    REQUIRE(r.status == 0);
  }

 private:
  void send(char byte) {
    const int fd = open(fifo_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, &byte, 1) == 1);
    close(fd);
  }

  slt::TempDir dir_;
  std::string fifo_ = dir_.file("fifo");
  std::string path_ = slt::workload("wl_stack");
  std::unique_ptr<slt::Background> process_;
  uint64_t read_here_ = 0, outer_ = 0, return_address_ = 0, libc_read_ = 0;
};

std::vector<uint64_t> addrs(std::initializer_list<uint64_t> list) { return list; }

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// A PID no process can have: above PID_MAX_LIMIT (4M on 64-bit).
constexpr uint32_t kNoSuchPid = 0x7ffffff0;

}  // namespace

// A C++ function of this executable, to see its name demangled.
namespace slt_symbolizer_test {
[[gnu::noinline]] int marker(int x) { return x * 3 + 1; }
}  // namespace slt_symbolizer_test

TEST_CASE("user frames of a running PIE name the function, its offset and the executable", "[privileged]") {
  StackWorkload wl;
  StackSymbolizer symbolizer;
  const auto frames = symbolizer.user_stack(wl.pid(), addrs({wl.read_here(), wl.return_address()}));
  REQUIRE(frames.size() == 2);
  CHECK(frames[0] == fmt::format("syslat_blocking_read_here+0x0 ({})", wl.executable()));
  // The offset is the return address's own; only the lookup is at ip-1.
  CHECK(frames[1] == fmt::format("syslat_outer_frame+{:#x} ({})", wl.return_address() - wl.outer(), wl.executable()));
  wl.finish();
}

TEST_CASE("every frame but the first is a return address, looked up at ip-1", "[privileged]") {
  // syslat_blocking_read_here never returns, so the call to it is the last
  // instruction of syslat_outer_frame and the return address lies just past
  // syslat_outer_frame's end.
  StackWorkload wl;
  StackSymbolizer symbolizer;
  const auto as_first = symbolizer.user_stack(wl.pid(), addrs({wl.return_address()}));
  REQUIRE(as_first.size() == 1);
  INFO("the return address as the first frame: " << as_first[0]);
  CHECK_FALSE(starts_with(as_first[0], "syslat_outer_frame+"));
  const auto as_caller = symbolizer.user_stack(wl.pid(), addrs({wl.read_here(), wl.return_address()}));
  REQUIRE(as_caller.size() == 2);
  CHECK(starts_with(as_caller[1], "syslat_outer_frame+"));
  // And a function's first byte as a later frame belongs to what precedes it.
  const auto entry_as_caller = symbolizer.user_stack(wl.pid(), addrs({wl.read_here(), wl.read_here()}));
  CHECK_FALSE(starts_with(entry_as_caller[1], "syslat_blocking_read_here+"));
  wl.finish();
}

TEST_CASE("a libc address names the libc function and libc's path", "[privileged]") {
  StackWorkload wl;
  StackSymbolizer symbolizer;
  const auto frames = symbolizer.user_stack(wl.pid(), addrs({wl.libc_read() + 4}));
  REQUIRE(frames.size() == 1);
  INFO(frames[0]);
  const std::string name = frames[0].substr(0, frames[0].find('+'));
  // read has aliases at the same address in libc's .dynsym.
  CHECK((name == "read" || name == "__read" || name == "__libc_read"));
  CHECK(frames[0].find("+0x4 (/") != std::string::npos);
  CHECK(frames[0].find("libc.so") != std::string::npos);
  wl.finish();
}

TEST_CASE("a process that exited keeps its names until forgotten, then gets hex", "[privileged]") {
  StackWorkload wl;
  StackSymbolizer symbolizer;
  const auto ips = addrs({wl.read_here()});
  REQUIRE(starts_with(symbolizer.user_stack(wl.pid(), ips)[0], "syslat_blocking_read_here+0x0 ("));
  wl.finish();
  // Events still in the ring buffer when a process exits get their names.
  CHECK(starts_with(symbolizer.user_stack(wl.pid(), ips)[0], "syslat_blocking_read_here+0x0 ("));
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
  StackWorkload wl({"libncursesw.so.6", "initscr"});
  StackSymbolizer symbolizer;
  // The first look caches the process's modules.
  CHECK(starts_with(symbolizer.user_stack(wl.pid(), addrs({wl.read_here()}))[0], "syslat_blocking_read_here+0x0 ("));
  CHECK(symbolizer.user_stack(wl.pid(), addrs({0x10})) == std::vector<std::string>{"0x10"});

  const uint64_t initscr = wl.dlopen_library();
  REQUIRE(initscr != 0);
  const auto frames = symbolizer.user_stack(wl.pid(), addrs({initscr}));
  INFO(frames[0]);
  CHECK(starts_with(frames[0], "initscr+0x0 (/"));
  CHECK(frames[0].find("libncursesw.so.6") != std::string::npos);
  wl.finish();
}

TEST_CASE("C++ names come demangled", "[privileged]") {
  StackSymbolizer symbolizer;
  const auto marker = reinterpret_cast<uint64_t>(&slt_symbolizer_test::marker);
  const auto frames = symbolizer.user_stack(static_cast<uint32_t>(getpid()), addrs({marker}));
  CHECK(starts_with(frames[0], "slt_symbolizer_test::marker(int)+0x0 (/"));
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
