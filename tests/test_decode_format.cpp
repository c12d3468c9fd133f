#include <catch2/catch.hpp>

#include <fcntl.h>
#include <linux/futex.h>
#include <linux/membarrier.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
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
#include "decode/flags.h"
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

TEST_CASE("an fd's path is escaped as strace -y does: control bytes, backslash and quote, angle brackets in octal", "[decode]") {
  char dir[] = "/tmp/slt-decode.XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  const std::string path = std::string(dir) + "/a\\b\"c<d>\x1b]0;x\a\x9b";
  const int fd = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  CallContext ctx;
  ctx.pid = static_cast<uint32_t>(::getpid());
  CHECK(format_call(nr("close"), {static_cast<uint64_t>(fd), 0, 0, 0, 0, 0}, ctx) ==
        "close(" + std::to_string(fd) + "<" + dir + "/a\\\\b\\\"c\\74d\\76\\33]0;x\\7\\233>)");
  ::close(fd);
  ::unlink(path.c_str());
  ::rmdir(dir);
}

TEST_CASE("memory, process, signal and socket families", "[decode]") {
  CHECK(format_call(nr("mmap"), {0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, ~0ull, 0}, no_fds()) ==
        "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)");
  CHECK(format_call(nr("mmap"), {0, 4096, 0, MAP_SHARED, 3, 0x2000}, no_fds()) ==
        "mmap(NULL, 4096, PROT_NONE, MAP_SHARED, 3, 0x2000)");
  CHECK(format_call(nr("clone"), {0x01200011, 0, 0, kAddr, 0, 0}, no_fds()) ==
        "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7ffd12345678)");
  CHECK(format_call(nr("kill"), {1234, SIGTERM, 0, 0, 0, 0}, no_fds()) == "kill(1234, SIGTERM)");
  CHECK(format_call(nr("kill"), {1234, 0, 0, 0, 0, 0}, no_fds()) == "kill(1234, 0)");
  CHECK(format_call(nr("socket"), {AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0, 0, 0, 0}, no_fds()) ==
        "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP)");
  CHECK(format_call(nr("futex"), {kAddr, 128, 2, 0, 0, 0}, no_fds()) ==
        "futex(0x7ffd12345678, FUTEX_WAIT_PRIVATE, 2, NULL)");
  CHECK(format_call(nr("lseek"), {3, static_cast<uint64_t>(-5), SEEK_END, 0, 0, 0}, no_fds()) ==
        "lseek(3, -5, SEEK_END)");
  CHECK(format_call(nr("mknodat"), {kAtFdcwd, kAddr, S_IFREG | 0600, 0, 0, 0}, no_fds()) ==
        "mknodat(AT_FDCWD, 0x7ffd12345678, S_IFREG|0600, 0)");
  CHECK(format_call(nr("mkdir"), {kAddr, 0, 0, 0, 0, 0}, no_fds()) == "mkdir(0x7ffd12345678, 000)");
  CHECK(format_call(nr("faccessat2"), {kAtFdcwd, kAddr, R_OK | W_OK, AT_EMPTY_PATH, 0, 0}, no_fds()) ==
        "faccessat2(AT_FDCWD, 0x7ffd12345678, R_OK|W_OK, AT_EMPTY_PATH)");
}

