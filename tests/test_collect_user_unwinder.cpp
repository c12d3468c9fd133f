// The user unwinder: stacks of live processes blocked in read(), captured
// as the kernel would copy them (the registers, and the stack from sp up)
// but with ptrace instead of BPF, then unwound from .eh_frame: a program
// with frame pointers (wl_stack), the same program without them
// (wl_stack_nofp, where a frame-pointer walk of the same copy loses frames),
// Debian's python3, truncated and empty copies, a process that is gone, and
// one unwinder serving different stacks in turn.
// Privileged: it ptraces other processes and reads their maps and files.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <iostream>
#include <memory>
#include <sstream>

#include "collect/stack_symbolizer.h"
#include "collect/user_unwinder.h"
#include "stack_workload.h"
#include "test_support.h"

using syslat::collect::StackSymbolizer;
using syslat::collect::UserRegs;
using syslat::collect::UserUnwinder;

using slt::StackWorkload;

namespace {

// A PID no process can have: above PID_MAX_LIMIT (4M on 64-bit).
constexpr uint32_t kNoSuchPid = 0x7ffffff0;

// What the kernel would copy at a syscall: the user registers and `bytes`
// of the stack from sp up (fewer where the stack's mapping ends).
struct Capture {
  UserRegs regs;
  std::vector<uint8_t> stack;
};

Capture capture(pid_t pid, size_t bytes = 16384) {
  REQUIRE(ptrace(PTRACE_SEIZE, pid, nullptr, nullptr) == 0);
  REQUIRE(ptrace(PTRACE_INTERRUPT, pid, nullptr, nullptr) == 0);
  int status = 0;
  REQUIRE(waitpid(pid, &status, __WALL) == pid);
  REQUIRE(WIFSTOPPED(status));
  user_regs_struct regs {};
  const long got_regs = ptrace(PTRACE_GETREGS, pid, nullptr, &regs);
  Capture c;
  c.regs = UserRegs{regs.rip, regs.rsp, regs.rbp};
  c.stack.resize(bytes);
  iovec local{c.stack.data(), bytes}, remote{reinterpret_cast<void*>(regs.rsp), bytes};
  const ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
  // Detached before any REQUIRE can fail: the read it was in goes on.
  REQUIRE(ptrace(PTRACE_DETACH, pid, nullptr, nullptr) == 0);
  REQUIRE(got_regs == 0);
  REQUIRE(n > 0);
  c.stack.resize(static_cast<size_t>(n));
  return c;
}

// The frame-pointer walk the kernel does (bpf_get_stack with
// BPF_F_USER_STACK), over the same copy: regs.ip, then the return address
// above each saved rbp, following the chain of saved rbps.
std::vector<uint64_t> frame_pointer_walk(const Capture& c, size_t max_frames = 64) {
  std::vector<uint64_t> ips{c.regs.ip};
  auto load = [&](uint64_t addr, uint64_t& value) {
    if (addr < c.regs.sp || addr - c.regs.sp + 8 > c.stack.size()) return false;
    std::memcpy(&value, c.stack.data() + (addr - c.regs.sp), 8);
    return true;
  };
  uint64_t fp = c.regs.bp;
  while (ips.size() < max_frames) {
    uint64_t next = 0, ret = 0;
    if (!load(fp, next) || !load(fp + 8, ret) || ret == 0) break;
    ips.push_back(ret);
    if (next <= fp) break;
    fp = next;
  }
  return ips;
}

std::string describe(const std::vector<std::string>& frames) {
  std::ostringstream out;
  for (const auto& f : frames) out << "  " << f << "\n";
  return out.str();
}

// The function a frame's text names: "name+0x.. (module)" or, with DWARF, "name (file.c:N)".
std::string function_of(const std::string& frame) { return frame.substr(0, frame.find_first_of("+ ")); }

// libc's read: "read+0x.. (.../libc.so.6)", or "__libc_read (read.c:26)" with libc's debug file.
bool is_libc_read(const std::string& frame) {
  const std::string name = function_of(frame);
  return (name == "read" || name == "__read" || name == "__libc_read") &&
         (frame.find("libc.so") != std::string::npos || frame.find("(read.c:") != std::string::npos);
}

// Where `name` first appears among the frames; npos if not.
size_t position(const std::vector<std::string>& frames, const std::string& name) {
  for (size_t i = 0; i < frames.size(); ++i)
    if (function_of(frames[i]) == name) return i;
  return std::string::npos;
}

// read, syslat_blocking_read_here, syslat_outer_frame, main: each frame
// where it belongs, nothing skipped in between.
void check_wl_stack_frames(const std::vector<std::string>& frames) {
  INFO("unwound:\n" << describe(frames));
  REQUIRE(frames.size() >= 4);
  CHECK(is_libc_read(frames[0]));
  CHECK(position(frames, "syslat_blocking_read_here") == 1);
  CHECK(position(frames, "syslat_outer_frame") == 2);
  CHECK(position(frames, "main") == 3);
}

}  // namespace

