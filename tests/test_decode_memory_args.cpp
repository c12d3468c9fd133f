// Arguments decoded from the traced process's memory (here: our own, through
// a reader that copies from local addresses): buffers, structs, arrays.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/sysinfo.h>
#include <sys/un.h>
#include <sys/utsname.h>

#include <cstring>

#include "core/syscall_table.h"
#include "decode/format.h"
#include "decode/memory_args.h"
#include "decode/text.h"

using syslat::decode::CallContext;
using syslat::decode::format_call;

namespace {

int nr(const char* name) { return *syslat::core::syscall_number(name); }
uint64_t addr(const void* p) { return reinterpret_cast<uint64_t>(p); }

CallContext local_memory() {
  CallContext ctx;
  ctx.resolve_fds = false;
  ctx.read_memory = [](uint64_t a, void* out, size_t len) {
    std::memcpy(out, reinterpret_cast<const void*>(a), len);
    return len;
  };
  ctx.read_string = [](uint64_t a, size_t max) -> std::optional<std::string> {
    const char* s = reinterpret_cast<const char*>(a);
    return std::string(s, strnlen(s, max));
  };
  return ctx;
}

}  // namespace

TEST_CASE("write's buffer is its count of bytes, cut at -s", "[memory_args]") {
  CallContext ctx = local_memory();
  const char data[] = "hello\nworld";
  CHECK(format_call(nr("write"), {1, addr(data), 11, 0, 0, 0}, ctx) == "write(1, \"hello\\nworld\", 11)");
  ctx.max_string = 4;
  CHECK(format_call(nr("write"), {1, addr(data), 11, 0, 0, 0}, ctx) == "write(1, \"hell\"..., 11)");
}

TEST_CASE("read's buffer is decoded only when it returned, as many bytes as it returned", "[memory_args]") {
  CallContext ctx = local_memory();
  const char data[] = "abcdef";
  CHECK(format_call(nr("read"), {3, addr(data), 100, 0, 0, 0}, ctx) == "read(3, " + syslat::decode::pointer(addr(data)) + ", 100)");
  ctx.ret = 3;
  CHECK(format_call(nr("read"), {3, addr(data), 100, 0, 0, 0}, ctx) == "read(3, \"abc\", 100)");
  ctx.ret = -11;  // EAGAIN: nothing was written
  CHECK(format_call(nr("read"), {3, addr(data), 100, 0, 0, 0}, ctx).find("\"") == std::string::npos);
}

TEST_CASE("stat, timespec, pollfd, pipe fds", "[memory_args]") {
  CallContext ctx = local_memory();
  ctx.ret = 0;
  struct stat st {};
  st.st_mode = S_IFREG | 0644;
  st.st_size = 1234;
  CHECK(format_call(nr("fstat"), {3, addr(&st), 0, 0, 0, 0}, ctx) == "fstat(3, {st_mode=S_IFREG|0644, st_size=1234, ...})");
  struct timespec ts {1, 500};
  CHECK(format_call(nr("nanosleep"), {addr(&ts), 0, 0, 0, 0, 0}, ctx) == "nanosleep({tv_sec=1, tv_nsec=500}, NULL)");
  pollfd fds[2] = {{3, POLLIN, 0}, {4, POLLIN | POLLOUT, 0}};
  CHECK(format_call(nr("poll"), {addr(fds), 2, 100, 0, 0, 0}, ctx) ==
        "poll([{fd=3, events=POLLIN}, {fd=4, events=POLLIN|POLLOUT}], 2, 100)");
  int pipefd[2] = {5, 6};
  CHECK(format_call(nr("pipe2"), {addr(pipefd), O_CLOEXEC, 0, 0, 0, 0}, ctx) == "pipe2([5, 6], O_CLOEXEC)");
}

TEST_CASE("sockaddr: inet, inet6, unix, abstract unix", "[memory_args]") {
  CallContext ctx = local_memory();
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(80);
  inet_pton(AF_INET, "127.0.0.1", &in.sin_addr);
  CHECK(format_call(nr("connect"), {3, addr(&in), sizeof in, 0, 0, 0}, ctx) ==
        "connect(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"127.0.0.1\")}, 16)");
  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(443);
  inet_pton(AF_INET6, "::1", &in6.sin6_addr);
  CHECK(syslat::decode::sockaddr_text(&in6, sizeof in6) ==
        "{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}");
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  std::strcpy(un.sun_path, "/run/x.sock");
  CHECK(syslat::decode::sockaddr_text(&un, offsetof(sockaddr_un, sun_path) + 12) == "{sa_family=AF_UNIX, sun_path=\"/run/x.sock\"}");
  std::memcpy(un.sun_path, "\0abs", 4);
  CHECK(syslat::decode::sockaddr_text(&un, offsetof(sockaddr_un, sun_path) + 4) == "{sa_family=AF_UNIX, sun_path=@\"abs\"}");
}