// The expected texts below are strace 6.1's for the same calls.
TEST_CASE("enums by name, an unknown value in hex with a ??? comment as strace", "[decode]") {
  const auto call = [](const char* name, std::array<uint64_t, 6> args) { return format_call(nr(name), args, no_fds()); };
#if defined(__x86_64__)
  CHECK(call("arch_prctl", {0x1002, 0x7f5acd97b740, 0, 0, 0, 0}) == "arch_prctl(ARCH_SET_FS, 0x7f5acd97b740)");
  CHECK(call("arch_prctl", {0x9999, 5, 0, 0, 0, 0}) == "arch_prctl(0x9999 /* ARCH_??? */, 0x5)");
#endif
  CHECK(call("prlimit64", {0, RLIMIT_STACK, 0, 0, 0, 0}) == "prlimit64(0, RLIMIT_STACK, NULL, NULL)");
  CHECK(call("getrlimit", {99, kAddr, 0, 0, 0, 0}) == "getrlimit(0x63 /* RLIMIT_??? */, 0x7ffd12345678)");
  CHECK(call("fadvise64", {3, 0, 0, POSIX_FADV_SEQUENTIAL, 0, 0}) == "fadvise64(3, 0, 0, POSIX_FADV_SEQUENTIAL)");
  CHECK(call("fadvise64", {3, 0, 0, 9, 0, 0}) == "fadvise64(3, 0, 0, 0x9 /* POSIX_FADV_??? */)");
  CHECK(call("lseek", {3, 0, 9, 0, 0, 0}) == "lseek(3, 0, 0x9 /* SEEK_??? */)");
  CHECK(call("madvise", {0x7f8239e02000, 4096, MADV_DONTNEED, 0, 0, 0}) == "madvise(0x7f8239e02000, 4096, MADV_DONTNEED)");
  CHECK(call("madvise", {0x7f8239e02000, 4096, 99, 0, 0, 0}) == "madvise(0x7f8239e02000, 4096, 0x63 /* MADV_??? */)");
  CHECK(call("clock_gettime", {CLOCK_MONOTONIC, 0, 0, 0, 0, 0}) == "clock_gettime(CLOCK_MONOTONIC, NULL)");
  CHECK(call("clock_getres", {CLOCK_MONOTONIC_RAW, 0, 0, 0, 0, 0}) == "clock_getres(CLOCK_MONOTONIC_RAW, NULL)");
  CHECK(call("clock_gettime", {77, 0, 0, 0, 0, 0}) == "clock_gettime(0x4d /* CLOCK_??? */, NULL)");
  CHECK(call("timer_create", {CLOCK_MONOTONIC, 0, kAddr, 0, 0, 0}) == "timer_create(CLOCK_MONOTONIC, NULL, 0x7ffd12345678)");
  CHECK(call("prctl", {9999, 1, 2, 3, 4, 0}) == "prctl(0x270f /* PR_??? */, 0x1, 0x2, 0x3, 0x4)");
  CHECK(call("shutdown", {3, SHUT_RDWR, 0, 0, 0, 0}) == "shutdown(3, SHUT_RDWR)");
  CHECK(call("shutdown", {3, 7, 0, 0, 0, 0}) == "shutdown(3, 0x7 /* SHUT_??? */)");
  CHECK(call("membarrier", {MEMBARRIER_CMD_QUERY, 0, 0, 0, 0, 0}) == "membarrier(MEMBARRIER_CMD_QUERY, 0)");
  CHECK(call("membarrier", {1 << 20, 0, 0, 0, 0, 0}) == "membarrier(0x100000 /* MEMBARRIER_CMD_??? */, 0)");
  CHECK(call("setsockopt", {3, SOL_SOCKET, SO_REUSEADDR, 0, 4, 0}) == "setsockopt(3, SOL_SOCKET, SO_REUSEADDR, NULL, 4)");
  CHECK(call("getsockopt", {3, SOL_SOCKET, 999, 0, 0, 0}) == "getsockopt(3, SOL_SOCKET, 0x3e7 /* SO_??? */, NULL, NULL)");
  CHECK(call("waitid", {P_PID, 30724, 0, WEXITED, 0, 0}) == "waitid(P_PID, 30724, NULL, WEXITED, NULL)");
}