TEST_CASE("a stack with frame pointers unwinds from .eh_frame through read's caller to main", "[privileged]") {
  StackWorkload wl({}, {}, "wl_stack");
  const Capture c = capture(static_cast<pid_t>(wl.pid()));
  UserUnwinder unwinder;
  const auto ips = unwinder.unwind(wl.pid(), c.regs, c.stack);
  REQUIRE(!ips.empty());
  CHECK(ips[0] == c.regs.ip);
  StackSymbolizer symbolizer;
  check_wl_stack_frames(symbolizer.user_stack(wl.pid(), ips));
  // The walk goes on past main, through libc's start, and ends in _start
  // (whose CFI leaves the return address undefined), not at max_frames.
  CHECK(ips.size() < 64);
  // libc's read keeps no frame pointer: the kernel's walk skips its caller.
  const auto fp_frames = symbolizer.user_stack(wl.pid(), frame_pointer_walk(c));
  INFO("frame-pointer walk:\n" << describe(fp_frames));
  CHECK(position(fp_frames, "syslat_blocking_read_here") == std::string::npos);
  CHECK(position(fp_frames, "syslat_outer_frame") == 1);
  wl.finish();
}

TEST_CASE("a stack without frame pointers unwinds to main, where the frame-pointer walk cannot", "[privileged]") {
  StackWorkload wl({}, {}, "wl_stack_nofp");
  const Capture c = capture(static_cast<pid_t>(wl.pid()));
  UserUnwinder unwinder;
  const auto ips = unwinder.unwind(wl.pid(), c.regs, c.stack);
  StackSymbolizer symbolizer;
  const auto frames = symbolizer.user_stack(wl.pid(), ips);
  check_wl_stack_frames(frames);
  const auto fp_frames = symbolizer.user_stack(wl.pid(), frame_pointer_walk(c));
  INFO("unwound:\n" << describe(frames) << "frame-pointer walk:\n" << describe(fp_frames));
  const size_t fp_outer = position(fp_frames, "syslat_outer_frame"), fp_main = position(fp_frames, "main");
  CHECK((fp_outer == std::string::npos || fp_main == std::string::npos || fp_main != fp_outer + 1));
  wl.finish();
}

TEST_CASE("Debian's python3 blocked in read unwinds through the interpreter to Py_BytesMain", "[privileged]") {
  // Built by Debian: optimized, no frame pointers, .eh_frame only (its
  // symbols from .dynsym).
  slt::TempDir dir;
  const std::string fifo = dir.file("fifo");
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  const std::string script =
      "import os, sys\n"
      "def inner(fd): sys.stderr.write('ready\\n'); sys.stderr.flush(); return os.read(fd, 1)\n"
      "def outer(fd): return inner(fd)\n"
      "outer(os.open(sys.argv[1], os.O_RDWR))\n";
  slt::Background py({slt::python3_bin(), "-c", script, fifo});
  REQUIRE(py.wait_for_stderr("ready"));
  REQUIRE(slt::wait_asleep_in(py.pid(), SYS_read));
  const Capture c = capture(py.pid());
  UserUnwinder unwinder;
  const auto ips = unwinder.unwind(static_cast<uint32_t>(py.pid()), c.regs, c.stack);
  StackSymbolizer symbolizer;
  const auto frames = symbolizer.user_stack(static_cast<uint32_t>(py.pid()), ips);
  INFO("unwound (" << unwinder.last_stack_bytes_read() << " bytes read):\n" << describe(frames));
  REQUIRE(!frames.empty());
  CHECK(is_libc_read(frames[0]));
  CHECK(position(frames, "_PyEval_EvalFrameDefault") != std::string::npos);
  CHECK(position(frames, "Py_BytesMain") != std::string::npos);
  CHECK(ips.size() < 64);
  const int fd = open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, "x", 1) == 1);
  close(fd);
  CHECK(py.wait().status == 0);
}