TEST_CASE("execve: argv as strings, envp counted", "[memory_args]") {
  CallContext ctx = local_memory();
  // 64 entries: the decoder reads pointer arrays in chunks of 64 (the
  // tracee reader stops at unmapped pages; this local one must not overrun).
  const char* argv[64] = {"ls", "-l", nullptr};
  const char* envp[64] = {"A=1", "B=2", "C=3", nullptr};
  CHECK(format_call(nr("execve"), {addr("/bin/ls"), addr(argv), addr(envp), 0, 0, 0}, ctx) ==
        "execve(\"/bin/ls\", [\"ls\", \"-l\"], " + syslat::decode::pointer(addr(envp)) + " /* 3 vars */)");
}

TEST_CASE("without a memory reader, memory arguments are pointers", "[memory_args]") {
  CallContext ctx;
  ctx.resolve_fds = false;
  ctx.ret = 0;
  CHECK(format_call(nr("fstat"), {3, 0x1000, 0, 0, 0, 0}, ctx) == "fstat(3, 0x1000)");
  CHECK(format_call(nr("write"), {1, 0, 5, 0, 0, 0}, ctx) == "write(1, NULL, 5)");
}

TEST_CASE("getrandom's bytes are shown in hex once it returned, cut at -s", "[memory_args]") {
  CallContext ctx = local_memory();
  const unsigned char bytes[40] = {0x68, 0xc5, 0x55, 0x32, 0xcd, 0x3a, 0x93, 0xe5};
  CHECK(format_call(nr("getrandom"), {addr(bytes), 8, GRND_NONBLOCK, 0, 0, 0}, ctx) ==
        "getrandom(" + syslat::decode::pointer(addr(bytes)) + ", 8, GRND_NONBLOCK)");
  ctx.ret = 8;
  CHECK(format_call(nr("getrandom"), {addr(bytes), 8, GRND_NONBLOCK, 0, 0, 0}, ctx) ==
        "getrandom(\"\\x68\\xc5\\x55\\x32\\xcd\\x3a\\x93\\xe5\", 8, GRND_NONBLOCK)");
  ctx.ret = 40;
  ctx.max_string = 2;
  CHECK(format_call(nr("getrandom"), {addr(bytes), 40, 0, 0, 0, 0}, ctx) == "getrandom(\"\\x68\\xc5\"..., 40, 0)");
}

TEST_CASE("rlimits: RLIM64_INFINITY, multiples of 1024, plain numbers, the old value at exit", "[memory_args]") {
  CallContext ctx = local_memory();
  const uint64_t stack[2] = {8192 * 1024, RLIM64_INFINITY};
  const uint64_t nofile[2] = {1024, 1000};
  CHECK(format_call(nr("prlimit64"), {0, RLIMIT_NOFILE, addr(nofile), 0, 0, 0}, ctx) ==
        "prlimit64(0, RLIMIT_NOFILE, {rlim_cur=1024, rlim_max=1000}, NULL)");
  // Written by the call: a pointer until it returned, the struct after a success.
  CHECK(format_call(nr("prlimit64"), {0, RLIMIT_STACK, 0, addr(stack), 0, 0}, ctx) ==
        "prlimit64(0, RLIMIT_STACK, NULL, " + syslat::decode::pointer(addr(stack)) + ")");
  ctx.ret = 0;
  CHECK(format_call(nr("prlimit64"), {0, RLIMIT_STACK, 0, addr(stack), 0, 0}, ctx) ==
        "prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY})");
  CHECK(format_call(nr("getrlimit"), {RLIMIT_STACK, addr(stack), 0, 0, 0, 0}, ctx) ==
        "getrlimit(RLIMIT_STACK, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY})");
  ctx.ret = -14;  // EFAULT
  CHECK(format_call(nr("prlimit64"), {0, RLIMIT_CPU, 0, 8, 0, 0}, ctx) == "prlimit64(0, RLIMIT_CPU, NULL, 0x8)");
}

