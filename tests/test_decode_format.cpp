#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "core/syscall_table.h"
#include "decode/format.h"

using namespace syslat;
using decode::CallContext;
using decode::format_call;
using decode::format_return;

namespace {

int nr(const char* name) { return *core::syscall_number(name); }

constexpr uint64_t kAtFdcwd = static_cast<uint32_t>(AT_FDCWD);  // as the register holds an int
constexpr uint64_t kAddr = 0x7ffd12345678;

CallContext no_fds() {
  CallContext ctx;
  ctx.resolve_fds = false;
  return ctx;
}

}  // namespace

TEST_CASE("openat with the captured path and symbolic flags", "[decode]") {
  CallContext ctx = no_fds();
  ctx.path = "/etc/passwd";
  CHECK(format_call(nr("openat"), {kAtFdcwd, kAddr, O_RDONLY | O_CLOEXEC, 0, 0, 0}, ctx) ==
        "openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC)");
  // The mode is shown only when the call may create the file.
  ctx.path = "/tmp/x";
  CHECK(format_call(nr("openat"), {kAtFdcwd, kAddr, O_WRONLY | O_CREAT | O_TRUNC, 0644, 0, 0}, ctx) ==
        "openat(AT_FDCWD, \"/tmp/x\", O_WRONLY|O_CREAT|O_TRUNC, 0644)");
  ctx.path_truncated = true;
  CHECK(format_call(nr("openat"), {kAtFdcwd, kAddr, O_RDONLY, 0, 0, 0}, ctx) ==
        "openat(AT_FDCWD, \"/tmp/x\"..., O_RDONLY)");
}

TEST_CASE("a path that was not captured is shown as the pointer", "[decode]") {
  CHECK(format_call(nr("openat"), {kAtFdcwd, kAddr, O_RDONLY, 0, 0, 0}, no_fds()) ==
        "openat(AT_FDCWD, 0x7ffd12345678, O_RDONLY)");
  CHECK(format_call(nr("execve"), {0, 0, 0, 0, 0, 0}, no_fds()) == "execve(NULL, NULL, NULL)");
}

TEST_CASE("unknown flag bits are kept in hex", "[decode]") {
  CHECK(format_call(nr("openat"), {kAtFdcwd, kAddr, O_RDONLY | 0x40000000, 0, 0, 0}, no_fds()) ==
        "openat(AT_FDCWD, 0x7ffd12345678, O_RDONLY|0x40000000)");
  CHECK(format_call(nr("mprotect"), {0x1000, 4096, PROT_READ | 0x100000, 0, 0, 0}, no_fds()) ==
        "mprotect(0x1000, 4096, PROT_READ|0x100000)");
}

TEST_CASE("fds are shown with what /proc/PID/fd says they are", "[decode]") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  struct stat st {};
  REQUIRE(::fstat(fds[0], &st) == 0);
  CallContext ctx;
  ctx.pid = static_cast<uint32_t>(::getpid());
  std::string pipe = std::to_string(fds[0]) + "<pipe:[" + std::to_string(st.st_ino) + "]>";
  CHECK(format_call(nr("read"), {static_cast<uint64_t>(fds[0]), kAddr, 8192, 0, 0, 0}, ctx) ==
        "read(" + pipe + ", 0x7ffd12345678, 8192)");
  ctx.resolve_fds = false;
  CHECK(format_call(nr("read"), {static_cast<uint64_t>(fds[0]), kAddr, 8192, 0, 0, 0}, ctx) ==
        "read(" + std::to_string(fds[0]) + ", 0x7ffd12345678, 8192)");
  ::close(fds[0]);
  ::close(fds[1]);
  CHECK(decode::fd_target(ctx.pid, fds[0]) == std::nullopt);
}