TEST_CASE("flags by name: combinations, leftover bits in hex, unknown bits alone with a comment", "[decode]") {
  const auto call = [](const char* name, std::array<uint64_t, 6> args) { return format_call(nr(name), args, no_fds()); };
  CHECK(call("getrandom", {0, 8, GRND_NONBLOCK, 0, 0, 0}) == "getrandom(NULL, 8, GRND_NONBLOCK)");
  CHECK(call("getrandom", {0, 4, GRND_RANDOM | GRND_NONBLOCK, 0, 0, 0}) == "getrandom(NULL, 4, GRND_NONBLOCK|GRND_RANDOM)");
  CHECK(call("getrandom", {0, 4, 0x10, 0, 0, 0}) == "getrandom(NULL, 4, 0x10 /* GRND_??? */)");
  CHECK(call("getrandom", {0, 4, 0, 0, 0, 0}) == "getrandom(NULL, 4, 0)");
  CHECK(call("clock_nanosleep", {CLOCK_MONOTONIC, TIMER_ABSTIME, 0, 0, 0, 0}) ==
        "clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, NULL, NULL)");
  CHECK(call("clock_nanosleep", {CLOCK_REALTIME, TIMER_ABSTIME | 0x10, 0, 0, 0, 0}) ==
        "clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME|0x10, NULL, NULL)");
  CHECK(call("wait4", {static_cast<uint64_t>(-1), 0, WNOHANG | WUNTRACED, 0, 0, 0}) == "wait4(-1, NULL, WNOHANG|WSTOPPED, NULL)");
  CHECK(call("wait4", {static_cast<uint64_t>(-1), 0, __WALL | WNOHANG | 0x100, 0, 0, 0}) ==
        "wait4(-1, NULL, WNOHANG|__WALL|0x100, NULL)");
  CHECK(call("pipe2", {0, O_CLOEXEC | O_NONBLOCK, 0, 0, 0, 0}) == "pipe2(NULL, O_NONBLOCK|O_CLOEXEC)");
  CHECK(call("dup3", {8, 20, O_CLOEXEC, 0, 0, 0}) == "dup3(8, 20, O_CLOEXEC)");
  CHECK(call("eventfd2", {0, EFD_CLOEXEC | EFD_NONBLOCK, 0, 0, 0, 0}) == "eventfd2(0, EFD_CLOEXEC|EFD_NONBLOCK)");
  CHECK(call("eventfd2", {5, EFD_SEMAPHORE, 0, 0, 0, 0}) == "eventfd2(5, EFD_SEMAPHORE)");
  CHECK(call("epoll_create1", {EPOLL_CLOEXEC, 0, 0, 0, 0, 0}) == "epoll_create1(EPOLL_CLOEXEC)");
  CHECK(call("inotify_init1", {IN_CLOEXEC | IN_NONBLOCK, 0, 0, 0, 0, 0}) == "inotify_init1(IN_NONBLOCK|IN_CLOEXEC)");
  CHECK(call("timerfd_create", {CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK, 0, 0, 0, 0}) ==
        "timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC|TFD_NONBLOCK)");
  CHECK(call("memfd_create", {0, MFD_CLOEXEC | MFD_ALLOW_SEALING, 0, 0, 0, 0}) == "memfd_create(NULL, MFD_CLOEXEC|MFD_ALLOW_SEALING)");
  CHECK(call("memfd_create", {0, MFD_HUGETLB | MFD_CLOEXEC | (21u << 26), 0, 0, 0, 0}) ==
        "memfd_create(NULL, MFD_CLOEXEC|MFD_HUGETLB|21<<MFD_HUGE_SHIFT)");
  CHECK(call("flock", {3, LOCK_EX | LOCK_NB, 0, 0, 0, 0}) == "flock(3, LOCK_EX|LOCK_NB)");
  CHECK(call("flock", {3, LOCK_UN, 0, 0, 0, 0}) == "flock(3, LOCK_UN)");
  CHECK(call("msync", {0x7f8239e02000, 4096, MS_ASYNC | MS_INVALIDATE, 0, 0, 0}) ==
        "msync(0x7f8239e02000, 4096, MS_ASYNC|MS_INVALIDATE)");
  CHECK(call("msync", {0x7f8239e02000, 4096, MS_SYNC | 0x40, 0, 0, 0}) == "msync(0x7f8239e02000, 4096, MS_SYNC|0x40)");
  CHECK(call("statx", {kAtFdcwd, 0, AT_STATX_SYNC_AS_STAT | AT_NO_AUTOMOUNT, STATX_MODE, 0, 0}) ==
        "statx(AT_FDCWD, NULL, AT_STATX_SYNC_AS_STAT|AT_NO_AUTOMOUNT, STATX_MODE, NULL)");
  CHECK(call("statx", {kAtFdcwd, 0, AT_STATX_FORCE_SYNC | AT_SYMLINK_NOFOLLOW, STATX_MODE | STATX_SIZE | 0x80000000u, 0, 0}) ==
        "statx(AT_FDCWD, NULL, AT_STATX_FORCE_SYNC|AT_SYMLINK_NOFOLLOW, STATX_MODE|STATX_SIZE|0x80000000, NULL)");
  CHECK(call("statx", {kAtFdcwd, 0, AT_STATX_DONT_SYNC, STATX_ALL, 0, 0}) ==
        "statx(AT_FDCWD, NULL, AT_STATX_DONT_SYNC, STATX_ALL, NULL)");
  CHECK(call("openat", {kAtFdcwd, kAddr, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_DIRECTORY, 0, 0, 0}) ==
        "openat(AT_FDCWD, 0x7ffd12345678, O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY)");  // strace's order
}

