// Per-syscall argument signatures: how many arguments a call takes, their
// kernel names, and how a decoder should show each one. Generated at build
// time from the checked-in syscall_args.txt (the kernel's syscall trace
// events, via scripts/gen-syscall-args.sh); the kinds come from the rules in
// syscall_arg_rules.cmake, never from per-call-site code.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/syscall_table.h"

namespace syslat::core {

// How an argument is shown. Integer kinds say their width because the upper
// half of a register holding an `int` argument is not part of the value.
enum class ArgKind : uint8_t {
  Int,             // int32, decimal
  Long,            // int64, decimal (long, loff_t)
  UInt,            // uint32, decimal
  Size,            // uint64, decimal (size_t, unsigned long counts)
  Hex,             // 0 or 0x...; flags without a table
  Ptr,             // NULL or 0x...
  Fd,              // 7</path> (like strace -y)
  AtFd,            // AT_FDCWD or an fd
  Path,            // NUL-terminated path: "/etc/passwd"
  String,          // other NUL-terminated string (memfd_create's name)
  OpenFlags,       // O_RDONLY|O_CLOEXEC
  Mode,            // 0644
  AtFlags,         // AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH
  AccessMode,      // R_OK|W_OK, F_OK
  MmapProt,        // PROT_READ|PROT_WRITE, PROT_NONE
  MmapFlags,       // MAP_PRIVATE|MAP_ANONYMOUS
  CloneFlags,      // CLONE_VM|...|SIGCHLD (clone: the low byte is the exit signal)
  UnshareFlags,    // CLONE_NEWNS|CLONE_NEWTIME (unshare, setns: no signal byte)
  Signal,          // SIGTERM
  SocketDomain,    // AF_INET
  SocketType,      // SOCK_STREAM|SOCK_CLOEXEC
  MsgFlags,        // MSG_DONTWAIT|MSG_NOSIGNAL
  Whence,          // SEEK_SET
  FutexOp,         // FUTEX_WAIT_PRIVATE
  FcntlCmd,        // F_GETFL
  SigprocmaskHow,  // SIG_BLOCK
  EpollCtlOp,      // EPOLL_CTL_ADD
  ArchPrctlCode,   // ARCH_SET_FS
  Rlimit,          // RLIMIT_STACK (getrlimit, setrlimit, prlimit64)
  RandomFlags,     // GRND_NONBLOCK
  FadviseAdvice,   // POSIX_FADV_SEQUENTIAL
  MadviseAdvice,   // MADV_DONTNEED
  ClockId,         // CLOCK_MONOTONIC
  TimerFlags,      // TIMER_ABSTIME (clock_nanosleep)
  WaitOptions,     // WNOHANG|__WALL (wait4, waitid)
  WaitidWhich,     // P_PID
  PrctlOption,     // PR_SET_NAME (the other arguments: decode/variants.cpp)
  PipeFlags,       // O_NONBLOCK|O_CLOEXEC (pipe2, dup3: open flags without an access mode)
  EventfdFlags,    // EFD_CLOEXEC|EFD_NONBLOCK
  EpollFlags,      // EPOLL_CLOEXEC
  InotifyFlags,    // IN_NONBLOCK|IN_CLOEXEC
  TimerfdFlags,    // TFD_CLOEXEC|TFD_NONBLOCK
  SignalfdFlags,   // SFD_CLOEXEC|SFD_NONBLOCK
  MemfdFlags,      // MFD_CLOEXEC|MFD_HUGETLB|21<<MFD_HUGE_SHIFT
  SockLevel,       // SOL_SOCKET
  SockOptName,     // SO_REUSEADDR: named after the level in the argument before it
  ShutdownHow,     // SHUT_RDWR
  FlockOp,         // LOCK_EX|LOCK_NB
  MembarrierCmd,   // MEMBARRIER_CMD_QUERY
  MremapFlags,     // MREMAP_MAYMOVE
  MsyncFlags,      // MS_ASYNC|MS_INVALIDATE
  StatxFlags,      // AT_STATX_SYNC_AS_STAT|AT_NO_AUTOMOUNT
  StatxMask,       // STATX_BASIC_STATS
  FdFlags,         // FD_CLOEXEC (fcntl F_SETFD)
  FutexBitset,     // FUTEX_BITSET_MATCH_ANY, else hex
  IoctlCmd,        // TCGETS, else hex
  SocketProtocol,  // IPPROTO_TCP: named after the domain (socket's first argument)
  SigactionFlags,  // SA_RESTORER|SA_RESTART
  // Memory the call reads or fills: decoded only where the decoder is given a
  // reader of the traced process (systrace); elsewhere shown as the pointer.
  InBuf,           // counted input buffer, length in the next argument: "hello\n"
  OutBuf,          // output buffer filled with `return value` bytes (read): decoded at exit
  OutString,       // NUL-terminated string the call writes (getcwd): decoded at exit
  StatBuf,         // struct stat written by the call: {st_mode=S_IFREG|0644, st_size=3, ...}
  Sockaddr,        // struct sockaddr read by the call, length in the next argument
  SockaddrOut,     // struct sockaddr written by the call (accept, recvfrom), length via the next pointer
  Timespec,        // struct timespec read by the call: {tv_sec=1, tv_nsec=0}
  TimespecOut,     // struct timespec written by the call (clock_gettime)
  Pollfds,         // struct pollfd[nfds]: [{fd=3, events=POLLIN}]
  FdPair,          // int[2] written by pipe/socketpair: [3, 4]
  StrArray,        // NULL-terminated array of strings (execve argv): ["ls", "-l"]
  EnvArray,        // the same, shown as strace does envp: 0x7ffd... /* 21 vars */
  RandomBuf,       // getrandom's buffer, filled with `return value` bytes: "\x68\xc5" (always hex)
  RlimitIn,        // struct rlimit(64) read by the call: {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}
  RlimitOut,       // the same, written by the call
  WaitStatus,      // int written by wait4: [{WIFEXITED(s) && WEXITSTATUS(s) == 0}]
  IntRef,          // int the call reads and may update (getsockopt's optlen): [4]
  SockoptIn,       // setsockopt's value, an int when optlen (next argument) is 4: [1]
  SockoptOut,      // getsockopt's value, an int when *optlen (next argument) is 4: [1]
  IntOut,          // int written by the call, shown after a success: [0] (timer_create's id)
  TimespecRem,     // the time left, written only when a sleep is interrupted (nanosleep's rmtp)
  Dirents,         // getdents' buffer: the pointer and, once returned, /* 30 entries */
  StatxBuf,        // struct statx written by the call: {stx_mask=..., stx_mode=S_IFDIR|0755, stx_size=4096, ...}
  SigsetIn,        // sigset_t read by the call, size in the argument sigsetsize: [INT TERM], ~[RTMIN RT_1]
  SigsetOut,       // the same, written by the call
  SigactionIn,     // struct sigaction read by the call: {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}
  SigactionOut,    // the same, written by the call
  UtsnameOut,      // struct utsname written by uname: {sysname="Linux", nodename="vm", ...}
  SysinfoOut,      // struct sysinfo written by sysinfo: {uptime=12759, loads=[98528, 104096, 121152], ...}
};

struct ArgSpec {
  std::string_view name;  // the kernel's parameter name ("filename")
  ArgKind kind;
};

// The arguments of a call, in order; empty for a call without arguments and
// for one whose signature is unknown (see has_arg_signature). An i386 call
// uses the x86_64 signature of the same-named call where that one means the
// same (not i386's old mmap/select, which take a struct), else none.
std::span<const ArgSpec> syscall_args(SyscallId id);

// False for unknown numbers and for calls whose signature the kernel did not
// describe (afs_syscall, ...): decoders then show six raw values.
bool has_arg_signature(SyscallId id);

// Index of the first Path argument, -1 if none. The BPF side reads that
// argument as a string in the kernel at entry.
int path_arg_index(SyscallId id);

// "Path", "OpenFlags", ...: for tests and diagnostics.
std::string_view arg_kind_name(ArgKind kind);

}  // namespace syslat::core