TEST_CASE("memory, process, signal and socket families", "[decode]") {
  CHECK(format_call(nr("mmap"), {0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, ~0ull, 0}, no_fds()) ==
        "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)");
  CHECK(format_call(nr("mmap"), {0, 4096, 0, MAP_SHARED, 3, 0x2000}, no_fds()) ==
        "mmap(NULL, 4096, PROT_NONE, MAP_SHARED, 3, 0x2000)");
  CHECK(format_call(nr("clone"), {0x01200011, 0, 0, kAddr, 0, 0}, no_fds()) ==
        "clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, NULL, NULL, 0x7ffd12345678, NULL)");
  CHECK(format_call(nr("kill"), {1234, SIGTERM, 0, 0, 0, 0}, no_fds()) == "kill(1234, SIGTERM)");
  CHECK(format_call(nr("kill"), {1234, 0, 0, 0, 0, 0}, no_fds()) == "kill(1234, 0)");
  CHECK(format_call(nr("socket"), {AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0, 0, 0, 0}, no_fds()) ==
        "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0)");
  CHECK(format_call(nr("futex"), {kAddr, 128, 2, 0, 0, 0}, no_fds()) ==
        "futex(0x7ffd12345678, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0)");
  CHECK(format_call(nr("lseek"), {3, static_cast<uint64_t>(-5), SEEK_END, 0, 0, 0}, no_fds()) ==
        "lseek(3, -5, SEEK_END)");
  CHECK(format_call(nr("mknodat"), {kAtFdcwd, kAddr, S_IFREG | 0600, 0, 0, 0}, no_fds()) ==
        "mknodat(AT_FDCWD, 0x7ffd12345678, S_IFREG|0600, 0)");
  CHECK(format_call(nr("mkdir"), {kAddr, 0, 0, 0, 0, 0}, no_fds()) == "mkdir(0x7ffd12345678, 000)");
  CHECK(format_call(nr("faccessat2"), {kAtFdcwd, kAddr, R_OK | W_OK, AT_EMPTY_PATH, 0, 0}, no_fds()) ==
        "faccessat2(AT_FDCWD, 0x7ffd12345678, R_OK|W_OK, AT_EMPTY_PATH)");
}

TEST_CASE("strings come through the reader hook, escaped", "[decode]") {
  CallContext ctx = no_fds();
  ctx.read_string = [](uint64_t addr, size_t) -> std::optional<std::string> {
    if (addr != kAddr) return std::nullopt;
    return std::string("a\nb\"c\xff");
  };
  CHECK(format_call(nr("memfd_create"), {kAddr, 1, 0, 0, 0, 0}, ctx) == "memfd_create(\"a\\nb\\\"c\\377\", 0x1)");
  CHECK(format_call(nr("memfd_create"), {0x1000, 1, 0, 0, 0, 0}, ctx) == "memfd_create(0x1000, 0x1)");
  ctx.max_string = 3;
  CHECK(format_call(nr("memfd_create"), {kAddr, 0, 0, 0, 0, 0}, ctx) == "memfd_create(\"a\\nb\"..., 0)");
}

TEST_CASE("unknown calls show six raw values", "[decode]") {
  CHECK(format_call(999, {1, 2, 0, 0, 0, 0xff}, no_fds()) == "[unknown: 999](0x1, 0x2, 0, 0, 0, 0xff)");
  CHECK(format_call(nr("afs_syscall"), {1, 0, 0, 0, 0, 0}, no_fds()) == "afs_syscall(0x1, 0, 0, 0, 0, 0)");
}

TEST_CASE("returns: values, errors by name and text, addresses", "[decode]") {
  CHECK(format_return(nr("read"), 8192) == "= 8192");
  CHECK(format_return(nr("read"), 0) == "= 0");
  CHECK(format_return(nr("openat"), -2) == "= -1 ENOENT (No such file or directory)");
  CHECK(format_return(nr("read"), -11) == "= -1 EAGAIN (Resource temporarily unavailable)");
  CHECK(format_return(nr("mmap"), 0x7f12a000) == "= 0x7f12a000");
  CHECK(format_return(nr("mmap"), -12) == "= -1 ENOMEM (Cannot allocate memory)");
  CHECK(format_return(nr("brk"), 0x55d000) == "= 0x55d000");
  CHECK(format_return(nr("read"), -512) == "= ? ERESTARTSYS (To be restarted if SA_RESTART is set)");
  CHECK(format_return(999, -1) == "= -1 EPERM (Operation not permitted)");
  CHECK(format_return(nr("lseek"), -5000) == "= -5000");  // below -4095: a value, not an error
}

#if SYSLAT_HAVE_I386_TABLE
TEST_CASE("an i386 call is decoded through its x86_64 twin", "[decode]") {
  CallContext ctx = no_fds();
  ctx.path = "/etc/passwd";
  core::SyscallId openat_i386{core::Abi::I386, 295};
  CHECK(format_call(openat_i386, {kAtFdcwd, 0xffd01234, O_RDONLY | O_CLOEXEC, 0, 0, 0}, ctx) ==
        "openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC)");
  // _llseek-less lseek (19): a 32-bit off_t, negative in a zero-extended register.
  CHECK(format_call(core::SyscallId{core::Abi::I386, 19}, {3, 0xfffffffb, SEEK_CUR, 0, 0, 0}, ctx) ==
        "lseek(3, -5, SEEK_CUR)");
  CHECK(format_return(core::SyscallId{core::Abi::I386, 192}, 0xf7f00000) == "= 0xf7f00000");  // mmap2
}
#endif
