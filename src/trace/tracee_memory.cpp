#include "trace/tracee_memory.h"

#include <sys/ptrace.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace syslat::trace {
namespace {

const uint64_t kPage = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));

// process_vm_readv is refused (EPERM under some LSMs, ENOSYS without
// CONFIG_CROSS_MEMORY_ATTACH): remembered, then words through ptrace.
bool vm_readv_works = true;

size_t peek_words(pid_t tid, uint64_t addr, char* out, size_t len) {
  size_t done = 0;
  while (done < len) {
    const uint64_t at = addr + done;
    const uint64_t word_addr = at & ~uint64_t{7};
    errno = 0;
    const long word = ptrace(PTRACE_PEEKDATA, tid, word_addr, nullptr);
    if (errno != 0) break;
    const size_t skip = at - word_addr;
    const size_t n = std::min(len - done, sizeof word - skip);
    std::memcpy(out + done, reinterpret_cast<const char*>(&word) + skip, n);
    done += n;
  }
  return done;
}

// Up to len bytes in one call; the remote side split at page boundaries
// (the kernel stops at the first iovec it cannot read, keeping the earlier).
size_t read_once(pid_t tid, uint64_t addr, char* out, size_t len) {
  if (len == 0) return 0;
  if (!vm_readv_works) return peek_words(tid, addr, out, len);
  iovec local{out, len};
  iovec remote[8];
  size_t count = 0, planned = 0;
  while (planned < len && count < std::size(remote)) {
    const uint64_t at = addr + planned;
    const size_t n = std::min<uint64_t>(len - planned, kPage - at % kPage);
    remote[count++] = iovec{reinterpret_cast<void*>(at), n};
    planned += n;
  }
  local.iov_len = planned;
  const ssize_t got = process_vm_readv(tid, &local, 1, remote, count, 0);
  if (got >= 0) return static_cast<size_t>(got);
  if (errno == ENOSYS || errno == EPERM) {
    vm_readv_works = false;
    return peek_words(tid, addr, out, len);
  }
  return 0;
}

}  // namespace

size_t read_tracee(pid_t tid, uint64_t addr, void* out, size_t len) {
  if (addr == 0) return 0;
  size_t done = 0;
  while (done < len) {
    // At most 5 pages per call: read_once's iovec array always covers it.
    const size_t chunk = std::min<uint64_t>(len - done, 4 * kPage + (kPage - (addr + done) % kPage));
    const size_t got = read_once(tid, addr + done, static_cast<char*>(out) + done, chunk);
    done += got;
    if (got < chunk) break;  // an unreadable page
  }
  return done;
}

std::optional<std::string> read_tracee_string(pid_t tid, uint64_t addr, size_t max_len) {
  if (addr == 0) return std::nullopt;
  std::string out(max_len, '\0');
  const size_t first = std::min<uint64_t>(max_len, kPage - addr % kPage);
  size_t got = read_once(tid, addr, out.data(), first);
  if (const void* nul = std::memchr(out.data(), '\0', got)) {
    out.resize(static_cast<const char*>(nul) - out.data());
    return out;
  }
  if (got < first) return std::nullopt;
  if (got < max_len) {
    const size_t more = read_once(tid, addr + got, out.data() + got, max_len - got);
    if (const void* nul = std::memchr(out.data() + got, '\0', more)) {
      out.resize(static_cast<const char*>(nul) - out.data());
      return out;
    }
    got += more;
    if (got < max_len) return std::nullopt;  // unterminated up to an unreadable page
  }
  return out;  // max_len bytes and no NUL: cut by the limit
}

}  // namespace syslat::trace