TEST_CASE("wait4's status: exited, killed, stopped, as strace's macros", "[memory_args]") {
  CallContext ctx = local_memory();
  int status = 3 << 8;  // exited with 3
  const auto wait4 = [&] { return format_call(nr("wait4"), {1234, addr(&status), 0, 0, 0, 0}, ctx); };
  CHECK(wait4() == "wait4(1234, " + syslat::decode::pointer(addr(&status)) + ", 0, NULL)");
  ctx.ret = 1234;
  CHECK(wait4() == "wait4(1234, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL)");
  status = SIGKILL;
  CHECK(wait4() == "wait4(1234, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}], 0, NULL)");
  status = SIGSEGV | 0x80;
  CHECK(wait4() == "wait4(1234, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}], 0, NULL)");
  status = (SIGSTOP << 8) | 0x7f;
  CHECK(wait4() == "wait4(1234, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}], 0, NULL)");
  ctx.ret = 0;  // WNOHANG, no child changed state: nothing was written
  CHECK(wait4() == "wait4(1234, " + syslat::decode::pointer(addr(&status)) + ", 0, NULL)");
}

TEST_CASE("socket options: int values and lengths in brackets, names by level", "[memory_args]") {
  CallContext ctx = local_memory();
  int one = 1;
  int len = 4;
  CHECK(format_call(nr("setsockopt"), {3, SOL_SOCKET, SO_REUSEADDR, addr(&one), 4, 0}, ctx) ==
        "setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4)");
  CHECK(format_call(nr("setsockopt"), {3, SOL_TCP, 1, addr(&one), 4, 0}, ctx) == "setsockopt(3, SOL_TCP, 1, [1], 4)");
  ctx.ret = 0;
  CHECK(format_call(nr("getsockopt"), {3, SOL_SOCKET, SO_TYPE, addr(&one), addr(&len), 0}, ctx) ==
        "getsockopt(3, SOL_SOCKET, SO_TYPE, [1], [4])");
  ctx.ret = -92;  // ENOPROTOOPT: the value was not written, the length is still shown
  CHECK(format_call(nr("getsockopt"), {3, SOL_SOCKET, 999, addr(&one), addr(&len), 0}, ctx) ==
        "getsockopt(3, SOL_SOCKET, 0x3e7 /* SO_??? */, " + syslat::decode::pointer(addr(&one)) + ", [4])");
}

TEST_CASE("prctl's name: a string in, a string out at exit", "[memory_args]") {
  CallContext ctx = local_memory();
  const char name[16] = "probe";
  CHECK(format_call(nr("prctl"), {PR_SET_NAME, addr(name), 0, 0, 0, 0}, ctx) == "prctl(PR_SET_NAME, \"probe\")");
  ctx.ret = 0;
  CHECK(format_call(nr("prctl"), {PR_GET_NAME, addr(name), 0, 0, 0, 0}, ctx) == "prctl(PR_GET_NAME, \"probe\")");
}

TEST_CASE("signal sets and actions, read and written", "[memory_args]") {
  CallContext ctx = local_memory();
  const uint64_t chld = 1ull << (SIGCHLD - 1);
  const uint64_t none = 0;
  CHECK(format_call(nr("rt_sigprocmask"), {SIG_BLOCK, addr(&chld), addr(&none), 8, 0, 0}, ctx) ==
        "rt_sigprocmask(SIG_BLOCK, [CHLD], " + syslat::decode::pointer(addr(&none)) + ", 8)");
  ctx.ret = 0;
  CHECK(format_call(nr("rt_sigprocmask"), {SIG_BLOCK, addr(&chld), addr(&none), 8, 0, 0}, ctx) ==
        "rt_sigprocmask(SIG_BLOCK, [CHLD], [], 8)");
  // The kernel's struct sigaction: handler, flags, restorer, mask.
  const uint64_t dfl[4] = {0, 0, 0, 0};
  const uint64_t handler[4] = {0x55d3a6f96dc0, 0x04000000 | SA_RESTART, 0x7fd5fb909050, ~((1ull << 31) | (1ull << 32))};
  CHECK(format_call(nr("rt_sigaction"), {SIGINT, addr(handler), addr(dfl), 8, 0, 0}, ctx) ==
        "rt_sigaction(SIGINT, {sa_handler=0x55d3a6f96dc0, sa_mask=~[RTMIN RT_1], sa_flags=SA_RESTORER|SA_RESTART, "
        "sa_restorer=0x7fd5fb909050}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8)");
  ctx.ret = -22;  // EINVAL: the old action was not written
  CHECK(format_call(nr("rt_sigaction"), {SIGKILL, 0, addr(dfl), 8, 0, 0}, ctx) ==
        "rt_sigaction(SIGKILL, NULL, " + syslat::decode::pointer(addr(dfl)) + ", 8)");
}