TEST_CASE("modes in octal: mkdir, chmod, umask, creat", "[decode]") {
  const auto call = [](const char* name, std::array<uint64_t, 6> args) { return format_call(nr(name), args, no_fds()); };
  CHECK(call("mkdir", {kAddr, 0755, 0, 0, 0, 0}) == "mkdir(0x7ffd12345678, 0755)");
  CHECK(call("chmod", {kAddr, 01777, 0, 0, 0, 0}) == "chmod(0x7ffd12345678, 01777)");
  CHECK(call("umask", {022, 0, 0, 0, 0, 0}) == "umask(022)");
  CHECK(call("umask", {0, 0, 0, 0, 0, 0}) == "umask(000)");
  CHECK(call("creat", {kAddr, 0600, 0, 0, 0, 0}) == "creat(0x7ffd12345678, 0600)");
}

TEST_CASE("calls whose arguments depend on one of them: futex, prctl, fcntl, mremap", "[decode]") {
  const auto call = [](const char* name, std::array<uint64_t, 6> args) { return format_call(nr(name), args, no_fds()); };
  CHECK(call("futex", {kAddr, FUTEX_WAKE_PRIVATE, 2147483647, 0, 3, 0}) == "futex(0x7ffd12345678, FUTEX_WAKE_PRIVATE, 2147483647)");
  CHECK(call("futex", {kAddr, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 1, 0, 0, FUTEX_BITSET_MATCH_ANY}) ==
        "futex(0x7ffd12345678, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 1, NULL, FUTEX_BITSET_MATCH_ANY)");
  CHECK(call("futex", {kAddr, FUTEX_CMP_REQUEUE_PRIVATE, 1, 2, kAddr, 0}) ==
        "futex(0x7ffd12345678, FUTEX_CMP_REQUEUE_PRIVATE, 1, 2, 0x7ffd12345678, 0)");
  CHECK(call("futex", {kAddr, FUTEX_UNLOCK_PI_PRIVATE, 1, 2, kAddr, 0}) == "futex(0x7ffd12345678, FUTEX_UNLOCK_PI_PRIVATE)");
  CHECK(call("futex", {kAddr, FUTEX_WAKE_BITSET_PRIVATE, 1, 2, kAddr, 1}) ==
        "futex(0x7ffd12345678, FUTEX_WAKE_BITSET_PRIVATE, 1, 0x1)");
  CHECK(call("futex", {kAddr, 99, 1, 2, kAddr, 1}) ==
        "futex(0x7ffd12345678, 0x63 /* FUTEX_??? */, 1, 0x2, 0x7ffd12345678, 0x1)");
  CHECK(call("prctl", {PR_GET_DUMPABLE, 0, 0, 0, 0, 0}) == "prctl(PR_GET_DUMPABLE)");
  CHECK(call("prctl", {PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0, 0}) == "prctl(PR_SET_PDEATHSIG, SIGKILL)");
  CHECK(call("prctl", {PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0}) == "prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)");
  CHECK(call("prctl", {PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0, 0}) == "prctl(PR_SET_CHILD_SUBREAPER, 1)");
  CHECK(call("fcntl", {3, F_GETFD, 0, 0, 0, 0}) == "fcntl(3, F_GETFD)");
  CHECK(call("fcntl", {3, F_SETFD, FD_CLOEXEC, 0, 0, 0}) == "fcntl(3, F_SETFD, FD_CLOEXEC)");
  CHECK(call("fcntl", {3, F_SETFL, O_NONBLOCK, 0, 0, 0}) == "fcntl(3, F_SETFL, O_RDONLY|O_NONBLOCK)");
  CHECK(call("fcntl", {3, F_DUPFD_CLOEXEC, 10, 0, 0, 0}) == "fcntl(3, F_DUPFD_CLOEXEC, 10)");
  CHECK(call("fcntl", {3, 99, 10, 0, 0, 0}) == "fcntl(3, 0x63 /* F_??? */, 0xa)");
  CHECK(call("mremap", {0x7f8239e02000, 8192, 4096, 0, 0, 0}) == "mremap(0x7f8239e02000, 8192, 4096, 0)");
  CHECK(call("mremap", {0x7f8239e02000, 4096, 8192, MREMAP_MAYMOVE, 0, 0}) == "mremap(0x7f8239e02000, 4096, 8192, MREMAP_MAYMOVE)");
  CHECK(call("mremap", {0x7f8239e02000, 4096, 8192, MREMAP_MAYMOVE | MREMAP_FIXED | 0x100, 0, 0}) ==
        "mremap(0x7f8239e02000, 4096, 8192, MREMAP_MAYMOVE|MREMAP_FIXED|0x100, NULL)");
  CHECK(call("rseq", {kAddr, 0x20, 0, 0x53053053, 0, 0}) == "rseq(0x7ffd12345678, 0x20, 0, 0x53053053)");
  CHECK(call("rseq", {0, 0x20, 0, 0x53053053, 0, 0}) == "rseq(0, 0x20, 0, 0x53053053)");
  // clone: the pointers its flags use, named.
  CHECK(call("clone", {CLONE_VM | CLONE_SETTLS | CLONE_PARENT_SETTID | SIGCHLD, kAddr, 0, 0, 0x7f0000001000, 0}) ==
        "clone(child_stack=0x7ffd12345678, flags=CLONE_VM|CLONE_SETTLS|CLONE_PARENT_SETTID|SIGCHLD, parent_tid=NULL, "
        "tls=0x7f0000001000)");
  CHECK(call("clone", {SIGCHLD, 0, 0, 0, 0, 0}) == "clone(child_stack=NULL, flags=SIGCHLD)");
  CHECK(call("prctl", {PR_CAPBSET_READ, 0, 0, 0, 0, 0}) == "prctl(PR_CAPBSET_READ, 0)");
}

