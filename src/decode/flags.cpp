#include "decode/flags.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

namespace syslat::decode {
namespace {

using core::ArgKind;

#define N(x) Named{static_cast<uint64_t>(x), #x}

// strace leaves these out of the headers' view: the kernel's own values.
constexpr uint64_t kLargefile = 0100000;  // O_LARGEFILE is 0 in 64-bit glibc
constexpr uint64_t kTmpfile = 020200000;  // O_TMPFILE (__O_TMPFILE | O_DIRECTORY)

constexpr Named kAccessModes[] = {N(O_RDONLY), N(O_WRONLY), N(O_RDWR), {3, "O_ACCMODE"}};
constexpr Named kOpenFlags[] = {
    // Multi-bit values first, so that O_TMPFILE is not shown as O_DIRECTORY|0x400000.
    {kTmpfile, "O_TMPFILE"}, N(O_SYNC),     N(O_CREAT),    N(O_EXCL),      N(O_NOCTTY),
    N(O_TRUNC),              N(O_APPEND),   N(O_NONBLOCK), N(O_DSYNC),     N(O_ASYNC),
    N(O_DIRECT),             {kLargefile, "O_LARGEFILE"},  N(O_DIRECTORY), N(O_NOFOLLOW),
    N(O_NOATIME),            N(O_CLOEXEC),  N(O_PATH),
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
  std::string out = cmd ? std::string(*cmd) : std::to_string(op & FUTEX_CMD_MASK);
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

std::string enum_value(uint64_t value, std::span<const Named> table) {
  auto name = find_name(value, table);
  return name ? std::string(*name) : std::to_string(static_cast<int32_t>(value));
}

#undef N

}  // namespace

std::optional<std::string_view> find_name(uint64_t value, std::span<const Named> table) {
  for (const Named& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return std::nullopt;
}

std::string format_bits(uint64_t value, std::span<const Named> table, std::string_view zero) {
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
    case ArgKind::SocketDomain: return enum_value(low32, kDomains);
    case ArgKind::SocketType: return field_and_bits(low32, 0xf, kSocketTypes, kSocketTypeFlags);
    case ArgKind::MsgFlags: return format_bits(low32, kMsgFlags);
    case ArgKind::Whence: return enum_value(low32, kWhence);
    case ArgKind::FutexOp: return futex_op(low32);
    case ArgKind::FcntlCmd: return enum_value(low32, kFcntlCmds);
    case ArgKind::SigprocmaskHow: return enum_value(low32, kSigHow);
    case ArgKind::EpollCtlOp: return enum_value(low32, kEpollOps);
    default: return std::nullopt;
  }
}

}  // namespace syslat::decode