TEST_CASE("getdents64 counts the entries it returned", "[memory_args]") {
  CallContext ctx = local_memory();
  // Three records of 24, 32 and 24 bytes: d_reclen after d_ino and d_off.
  unsigned char buf[80] = {};
  const uint16_t lens[] = {24, 32, 24};
  size_t at = 0;
  for (uint16_t len : lens) {
    std::memcpy(buf + at + 16, &len, sizeof len);
    at += len;
  }
  ctx.ret = 80;
  CHECK(format_call(nr("getdents64"), {3, addr(buf), 32768, 0, 0, 0}, ctx) ==
        "getdents64(3, " + syslat::decode::pointer(addr(buf)) + " /* 3 entries */, 32768)");
  ctx.ret = 0;
  CHECK(format_call(nr("getdents64"), {3, addr(buf), 32768, 0, 0, 0}, ctx) ==
        "getdents64(3, " + syslat::decode::pointer(addr(buf)) + " /* 0 entries */, 32768)");
}

TEST_CASE("statx's struct, timer_create's id, nanosleep's time left only when interrupted", "[memory_args]") {
  CallContext ctx = local_memory();
  struct statx stx {};
  stx.stx_mask = STATX_BASIC_STATS | STATX_MNT_ID;
  stx.stx_attributes = STATX_ATTR_MOUNT_ROOT;
  stx.stx_mode = S_IFDIR | 0755;
  stx.stx_size = 4096;
  ctx.ret = 0;
  CHECK(format_call(nr("statx"), {static_cast<uint32_t>(AT_FDCWD), 0, 0, STATX_BASIC_STATS, addr(&stx), 0}, ctx) ==
        "statx(AT_FDCWD, NULL, AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS, {stx_mask=STATX_BASIC_STATS|STATX_MNT_ID, "
        "stx_attributes=STATX_ATTR_MOUNT_ROOT, stx_mode=S_IFDIR|0755, stx_size=4096, ...})");
  const int timer_id = 0;
  CHECK(format_call(nr("timer_create"), {CLOCK_MONOTONIC, 0, addr(&timer_id), 0, 0, 0}, ctx) ==
        "timer_create(CLOCK_MONOTONIC, NULL, [0])");
  const struct timespec want = {0, 100000000}, left = {0, 5};
  CHECK(format_call(nr("nanosleep"), {addr(&want), addr(&left), 0, 0, 0, 0}, ctx) ==
        "nanosleep({tv_sec=0, tv_nsec=100000000}, " + syslat::decode::pointer(addr(&left)) + ")");
  ctx.ret = -516;  // ERESTART_RESTARTBLOCK: interrupted, the time left was written
  CHECK(format_call(nr("nanosleep"), {addr(&want), addr(&left), 0, 0, 0, 0}, ctx) ==
        "nanosleep({tv_sec=0, tv_nsec=100000000}, {tv_sec=0, tv_nsec=5})");
}

TEST_CASE("uname's names and sysinfo's numbers, after a success", "[memory_args]") {
  CallContext ctx = local_memory();
  struct utsname u {};
  std::strcpy(u.sysname, "Linux");
  std::strcpy(u.nodename, "vm");
  CHECK(format_call(nr("uname"), {addr(&u), 0, 0, 0, 0, 0}, ctx) == "uname(" + syslat::decode::pointer(addr(&u)) + ")");
  ctx.ret = 0;
  CHECK(format_call(nr("uname"), {addr(&u), 0, 0, 0, 0, 0}, ctx) == "uname({sysname=\"Linux\", nodename=\"vm\", ...})");
  struct sysinfo si {};
  si.uptime = 12759;
  si.loads[0] = 98528;
  si.totalram = 25276157952;
  si.procs = 108;
  si.mem_unit = 1;
  CHECK(format_call(nr("sysinfo"), {addr(&si), 0, 0, 0, 0, 0}, ctx) ==
        "sysinfo({uptime=12759, loads=[98528, 0, 0], totalram=25276157952, freeram=0, sharedram=0, bufferram=0, "
        "totalswap=0, freeswap=0, procs=108, totalhigh=0, freehigh=0, mem_unit=1})");
}
