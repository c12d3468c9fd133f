#include "decode/flags.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <linux/membarrier.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <asm/prctl.h>
#endif

#include <bit>
#include <cstdio>

#include "decode/text.h"

namespace syslat::decode {
namespace {

using core::ArgKind;

#define N(x) Named{static_cast<uint64_t>(x), #x}

// strace leaves these out of the headers' view: the kernel's own values.
constexpr uint64_t kLargefile = 0100000;  // O_LARGEFILE is 0 in 64-bit glibc
constexpr uint64_t kTmpfile = 020200000;  // O_TMPFILE (__O_TMPFILE | O_DIRECTORY)

constexpr Named kAccessModes[] = {N(O_RDONLY), N(O_WRONLY), N(O_RDWR), {3, "O_ACCMODE"}};
constexpr Named kOpenFlags[] = {
    // strace's order; O_SYNC before O_DSYNC and O_TMPFILE before O_DIRECTORY (multi-bit values).
    N(O_CREAT),    N(O_EXCL),     N(O_NOCTTY),  N(O_TRUNC),   N(O_APPEND),  N(O_NONBLOCK),
    N(O_SYNC),     N(O_DSYNC),    N(O_DIRECT),  {kLargefile, "O_LARGEFILE"}, N(O_NOFOLLOW),
    N(O_NOATIME),  N(O_CLOEXEC),  N(O_PATH),    {kTmpfile, "O_TMPFILE"},     N(O_DIRECTORY),
    N(O_ASYNC),
};
constexpr Named kAtFlags[] = {
    N(AT_SYMLINK_NOFOLLOW), N(AT_REMOVEDIR), N(AT_SYMLINK_FOLLOW), N(AT_NO_AUTOMOUNT),
    N(AT_EMPTY_PATH),       N(AT_STATX_FORCE_SYNC), N(AT_STATX_DONT_SYNC), N(AT_RECURSIVE),
};
constexpr Named kAccessBits[] = {N(R_OK), N(W_OK), N(X_OK)};
constexpr Named kProt[] = {N(PROT_READ), N(PROT_WRITE), N(PROT_EXEC), {0x8, "PROT_SEM"},
                           N(PROT_GROWSDOWN), N(PROT_GROWSUP)};
constexpr Named kMapTypes[] = {N(MAP_SHARED), N(MAP_PRIVATE), N(MAP_SHARED_VALIDATE)};
constexpr Named kMapFlags[] = {
    N(MAP_FIXED),    N(MAP_ANONYMOUS), N(MAP_32BIT),   N(MAP_GROWSDOWN), N(MAP_DENYWRITE),
    N(MAP_EXECUTABLE), N(MAP_LOCKED),  N(MAP_NORESERVE), N(MAP_POPULATE), N(MAP_NONBLOCK),
    N(MAP_STACK),    N(MAP_HUGETLB),   N(MAP_SYNC),    N(MAP_FIXED_NOREPLACE),
};
constexpr Named kCloneFlags[] = {
    N(CLONE_VM),        N(CLONE_FS),          N(CLONE_FILES),   N(CLONE_SIGHAND),
    N(CLONE_PIDFD),     N(CLONE_PTRACE),      N(CLONE_VFORK),   N(CLONE_PARENT),
    N(CLONE_THREAD),    N(CLONE_NEWNS),       N(CLONE_SYSVSEM), N(CLONE_SETTLS),
    N(CLONE_PARENT_SETTID), N(CLONE_CHILD_CLEARTID), N(CLONE_DETACHED), N(CLONE_UNTRACED),
    N(CLONE_CHILD_SETTID), N(CLONE_NEWCGROUP), N(CLONE_NEWUTS), N(CLONE_NEWIPC),
    N(CLONE_NEWUSER),   N(CLONE_NEWPID),      N(CLONE_NEWNET),  N(CLONE_IO),
    // unshare/setns only: in clone this byte is the exit signal (clone_flags()).
    {0x80, "CLONE_NEWTIME"},
};
constexpr Named kDomains[] = {
    N(AF_UNSPEC), N(AF_UNIX),    N(AF_INET),   N(AF_AX25),    N(AF_IPX),   N(AF_APPLETALK),
    N(AF_X25),    N(AF_INET6),   N(AF_DECnet), N(AF_KEY),     N(AF_NETLINK), N(AF_PACKET),
    N(AF_RDS),    N(AF_IRDA),    N(AF_CAN),    N(AF_TIPC),    N(AF_BLUETOOTH), N(AF_ALG),
    N(AF_VSOCK),  N(AF_XDP),
};
constexpr Named kSocketTypes[] = {N(SOCK_STREAM), N(SOCK_DGRAM), N(SOCK_RAW), N(SOCK_RDM),
                                  N(SOCK_SEQPACKET), N(SOCK_DCCP), N(SOCK_PACKET)};
constexpr Named kSocketTypeFlags[] = {N(SOCK_CLOEXEC), N(SOCK_NONBLOCK)};
constexpr Named kMsgFlags[] = {
    N(MSG_OOB),      N(MSG_PEEK),     N(MSG_DONTROUTE), N(MSG_CTRUNC),   N(MSG_PROXY),
    N(MSG_TRUNC),    N(MSG_DONTWAIT), N(MSG_EOR),       N(MSG_WAITALL),  N(MSG_FIN),
    N(MSG_SYN),      N(MSG_CONFIRM),  N(MSG_RST),       N(MSG_ERRQUEUE), N(MSG_NOSIGNAL),
    N(MSG_MORE),     N(MSG_WAITFORONE), N(MSG_BATCH),   N(MSG_ZEROCOPY), N(MSG_FASTOPEN),
    N(MSG_CMSG_CLOEXEC),
};
constexpr Named kWhence[] = {N(SEEK_SET), N(SEEK_CUR), N(SEEK_END), N(SEEK_DATA), N(SEEK_HOLE)};
constexpr Named kFutexCmds[] = {
    N(FUTEX_WAIT),        N(FUTEX_WAKE),          N(FUTEX_FD),          N(FUTEX_REQUEUE),
    N(FUTEX_CMP_REQUEUE), N(FUTEX_WAKE_OP),       N(FUTEX_LOCK_PI),     N(FUTEX_UNLOCK_PI),
    N(FUTEX_TRYLOCK_PI),  N(FUTEX_WAIT_BITSET),   N(FUTEX_WAKE_BITSET), N(FUTEX_WAIT_REQUEUE_PI),
    N(FUTEX_CMP_REQUEUE_PI), {13, "FUTEX_LOCK_PI2"},
};
constexpr Named kFcntlCmds[] = {
    N(F_DUPFD),      N(F_GETFD),      N(F_SETFD),      N(F_GETFL),      N(F_SETFL),
    N(F_GETLK),      N(F_SETLK),      N(F_SETLKW),     N(F_SETOWN),     N(F_GETOWN),
    N(F_SETSIG),     N(F_GETSIG),     N(F_SETOWN_EX),  N(F_GETOWN_EX),  N(F_OFD_GETLK),
    N(F_OFD_SETLK),  N(F_OFD_SETLKW), N(F_SETLEASE),   N(F_GETLEASE),   N(F_NOTIFY),
    N(F_DUPFD_CLOEXEC), N(F_SETPIPE_SZ), N(F_GETPIPE_SZ), N(F_ADD_SEALS), N(F_GET_SEALS),
};
constexpr Named kSigHow[] = {N(SIG_BLOCK), N(SIG_UNBLOCK), N(SIG_SETMASK)};
constexpr Named kEpollOps[] = {N(EPOLL_CTL_ADD), N(EPOLL_CTL_DEL), N(EPOLL_CTL_MOD)};
#if defined(__x86_64__)
constexpr Named kArchPrctlTable[] = {
    N(ARCH_SET_GS),         N(ARCH_SET_FS),         N(ARCH_GET_FS),         N(ARCH_GET_GS),
    N(ARCH_GET_CPUID),      N(ARCH_SET_CPUID),      N(ARCH_GET_XCOMP_SUPP), N(ARCH_GET_XCOMP_PERM),
    N(ARCH_REQ_XCOMP_PERM), N(ARCH_GET_XCOMP_GUEST_PERM), N(ARCH_REQ_XCOMP_GUEST_PERM),
    N(ARCH_MAP_VDSO_X32),   N(ARCH_MAP_VDSO_32),    N(ARCH_MAP_VDSO_64),
};
constexpr std::span<const Named> kArchPrctlCodes = kArchPrctlTable;
#else
constexpr std::span<const Named> kArchPrctlCodes;  // arch_prctl is x86-only
#endif
constexpr Named kRlimits[] = {
    N(RLIMIT_CPU),    N(RLIMIT_FSIZE),   N(RLIMIT_DATA),    N(RLIMIT_STACK),      N(RLIMIT_CORE),
    N(RLIMIT_RSS),    N(RLIMIT_NPROC),   N(RLIMIT_NOFILE),  N(RLIMIT_MEMLOCK),    N(RLIMIT_AS),
    N(RLIMIT_LOCKS),  N(RLIMIT_SIGPENDING), N(RLIMIT_MSGQUEUE), N(RLIMIT_NICE),   N(RLIMIT_RTPRIO),
    N(RLIMIT_RTTIME),
};
constexpr Named kRandomFlags[] = {N(GRND_NONBLOCK), N(GRND_RANDOM), N(GRND_INSECURE)};
constexpr Named kFadvise[] = {N(POSIX_FADV_NORMAL), N(POSIX_FADV_RANDOM), N(POSIX_FADV_SEQUENTIAL),
                              N(POSIX_FADV_WILLNEED), N(POSIX_FADV_DONTNEED), N(POSIX_FADV_NOREUSE)};
constexpr Named kMadvise[] = {
    N(MADV_NORMAL),     N(MADV_RANDOM),        N(MADV_SEQUENTIAL),     N(MADV_WILLNEED),
    N(MADV_DONTNEED),   N(MADV_FREE),          N(MADV_REMOVE),         N(MADV_DONTFORK),
    N(MADV_DOFORK),     N(MADV_MERGEABLE),     N(MADV_UNMERGEABLE),    N(MADV_HUGEPAGE),
    N(MADV_NOHUGEPAGE), N(MADV_DONTDUMP),      N(MADV_DODUMP),         N(MADV_WIPEONFORK),
    N(MADV_KEEPONFORK), N(MADV_COLD),          N(MADV_PAGEOUT),        N(MADV_POPULATE_READ),
    N(MADV_POPULATE_WRITE), N(MADV_DONTNEED_LOCKED), {25, "MADV_COLLAPSE"}, N(MADV_HWPOISON),
};
constexpr Named kClocks[] = {
    N(CLOCK_REALTIME),        N(CLOCK_MONOTONIC),      N(CLOCK_PROCESS_CPUTIME_ID), N(CLOCK_THREAD_CPUTIME_ID),
    N(CLOCK_MONOTONIC_RAW),   N(CLOCK_REALTIME_COARSE), N(CLOCK_MONOTONIC_COARSE),  N(CLOCK_BOOTTIME),
    N(CLOCK_REALTIME_ALARM),  N(CLOCK_BOOTTIME_ALARM), N(CLOCK_TAI),
};
constexpr Named kTimerFlags[] = {N(TIMER_ABSTIME)};
// WUNTRACED is WSTOPPED; strace names it WSTOPPED.
constexpr Named kWaitOptions[] = {N(WNOHANG),    N(WSTOPPED),  N(WEXITED), N(WCONTINUED), N(WNOWAIT),
                                  N(__WNOTHREAD), N(__WALL),   N(__WCLONE)};
constexpr Named kIdTypes[] = {N(P_ALL), N(P_PID), N(P_PGID), {3, "P_PIDFD"}};
constexpr Named kPrctlOptions[] = {
    N(PR_SET_PDEATHSIG),   N(PR_GET_PDEATHSIG),    N(PR_GET_DUMPABLE),     N(PR_SET_DUMPABLE),
    N(PR_GET_UNALIGN),     N(PR_SET_UNALIGN),      N(PR_GET_KEEPCAPS),     N(PR_SET_KEEPCAPS),
    N(PR_GET_FPEMU),       N(PR_SET_FPEMU),        N(PR_GET_FPEXC),        N(PR_SET_FPEXC),
    N(PR_GET_TIMING),      N(PR_SET_TIMING),       N(PR_SET_NAME),         N(PR_GET_NAME),
    N(PR_GET_ENDIAN),      N(PR_SET_ENDIAN),       N(PR_GET_SECCOMP),      N(PR_SET_SECCOMP),
    N(PR_CAPBSET_READ),    N(PR_CAPBSET_DROP),     N(PR_GET_TSC),          N(PR_SET_TSC),
    N(PR_GET_SECUREBITS),  N(PR_SET_SECUREBITS),   N(PR_SET_TIMERSLACK),   N(PR_GET_TIMERSLACK),
    N(PR_TASK_PERF_EVENTS_DISABLE), N(PR_TASK_PERF_EVENTS_ENABLE), N(PR_MCE_KILL), N(PR_MCE_KILL_GET),
    N(PR_SET_MM),          N(PR_SET_CHILD_SUBREAPER), N(PR_GET_CHILD_SUBREAPER), N(PR_SET_NO_NEW_PRIVS),
    N(PR_GET_NO_NEW_PRIVS), N(PR_GET_TID_ADDRESS), N(PR_SET_THP_DISABLE),  N(PR_GET_THP_DISABLE),
    N(PR_MPX_ENABLE_MANAGEMENT), N(PR_MPX_DISABLE_MANAGEMENT), N(PR_SET_FP_MODE), N(PR_GET_FP_MODE),
    N(PR_CAP_AMBIENT),     N(PR_SVE_SET_VL),       N(PR_SVE_GET_VL),       N(PR_GET_SPECULATION_CTRL),
    N(PR_SET_SPECULATION_CTRL), N(PR_PAC_RESET_KEYS), N(PR_SET_TAGGED_ADDR_CTRL), N(PR_GET_TAGGED_ADDR_CTRL),
    N(PR_SET_IO_FLUSHER),  N(PR_GET_IO_FLUSHER),   N(PR_SET_SYSCALL_USER_DISPATCH), N(PR_SCHED_CORE),
    N(PR_SET_PTRACER),     N(PR_SET_VMA),
};
constexpr Named kEventfdFlags[] = {N(EFD_SEMAPHORE), N(EFD_CLOEXEC), N(EFD_NONBLOCK)};
constexpr Named kEpollFlags[] = {N(EPOLL_CLOEXEC)};
constexpr Named kInotifyFlags[] = {N(IN_NONBLOCK), N(IN_CLOEXEC)};
constexpr Named kTimerfdFlags[] = {N(TFD_CLOEXEC), N(TFD_NONBLOCK)};
constexpr Named kSignalfdFlags[] = {N(SFD_CLOEXEC), N(SFD_NONBLOCK)};
constexpr Named kMemfdFlags[] = {N(MFD_CLOEXEC), N(MFD_ALLOW_SEALING), N(MFD_HUGETLB)};
constexpr int kMfdHugeShift = 26;  // MFD_HUGE_SHIFT (linux/memfd.h): the huge page size's log2
constexpr uint64_t kMfdHugeMask = 0x3f;
constexpr Named kSockLevels[] = {N(SOL_IP),   N(SOL_SOCKET), N(SOL_TCP),  N(SOL_UDP),  N(SOL_IPV6),
                                 N(SOL_RAW),  N(SOL_PACKET), N(SOL_NETLINK), N(SOL_ALG), N(SOL_XDP)};
constexpr Named kSocketOptions[] = {
    N(SO_DEBUG),     N(SO_REUSEADDR), N(SO_TYPE),      N(SO_ERROR),      N(SO_DONTROUTE), N(SO_BROADCAST),
    N(SO_SNDBUF),    N(SO_RCVBUF),    N(SO_KEEPALIVE), N(SO_OOBINLINE),  N(SO_NO_CHECK),  N(SO_PRIORITY),
    N(SO_LINGER),    N(SO_BSDCOMPAT), N(SO_REUSEPORT), N(SO_PASSCRED),   N(SO_PEERCRED),  N(SO_RCVLOWAT),
    N(SO_SNDLOWAT),  N(SO_RCVTIMEO_OLD), N(SO_SNDTIMEO_OLD), N(SO_BINDTODEVICE), N(SO_ATTACH_FILTER),
    N(SO_DETACH_FILTER), N(SO_PEERNAME), N(SO_TIMESTAMP_OLD), N(SO_ACCEPTCONN), N(SO_PEERSEC),
    N(SO_SNDBUFFORCE), N(SO_RCVBUFFORCE), N(SO_PASSSEC), N(SO_MARK),       N(SO_PROTOCOL),  N(SO_DOMAIN),
    N(SO_RXQ_OVFL),  N(SO_PEEK_OFF),  N(SO_BUSY_POLL), N(SO_INCOMING_CPU), N(SO_ATTACH_BPF), N(SO_COOKIE),
    N(SO_PEERGROUPS), N(SO_ZEROCOPY), N(SO_TXTIME),    N(SO_BINDTOIFINDEX),
};
constexpr Named kShutdownHow[] = {N(SHUT_RD), N(SHUT_WR), N(SHUT_RDWR)};
constexpr Named kFlockOps[] = {N(LOCK_SH), N(LOCK_EX), N(LOCK_NB), N(LOCK_UN), N(LOCK_MAND), N(LOCK_READ),
                               N(LOCK_WRITE)};
constexpr Named kMembarrierCmds[] = {
    N(MEMBARRIER_CMD_QUERY),                     N(MEMBARRIER_CMD_GLOBAL),
    N(MEMBARRIER_CMD_GLOBAL_EXPEDITED),          N(MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED),
    N(MEMBARRIER_CMD_PRIVATE_EXPEDITED),         N(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED),
    N(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE), N(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE),
    N(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ),    N(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ),
};
constexpr Named kMremapFlags[] = {N(MREMAP_MAYMOVE), N(MREMAP_FIXED), N(MREMAP_DONTUNMAP)};
constexpr Named kMsyncFlags[] = {N(MS_ASYNC), N(MS_INVALIDATE), N(MS_SYNC)};
constexpr Named kStatxSync[] = {N(AT_STATX_SYNC_AS_STAT), N(AT_STATX_FORCE_SYNC), N(AT_STATX_DONT_SYNC)};
constexpr Named kStatxAtFlags[] = {N(AT_SYMLINK_NOFOLLOW), N(AT_NO_AUTOMOUNT), N(AT_EMPTY_PATH)};
constexpr Named kStatxMask[] = {
    // The sets first, as strace shows them.
    N(STATX_ALL),   N(STATX_BASIC_STATS), N(STATX_TYPE),  N(STATX_MODE),   N(STATX_NLINK), N(STATX_UID),
    N(STATX_GID),   N(STATX_ATIME),       N(STATX_MTIME), N(STATX_CTIME),  N(STATX_INO),   N(STATX_SIZE),
    N(STATX_BLOCKS), N(STATX_BTIME),      N(STATX_MNT_ID),
};
constexpr Named kFdFlags[] = {N(FD_CLOEXEC)};
// The terminal and file ioctls programs try on their standard streams.
constexpr Named kIoctls[] = {
    N(TCGETS),     N(TCSETS),     N(TCSETSW),    N(TCSETSF),    N(TCFLSH),     N(TIOCSCTTY),
    N(TIOCGPGRP),  N(TIOCSPGRP),  N(TIOCOUTQ),   N(TIOCGWINSZ), N(TIOCSWINSZ), N(FIONREAD),
    N(TIOCNOTTY),  N(FIONBIO),    N(TIOCGPTN),   N(TIOCSPTLCK), N(FIONCLEX),   N(FIOCLEX),
    N(FIOASYNC),   N(TIOCGSID),   N(TCXONC),     N(TCSBRK),
};
constexpr Named kIpProtocols[] = {N(IPPROTO_IP),   N(IPPROTO_ICMP), N(IPPROTO_TCP),    N(IPPROTO_UDP),
                                  N(IPPROTO_IPV6), N(IPPROTO_ICMPV6), N(IPPROTO_SCTP), N(IPPROTO_UDPLITE),
                                  N(IPPROTO_RAW),  N(IPPROTO_MPTCP)};
// strace's order.
constexpr Named kSigactionFlags[] = {{kSaRestorer, "SA_RESTORER"}, N(SA_ONSTACK),  N(SA_RESTART), N(SA_INTERRUPT),
                                     N(SA_NODEFER),  N(SA_RESETHAND), N(SA_SIGINFO), N(SA_NOCLDSTOP),
                                     N(SA_NOCLDWAIT)};
constexpr Named kFutexBitset[] = {N(FUTEX_BITSET_MATCH_ANY)};
constexpr Named kSignals[] = {
    N(SIGHUP),  N(SIGINT),    N(SIGQUIT), N(SIGILL),    N(SIGTRAP), N(SIGABRT), N(SIGBUS),
    N(SIGFPE),  N(SIGKILL),   N(SIGUSR1), N(SIGSEGV),   N(SIGUSR2), N(SIGPIPE), N(SIGALRM),
    N(SIGTERM), N(SIGSTKFLT), N(SIGCHLD), N(SIGCONT),   N(SIGSTOP), N(SIGTSTP), N(SIGTTIN),
    N(SIGTTOU), N(SIGURG),    N(SIGXCPU), N(SIGXFSZ),   N(SIGVTALRM), N(SIGPROF), N(SIGWINCH),
    N(SIGIO),   N(SIGPWR),    N(SIGSYS),
};

constexpr int kKernelSigrtmin = 32;  // glibc's SIGRTMIN (34) reserves two for itself
constexpr int kKernelSigrtmax = 64;

std::string join(std::string head, const std::string& tail) {
  if (tail == "0") return head;
  return head + "|" + tail;
}

// A value whose low bits select one of `fields` (access mode, mapping type,
// socket type) and whose other bits are flags: "O_WRONLY|O_CREAT".
std::string field_and_bits(uint64_t value, uint64_t field_mask, std::span<const Named> fields,
                           std::span<const Named> bits) {
  uint64_t field = value & field_mask;
  auto name = find_name(field, fields);
  std::string head = name ? std::string(*name) : format_bits(field, {}, "0");
  return join(head, format_bits(value & ~field_mask, bits));
}

std::string futex_op(uint64_t op) {
  auto cmd = find_name(op & FUTEX_CMD_MASK, kFutexCmds);
  if (!cmd) return unknown_value(op, "FUTEX_???");
  std::string out(*cmd);
  if (op & FUTEX_PRIVATE_FLAG) out += "_PRIVATE";
  if (op & FUTEX_CLOCK_REALTIME) out += "|FUTEX_CLOCK_REALTIME";
  return out;
}

constexpr Named kFileTypes[] = {N(S_IFREG), N(S_IFDIR), N(S_IFCHR), N(S_IFBLK), N(S_IFIFO), N(S_IFLNK), N(S_IFSOCK)};

// The clone flags' low byte is the signal sent to the parent on exit.
std::string clone_flags(uint64_t flags) {
  std::string bits = format_bits(flags & ~uint64_t{0xff}, kCloneFlags, "");
  if ((flags & 0xff) == 0) return bits.empty() ? "0" : bits;
  std::string sig = signal_name(static_cast<int64_t>(flags & 0xff));
  return bits.empty() ? sig : bits + "|" + sig;
}

// A named value, or strace's "0x9 /* SEEK_??? */" for one without a name.
std::string enum_value(uint64_t value, std::span<const Named> table, std::string_view unknown) {
  auto name = find_name(value, table);
  return name ? std::string(*name) : unknown_value(value, unknown);
}

// memfd_create: the flags, then the huge page size as a shift ("21<<MFD_HUGE_SHIFT").
std::string memfd_flags(uint64_t flags) {
  const uint64_t huge = (flags >> kMfdHugeShift) & kMfdHugeMask;
  std::string bits = format_bits(flags & ~(kMfdHugeMask << kMfdHugeShift), kMemfdFlags, "", "MFD_???");
  if (huge == 0) return bits.empty() ? "0" : bits;
  std::string shift = std::to_string(huge) + "<<MFD_HUGE_SHIFT";
  return bits.empty() ? shift : bits + "|" + shift;
}

#undef N

}  // namespace

std::string unknown_value(uint64_t value, std::string_view unknown) {
  return hex(value) + " /* " + std::string(unknown) + " */";
}

std::string socket_protocol(uint64_t domain, uint64_t protocol) {
  const uint64_t family = domain & 0xffffffffu;
  if (family == AF_INET || family == AF_INET6) return enum_value(protocol & 0xffffffffu, kIpProtocols, "IPPROTO_???");
  return std::to_string(static_cast<int32_t>(protocol));
}

std::string sigset_text(uint64_t mask) {
  // More than half set: the ones left out, after a "~", as strace does.
  const bool inverted = std::popcount(mask) > kKernelSigrtmax / 2;
  if (inverted) mask = ~mask;
  std::string out = inverted ? "~[" : "[";
  for (int sig = 1; sig <= kKernelSigrtmax; ++sig) {
    if ((mask & (uint64_t{1} << (sig - 1))) == 0) continue;
    if (out.back() != '[') out += ' ';
    std::string name = signal_name(sig);
    out += name.starts_with("SIG") ? name.substr(3) : name;
  }
  return out + "]";
}

std::string sockopt_name(uint64_t level, uint64_t optname) {
  if ((level & 0xffffffffu) == SOL_SOCKET) return enum_value(optname & 0xffffffffu, kSocketOptions, "SO_???");
  return std::to_string(static_cast<uint32_t>(optname));
}

std::optional<std::string_view> find_name(uint64_t value, std::span<const Named> table) {
  for (const Named& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return std::nullopt;
}

std::string format_bits(uint64_t value, std::span<const Named> table, std::string_view zero,
                        std::string_view unknown) {
  std::string out;
  uint64_t left = value;
  for (const Named& entry : table) {
    if (entry.value == 0 || (left & entry.value) != entry.value) continue;
    if (!out.empty()) out += '|';
    out += entry.name;
    left &= ~entry.value;
  }
  if (left != 0) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%#llx", static_cast<unsigned long long>(left));
    if (out.empty() && !unknown.empty()) return unknown_value(left, unknown);
    if (!out.empty()) out += '|';
    out += buf;
  }
  return out.empty() ? std::string(zero) : out;
}

std::string signal_name(int64_t sig) {
  if (auto name = find_name(static_cast<uint64_t>(sig), kSignals); name && sig > 0) return std::string(*name);
  if (sig == kKernelSigrtmin) return "SIGRTMIN";
  if (sig > kKernelSigrtmin && sig <= kKernelSigrtmax) return "SIGRT_" + std::to_string(sig - kKernelSigrtmin);
  return std::to_string(sig);
}

std::string mode_text(uint64_t mode) {
  char perms[16];
  std::snprintf(perms, sizeof perms, "%#03o", static_cast<unsigned>(mode & 07777));
  auto type = find_name(mode & S_IFMT, kFileTypes);
  uint64_t rest = mode & ~uint64_t{S_IFMT | 07777};
  std::string out = type ? std::string(*type) + "|" + perms : perms;
  return rest ? out + "|" + format_bits(rest, {}) : out;
}

bool open_flags_take_mode(uint64_t flags) {
  return (flags & O_CREAT) != 0 || (flags & kTmpfile) == kTmpfile;
}

std::optional<std::string> format_symbolic(core::ArgKind kind, uint64_t value) {
  uint64_t low32 = value & 0xffffffffu;  // every family here is an int in the kernel
  switch (kind) {
    case ArgKind::OpenFlags: return field_and_bits(low32, O_ACCMODE, kAccessModes, kOpenFlags);
    case ArgKind::AtFlags: return format_bits(low32, kAtFlags);
    case ArgKind::AccessMode: return format_bits(low32, kAccessBits, "F_OK");
    case ArgKind::MmapProt: return format_bits(low32, kProt, "PROT_NONE");
    case ArgKind::MmapFlags: return field_and_bits(low32, 0x3, kMapTypes, kMapFlags);
    case ArgKind::CloneFlags: return clone_flags(value);
    case ArgKind::UnshareFlags: return format_bits(low32, kCloneFlags);
    case ArgKind::Signal: return signal_name(static_cast<int32_t>(low32));
    case ArgKind::SocketDomain: return enum_value(low32, kDomains, "AF_???");
    case ArgKind::SocketType: return field_and_bits(low32, 0xf, kSocketTypes, kSocketTypeFlags);
    case ArgKind::MsgFlags: return format_bits(low32, kMsgFlags);
    case ArgKind::Whence: return enum_value(low32, kWhence, "SEEK_???");
    case ArgKind::FutexOp: return futex_op(low32);
    case ArgKind::FcntlCmd: return enum_value(low32, kFcntlCmds, "F_???");
    case ArgKind::SigprocmaskHow: return enum_value(low32, kSigHow, "SIG_???");
    case ArgKind::EpollCtlOp: return enum_value(low32, kEpollOps, "EPOLL_CTL_???");
    case ArgKind::ArchPrctlCode: return enum_value(low32, kArchPrctlCodes, "ARCH_???");
    case ArgKind::Rlimit: return enum_value(low32, kRlimits, "RLIMIT_???");
    case ArgKind::RandomFlags: return format_bits(low32, kRandomFlags, "0", "GRND_???");
    case ArgKind::FadviseAdvice: return enum_value(low32, kFadvise, "POSIX_FADV_???");
    case ArgKind::MadviseAdvice: return enum_value(low32, kMadvise, "MADV_???");
    case ArgKind::ClockId: return enum_value(low32, kClocks, "CLOCK_???");
    case ArgKind::TimerFlags: return format_bits(low32, kTimerFlags, "0", "TIMER_???");
    case ArgKind::WaitOptions: return format_bits(low32, kWaitOptions, "0", "W???");
    case ArgKind::WaitidWhich: return enum_value(low32, kIdTypes, "P_???");
    case ArgKind::PrctlOption: return enum_value(low32, kPrctlOptions, "PR_???");
    case ArgKind::PipeFlags: return format_bits(low32, kOpenFlags, "0", "O_???");
    case ArgKind::EventfdFlags: return format_bits(low32, kEventfdFlags, "0", "EFD_???");
    case ArgKind::EpollFlags: return format_bits(low32, kEpollFlags, "0", "EPOLL_???");
    case ArgKind::InotifyFlags: return format_bits(low32, kInotifyFlags, "0", "IN_???");
    case ArgKind::TimerfdFlags: return format_bits(low32, kTimerfdFlags, "0", "TFD_???");
    case ArgKind::SignalfdFlags: return format_bits(low32, kSignalfdFlags, "0", "SFD_???");
    case ArgKind::MemfdFlags: return memfd_flags(low32);
    case ArgKind::SockLevel: return enum_value(low32, kSockLevels, "SOL_???");
    case ArgKind::ShutdownHow: return enum_value(low32, kShutdownHow, "SHUT_???");
    case ArgKind::FlockOp: return format_bits(low32, kFlockOps, "0", "LOCK_???");
    case ArgKind::MembarrierCmd: return enum_value(low32, kMembarrierCmds, "MEMBARRIER_CMD_???");
    case ArgKind::MremapFlags: return format_bits(value, kMremapFlags, "0", "MREMAP_???");
    case ArgKind::MsyncFlags: return format_bits(low32, kMsyncFlags, "0", "MS_???");
    case ArgKind::StatxFlags: return field_and_bits(low32, AT_STATX_SYNC_TYPE, kStatxSync, kStatxAtFlags);
    case ArgKind::StatxMask: return format_bits(low32, kStatxMask, "0", "STATX_???");
    case ArgKind::FdFlags: return format_bits(low32, kFdFlags, "0", "FD_???");
    case ArgKind::IoctlCmd: {
      auto name = find_name(low32, kIoctls);
      return name ? std::string(*name) : hex(low32);
    }
    case ArgKind::SigactionFlags: return format_bits(value, kSigactionFlags);
    case ArgKind::FutexBitset: {
      auto name = find_name(low32, kFutexBitset);
      return name ? std::string(*name) : hex(low32);
    }
    default: return std::nullopt;
  }
}

}  // namespace syslat::decode