TEST_CASE("a truncated copy gives the frames it holds, an empty one just the ip", "[privileged]") {
  StackWorkload wl({}, {}, "wl_stack_nofp");
  const Capture c = capture(static_cast<pid_t>(wl.pid()));
  UserUnwinder unwinder;
  const auto full = unwinder.unwind(wl.pid(), c.regs, c.stack);
  REQUIRE(full.size() >= 4);
  const size_t needed = unwinder.last_stack_bytes_read();
  CHECK(needed > 0);
  CHECK(needed <= c.stack.size());
  for (size_t bytes : {size_t{64}, size_t{8}, size_t{7}, size_t{0}, needed - 1, needed}) {
    INFO("a copy of " << bytes << " bytes");
    const auto ips = unwinder.unwind(wl.pid(), c.regs, std::span(c.stack).first(bytes));
    REQUIRE(!ips.empty());
    CHECK(ips[0] == c.regs.ip);
    // What it finds is what the whole copy gives, up to where the copy ends.
    REQUIRE(ips.size() <= full.size());
    CHECK(std::equal(ips.begin(), ips.end(), full.begin()));
    CHECK(unwinder.last_stack_bytes_read() <= bytes);
    if (bytes < 8) CHECK(ips.size() == 1);  // not even read's return address
    if (bytes == 64) CHECK(ips.size() < full.size());
    if (bytes == needed) CHECK(ips == full);
    if (bytes == needed - 1) CHECK(ips.size() < full.size());
  }
  // max_frames caps it.
  CHECK(unwinder.unwind(wl.pid(), c.regs, c.stack, 2) == std::vector<uint64_t>(full.begin(), full.begin() + 2));
  CHECK(unwinder.unwind(wl.pid(), c.regs, c.stack, 0).empty());
  wl.finish();
}

TEST_CASE("one unwinder serves different stacks and processes in turn, never a stale one", "[privileged]") {
  // libdwfl keeps one attached state per process: each unwind must read
  // its own copy and registers, not the last one's.
  StackWorkload fp({}, {}, "wl_stack"), nofp({}, {}, "wl_stack_nofp");
  const Capture a = capture(static_cast<pid_t>(fp.pid())), b = capture(static_cast<pid_t>(nofp.pid()));
  UserUnwinder fresh_a, fresh_b, shared;
  const auto expect_a = fresh_a.unwind(fp.pid(), a.regs, a.stack);
  const auto expect_b = fresh_b.unwind(nofp.pid(), b.regs, b.stack);
  REQUIRE(expect_a.size() >= 4);
  REQUIRE(expect_b.size() >= 4);
  for (int round = 0; round < 3; ++round) {
    CHECK(shared.unwind(fp.pid(), a.regs, a.stack) == expect_a);
    CHECK(shared.unwind(nofp.pid(), b.regs, b.stack) == expect_b);
    CHECK(shared.unwind(nofp.pid(), b.regs, std::span(b.stack).first(0)) == std::vector<uint64_t>{b.regs.ip});
  }
  // The same process with another copy: a stack whose words are all zero
  // gives read and nothing after it.
  const std::vector<uint8_t> zeros(b.stack.size(), 0);
  CHECK(shared.unwind(nofp.pid(), b.regs, zeros) == std::vector<uint64_t>{b.regs.ip});
  CHECK(shared.unwind(nofp.pid(), b.regs, b.stack) == expect_b);
  fp.finish();
  nofp.finish();
}

TEST_CASE("a process that is gone or never was gives the ip alone", "[privileged]") {
  UserUnwinder unwinder;
  const std::vector<uint8_t> stack(256, 0x41);
  CHECK(unwinder.unwind(kNoSuchPid, UserRegs{0x401000, 0x7ffc0000, 0x7ffc0100}, stack) ==
        std::vector<uint64_t>{0x401000});
  // An ip in no module of a live process (ours): no CFI, no guess from rbp.
  CHECK(unwinder.unwind(static_cast<uint32_t>(getpid()), UserRegs{0x10, 0x7ffc0000, 0x7ffc0010}, stack) ==
        std::vector<uint64_t>{0x10});
  // A process that exited keeps its modules until forgotten (its last
  // events are unwound still).
  StackWorkload wl({}, {}, "wl_stack_nofp");
  const Capture c = capture(static_cast<pid_t>(wl.pid()));
  const auto before = unwinder.unwind(wl.pid(), c.regs, c.stack);
  REQUIRE(before.size() >= 4);
  wl.finish();
  CHECK(unwinder.unwind(wl.pid(), c.regs, c.stack) == before);
  unwinder.forget(wl.pid());
  CHECK(unwinder.unwind(wl.pid(), c.regs, c.stack) == std::vector<uint64_t>{c.regs.ip});
}

