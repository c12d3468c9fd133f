#include "decode/memory_args.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <vector>

#include "core/errno_names.h"
#include "decode/flags.h"
#include "decode/text.h"

namespace syslat::decode {
namespace {

using core::ArgKind;

constexpr size_t kMaxPollfds = 64;      // more are shown as "..."
constexpr size_t kMaxEnvEntries = 4096;  // counting envp stops here
constexpr size_t kMaxDirents = 1 << 20;   // bytes of a getdents buffer read to count its entries

#define N(x) Named{static_cast<uint64_t>(x), #x}
constexpr Named kPollEvents[] = {N(POLLIN),     N(POLLPRI),    N(POLLOUT),    N(POLLERR),  N(POLLHUP), N(POLLNVAL),
                                 N(POLLRDNORM), N(POLLRDBAND), N(POLLWRNORM), N(POLLWRBAND), N(POLLMSG), N(POLLRDHUP)};
constexpr Named kStatxAttributes[] = {
    N(STATX_ATTR_COMPRESSED), N(STATX_ATTR_IMMUTABLE), N(STATX_ATTR_APPEND), N(STATX_ATTR_NODUMP),
    N(STATX_ATTR_ENCRYPTED),  N(STATX_ATTR_AUTOMOUNT), N(STATX_ATTR_MOUNT_ROOT), N(STATX_ATTR_VERITY),
    N(STATX_ATTR_DAX)};
constexpr Named kFamilies[] = {N(AF_UNSPEC), N(AF_UNIX), N(AF_INET), N(AF_INET6), N(AF_NETLINK), N(AF_PACKET)};
#undef N

bool succeeded(const CallContext& ctx) { return ctx.ret && !core::is_error_return(*ctx.ret); }
bool interrupted(const CallContext& ctx) {
  return ctx.ret && core::is_error_return(*ctx.ret) && core::is_restart_errno(static_cast<int>(-*ctx.ret));
}

template <class T>
bool read_value(const CallContext& ctx, uint64_t addr, T& out) {
  return addr != 0 && ctx.read_memory && ctx.read_memory(addr, &out, sizeof out) == sizeof out;
}

// `len` bytes at addr, at most max_string of them quoted (every byte in hex
// with `as_hex`); "..." when cut.
std::string buffer_text(uint64_t addr, uint64_t len, const CallContext& ctx, bool as_hex = false) {
  if (addr == 0 || !ctx.read_memory) return pointer(addr);
  const size_t want = static_cast<size_t>(std::min<uint64_t>(len, ctx.max_string));
  std::string bytes(want, '\0');
  const size_t got = want ? ctx.read_memory(addr, bytes.data(), want) : 0;
  if (got == 0 && want > 0) return pointer(addr);
  bytes.resize(got);
  return (as_hex ? quote_hex(bytes) : quote_string(bytes)) + (len > got ? "..." : "");
}

// strace's rlim_t: RLIM64_INFINITY, 8192*1024 for multiples of 1024 above it, else the number.
std::string rlim_text(uint64_t value) {
  if (value == RLIM64_INFINITY) return "RLIM64_INFINITY";
  if (value > 1024 && value % 1024 == 0) return std::to_string(value / 1024) + "*1024";
  return std::to_string(value);
}

std::string rlimit_text(uint64_t addr, const CallContext& ctx) {
  uint64_t lim[2];  // struct rlimit64 (the native struct rlimit on 64-bit ABIs)
  if (!read_value(ctx, addr, lim)) return pointer(addr);
  return "{rlim_cur=" + rlim_text(lim[0]) + ", rlim_max=" + rlim_text(lim[1]) + "}";
}

std::string int_text(uint64_t addr, const CallContext& ctx) {
  int32_t value = 0;
  if (!read_value(ctx, addr, value)) return pointer(addr);
  return "[" + std::to_string(value) + "]";
}

// getdents' buffer: strace counts the entries of the `len` bytes the call returned.
std::string dirents_text(uint64_t addr, uint64_t len, const CallContext& ctx) {
  std::vector<unsigned char> buf(std::min<uint64_t>(len, kMaxDirents));
  if (!buf.empty() && (!ctx.read_memory || ctx.read_memory(addr, buf.data(), buf.size()) != buf.size()))
    return pointer(addr);
  // linux_dirent and linux_dirent64 both keep d_reclen after two 8-byte fields.
  constexpr size_t kReclenAt = 16;
  size_t entries = 0;
  for (size_t at = 0; at + kReclenAt + sizeof(uint16_t) <= buf.size();) {
    uint16_t reclen;
    std::memcpy(&reclen, &buf[at + kReclenAt], sizeof reclen);
    if (reclen == 0) break;
    ++entries;
    at += reclen;
  }
  return pointer(addr) + " /* " + std::to_string(entries) + (entries == 1 ? " entry */" : " entries */");
}

std::string statx_text(uint64_t addr, const CallContext& ctx) {
  struct statx stx;
  if (!read_value(ctx, addr, stx)) return pointer(addr);
  return "{stx_mask=" + format_symbolic(core::ArgKind::StatxMask, stx.stx_mask).value_or("") +
         ", stx_attributes=" + format_bits(stx.stx_attributes, kStatxAttributes) + ", stx_mode=" + mode_text(stx.stx_mode) +
         ", stx_size=" + std::to_string(stx.stx_size) + ", ...}";
}

std::string sigset_at(uint64_t addr, const CallContext& ctx) {
  uint64_t mask = 0;  // the kernel's sigset: 64 signals
  if (!read_value(ctx, addr, mask)) return pointer(addr);
  return sigset_text(mask);
}

// The kernel's struct sigaction (not glibc's): handler, flags, restorer, mask.
std::string sigaction_text(uint64_t addr, const CallContext& ctx) {
  struct {
    uint64_t handler, flags, restorer, mask;
  } sa;
  if (!read_value(ctx, addr, sa)) return pointer(addr);
  const std::string handler = sa.handler == 0 ? "SIG_DFL" : sa.handler == 1 ? "SIG_IGN" : hex(sa.handler);
  std::string out = "{sa_handler=" + handler + ", sa_mask=" + sigset_text(sa.mask) +
                    ", sa_flags=" + format_symbolic(core::ArgKind::SigactionFlags, sa.flags).value_or("");
  if (sa.flags & kSaRestorer) out += ", sa_restorer=" + pointer(sa.restorer);
  return out + "}";
}

std::string utsname_text(uint64_t addr, const CallContext& ctx) {
  struct utsname u;
  if (!read_value(ctx, addr, u)) return pointer(addr);
  return "{sysname=" + quote_string(std::string_view(u.sysname, strnlen(u.sysname, sizeof u.sysname))) +
         ", nodename=" + quote_string(std::string_view(u.nodename, strnlen(u.nodename, sizeof u.nodename))) + ", ...}";
}

std::string sysinfo_text(uint64_t addr, const CallContext& ctx) {
  struct sysinfo si;
  if (!read_value(ctx, addr, si)) return pointer(addr);
  using std::to_string;
  return "{uptime=" + to_string(si.uptime) + ", loads=[" + to_string(si.loads[0]) + ", " + to_string(si.loads[1]) +
         ", " + to_string(si.loads[2]) + "], totalram=" + to_string(si.totalram) + ", freeram=" + to_string(si.freeram) +
         ", sharedram=" + to_string(si.sharedram) + ", bufferram=" + to_string(si.bufferram) +
         ", totalswap=" + to_string(si.totalswap) + ", freeswap=" + to_string(si.freeswap) + ", procs=" + to_string(si.procs) +
         ", totalhigh=" + to_string(si.totalhigh) + ", freehigh=" + to_string(si.freehigh) +
         ", mem_unit=" + to_string(si.mem_unit) + "}";
}

// wait4's status as strace decodes it: [{WIFEXITED(s) && WEXITSTATUS(s) == 0}].
std::string wait_status_text(uint64_t addr, const CallContext& ctx) {
  int status = 0;
  if (!read_value(ctx, addr, status)) return pointer(addr);
  std::string out;
  if (WIFSTOPPED(status)) {
    out = "[{WIFSTOPPED(s) && WSTOPSIG(s) == " + signal_name(WSTOPSIG(status));
    status &= ~0xffff;
  } else if (WIFSIGNALED(status)) {
    out = "[{WIFSIGNALED(s) && WTERMSIG(s) == " + signal_name(WTERMSIG(status)) +
          (WCOREDUMP(status) ? " && WCOREDUMP(s)" : "");
    status &= ~0xff;
  } else if (WIFEXITED(status)) {
    out = "[{WIFEXITED(s) && WEXITSTATUS(s) == " + std::to_string(WEXITSTATUS(status));
    status &= ~0xff00;
  } else {
    return "[" + hex(static_cast<uint32_t>(status)) + "]";
  }
  return out + (status == 0 ? "}]" : "} | " + hex(static_cast<uint32_t>(status)) + "]");
}

std::string timespec_text(uint64_t addr, const CallContext& ctx) {
  struct timespec ts {};
  if (!read_value(ctx, addr, ts)) return pointer(addr);
  return "{tv_sec=" + std::to_string(ts.tv_sec) + ", tv_nsec=" + std::to_string(ts.tv_nsec) + "}";
}

std::string sockaddr_at(uint64_t addr, int64_t len, const CallContext& ctx) {
  if (len <= 0) return pointer(addr);
  sockaddr_storage ss{};
  const size_t want = std::min(static_cast<size_t>(len), sizeof ss);
  if (addr == 0 || !ctx.read_memory || ctx.read_memory(addr, &ss, want) != want) return pointer(addr);
  return sockaddr_text(&ss, want);
}

std::string pollfds_text(uint64_t addr, uint64_t nfds, const CallContext& ctx) {
  if (nfds == 0) return "[]";
  std::vector<pollfd> fds(std::min<uint64_t>(nfds, kMaxPollfds));
  const size_t bytes = fds.size() * sizeof(pollfd);
  if (addr == 0 || !ctx.read_memory || ctx.read_memory(addr, fds.data(), bytes) != bytes) return pointer(addr);
  std::string out = "[";
  for (const pollfd& p : fds) {
    if (out.size() > 1) out += ", ";
    out += "{fd=" + std::to_string(p.fd) + ", events=" + format_bits(static_cast<uint16_t>(p.events), kPollEvents) + "}";
  }
  return out + (nfds > fds.size() ? ", ...]" : "]");
}

// The NULL-terminated pointer array at addr: up to `max` entries, and
// whether the terminator was seen; nullopt if unreadable.
std::optional<std::vector<uint64_t>> pointer_array(uint64_t addr, size_t max, bool& complete, const CallContext& ctx) {
  complete = false;
  if (addr == 0 || !ctx.read_memory) return std::nullopt;
  std::vector<uint64_t> out;
  uint64_t chunk[64];
  while (out.size() < max) {
    const size_t got = ctx.read_memory(addr + out.size() * sizeof(uint64_t), chunk, sizeof chunk) / sizeof(uint64_t);
    if (got == 0) return out.empty() ? std::nullopt : std::optional(out);
    for (size_t i = 0; i < got && out.size() < max; ++i) {
      if (chunk[i] == 0) {
        complete = true;
        return out;
      }
      out.push_back(chunk[i]);
    }
  }
  return out;
}

std::string string_array_text(uint64_t addr, const CallContext& ctx) {
  bool complete = false;
  auto entries = pointer_array(addr, std::max<size_t>(ctx.max_string, 1), complete, ctx);
  if (!entries) return pointer(addr);
  std::string out = "[";
  for (uint64_t p : *entries) {
    if (out.size() > 1) out += ", ";
    std::optional<std::string> s = ctx.read_string ? ctx.read_string(p, ctx.max_string + 1) : std::nullopt;
    out += s ? quote_string(*s, ctx.max_string) : pointer(p);
  }
  if (!complete) out += out.size() > 1 ? ", ..." : "...";
  return out + "]";
}

std::string env_array_text(uint64_t addr, const CallContext& ctx) {
  bool complete = false;
  auto entries = pointer_array(addr, kMaxEnvEntries, complete, ctx);
  if (!entries) return pointer(addr);
  const size_t n = entries->size();
  return pointer(addr) + " /* " + std::to_string(n) + (complete ? "" : "+") + (n == 1 ? " var */" : " vars */");
}

std::string fd_pair_text(uint64_t addr, const CallContext& ctx) {
  int fds[2];
  if (!read_value(ctx, addr, fds)) return pointer(addr);
  return "[" + std::to_string(fds[0]) + ", " + std::to_string(fds[1]) + "]";
}

}  // namespace

std::string stat_text(const void* stat_bytes) {
  struct stat st;
  std::memcpy(&st, stat_bytes, sizeof st);
  std::string out = "{st_mode=" + mode_text(st.st_mode);
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
    out += ", st_rdev=makedev(" + hex(major(st.st_rdev)) + ", " + hex(minor(st.st_rdev)) + ")";
  else
    out += ", st_size=" + std::to_string(st.st_size);
  return out + ", ...}";
}

std::string sockaddr_text(const void* bytes, size_t len) {
  sockaddr_storage ss{};
  std::memcpy(&ss, bytes, std::min(len, sizeof ss));
  if (len < sizeof(sa_family_t)) return "{}";
  auto family = find_name(ss.ss_family, kFamilies);
  std::string out = "{sa_family=" + (family ? std::string(*family) : std::to_string(ss.ss_family));
  char text[INET6_ADDRSTRLEN] = "";
  switch (ss.ss_family) {
    case AF_UNIX: {
      const auto* un = reinterpret_cast<const sockaddr_un*>(&ss);
      const size_t path_len = len > offsetof(sockaddr_un, sun_path) ? len - offsetof(sockaddr_un, sun_path) : 0;
      if (path_len == 0) return out + "}";
      if (un->sun_path[0] == '\0')  // abstract: the name is the bytes after the NUL, not NUL-terminated
        return out + ", sun_path=@" + quote_string(std::string_view(un->sun_path + 1, path_len - 1)) + "}";
      return out + ", sun_path=" + quote_string(std::string_view(un->sun_path, strnlen(un->sun_path, path_len))) + "}";
    }
    case AF_INET: {
      const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
      inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
      return out + ", sin_port=htons(" + std::to_string(ntohs(in->sin_port)) + "), sin_addr=inet_addr(\"" + text + "\")}";
    }
    case AF_INET6: {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
      inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
      return out + ", sin6_port=htons(" + std::to_string(ntohs(in6->sin6_port)) + "), sin6_flowinfo=htonl(" +
             std::to_string(ntohl(in6->sin6_flowinfo)) + "), inet_pton(AF_INET6, \"" + text +
             "\", &sin6_addr), sin6_scope_id=" + std::to_string(in6->sin6_scope_id) + "}";
    }
    default:
      return out + ", sa_data=" + quote_string(std::string_view(reinterpret_cast<const char*>(&ss) + sizeof(sa_family_t),
                                                                len - sizeof(sa_family_t))) + "}";
  }
}

std::optional<std::string> memory_arg_text(ArgKind kind, const std::array<uint64_t, 6>& args, size_t index,
                                           const CallContext& ctx) {
  const uint64_t addr = args[index];
  const uint64_t next = index + 1 < args.size() ? args[index + 1] : 0;
  const bool done = succeeded(ctx);
  switch (kind) {
    case ArgKind::InBuf: return buffer_text(addr, next, ctx);
    case ArgKind::OutBuf:
      if (!done) return pointer(addr);
      return buffer_text(addr, static_cast<uint64_t>(*ctx.ret), ctx);
    case ArgKind::OutString: {
      if (!done || !ctx.read_string || addr == 0) return pointer(addr);
      auto s = ctx.read_string(addr, PATH_MAX);
      return s ? quote_string(*s) : pointer(addr);
    }
    case ArgKind::StatBuf: {
      struct stat st;
      if (!done || !read_value(ctx, addr, st)) return pointer(addr);
      return stat_text(&st);
    }
    case ArgKind::Sockaddr: return sockaddr_at(addr, static_cast<int32_t>(next), ctx);
    case ArgKind::SockaddrOut: {
      int32_t len = 0;
      if (!done || !read_value(ctx, next, len)) return pointer(addr);
      return sockaddr_at(addr, len, ctx);
    }
    case ArgKind::Timespec: return timespec_text(addr, ctx);
    case ArgKind::TimespecOut: return done ? timespec_text(addr, ctx) : pointer(addr);
    case ArgKind::Pollfds: return pollfds_text(addr, next & 0xffffffffu, ctx);
    case ArgKind::FdPair: return done ? fd_pair_text(addr, ctx) : pointer(addr);
    case ArgKind::StrArray: return string_array_text(addr, ctx);
    case ArgKind::EnvArray: return env_array_text(addr, ctx);
    case ArgKind::RandomBuf:
      if (!done) return pointer(addr);
      return buffer_text(addr, static_cast<uint64_t>(*ctx.ret), ctx, true);
    case ArgKind::RlimitIn: return rlimit_text(addr, ctx);
    case ArgKind::RlimitOut: return done ? rlimit_text(addr, ctx) : pointer(addr);
    case ArgKind::WaitStatus: return done && *ctx.ret > 0 ? wait_status_text(addr, ctx) : pointer(addr);
    case ArgKind::IntRef: return int_text(addr, ctx);
    case ArgKind::SockoptIn: return (next & 0xffffffffu) == sizeof(int32_t) ? int_text(addr, ctx) : pointer(addr);
    case ArgKind::IntOut: return done ? int_text(addr, ctx) : pointer(addr);
    case ArgKind::TimespecRem: return interrupted(ctx) ? timespec_text(addr, ctx) : pointer(addr);
    case ArgKind::Dirents: return done ? dirents_text(addr, static_cast<uint64_t>(*ctx.ret), ctx) : pointer(addr);
    case ArgKind::StatxBuf: return done ? statx_text(addr, ctx) : pointer(addr);
    case ArgKind::SigsetIn: return sigset_at(addr, ctx);
    case ArgKind::SigsetOut: return done ? sigset_at(addr, ctx) : pointer(addr);
    case ArgKind::SigactionIn: return sigaction_text(addr, ctx);
    case ArgKind::SigactionOut: return done ? sigaction_text(addr, ctx) : pointer(addr);
    case ArgKind::UtsnameOut: return done ? utsname_text(addr, ctx) : pointer(addr);
    case ArgKind::SysinfoOut: return done ? sysinfo_text(addr, ctx) : pointer(addr);
    case ArgKind::SockoptOut: {
      int32_t len = 0;
      if (!done || !read_value(ctx, next, len) || len != sizeof(int32_t)) return pointer(addr);
      return int_text(addr, ctx);
    }
    default: return std::nullopt;
  }
}

}  // namespace syslat::decode