TEST_CASE("ioctl requests, socket protocols, sigaction flags, umask's return", "[decode]") {
  const auto call = [](const char* name, std::array<uint64_t, 6> args) { return format_call(nr(name), args, no_fds()); };
  CHECK(call("ioctl", {1, TCGETS, kAddr, 0, 0, 0}) == "ioctl(1, TCGETS, 0x7ffd12345678)");
  CHECK(call("ioctl", {1, TIOCGWINSZ, kAddr, 0, 0, 0}) == "ioctl(1, TIOCGWINSZ, 0x7ffd12345678)");
  CHECK(call("ioctl", {1, 0xc0086403, kAddr, 0, 0, 0}) == "ioctl(1, 0xc0086403, 0x7ffd12345678)");
  CHECK(call("socket", {AF_INET, SOCK_STREAM, 0, 0, 0, 0}) == "socket(AF_INET, SOCK_STREAM, IPPROTO_IP)");
  CHECK(call("socket", {AF_INET6, SOCK_DGRAM, IPPROTO_UDP, 0, 0, 0}) == "socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP)");
  CHECK(call("socket", {AF_UNIX, SOCK_STREAM, 0, 0, 0, 0}) == "socket(AF_UNIX, SOCK_STREAM, 0)");
  CHECK(format_return(nr("umask"), 022) == "= 022");
  const std::array<uint64_t, 6> getfd = {3, F_GETFD, 0, 0, 0, 0}, getfl = {3, F_GETFL, 0, 0, 0, 0};
  CHECK(format_return(nr("fcntl"), FD_CLOEXEC, &getfd) == "= 0x1 (flags FD_CLOEXEC)");
  CHECK(format_return(nr("fcntl"), 0, &getfd) == "= 0");
  CHECK(format_return(nr("fcntl"), 0x28800, &getfl) == "= 0x28800 (flags O_RDONLY|O_NONBLOCK|O_LARGEFILE|O_NOFOLLOW)");
  CHECK(format_return(nr("fcntl"), -9, &getfl) == "= -1 EBADF (Bad file descriptor)");
  CHECK(decode::sigset_text(0) == "[]");
  CHECK(decode::sigset_text((1ull << (SIGINT - 1)) | (1ull << (SIGTERM - 1)) | (1ull << (SIGCHLD - 1))) == "[INT TERM CHLD]");
  CHECK(decode::sigset_text(~((1ull << 31) | (1ull << 32))) == "~[RTMIN RT_1]");
  CHECK(decode::sigset_text(~0ull) == "~[]");
}

TEST_CASE("strings come through the reader hook, escaped", "[decode]") {
  CallContext ctx = no_fds();
  ctx.read_string = [](uint64_t addr, size_t) -> std::optional<std::string> {
    if (addr != kAddr) return std::nullopt;
    return std::string("a\nb\"c\xff");
  };
  CHECK(format_call(nr("memfd_create"), {kAddr, 1, 0, 0, 0, 0}, ctx) == "memfd_create(\"a\\nb\\\"c\\377\", MFD_CLOEXEC)");
  CHECK(format_call(nr("memfd_create"), {0x1000, 1, 0, 0, 0, 0}, ctx) == "memfd_create(0x1000, MFD_CLOEXEC)");
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
  CHECK(format_return(nr("nanosleep"), -516) == "= ? ERESTART_RESTARTBLOCK (Interrupted by signal)");
  // Between the restart codes, but a failure as strace shows it: not restarted.
  CHECK(format_return(nr("ioctl"), -515) == "= -1 ENOIOCTLCMD (No ioctl command)");
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
