// The stack symbolizer: user frames of a live PIE process (ASLR on) whose
// functions we know (tests/workloads/wl_stack.c), a library loaded after the
// first look, a process in another mount namespace, one that execs another
// program, a PID taken by a new process, kernel frames from /proc/kallsyms,
// and processes that are gone.
// Privileged: it reads /proc/PID/maps and the ELF files of another process.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
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
  // wl_stack FIFO ARGS... ("dlopen LIBRARY SYMBOL", "exec PROG"), run
  // through `launcher` (a command that ends by exec'ing the rest) if any;
  // or `program` (wl_stack_renamed) instead of wl_stack.
  explicit StackWorkload(const std::vector<std::string>& args = {}, const std::vector<std::string>& launcher = {},
                         const std::string& program = "wl_stack")
      : path_(slt::workload(program)) {
    REQUIRE(mkfifo(fifo_.c_str(), 0600) == 0);
    std::vector<std::string> argv = launcher;
    argv.insert(argv.end(), {path_, fifo_});
    argv.insert(argv.end(), args.begin(), args.end());
    process_ = std::make_unique<slt::Background>(argv);
    REQUIRE(process_->wait_for_stderr("ready "));
    const std::string text = process_->stderr_text();
    parse_ready(text.substr(text.find("ready ")));
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

  // exec PROG: the same PID runs PROG, whose addresses replace ours.
  void exec_program() {
    send('e');
    for (int i = 0; i < 200 && count_ready() < 2; ++i) usleep(50'000);
    REQUIRE(count_ready() == 2);
    const std::string text = process_->stderr_text();
    parse_ready(text.substr(text.rfind("ready ")));
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

  void parse_ready(const std::string& text) {
    std::istringstream line(text);
    std::string ready, read_here, outer, return_address, libc_read;
    line >> ready >> read_here >> outer >> return_address >> libc_read;
    REQUIRE(ready == "ready");
    read_here_ = std::stoull(read_here, nullptr, 16);
    outer_ = std::stoull(outer, nullptr, 16);
    return_address_ = std::stoull(return_address, nullptr, 16);
    libc_read_ = std::stoull(libc_read, nullptr, 16);
  }

  size_t count_ready() const {
    const std::string text = process_->stderr_text();
    size_t n = 0;
    for (size_t at = text.find("ready "); at != std::string::npos; at = text.find("ready ", at + 1)) ++n;
    return n;
  }

  slt::TempDir dir_;
  std::string fifo_ = dir_.file("fifo");
  std::string path_;
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
  StackWorkload wl({"dlopen", "libncursesw.so.6", "initscr"});
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
  const auto frames = symbolizer.user_stack(wl.pid(), addrs({wl.read_here(), wl.return_address()}));
  REQUIRE(frames.size() == 2);
  CHECK(frames[0] == fmt::format("syslat_blocking_read_here+0x0 ({}/wl_stack)", root));
  CHECK(starts_with(frames[1], "syslat_outer_frame+"));
  wl.finish();
}

TEST_CASE("a process that execs another program is then named from the new one", "[privileged]") {
  // Without address randomization (setarch -R) the new program is mapped
  // where the old one was: what was known of the old one would answer for
  // the very same addresses.
  const std::string renamed = std::filesystem::canonical(slt::workload("wl_stack_renamed")).string();
  StackWorkload wl({"exec", renamed}, {"setarch", "-R"});
  StackSymbolizer symbolizer;
  CHECK(symbolizer.user_stack(wl.pid(), addrs({wl.read_here()}))[0] ==
        fmt::format("syslat_blocking_read_here+0x0 ({})", wl.executable()));
  const uint64_t old_read_here = wl.read_here();
  wl.exec_program();
  CHECK(wl.read_here() == old_read_here);  // the same address, another function
  const auto frames = symbolizer.user_stack(wl.pid(), addrs({wl.read_here(), wl.return_address()}));
  REQUIRE(frames.size() == 2);
  CHECK(frames[0] == fmt::format("syslat_renamed_read_here+0x0 ({})", renamed));
  CHECK(starts_with(frames[1], "syslat_renamed_outer_frame+"));
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
      REQUIRE(starts_with(symbolizer.user_stack(old.pid(), addrs({old.read_here()}))[0], "syslat_blocking_read_here+"));
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
    CHECK(symbolizer.user_stack(pid, addrs({read_here}))[0] ==
          fmt::format("syslat_renamed_read_here+0x0 ({})", renamed));
    next.finish();
  }
  if (!reused) WARN("SKIPPED: the PID never came round again (a busy machine, or ns_last_pid not writable)");
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
