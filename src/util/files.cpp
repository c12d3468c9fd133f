#include "util/files.h"

#include <ext/stdio_filebuf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/fd.h"

namespace syslat::util {
namespace {

// An ostream that owns its buffer; the buffer owns (and closes) the fd.
class FdOStream : public std::ostream {
 public:
  explicit FdOStream(int fd) : std::ostream(nullptr), buf_(fd, std::ios::out, kBufferSize) { rdbuf(&buf_); }

 private:
  static constexpr size_t kBufferSize = 64 * 1024;
  __gnu_cxx::stdio_filebuf<char> buf_;
};

}  // namespace

Expected<int> open_output_fd(const std::string& path) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return make_error(path + ": " + std::strerror(errno));
  // A write of nothing reaches the file's write handler: procfs and sysfs
  // files without one fail it (EIO, EINVAL), regular files, pipes and ttys
  // take it.
  if (write(fd, "", 0) < 0) {
    const int e = errno;
    close(fd);
    return make_error(path + ": " + std::strerror(e));
  }
  return fd;
}

Expected<std::unique_ptr<std::ostream>> open_output_file(const std::string& path) {
  auto fd = open_output_fd(path);
  if (!fd) return fd.error();
  return std::unique_ptr<std::ostream>(std::make_unique<FdOStream>(*fd));
}

std::optional<std::string> read_small_file(const std::string& path, size_t max_bytes) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  std::string text(max_bytes, '\0');
  size_t used = 0;
  while (used < max_bytes) {
    const ssize_t n = read(fd.get(), text.data() + used, max_bytes - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  text.resize(used);
  return text;
}

}  // namespace syslat::util