TEST_CASE("a library loaded after the first unwind is found on a re-read of the maps", "[privileged]") {
  StackWorkload wl({"dlopen", "libncursesw.so.6", "initscr"}, {}, "wl_stack_nofp");
  const Capture c = capture(static_cast<pid_t>(wl.pid()));
  UserUnwinder unwinder;
  REQUIRE(unwinder.unwind(wl.pid(), c.regs, c.stack).size() >= 4);  // the process's modules cached
  const uint64_t initscr = wl.dlopen_library();
  REQUIRE(initscr != 0);
  // A stack stopped at initscr's first instruction, called from
  // syslat_outer_frame: the return address on top, zeros above it.
  std::vector<uint8_t> stack(64, 0);
  const uint64_t ret = wl.return_address();
  std::memcpy(stack.data(), &ret, sizeof(ret));
  const auto ips = unwinder.unwind(wl.pid(), UserRegs{initscr, 0x7ffc0000, 0}, stack);
  CHECK(ips == std::vector<uint64_t>{initscr, ret});
  wl.finish();
}

// The cost of one unwind, cold (a new unwinder: the maps read, the modules'
// files opened, their CFI indexed) and warm (the same process again), and
// how far above sp each stack was read. Not run by ctest (hidden tag):
// build/tests/privileged_tests "[unwind-cost]"
TEST_CASE("the cost of an unwind, cold and warm", "[.][unwind-cost]") {
  using Clock = std::chrono::steady_clock;
  auto us = [](Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); };
  auto measure = [&](const std::string& what, uint32_t pid, const Capture& c) {
    double cold = 1e18;
    size_t depth = 0, bytes = 0;
    for (int i = 0; i < 5; ++i) {
      UserUnwinder unwinder;
      const auto t0 = Clock::now();
      depth = unwinder.unwind(pid, c.regs, c.stack).size();
      cold = std::min(cold, us(Clock::now() - t0));
      bytes = unwinder.last_stack_bytes_read();
    }
    UserUnwinder unwinder;
    unwinder.unwind(pid, c.regs, c.stack);
    constexpr int kRuns = 2000;
    const auto t0 = Clock::now();
    for (int i = 0; i < kRuns; ++i) unwinder.unwind(pid, c.regs, c.stack);
    const double warm = us(Clock::now() - t0) / kRuns;
    StackSymbolizer symbolizer;
    std::cout << describe(symbolizer.user_stack(pid, unwinder.unwind(pid, c.regs, c.stack)));
    std::cout << fmt::format("{}: {} frames, {} of {} bytes read; cold {:.0f} us, warm {:.1f} us\n", what, depth,
                             bytes, c.stack.size(), cold, warm)
              << std::flush;
  };
  {
    StackWorkload wl({}, {}, "wl_stack");
    measure("wl_stack", wl.pid(), capture(static_cast<pid_t>(wl.pid())));
    wl.finish();
  }
  {
    StackWorkload wl({}, {}, "wl_stack_nofp");
    measure("wl_stack_nofp", wl.pid(), capture(static_cast<pid_t>(wl.pid())));
    wl.finish();
  }
  {
    slt::TempDir dir;
    const std::string fifo = dir.file("fifo");
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    const std::string script =
        "import os, sys\n"
        "def f(n, fd):\n"
        "  if n == 0: sys.stderr.write('ready\\n'); sys.stderr.flush(); return os.read(fd, 1)\n"
        "  return f(n - 1, fd)\n"
        "f(int(sys.argv[2]), os.open(sys.argv[1], os.O_RDWR))\n";
    for (const char* nesting : {"2", "50"}) {
      slt::Background py({slt::python3_bin(), "-c", script, fifo, nesting});
      REQUIRE(py.wait_for_stderr("ready"));
      REQUIRE(slt::wait_asleep_in(py.pid(), SYS_read));
      measure(std::string("python3, Python frames nested ") + nesting, static_cast<uint32_t>(py.pid()),
              capture(py.pid(), 65536));
      const int fd = open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
      REQUIRE(write(fd, "x", 1) == 1);
      close(fd);
      py.wait();
    }
  }
}
